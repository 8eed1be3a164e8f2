import { describe, expect, it } from 'vitest';
import { mlpLayout, type TensorInfo } from '../model/layout';
import { harnessRng } from './harness';
import { shampoo } from './shampoo';
import { inverseFourthRoot, shampooLayout } from './shampoo_cpu';
import { cpuTrajectory, hyperOf } from './testing_cpu';
import type { Hyper } from './types';

const weight = (rows: number, cols: number): TensorInfo[] => [
  { name: 'w', offset: 0, size: rows * cols, shape: [rows, cols], layer: 0, kind: 'weight' },
];

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('shampoo (CPU reference): hand-derived cases', () => {
  it('inverse fourth root of a diagonal matrix, with the relative ridge', () => {
    const eps = 1e-3;
    const A = [4, 0, 0, 0, 9, 0, 0, 0, 0];
    const delta = eps * Math.sqrt(16 + 81);
    const X = inverseFourthRoot(A, 3, eps)!;
    expect(maxAbs(X, [(4 + delta) ** -0.25, 0, 0, 0, (9 + delta) ** -0.25, 0, 0, 0, delta ** -0.25])).toBeLessThan(
      1e-12,
    );
    expect(inverseFourthRoot([0, 0, 0, 0], 2, eps)).toBeUndefined();
  });

  it('rank-one G = s u v^T: closed-form roots, and the step is |D|_F G / |G|_F (D the Adam grafting step)', () => {
    // Every step G = s u v^T (|u| = |v| = 1), beta1 = 0, beta2 = 1: after t steps L = t s^2 u u^T with
    // |L|_F = t s^2, so Linv = (t s^2 (1 + eps))^(-1/4) u u^T + (eps t s^2)^(-1/4) (I - u u^T), Rinv likewise
    // with v, and S = Linv G Rinv = u v^T / sqrt(t (1 + eps)): parallel to G. Adam grafting at any step
    // has v_hat = g^2, so D = g / (|g| + graftEps) and the step is lr |D|_F G / |G|_F.
    const [rows, cols, s, eps, lr] = [3, 4, 0.7, 1e-4, 0.05];
    const u = [1, 2, 2].map((x) => x / 3);
    const v = [1, -1, 1, -1].map((x) => x / 2);
    const G = u.flatMap((a) => v.map((b) => s * a * b));
    const hp = hyperOf(shampoo, {
      lr,
      beta1: 0,
      beta2: 1,
      epsilon: eps,
      preconditionFrequency: 1,
      startPreconditioningStep: 1,
    });
    const init = G.map((_, i) => 0.1 * i);
    const steps = 4;
    const tensors = weight(rows, cols);
    const traj = cpuTrajectory(shampoo, hp, init, Array(steps).fill(G), tensors);
    const ge = 1e-10;
    const dNorm = Math.sqrt(G.reduce((a, g) => a + (g / (Math.abs(g) + ge)) ** 2, 0));
    const gNorm = s; // |u v^T|_F = 1
    traj.forEach((p, k) => {
      const expected = init.map((x, i) => x - (k + 1) * lr * dNorm * (G[i] / gNorm));
      expect(maxAbs(p, expected)).toBeLessThan(1e-12);
    });
    // The roots after the last step, from the state.
    const state = shampoo.cpuInit(G.length, tensors, hp);
    const params = Float64Array.from(init);
    for (let t = 1; t <= steps; t++)
      shampoo.cpuStep({ params, grad: Float64Array.from(G), state, hp, t, lr, tensors, seed: 1, batchSize: 1 });
    const lay = shampooLayout(tensors);
    const closed = (w: number[], n: number) => {
      const big = (steps * s * s * (1 + eps)) ** -0.25;
      const small = (eps * steps * s * s) ** -0.25;
      return Array.from({ length: n * n }, (_, e) => {
        const [i, j] = [Math.floor(e / n), e % n];
        return big * w[i] * w[j] + small * ((i === j ? 1 : 0) - w[i] * w[j]);
      });
    };
    const L = state.extra.roots.slice(lay.tensors[0].lOff, lay.tensors[0].lOff + rows * rows);
    const R = state.extra.roots.slice(lay.tensors[0].rOff, lay.tensors[0].rOff + cols * cols);
    expect(maxAbs(L, closed(u, rows)) / (eps * steps * s * s) ** -0.25).toBeLessThan(1e-10);
    expect(maxAbs(R, closed(v, cols)) / (eps * steps * s * s) ** -0.25).toBeLessThan(1e-10);
  });

  it('before startPreconditioningStep every tensor takes the grafting step, and the roots stay the identity', () => {
    const tensors = weight(2, 3);
    const hp = hyperOf(shampoo, { lr: 0.1, preconditionFrequency: 3, adagradGrafting: true, beta1: 0 });
    const g = [0.5, -1, 2, 0.25, -0.75, 1.5];
    const traj = cpuTrajectory(shampoo, hp, [0, 0, 0, 0, 0, 0], [g, g], tensors);
    // AdaGrad grafting with beta1 = 0: step t moves by lr g / (sqrt(t g^2) + eps) = lr sign(g) / sqrt(t).
    const expected = g.map((x) => -0.1 * Math.sign(x) * (1 + 1 / Math.SQRT2));
    expect(maxAbs(traj[1], expected)).toBeLessThan(1e-9);
  });
});

/**
 * The reference's step (facebookresearch/optimizers, DistributedShampoo with a RootInv Shampoo
 * preconditioner and Adam or AdaGrad grafting), transcribed on matrices in its own order: factors
 * updated with the raw gradient, bias-corrected and inverted on amortized steps, the filtered
 * gradient by lerp, the Shampoo direction by the two tensordots, grafted, weight decay added to the
 * search direction, then W += -lr P. The inverse root is the reference's coupled Newton iteration
 * (float64, run to 1e-13), not the eigendecomposition cpuStep uses. Our deliberate departures are
 * kept: the ridge is epsilon |A|_F, and 1-D tensors take the grafting direction.
 */
function referenceTrajectory(hp: Hyper, tensors: TensorInfo[], init: number[], grads: number[][]): number[][] {
  const n = (k: string) => hp[k] as number;
  const [b1, b2, eps, wd, lr, freq] = ['beta1', 'beta2', 'epsilon', 'weightDecay', 'lr', 'preconditionFrequency'].map(
    n,
  );
  const start = n('startPreconditioningStep') === -1 ? freq : n('startPreconditioningStep');
  const adagrad = hp.adagradGrafting as boolean;
  const bc = hp.useBiasCorrection as boolean;
  const gb2 = adagrad ? 1 : n('graftingBeta2');
  const gw = adagrad ? 1 : 1 - gb2;
  const W = init.slice();
  const st = tensors.map((t) => {
    const [rows, cols] = t.kind === 'weight' ? [t.shape[0], t.size / t.shape[0]] : [t.size, 1];
    const eye = (d: number) => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => +(i === j)));
    const zero = (d: number) => Array.from({ length: d }, () => new Array<number>(d).fill(0));
    return {
      rows,
      cols,
      L: zero(rows),
      R: zero(cols),
      Li: eye(rows),
      Ri: eye(cols),
      m: new Array<number>(t.size).fill(0),
      V: new Array<number>(t.size).fill(0),
    };
  });
  return grads.map((g, k) => {
    const step = k + 1;
    const amortized = (step % freq === 0 && step > start) || step === start;
    tensors.forEach((t, ti) => {
      const s = st[ti];
      const G = Array.from({ length: s.rows }, (_, a) => g.slice(t.offset + a * s.cols, t.offset + (a + 1) * s.cols));
      const isW = t.kind === 'weight';
      if (isW) {
        const w = b2 === 1 ? 1 : 1 - b2;
        for (const [F, d, side] of [
          [s.L, s.rows, 0],
          [s.R, s.cols, 1],
        ] as const) {
          for (let a = 0; a < d; a++)
            for (let b = 0; b < d; b++) {
              let o = 0;
              if (side === 0) for (let j = 0; j < s.cols; j++) o += G[a][j] * G[b][j];
              else for (let i = 0; i < s.rows; i++) o += G[i][a] * G[i][b];
              F[a][b] = (b2 !== 1 ? F[a][b] * b2 : F[a][b]) + w * o;
            }
        }
        if (amortized) {
          const bc2 = bc && b2 < 1 ? 1 - b2 ** step : 1;
          const Li = newtonRoot(
            s.L.map((row) => row.map((x) => x / bc2)),
            eps,
          );
          const Ri = newtonRoot(
            s.R.map((row) => row.map((x) => x / bc2)),
            eps,
          );
          if (Li) s.Li = Li;
          if (Ri) s.Ri = Ri;
        }
      }
      const flat = g.slice(t.offset, t.offset + t.size);
      flat.forEach((x, i) => (s.V[i] = (gb2 !== 1 ? s.V[i] * gb2 : s.V[i]) + gw * x * x));
      let mhat = flat;
      if (b1 !== 0) {
        flat.forEach((x, i) => (s.m[i] = s.m[i] + (1 - b1) * (x - s.m[i])));
        mhat = s.m.map((x) => (bc ? x / (1 - b1 * b1 ** (step - 1)) : x));
      }
      const bcg = adagrad ? 1 : 1 - gb2 ** step;
      const graft = mhat.map((x, i) => x / (Math.sqrt(s.V[i] / bcg) + n('graftingEpsilon')));
      let P = graft;
      if (isW && step >= start) {
        const M = Array.from({ length: s.rows }, (_, a) => mhat.slice(a * s.cols, (a + 1) * s.cols));
        // tensordot(M, Li, [[0],[0]]) -> [cols][rows]; tensordot(that, Ri, [[0],[0]]) -> [rows][cols].
        const X1 = Array.from({ length: s.cols }, (_, j) =>
          Array.from({ length: s.rows }, (_, a) => M.reduce((acc, row, i) => acc + row[j] * s.Li[i][a], 0)),
        );
        const X2 = Array.from({ length: s.rows }, (_, a) =>
          Array.from({ length: s.cols }, (_, b) => X1.reduce((acc, row, j) => acc + row[a] * s.Ri[j][b], 0)),
        );
        const S = X2.flat();
        const nrm = (x: number[]) => Math.sqrt(x.reduce((acc, y) => acc + y * y, 0));
        const f = nrm(graft) / (nrm(S) + 1e-16);
        P = S.map((x) => x * f);
      }
      P.forEach((x, i) => (W[t.offset + i] += -lr * (x + wd * W[t.offset + i])));
    });
    return W.slice();
  });
}

/** The reference's coupled Newton iteration for A^(-1/4) with our ridge epsilon |A|_F; undefined for A = 0. */
function newtonRoot(A: number[][], eps: number): number[][] | undefined {
  const d = A.length;
  const fro = Math.sqrt(A.flat().reduce((a, x) => a + x * x, 0));
  if (!(fro > 0)) return undefined;
  const Ar = A.map((row, i) => row.map((x, j) => x + (i === j ? eps * fro : 0)));
  const mul = (X: number[][], Y: number[][]) =>
    X.map((row) => Y[0].map((_, j) => row.reduce((a, x, k) => a + x * Y[k][j], 0)));
  const z = 5 / (2 * Math.sqrt(Ar.flat().reduce((a, x) => a + x * x, 0)));
  let X = Ar.map((row, i) => row.map((_, j) => (i === j ? z ** 0.25 : 0)));
  let M = Ar.map((row) => row.map((x) => z * x));
  const err = () => Math.max(...M.flatMap((row, i) => row.map((x, j) => Math.abs(x - (i === j ? 1 : 0)))));
  for (let it = 0; it < 100 && err() > 1e-13; it++) {
    const Mp = M.map((row, i) => row.map((x, j) => (i === j ? 1.25 : 0) - 0.25 * x));
    X = mul(X, Mp);
    const Mp2 = mul(Mp, Mp);
    M = mul(mul(Mp2, Mp2), M);
    void d;
  }
  return X;
}

describe('shampoo (CPU reference) against a transcription of the reference step', () => {
  const layout = mlpLayout([3, 4, 2]);
  const P = layout.paramCount;
  const rng = harnessRng(11);
  const init = Array.from(rng.array(P, 0.5));
  const drift = rng.array(P, 0.5);
  const grads = Array.from({ length: 50 }, () => Array.from(rng.array(P), (x, i) => x + drift[i]));
  const cases: [string, Record<string, number | boolean>][] = [
    [
      'Adam grafting, EMA factors, momentum, decay',
      { lr: 0.02, beta2: 0.95, epsilon: 1e-4, weightDecay: 0.01, preconditionFrequency: 4 },
    ],
    [
      'AdaGrad grafting, summed factors, no filtering',
      {
        lr: 0.05,
        beta1: 0,
        adagradGrafting: true,
        useBiasCorrection: false,
        preconditionFrequency: 3,
        startPreconditioningStep: 5,
      },
    ],
    ['defaults', {}],
  ];
  for (const [name, o] of cases)
    it(`${name}: agrees to 1e-12 over 50 steps`, () => {
      const hp = hyperOf(shampoo, o);
      const ours = cpuTrajectory(shampoo, hp, init, grads, layout.tensors);
      const ref = referenceTrajectory(hp, layout.tensors, init, grads);
      let worst = 0;
      ours.forEach((p, k) => (worst = Math.max(worst, maxAbs(p, ref[k]) / (1 + Math.max(...ref[k].map(Math.abs))))));
      console.log(`[shampoo] transcription (${name}): max rel diff ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-12);
      expect(maxAbs(ours[49], init)).toBeGreaterThan(1e-2); // it moved
    });
});
