import { describe, expect, it } from 'vitest';
import { diffgrad } from './diffgrad';
import { cpuTrajectory, hyperOf } from './testing_cpu';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('diffgrad v2 (CPU reference, golden values)', () => {
  it('first step: g_prev = 0, so xi = sigmoid(|g_1|)', () => {
    // g = 2, lr 0.1: m1 = 0.2, v1 = 0.004, step size = 0.1 sqrt(0.001)/0.1
    // theta1 = -step * xi * m1 / (sqrt(v1) + eps), xi = sigmoid(2) = 0.8808
    const [[x]] = cpuTrajectory(diffgrad, hyperOf(diffgrad, { lr: 0.1 }), [0], [[2]]);
    const step = (0.1 * Math.sqrt(0.001)) / 0.1;
    expect(x).toBeCloseTo((-step * sigmoid(2) * 0.2) / (Math.sqrt(0.004) + 1e-8), 14);
    expect(x).toBeCloseTo(-0.1 * sigmoid(2), 6); // ~ lr * xi * sign(g)
  });

  it('second step with the same gradient: xi = sigmoid(0) = 1/2 (the copy of g_prev is the v2 fix)', () => {
    // m2 = 0.9*0.2 + 0.2 = 0.38, v2 = 0.999*0.004 + 0.004 = 0.007996, bc1 = 0.19, bc2 = 0.001999
    const out = cpuTrajectory(diffgrad, hyperOf(diffgrad, { lr: 0.1 }), [0], [[2], [2]]);
    const step2 = (0.1 * Math.sqrt(0.001999)) / 0.19;
    expect(out[1][0] - out[0][0]).toBeCloseTo((-step2 * 0.5 * 0.38) / (Math.sqrt(0.007996) + 1e-8), 14);
  });

  it('the friction uses the decayed gradient of the previous step (coupled weight decay)', () => {
    // wd 1, theta0 = 1, g = 0: g1' = 1 -> xi1 = sigmoid(1); g_prev = 1
    // step 2: theta1 = 1 - d1, g2' = theta1 -> xi2 = sigmoid(|1 - theta1|)
    const hp = hyperOf(diffgrad, { lr: 0.1, weightDecay: 1, eps: 0 });
    const out = cpuTrajectory(diffgrad, hp, [1], [[0], [0]]);
    const theta1 = 1 - 0.1 * sigmoid(1);
    expect(out[0][0]).toBeCloseTo(theta1, 14);
    const g2 = theta1;
    const m2 = 0.9 * 0.1 + 0.1 * g2;
    const v2 = 0.999 * 0.001 + 0.001 * g2 * g2;
    const step2 = (0.1 * Math.sqrt(0.001999)) / 0.19;
    expect(out[1][0]).toBeCloseTo(theta1 - (step2 * sigmoid(Math.abs(1 - g2)) * m2) / Math.sqrt(v2), 14);
  });
});
