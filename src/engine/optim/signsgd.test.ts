import { describe, expect, it } from 'vitest';
import { signsgd } from './signsgd';
import { cpuTrajectory, hyperOf } from './testing_cpu';

describe('signsgd (CPU reference, golden values)', () => {
  it('signSGD (momentum 0): theta -= lr sign(g + wd theta)', () => {
    // theta0 = [1, 1, 1], g = [0.3, -2, 0], wd 0: [0.9, 1.1, 1]
    const [x] = cpuTrajectory(signsgd, hyperOf(signsgd, { lr: 0.1 }), [1, 1, 1], [[0.3, -2, 0]]);
    expect(x).toEqual([expect.closeTo(0.9, 14), expect.closeTo(1.1, 14), expect.closeTo(1, 14)]);
    // wd 1: g' = -0.5 + 1 = 0.5 > 0 -> 0.9
    const [[y]] = cpuTrajectory(signsgd, hyperOf(signsgd, { lr: 0.1, weightDecay: 1 }), [1], [[-0.5]]);
    expect(y).toBeCloseTo(0.9, 14);
  });

  it('Signum: sign of m <- beta m + (1-beta) g, m from 0', () => {
    // beta 0.9, g = 1, -0.5, -0.5: m = 0.1, 0.04, -0.014 -> steps -, -, +
    const out = cpuTrajectory(signsgd, hyperOf(signsgd, { lr: 0.1, momentum: 0.9 }), [0], [[1], [-0.5], [-0.5]]);
    expect(out.map((p) => p[0])).toEqual([
      expect.closeTo(-0.1, 14),
      expect.closeTo(-0.2, 14),
      expect.closeTo(-0.1, 14),
    ]);
  });
});
