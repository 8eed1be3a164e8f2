import { describe, expect, it } from 'vitest';
import { lion } from './lion';
import { cpuTrajectory, hyperOf } from './testing_cpu';

describe('lion (CPU reference, golden values)', () => {
  it('steps by lr sign(b1 m + (1-b1) g), then updates m with b2', () => {
    // b = (0.9, 0.99), lr 0.1, g1 = 1, g2 = -0.05:
    // step 1: c = 0.1 > 0 -> theta1 = -0.1; m1 = 0.01
    // step 2: c = 0.9*0.01 + 0.1*(-0.05) = 0.004 > 0 -> theta2 = -0.2 (momentum wins over g2)
    // step 3 with g3 = -1: m2 = 0.99*0.01 - 0.0005 = 0.0094, c = 0.00846 - 0.1 < 0 -> theta3 = -0.1
    const out = cpuTrajectory(lion, hyperOf(lion, { lr: 0.1 }), [0], [[1], [-0.05], [-1]]);
    expect(out.map((p) => p[0])).toEqual([
      expect.closeTo(-0.1, 14),
      expect.closeTo(-0.2, 14),
      expect.closeTo(-0.1, 14),
    ]);
  });

  it('decays decoupled before the step; sign(0) = 0', () => {
    // theta0 = 2, lr 0.1, wd 1: theta = 2*0.9 - 0 (g = 0) = 1.8
    const [[x]] = cpuTrajectory(lion, hyperOf(lion, { lr: 0.1, weightDecay: 1 }), [2], [[0]]);
    expect(x).toBeCloseTo(1.8, 14);
  });
});
