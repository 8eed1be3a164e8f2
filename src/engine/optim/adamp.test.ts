import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../model/layout';
import { adamp, sgdp } from './adamp';
import type { Hyper, OptimizerDef } from './types';

/** Defaults of a def with overrides. */
function hps(def: OptimizerDef, over: Hyper = {}): Hyper {
  const hp: Hyper = {};
  for (const s of def.hyperparams) hp[s.key] = s.default;
  return { ...hp, ...over };
}

const W = (rows: number, cols: number, offset = 0): TensorInfo => ({
  name: 'layers.0.weight',
  offset,
  size: rows * cols,
  shape: [rows, cols],
  layer: 0,
  kind: 'weight',
});
const B = (n: number, offset: number): TensorInfo => ({
  name: 'layers.0.bias',
  offset,
  size: n,
  shape: [n],
  layer: 0,
  kind: 'bias',
});

/** Run def's CPU steps on the given gradients; returns the parameters after the last one. */
function runCpu(
  def: OptimizerDef,
  hp: Hyper,
  tensors: TensorInfo[],
  p0: number[],
  grads: number[][],
  lr: number,
): Float64Array {
  const params = Float64Array.from(p0);
  const state = def.cpuInit(params.length, tensors, hp);
  grads.forEach((g, k) => {
    def.cpuStep({ params, grad: Float64Array.from(g), state, hp, t: k + 1, lr, tensors, seed: 1, batchSize: 1 });
  });
  return params;
}

const close = (got: ArrayLike<number>, want: number[], tol = 1e-7) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i] - w), `index ${i}: got ${got[i]}, want ${w}`).toBeLessThan(tol));
};

describe('adamp (CPU golden values)', () => {
  // Step 1 of Adam: m = (1-b1) g, v = (1-b2) g^2, so m_hat / (sqrt(v_hat) + eps) = g / (|g| + eps)
  // ~ sign(g) (eps = 1e-8 moves the values below by ~1e-10, under the tolerance).
  const lr = 0.01;
  const hp = hps(adamp, { weightDecay: 0.1, wdRatio: 0.1 });

  it('channel view fires when every row of g is orthogonal to its row of theta', () => {
    // W [2,3]: row 0 p = (1,2,0), g = (2,-1,0): g.p = 0, u = (1,-1,0), u.p = -1, ||p||^2 = 5,
    //   u -= p (u.p)/||p||^2 -> (1.2, -0.6, 0).
    // row 1 p = (0,0,3), g = (1,1,0): g.p = 0, u = (1,1,0), u.p = 0 -> unchanged.
    // Projected: decay factor 1 - lr wd wdRatio = 0.9999. Bias [2] p = (0.5,-0.5), g = (0.3,0):
    //   not projected, decay 1 - lr wd = 0.999, u = (1, 0).
    const tensors = [W(2, 3), B(2, 6)];
    const p0 = [1, 2, 0, 0, 0, 3, 0.5, -0.5];
    const g = [2, -1, 0, 1, 1, 0, 0.3, 0];
    const got = runCpu(adamp, hp, tensors, p0, [g], lr);
    close(got, [0.9999 - 0.012, 2 * 0.9999 + 0.006, 0, -0.01, -0.01, 3 * 0.9999, 0.5 * 0.999 - 0.01, -0.5 * 0.999]);
  });

  it('layer view fires when rows are not orthogonal but the whole tensor is', () => {
    // W [2,2]: p rows (1,0), (2,0); g rows (2,0), (-1,0). Row cosines are 1 (> 0.1/sqrt(2)),
    // the tensor cosine is |2 - 2| = 0 (< 0.1/2). u = (1,0),(-1,0); U.P = 1 - 2 = -1; ||P||^2 = 5;
    // u -= P (-1/5) -> (1.2, 0), (-0.6, 0). Decay factor 0.9999.
    const got = runCpu(adamp, hp, [W(2, 2)], [1, 0, 2, 0], [[2, 0, -1, 0]], lr);
    close(got, [0.9999 - 0.012, 0, 2 * 0.9999 + 0.006, 0]);
  });

  it('no projection when g is aligned with theta', () => {
    // g = theta: every cosine is 1. Plain AdamW-style step: p (1 - lr wd) - lr sign(g).
    const p0 = [1, -2, 0.5, 3];
    const got = runCpu(adamp, hp, [W(2, 2)], p0, [p0], lr);
    close(
      got,
      p0.map((p) => p * 0.999 - lr * Math.sign(p)),
    );
  });

  it('nesterov uses (b1 m + (1-b1) g) / denom', () => {
    // Step 1: b1 m + (1-b1) g = (b1 (1-b1) + (1-b1)) g = 0.19 g; divided by denom = |g| and
    // scaled by lr/bc1 = lr/0.1: step = 1.9 lr sign(g). Aligned g: no projection, wd 0.
    const got = runCpu(adamp, hps(adamp, { nesterov: true }), [B(3, 0)], [1, 1, 1], [[0.5, -2, 0]], lr);
    close(got, [1 - 1.9 * lr, 1 + 1.9 * lr, 1]);
  });
});

describe('sgdp (CPU golden values)', () => {
  it('projection fires on orthogonal gradients and removes the radial part of the momentum buffer', () => {
    // One row [1,3]: p0 = (1,2,0), momentum 0.9, lr 0.1, no decay.
    // Step 1: g1 = (0,0,1) is orthogonal to p0; buf = g1 (starts at zero); u = g1 is already
    //   orthogonal -> p1 = p0 - 0.1 g1 = (1, 2, -0.1).
    // Step 2: g2 = (2,-1,0), g2.p1 = 0 -> fires. buf = 0.9 g1 + g2 = (2,-1,0.9);
    //   u.p1 = -0.09, ||p1||^2 = 5.01; u' = u + p1 * 0.09/5.01; p2 = p1 - 0.1 u'.
    const hp = hps(sgdp, { momentum: 0.9 });
    const got = runCpu(
      sgdp,
      hp,
      [W(1, 3)],
      [1, 2, 0],
      [
        [0, 0, 1],
        [2, -1, 0],
      ],
      0.1,
    );
    const p1 = [1, 2, -0.1];
    const u = [2, -1, 0.9].map((x, i) => x + (p1[i] * 0.09) / 5.01);
    close(
      got,
      p1.map((p, i) => p - 0.1 * u[i]),
      1e-9,
    );
  });

  it('without projection it is SGD with a zero-started buffer and decoupled decay /(1-momentum)', () => {
    // g = p (aligned). Step 1: buf = (1 - dampening) g = 0.5 p0; decay 1 - lr wd/(1-mu) = 1 - 0.1*0.2/0.5.
    const hp = hps(sgdp, { momentum: 0.5, dampening: 0.5, weightDecay: 0.2 });
    const p0 = [1, -2, 3, 0.5];
    const got = runCpu(sgdp, hp, [W(2, 2)], p0, [p0], 0.1);
    close(
      got,
      p0.map((p) => p * (1 - 0.04) - 0.1 * 0.5 * p),
      1e-12,
    );
  });

  it('projection fires with decay scaled by wdRatio', () => {
    // p = (3,4) in a [1,2] tensor, g = (4,-3): orthogonal. buf = g, u = g is orthogonal already.
    // Decay 1 - lr wd wdRatio/(1-mu) = 1 - 0.1*0.5*0.1 = 0.995.
    const hp = hps(sgdp, { weightDecay: 0.5 });
    const got = runCpu(sgdp, hp, [W(1, 2)], [3, 4], [[4, -3]], 0.1);
    close(got, [3 * 0.995 - 0.4, 4 * 0.995 + 0.3], 1e-12);
  });

  it('stability lines', () => {
    expect(sgdp.sharpnessThreshold?.(hps(sgdp), 0.1)).toBeCloseTo(20, 12);
    expect(sgdp.sharpnessThreshold?.(hps(sgdp, { momentum: 0.9 }), 0.1)).toBeCloseTo(38, 12);
    expect(sgdp.sharpnessThreshold?.(hps(sgdp, { momentum: 0.9, nesterov: true }), 0.1)).toBeCloseTo(38 / 2.8, 12);
    expect(adamp.precondThreshold?.(hps(adamp), 0.001)).toBeCloseTo(3.8 / (0.001 * 0.1), 6);
  });
});
