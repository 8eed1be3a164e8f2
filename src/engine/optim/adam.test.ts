import { describe, expect, it } from 'vitest';
import { adam, adamw } from './adam';
import { cpuTrajectory, hyperOf } from './testing_cpu';

/**
 * Independent scalar Adam written from the paper/PyTorch docs (not the production code):
 * coupled wd (Adam) or decoupled (AdamW), amsgrad on the max of v.
 */
function refAdam(
  o: { lr: number; b1: number; b2: number; eps: number; wd: number; decoupled: boolean; ams: boolean },
  x0: number,
  gs: number[],
): number[] {
  let [x, m, v, vmax] = [x0, 0, 0, 0];
  return gs.map((g0, k) => {
    const t = k + 1;
    let g = g0;
    if (o.decoupled) x = x * (1 - o.lr * o.wd);
    else g = g + o.wd * x;
    m = o.b1 * m + (1 - o.b1) * g;
    v = o.b2 * v + (1 - o.b2) * g * g;
    vmax = Math.max(vmax, v);
    const vv = o.ams ? vmax : v;
    const mhat = m / (1 - o.b1 ** t);
    const vhat = vv / (1 - o.b2 ** t);
    x -= (o.lr * mhat) / (Math.sqrt(vhat) + o.eps);
    return x;
  });
}

describe('adam / adamw (CPU reference, golden values)', () => {
  it('first step is lr * g / (|g| + eps): both moments are exactly de-biased', () => {
    // m1 = 0.1*0.5, v1 = 0.001*0.25; m1/bc1 = 0.5, sqrt(v1/bc2) = 0.5; step = 0.1*0.5/(0.5+1e-8)
    const [[x]] = cpuTrajectory(adam, hyperOf(adam, { lr: 0.1 }), [1], [[0.5]]);
    expect(x).toBeCloseTo(1 - (0.1 * 0.5) / (0.5 + 1e-8), 14);
  });

  it('second step by hand', () => {
    // g = 0.5 then -1, b = (0.9, 0.999), lr 0.1:
    // m2 = 0.9*0.05 - 0.1 = -0.055, v2 = 0.999*0.00025 + 0.001 = 0.00124975
    // bc1 = 0.19, bc2 = 0.001999: theta2 = theta1 + 0.1 * (0.055/0.19) / (sqrt(0.00124975/0.001999) + 1e-8)
    const out = cpuTrajectory(adam, hyperOf(adam, { lr: 0.1 }), [1], [[0.5], [-1]]);
    const theta1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
    expect(out[1][0]).toBeCloseTo(theta1 + (0.1 * (0.055 / 0.19)) / (Math.sqrt(0.00124975 / 0.001999) + 1e-8), 12);
  });

  it('adamw decays before the step; adam adds wd*theta to the gradient', () => {
    // AdamW: theta0 = 2, lr 0.1, wd 0.5 -> 2*(1 - 0.05) = 1.9, then - 0.1*sign(g) (step 1) = 1.8
    const [[w]] = cpuTrajectory(adamw, hyperOf(adamw, { lr: 0.1, weightDecay: 0.5, eps: 0 }), [2], [[0.3]]);
    expect(w).toBeCloseTo(1.8, 12);
    // Adam: g' = -0.3 + 0.5*2 = 0.7 > 0 -> step 1 is -lr*sign(g') = -0.1 (no decay of theta itself)
    const [[a]] = cpuTrajectory(adam, hyperOf(adam, { lr: 0.1, weightDecay: 0.5, eps: 0 }), [2], [[-0.3]]);
    expect(a).toBeCloseTo(1.9, 12);
  });

  it('amsgrad divides by the running max of v (g = 1 then 0: v2 < v1)', () => {
    // v1 = 0.001, v2 = 0.000999 -> vmax = 0.001; m2 = 0.09
    // theta2 = theta1 - 0.1 (0.09/0.19) / (sqrt(0.001/0.001999) + 1e-8)
    const out = cpuTrajectory(adam, hyperOf(adam, { lr: 0.1, amsgrad: true }), [0], [[1], [0]]);
    const theta1 = -(0.1 * 1) / (1 + 1e-8);
    expect(out[1][0]).toBeCloseTo(theta1 - (0.1 * (0.09 / 0.19)) / (Math.sqrt(0.001 / 0.001999) + 1e-8), 12);
    const plain = cpuTrajectory(adam, hyperOf(adam, { lr: 0.1 }), [0], [[1], [0]]);
    expect(plain[1][0]).not.toBeCloseTo(out[1][0], 6);
  });

  it('matches an independent implementation over 30 steps for every option mix', () => {
    const gs = Array.from({ length: 30 }, (_, k) => Math.sin(1.3 * k) + 0.2 * Math.cos(7 * k));
    for (const decoupled of [false, true]) {
      for (const ams of [false, true]) {
        const def = decoupled ? adamw : adam;
        const o = { lr: 0.05, b1: 0.8, b2: 0.95, eps: 1e-6, wd: 0.2, decoupled, ams };
        const hp = hyperOf(def, { lr: o.lr, betas: [o.b1, o.b2], eps: o.eps, weightDecay: o.wd, amsgrad: ams });
        const got = cpuTrajectory(
          def,
          hp,
          [0.7],
          gs.map((g) => [g]),
        ).map((p) => p[0]);
        const want = refAdam(o, 0.7, gs);
        got.forEach((x, k) => expect(x).toBeCloseTo(want[k], 12));
      }
    }
  });

  it('reports the Adam preconditioner and the 38/lr line', () => {
    const hp = hyperOf(adam);
    const p = adam.preconditioner!(hp, 3);
    expect(p.slot).toBe(1);
    expect(p.scale).toBeCloseTo(1 - 0.9 ** 3, 14);
    expect(p.vScale).toBeCloseTo(1 / (1 - 0.999 ** 3), 10);
    expect(adam.precondThreshold!(hp, 0.01)).toBeCloseTo(3800, 8);
    expect(adamw.sharpnessThreshold).toBeUndefined();
  });
});
