import { describe, expect, it } from 'vitest';
import { adabelief, rectification } from './adabelief';
import { cpuTrajectory, hyperOf } from './testing_cpu';

interface RefOpts {
  lr: number;
  b1: number;
  b2: number;
  eps: number;
  wd: number;
  decouple: boolean;
  fixed: boolean;
  rectify: boolean;
  sgd: boolean;
  ams: boolean;
}

/** Independent scalar AdaBelief written from adabelief_pytorch 0.2 (docs/optimizers.md), not the production code. */
function refAdaBelief(o: RefOpts, x0: number, gs: number[]): number[] {
  let [x, m, s, smax] = [x0, 0, 0, 0];
  const rhoInf = 2 / (1 - o.b2) - 1;
  return gs.map((g0, k) => {
    const t = k + 1;
    let g = g0;
    if (o.decouple) x *= o.fixed ? 1 - o.wd : 1 - o.lr * o.wd;
    else g += o.wd * x;
    const bc1 = 1 - o.b1 ** t;
    const bc2 = 1 - o.b2 ** t;
    m = o.b1 * m + (1 - o.b1) * g;
    s = o.b2 * s + (1 - o.b2) * (g - m) ** 2 + o.eps; // eps added in place
    smax = Math.max(smax, s);
    if (!o.rectify) {
      x -= ((o.lr / bc1) * m) / (Math.sqrt(o.ams ? smax : s) / Math.sqrt(bc2) + o.eps);
      return x;
    }
    const rho = rhoInf - (2 * t * o.b2 ** t) / bc2;
    if (rho >= 5) {
      const r = Math.sqrt(((bc2 * (rho - 4)) / (rhoInf - 4)) * ((rho - 2) / rho) * (rhoInf / (rhoInf - 2)));
      x -= ((o.lr * r) / bc1) * (m / (Math.sqrt(s) + o.eps)); // the raw s, also with amsgrad
    } else if (o.sgd) {
      x -= (o.lr / bc1) * m;
    }
    return x;
  });
}

const BASE: RefOpts = {
  lr: 1e-3,
  b1: 0.9,
  b2: 0.999,
  eps: 1e-16,
  wd: 0,
  decouple: true,
  fixed: false,
  rectify: true,
  sgd: true,
  ams: false,
};
const hpOf = (o: RefOpts) =>
  hyperOf(adabelief, {
    lr: o.lr,
    betas: [o.b1, o.b2],
    eps: o.eps,
    weightDecay: o.wd,
    weightDecouple: o.decouple,
    fixedDecay: o.fixed,
    rectify: o.rectify,
    degeneratedToSgd: o.sgd,
    amsgrad: o.ams,
  });

describe('adabelief (CPU reference, golden values)', () => {
  it('has the 0.2 defaults', () => {
    const h = hyperOf(adabelief);
    expect(h).toMatchObject({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-16,
      weightDecay: 0,
      amsgrad: false,
      weightDecouple: true,
      fixedDecay: false,
      rectify: true,
      degeneratedToSgd: true,
    });
  });

  it('adds eps twice: into s, and to the denominator (non-rectified step 1)', () => {
    // eps 0.01, lr 0.1, g = 1: m1 = 0.1, residual 0.9, s1 = 0.001*0.81 + 0.01 = 0.01081
    // denom = sqrt(0.01081)/sqrt(0.001) + 0.01; theta1 = -(0.1/0.1) * 0.1 / denom
    const o = { ...BASE, lr: 0.1, eps: 0.01, rectify: false };
    const [[x]] = cpuTrajectory(adabelief, hpOf(o), [0], [[1]]);
    const want = -0.1 / (Math.sqrt(0.01081) / Math.sqrt(0.001) + 0.01);
    expect(x).toBeCloseTo(want, 14);
    // With eps only outside (Adam-like) or only inside, the result differs visibly.
    expect(x).not.toBeCloseTo(-0.1 / (Math.sqrt(0.00081) / Math.sqrt(0.001) + 0.01), 3);
    expect(x).not.toBeCloseTo(-0.1 / (Math.sqrt(0.01081) / Math.sqrt(0.001)), 4);
  });

  it('rectification: rho_t < 5 for t <= 5 (beta2 0.999), so steps 1-5 are SGD-like and step 6 is rectified', () => {
    expect([1, 2, 3, 4, 5].map((t) => rectification(0.999, t).r)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(rectification(0.999, 5).rho).toBeCloseTo(4.996, 3);
    expect(rectification(0.999, 6).rho).toBeCloseTo(5.9942, 3);
    // Steps 1-5: theta -= lr m_t / bc1 (no preconditioning). With g = 1 always, m_t/bc1 = 1: theta_t = -lr t.
    const gs = [1, 1, 1, 1, 1, 1, 1];
    const out = cpuTrajectory(
      adabelief,
      hpOf({ ...BASE, lr: 0.1 }),
      [0],
      gs.map((g) => [g]),
    );
    for (let t = 1; t <= 5; t++) expect(out[t - 1][0]).toBeCloseTo(-0.1 * t, 12);
    // Step 6 is rectified: lr r_6 / bc1 * m_6 / (sqrt(s_6) + eps) = lr r_6 / sqrt(s_6) here (m_6 / bc1 = 1),
    // with r_6 from rectification() and s_6 = sum_k 0.001 * 0.999^(6-k) * (0.9^k)^2 + eps sum_k 0.999^(6-k).
    let s6 = 0;
    for (let k = 1; k <= 6; k++) s6 = 0.999 * s6 + 0.001 * 0.9 ** (2 * k) + 1e-16;
    const r6 = rectification(0.999, 6).r!;
    expect(out[5][0] - out[4][0]).toBeCloseTo((-0.1 * r6) / (Math.sqrt(s6) + 1e-16), 10);
    expect(out[5][0]).toBeCloseTo(refAdaBelief({ ...BASE, lr: 0.1 }, 0, gs)[5], 10);
    expect(Math.abs(out[5][0] - out[4][0])).not.toBeCloseTo(0.1, 3);
  });

  it('degeneratedToSgd = false: no step while rho_t < 5', () => {
    const out = cpuTrajectory(adabelief, hpOf({ ...BASE, sgd: false, lr: 0.1 }), [3], [[1], [1], [1], [1], [1], [1]]);
    for (let t = 1; t <= 5; t++) expect(out[t - 1][0]).toBe(3);
    expect(out[5][0]).not.toBe(3);
  });

  it('weight decay: decoupled (1 - lr wd), fixed (1 - wd), or coupled L2', () => {
    // g = 0 throughout, so m = 0 and only the decay moves theta (rectify on: SGD-like steps of 0).
    const g0 = [[0], [0]];
    const dec = cpuTrajectory(adabelief, hpOf({ ...BASE, lr: 0.1, wd: 0.5 }), [2], g0);
    expect(dec[1][0]).toBeCloseTo(2 * 0.95 * 0.95, 14);
    const fixed = cpuTrajectory(adabelief, hpOf({ ...BASE, lr: 0.1, wd: 0.5, fixed: true }), [2], g0);
    expect(fixed[1][0]).toBeCloseTo(2 * 0.5 * 0.5, 14);
    // Coupled: g' = 0.5 * 2 = 1 at step 1 -> SGD-like step lr m1/bc1 = 0.1 * 1 -> 1.9
    const coupled = cpuTrajectory(adabelief, hpOf({ ...BASE, lr: 0.1, wd: 0.5, decouple: false }), [2], [[0]]);
    expect(coupled[0][0]).toBeCloseTo(1.9, 14);
  });

  it('matches an independent implementation over 40 steps for every option mix', () => {
    const gs = Array.from({ length: 40 }, (_, k) => Math.sin(0.7 * k) + 0.3);
    for (const rectify of [true, false]) {
      for (const ams of [false, true]) {
        for (const [decouple, fixed, wd] of [
          [true, false, 0.1],
          [true, true, 0.01],
          [false, false, 0.1],
        ] as const) {
          for (const sgd of [true, false]) {
            const o: RefOpts = { ...BASE, lr: 0.01, b2: 0.99, eps: 1e-8, rectify, ams, decouple, fixed, wd, sgd };
            const got = cpuTrajectory(
              adabelief,
              hpOf(o),
              [0.5],
              gs.map((g) => [g]),
            ).map((p) => p[0]);
            const want = refAdaBelief(o, 0.5, gs);
            got.forEach((x, k) => expect(x).toBeCloseTo(want[k], 11));
          }
        }
      }
    }
  });

  it('reports a preconditioner for each phase', () => {
    const h = hyperOf(adabelief);
    expect(adabelief.preconditioner!(h, 3)).toMatchObject({ slot: 1, vScale: 0, eps: 1 }); // SGD-like
    const { r } = rectification(0.999, 10);
    const p = adabelief.preconditioner!(h, 10);
    expect(p.scale).toBeCloseTo((1 - 0.9 ** 10) / r!, 12);
    expect(p.vScale).toBe(1);
    expect(adabelief.preconditioner!({ ...h, rectify: false }, 10).vScale).toBeCloseTo(1 / (1 - 0.999 ** 10), 10);
  });
});
