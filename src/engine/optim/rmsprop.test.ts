import { describe, expect, it } from 'vitest';
import { rmsprop } from './rmsprop';
import { cpuTrajectory, hyperOf } from './testing_cpu';

describe('rmsprop (CPU reference, golden values)', () => {
  it('first step: v = (1-alpha) g^2, so the step is lr g / (sqrt(1-alpha)|g| + eps)', () => {
    // alpha 0.99, g = 2: v = 0.04, sqrt = 0.2; theta = 1 - 0.01 * 2 / (0.2 + 1e-8)
    const [[x]] = cpuTrajectory(rmsprop, hyperOf(rmsprop), [1], [[2]]);
    expect(x).toBeCloseTo(1 - (0.01 * 2) / (0.2 + 1e-8), 14);
  });

  it('centered: divides by sqrt(v - g_avg^2)', () => {
    // step 1, alpha 0.99, g = 2: v = 0.04, g_avg = 0.02, v - g_avg^2 = 0.0396
    const [[x]] = cpuTrajectory(rmsprop, hyperOf(rmsprop, { centered: true }), [1], [[2]]);
    expect(x).toBeCloseTo(1 - (0.01 * 2) / (Math.sqrt(0.0396) + 1e-8), 14);
    // step 2, g = 1: v = 0.99*0.04 + 0.01 = 0.0496, g_avg = 0.99*0.02 + 0.01 = 0.0298
    const out = cpuTrajectory(rmsprop, hyperOf(rmsprop, { centered: true, eps: 0 }), [0], [[2], [1]]);
    const d1 = 2 / Math.sqrt(0.0396);
    const d2 = 1 / Math.sqrt(0.0496 - 0.0298 ** 2);
    expect(out[1][0]).toBeCloseTo(-0.01 * (d1 + d2), 12);
  });

  it('momentum accumulates the normalised steps (buffer starts at 0)', () => {
    // eps 0, alpha 0.5, mu 0.9, lr 0.1, g = 1, 1: v1 = 0.5, d1 = 1/sqrt(0.5); v2 = 0.75, d2 = 1/sqrt(0.75)
    // b1 = d1, b2 = 0.9 d1 + d2; theta2 = -0.1 (b1 + b2)
    const out = cpuTrajectory(
      rmsprop,
      hyperOf(rmsprop, { eps: 0, alpha: 0.5, momentum: 0.9, lr: 0.1 }),
      [0],
      [[1], [1]],
    );
    const d1 = 1 / Math.sqrt(0.5);
    const d2 = 1 / Math.sqrt(0.75);
    expect(out[1][0]).toBeCloseTo(-0.1 * (d1 + 0.9 * d1 + d2), 12);
  });

  it('coupled weight decay enters the gradient', () => {
    // wd 0.5, theta0 = 2, g = 0: g' = 1 -> v = 0.01, theta = 2 - 0.01 * 1/0.1 = 1.9
    const [[x]] = cpuTrajectory(rmsprop, hyperOf(rmsprop, { weightDecay: 0.5, eps: 0 }), [2], [[0]]);
    expect(x).toBeCloseTo(1.9, 12);
  });
});
