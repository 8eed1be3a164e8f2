import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../model/layout';
import { clippedAdam, clippedSgd } from './clipped';
import type { Hyper, OptimizerDef } from './types';

function hps(def: OptimizerDef, over: Hyper = {}): Hyper {
  const hp: Hyper = {};
  for (const s of def.hyperparams) hp[s.key] = s.default;
  return { ...hp, ...over };
}

/** One weight [2,3] and one bias [2]: 8 parameters. */
const TENSORS: TensorInfo[] = [
  { name: 'layers.0.weight', offset: 0, size: 6, shape: [2, 3], layer: 0, kind: 'weight' },
  { name: 'layers.0.bias', offset: 6, size: 2, shape: [2], layer: 0, kind: 'bias' },
];
const G = [3, -1, 4, -1, 5, 9, -2, 6]; // |g| descending: 9 6 5 4 3 2 1 1
const P0 = [1, 2, 3, 4, 5, 6, 7, 8];

function runCpu(def: OptimizerDef, hp: Hyper, grads: number[][], lr: number, p0 = P0): Float64Array {
  const params = Float64Array.from(p0);
  const state = def.cpuInit(params.length, TENSORS, hp);
  grads.forEach((g, k) =>
    def.cpuStep({
      params,
      grad: Float64Array.from(g),
      state,
      hp,
      t: k + 1,
      lr,
      tensors: TENSORS,
      seed: 0,
      batchSize: 1,
    }),
  );
  return params;
}

const close = (got: ArrayLike<number>, want: number[], tol = 1e-12) => {
  want.forEach((w, i) => expect(Math.abs(got[i] - w), `index ${i}: got ${got[i]}, want ${w}`).toBeLessThan(tol));
};

describe('clipped-sgd (CPU golden values)', () => {
  it('c = 0 is plain SGD', () => {
    close(
      runCpu(clippedSgd, hps(clippedSgd, { clipFraction: 0 }), [G], 0.1),
      P0.map((p, i) => p - 0.1 * G[i]),
    );
  });

  it('c = 1 clips everything to 0 (only weight decay moves theta)', () => {
    const got = runCpu(clippedSgd, hps(clippedSgd, { clipFraction: 1, weightDecay: 0.5 }), [G], 0.1);
    close(
      got,
      P0.map((p) => p - 0.1 * 0.5 * p),
    );
  });

  it('middle c: floor(8 * 0.25) = 2 -> tau = the third largest |g| = 5', () => {
    const clipped = [3, -1, 4, -1, 5, 5, -2, 5];
    close(
      runCpu(clippedSgd, hps(clippedSgd, { clipFraction: 0.25 }), [G], 0.1),
      P0.map((p, i) => p - 0.1 * clipped[i]),
    );
    // thresholdScale 0.5: tau = 2.5.
    const half = [2.5, -1, 2.5, -1, 2.5, 2.5, -2, 2.5];
    close(
      runCpu(clippedSgd, hps(clippedSgd, { clipFraction: 0.25, thresholdScale: 0.5 }), [G], 0.1),
      P0.map((p, i) => p - 0.1 * half[i]),
    );
  });

  it('normalize scales each tensor of the clipped gradient to norm sqrt(numel)', () => {
    // tau = 5: weight part (3,-1,4,-1,5,5), norm^2 = 9+1+16+1+25+25 = 77 -> times sqrt(6/77);
    // bias part (-2,5), norm^2 = 29 -> times sqrt(2/29).
    const c = [3, -1, 4, -1, 5, 5].map((x) => x * Math.sqrt(6 / 77)).concat([-2, 5].map((x) => x * Math.sqrt(2 / 29)));
    close(
      runCpu(clippedSgd, hps(clippedSgd, { clipFraction: 0.25, normalize: true }), [G], 0.1),
      P0.map((p, i) => p - 0.1 * c[i]),
    );
  });

  it('momentum: PyTorch buffer (= d on step 1), decay added after clipping', () => {
    // Step 1: d1 = clip(G) + wd p0 = buf1; p1 = p0 - lr buf1. Step 2 with g = 0 (tau = 0 so clip is 0):
    // d2 = wd p1; buf2 = mu buf1 + (1 - damp) d2; p2 = p1 - lr buf2.
    const hp = hps(clippedSgd, { clipFraction: 0.25, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 });
    const clipped = [3, -1, 4, -1, 5, 5, -2, 5];
    const buf1 = P0.map((p, i) => clipped[i] + 0.01 * p);
    const p1 = P0.map((p, i) => p - 0.1 * buf1[i]);
    const buf2 = p1.map((p, i) => 0.9 * buf1[i] + 0.9 * 0.01 * p);
    close(
      runCpu(clippedSgd, hp, [G, new Array(8).fill(0)], 0.1),
      p1.map((p, i) => p - 0.1 * buf2[i]),
    );
  });

  it('nesterov: d + mu buf', () => {
    // Step 1: buf = d = clip(G) (c = 0.25); step d + 0.5 buf = 1.5 clip(G).
    const clipped = [3, -1, 4, -1, 5, 5, -2, 5];
    const got = runCpu(clippedSgd, hps(clippedSgd, { clipFraction: 0.25, momentum: 0.5, nesterov: true }), [G], 0.1);
    close(
      got,
      P0.map((p, i) => p - 0.15 * clipped[i]),
    );
  });

  it('stability lines', () => {
    expect(clippedSgd.sharpnessThreshold?.(hps(clippedSgd), 0.5)).toBeCloseTo(4, 12);
    expect(clippedSgd.sharpnessThreshold?.(hps(clippedSgd, { momentum: 0.5 }), 0.5)).toBeCloseTo(6, 12);
    expect(clippedSgd.sharpnessThreshold?.(hps(clippedSgd, { normalize: true }), 0.5)).toBeUndefined();
    expect(clippedAdam.precondThreshold?.(hps(clippedAdam), 0.01)).toBeCloseTo(3.8 / 0.001, 6);
  });
});

describe('clipped-adam (CPU golden values)', () => {
  it('clipped g feeds the first moment, the unclipped g the second', () => {
    // Step 1: m_hat = clip(g), v_hat = g^2, so the step is lr clip(g)/(|g| + eps): +-lr for
    // unclipped coordinates, lr tau/|g| sign(g) for clipped ones. c = 0.25 -> tau = 5: the 9 moves
    // by 5/9 lr and the 6 by 5/6 lr.
    const lr = 0.01;
    const eps = 1e-8;
    const tau = 5;
    const want = P0.map((p, i) => p - (lr * Math.sign(G[i]) * Math.min(Math.abs(G[i]), tau)) / (Math.abs(G[i]) + eps));
    close(runCpu(clippedAdam, hps(clippedAdam, { clipFraction: 0.25 }), [G], lr), want);
  });

  it('weight decay is added before the selection (a = g + wd theta)', () => {
    // wd = 1, theta = 0 except theta[0] = 20: a = (23, -1, 4, -1, 5, 9, -2, 6); c = 0.25 -> k = 2,
    // tau = the third largest |a| = 6; clipped: 23 -> 6, 9 -> 6.
    const p0 = [20, 0, 0, 0, 0, 0, 0, 0];
    const a = G.map((g, i) => g + p0[i]);
    const lr = 0.01;
    const want = p0.map((p, i) => p - (lr * Math.sign(a[i]) * Math.min(Math.abs(a[i]), 6)) / (Math.abs(a[i]) + 1e-8));
    close(runCpu(clippedAdam, hps(clippedAdam, { clipFraction: 0.25, weightDecay: 1 }), [G], lr, p0), want);
  });

  it('c = 0 is Adam; c = 1 never moves theta (m stays 0)', () => {
    const lr = 0.01;
    close(
      runCpu(clippedAdam, hps(clippedAdam, { clipFraction: 0 }), [G], lr),
      P0.map((p, i) => p - (lr * G[i]) / (Math.abs(G[i]) + 1e-8)),
    );
    close(runCpu(clippedAdam, hps(clippedAdam, { clipFraction: 1 }), [G, G], lr), P0);
  });
});
