import { describe, expect, it } from 'vitest';
import { adamw } from './adam';
import { nadamPrecondThreshold, nadamw } from './nadamw';
import { adamPrecondThreshold } from './hp';
import { cpuTrajectory, hyperOf } from './testing_cpu';

/**
 * The reference's step transcribed one scalar at a time, in its own order: the look-ahead is formed
 * in the moment buffer and undone after the step (mlcommons/algorithmic-efficiency, NAdamW).
 */
function referenceTrajectory(
  o: { lr: number; b1: number; b2: number; eps: number; wd: number },
  theta0: number,
  grads: number[],
): number[] {
  let p = theta0;
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g, k) => {
    const step = k + 1;
    p *= 1 - o.lr * o.wd;
    m = m * o.b1 + g * (1 - o.b1);
    v = v * o.b2 + g * g * (1 - o.b2);
    m = m * o.b1 + g * (1 - o.b1);
    const denom = Math.sqrt(v) / Math.sqrt(1 - o.b2 ** step) + o.eps;
    p += (-o.lr / (1 - o.b1 ** step)) * (m / denom);
    m = (m - g * (1 - o.b1)) / o.b1;
    out.push(p);
  });
  return out;
}

describe('nadamw (CPU reference)', () => {
  it('first step: lr (1 + b1) g / (|g| + eps), where AdamW steps lr g / (|g| + eps)', () => {
    // m1 = (1-b1) g, v1 = (1-b2) g^2, look-ahead (1-b1)(1+b1) g; over bc1 = 1-b1 and sqrt(v1/bc2) = |g|.
    const hp = hyperOf(nadamw, { lr: 0.1, betas: [0.9, 0.999], eps: 0, weightDecay: 0 });
    const [[x]] = cpuTrajectory(nadamw, hp, [1], [[0.3]]);
    expect(x).toBeCloseTo(1 - 0.1 * 1.9, 14);
    const [[y]] = cpuTrajectory(adamw, hyperOf(adamw, { lr: 0.1, eps: 0, weightDecay: 0 }), [1], [[0.3]]);
    expect(y).toBeCloseTo(1 - 0.1, 14);
  });

  it("matches the reference's step (with its undo of the look-ahead) over 50 steps", () => {
    const o = { lr: 0.05, b1: 0.8, b2: 0.95, eps: 1e-6, wd: 0.3 };
    const grads = Array.from({ length: 50 }, (_, k) => Math.sin(0.7 * k) * 2 - 0.4);
    const hp = hyperOf(nadamw, { lr: o.lr, betas: [o.b1, o.b2], eps: o.eps, weightDecay: o.wd });
    const ours = cpuTrajectory(
      nadamw,
      hp,
      [1.5],
      grads.map((g) => [g]),
    ).map((p) => p[0]);
    const ref = referenceTrajectory(o, 1.5, grads);
    for (let k = 0; k < grads.length; k++) expect(Math.abs(ours[k] - ref[k])).toBeLessThan(1e-12);
  });

  it('decays the weights before the step (decoupled), so a zero gradient only shrinks them', () => {
    const hp = hyperOf(nadamw, { lr: 0.1, weightDecay: 2 });
    const [[x]] = cpuTrajectory(nadamw, hp, [3], [[0]]);
    expect(x).toBeCloseTo(3 * 0.8, 14);
  });
});

describe('nadamPrecondThreshold', () => {
  /** Largest |x| over the last steps of the look-ahead recurrence on curvature lam with lr 1, frozen preconditioner. */
  function growth(lam: number, b1: number): number {
    let x = 1;
    let m = 0;
    let last = 0;
    for (let t = 0; t < 4000; t++) {
      const g = lam * x;
      m = b1 * m + (1 - b1) * g;
      x -= b1 * m + (1 - b1) * g;
      if (t > 3900) last = Math.max(last, Math.abs(x));
    }
    return last;
  }

  it('separates decaying from growing oscillation of the linear recurrence', () => {
    for (const b1 of [0, 0.5, 0.9, 0.95]) {
      const lam = nadamPrecondThreshold(1, b1)!;
      expect(growth(lam * 0.99, b1)).toBeLessThan(1e-3);
      expect(growth(lam * 1.01, b1)).toBeGreaterThan(1e3);
    }
    expect(nadamPrecondThreshold(0.1, 0)).toBeCloseTo(20, 12);
    // Nesterov's look-ahead tolerates less curvature than heavy-ball Adam at the same b1.
    expect(nadamPrecondThreshold(1, 0.9)!).toBeLessThan(adamPrecondThreshold(1, 0.9)!);
  });
});
