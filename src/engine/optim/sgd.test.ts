// GPU parity of sgd: parity_gpu.test.ts.
import { describe, expect, it } from 'vitest';
import { runCpuOptimizer } from './harness';
import { sgd } from './sgd';
import type { Hyper } from './types';

const hp = (o: Partial<Record<string, number | boolean>>): Hyper => ({
  lr: 0.1,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  ...o,
});
const one = { name: 'w', offset: 0, size: 2, shape: [2], layer: 0, kind: 'bias' as const };

/** Run the CPU reference on one run of two coordinates. */
function cpu(h: Hyper, init: number[], grads: number[][]): number[][] {
  return runCpuOptimizer(sgd, {
    hps: [h],
    tensors: [one],
    paramCount: 2,
    init: Float32Array.from(init),
    grads: grads.map((g) => Float32Array.from(g)),
  }).params.map((p) => Array.from(p));
}

describe('sgd (CPU reference, golden values)', () => {
  it('plain SGD with coupled weight decay: theta -= lr (g + wd theta)', () => {
    // theta0 = [1, -2], g = [0.5, 0.25], lr 0.1, wd 0.5:
    // step 1: g' = [0.5 + 0.5, 0.25 - 1] = [1, -0.75]; theta = [1 - 0.1, -2 + 0.075] = [0.9, -1.925]
    const out = cpu(hp({ weightDecay: 0.5 }), [1, -2], [[0.5, 0.25]]);
    expect(out[0][0]).toBeCloseTo(0.9, 12);
    expect(out[0][1]).toBeCloseTo(-1.925, 12);
  });

  it('heavy ball: buffer = g on step 1 (no dampening), then mu b + (1 - tau) g', () => {
    // mu 0.9, tau 0.5, lr 0.1, theta0 = 0, g1 = 1, g2 = 2, g3 = -1
    // b1 = 1 (clone, dampening not applied)       theta1 = -0.1
    // b2 = 0.9*1 + 0.5*2 = 1.9                       theta2 = -0.1 - 0.19 = -0.29
    // b3 = 0.9*1.9 + 0.5*(-1) = 1.21                 theta3 = -0.29 - 0.121 = -0.411
    const out = cpu(
      hp({ momentum: 0.9, dampening: 0.5 }),
      [0, 0],
      [
        [1, 0],
        [2, 0],
        [-1, 0],
      ],
    );
    expect(out.map((p) => p[0])).toEqual([
      expect.closeTo(-0.1, 12),
      expect.closeTo(-0.29, 12),
      expect.closeTo(-0.411, 12),
    ]);
  });

  it('nesterov steps along g + mu b', () => {
    // mu 0.5, lr 1, theta0 = 0, g1 = 1, g2 = 1
    // b1 = 1, d1 = 1 + 0.5 = 1.5 -> theta1 = -1.5
    // b2 = 0.5 + 1 = 1.5, d2 = 1 + 0.75 = 1.75 -> theta2 = -3.25
    const out = cpu(
      hp({ lr: 1, momentum: 0.5, nesterov: true }),
      [0, 0],
      [
        [1, 0],
        [1, 0],
      ],
    );
    expect(out[0][0]).toBeCloseTo(-1.5, 12);
    expect(out[1][0]).toBeCloseTo(-3.25, 12);
  });

  it('gives the stability lines of docs/metrics.md', () => {
    expect(sgd.sharpnessThreshold!(hp({}), 0.1)).toBeCloseTo(20, 10);
    expect(sgd.sharpnessThreshold!(hp({ momentum: 0.9 }), 0.1)).toBeCloseTo(38, 10);
    expect(sgd.sharpnessThreshold!(hp({ momentum: 0.9, nesterov: true }), 0.1)).toBeCloseTo(38 / 2.8, 10);
  });
});
