import { describe, expect, it } from 'vitest';
import { ademamix, ademamixAlpha, ademamixBeta3 } from './ademamix';
import { cpuTrajectory, hyperOf } from './testing_cpu';

/**
 * The reference's step (apple/ml-ademamix, pytorch/ademamix.py) for one scalar parameter, written
 * out on its own: warm-up schedules, three EMAs, the mixed update plus wd theta, theta -= lr update.
 */
function referenceTrajectory(
  o: { lr: number; b1: number; b2: number; b3: number; alpha: number; tA: number; tB: number; eps: number; wd: number },
  theta0: number,
  grads: number[],
): number[] {
  const halfLife = (b: number) => Math.log(0.5) / Math.log(b + 1e-8) - 1;
  const fromHalfLife = (h: number) => Math.pow(0.5, 1 / (h + 1));
  let p = theta0;
  let fast = 0;
  let slow = 0;
  let sq = 0;
  const out: number[] = [];
  grads.forEach((g, k) => {
    const step = k + 1;
    const alpha = step < o.tA ? (1 - step / o.tA) * 0 + (step / o.tA) * o.alpha : o.alpha;
    const a = step / o.tB;
    const b3 = step < o.tB ? fromHalfLife((1 - a) * halfLife(o.b1) + a * halfLife(o.b3)) : o.b3;
    fast = fast * o.b1 + g * (1 - o.b1);
    slow = slow * b3 + g * (1 - b3);
    sq = sq * o.b2 + g * g * (1 - o.b2);
    const denom = Math.sqrt(sq) / Math.sqrt(1 - o.b2 ** step) + o.eps;
    const update = (fast / (1 - o.b1 ** step) + alpha * slow) / denom + o.wd * p;
    p += -o.lr * update;
    out.push(p);
  });
  return out;
}

describe('ademamix (CPU reference)', () => {
  it('first step without warm-ups: lr (1 + alpha (1 - beta3)) sign(g)', () => {
    // m1/bc1 = g, m2 = (1-b3) g, sqrt(v/bc2) = |g|.
    const hp = hyperOf(ademamix, { lr: 0.1, alpha: 5, beta3: 0.9, eps: 0 });
    const [[x]] = cpuTrajectory(ademamix, hp, [1], [[-0.4]]);
    expect(x).toBeCloseTo(1 + 0.1 * 1.5, 14);
  });

  it("follows the reference's step with both warm-ups over 60 steps", () => {
    const o = { lr: 0.02, b1: 0.8, b2: 0.95, b3: 0.999, alpha: 4, tA: 45, tB: 30, eps: 1e-6, wd: 0.1 };
    const grads = Array.from({ length: 60 }, (_, k) => Math.cos(0.9 * k) * 1.5 + 0.2);
    const hp = hyperOf(ademamix, {
      lr: o.lr,
      betas: [o.b1, o.b2],
      beta3: o.b3,
      alpha: o.alpha,
      alphaWarmup: o.tA,
      beta3Warmup: o.tB,
      eps: o.eps,
      weightDecay: o.wd,
    });
    const ours = cpuTrajectory(
      ademamix,
      hp,
      [0.7],
      grads.map((g) => [g]),
    ).map((p) => p[0]);
    const ref = referenceTrajectory(o, 0.7, grads);
    for (let k = 0; k < grads.length; k++) expect(Math.abs(ours[k] - ref[k])).toBeLessThan(1e-12);
  });

  it('warm-ups: alpha rises linearly; beta3 starts near beta1 and reaches beta3 at the end', () => {
    expect(ademamixAlpha(2, 100, 25)).toBeCloseTo(0.5, 15);
    expect(ademamixAlpha(2, 100, 100)).toBe(2);
    expect(ademamixAlpha(2, 0, 1)).toBe(2);
    expect(ademamixBeta3(0.9, 0.9999, 1000, 0)).toBeCloseTo(0.9, 6);
    expect(ademamixBeta3(0.9, 0.9999, 1000, 1000)).toBe(0.9999);
    // Linear in the half-life (the reference's, with 1e-8 inside the log): halfway, the half-life is
    // the mean of the two (6.6 and about 6931 steps).
    const b = ademamixBeta3(0.9, 0.9999, 1000, 500);
    const halfLife = (x: number, eps = 1e-8) => Math.log(0.5) / Math.log(x + eps);
    expect(halfLife(b, 0)).toBeCloseTo((halfLife(0.9) + halfLife(0.9999)) / 2, 6);
    let prev = 0;
    for (let t = 0; t <= 1000; t += 50) {
      const v = ademamixBeta3(0.9, 0.9999, 1000, t);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
  });
});
