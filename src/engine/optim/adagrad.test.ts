import { describe, expect, it } from 'vitest';
import { adagrad } from './adagrad';
import { cpuTrajectory, hyperOf } from './testing_cpu';

describe('adagrad (CPU reference, golden values)', () => {
  it('accumulates squares from initialAccumulatorValue and decays the lr', () => {
    // lr 0.1, lrDecay 0.5, S0 = 1, eps 0, g = 3 then 4:
    // step 1: S = 1 + 9 = 10, clr = 0.1          theta1 = -0.1*3/sqrt(10)
    // step 2: S = 10 + 16 = 26, clr = 0.1/1.5    theta2 = theta1 - (0.1/1.5)*4/sqrt(26)
    const hp = hyperOf(adagrad, { lr: 0.1, lrDecay: 0.5, initialAccumulatorValue: 1, eps: 0 });
    const out = cpuTrajectory(adagrad, hp, [0], [[3], [4]]);
    const t1 = (-0.1 * 3) / Math.sqrt(10);
    expect(out[0][0]).toBeCloseTo(t1, 14);
    expect(out[1][0]).toBeCloseTo(t1 - ((0.1 / 1.5) * 4) / Math.sqrt(26), 14);
  });

  it('eps goes after the square root; weight decay is coupled', () => {
    // S0 = 0, g = 0, wd 1, theta0 = 2: g' = 2, S = 4, theta = 2 - 0.01*2/(2 + 1e-10)
    const [[x]] = cpuTrajectory(adagrad, hyperOf(adagrad, { weightDecay: 1 }), [2], [[0]]);
    expect(x).toBeCloseTo(2 - (0.01 * 2) / (2 + 1e-10), 14);
  });
});
