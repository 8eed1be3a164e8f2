import { describe, expect, it } from 'vitest';
import { mlpLayout, type TensorInfo } from '../model/layout';
import { harnessRng } from './harness';
import { muon } from './muon';
import { muonMatrices, NS_COEFFS } from './muon_plan';
import { cpuTrajectory, hyperOf } from './testing_cpu';
import type { Hyper } from './types';

const [A, B, C] = NS_COEFFS;
/** The quintic a x + b x^3 + c x^5 that one Newton-Schulz iteration applies to each singular value. */
const phi = (x: number) => A * x + B * x ** 3 + C * x ** 5;
const phiN = (x: number, n: number) => Array.from({ length: n }).reduce<number>((y) => phi(y), x);

const weight = (rows: number, cols: number): TensorInfo[] => [
  { name: 'w', offset: 0, size: rows * cols, shape: [rows, cols], layer: 0, kind: 'weight' },
];

describe('muon: hand-derived first steps', () => {
  // A rank-1 G = sigma u v^T: X0 = G / (sigma + 1e-7) = s u v^T, A = s^2 u u^T, B = (b s^2 + c s^4) u u^T,
  // a X + B X = phi(s) u v^T. So k iterations give phi^k(s) u v^T: the sign of G times phi^k(s).
  it('1 x 2 row with Nesterov momentum: theta_1 = theta_0 - lr phi^5(s) g / |g|', () => {
    const mu = 0.95;
    const hp = hyperOf(muon, { lr: 0.1, momentum: mu, adamFirstLast: false });
    const [p] = cpuTrajectory(muon, hp, [1, -1], [[3, 4]], weight(1, 2));
    // m_1 = (1 - mu) g; u = mu m_1 + (1 - mu) g = (1 - mu^2) g, |u| = 0.0975 * 5.
    const sigma = (1 - mu * mu) * 5;
    const y = phiN(sigma / (sigma + 1e-7), 5);
    expect(p[0]).toBeCloseTo(1 - 0.1 * y * 0.6, 14);
    expect(p[1]).toBeCloseTo(-1 - 0.1 * y * 0.8, 14);
    // One iteration at s ~ 1 gives a + b + c = 0.701.
    const [q] = cpuTrajectory(muon, { ...hp, nsSteps: 1 }, [1, -1], [[3, 4]], weight(1, 2));
    expect(q[0]).toBeCloseTo(1 - 0.1 * 0.701 * 0.6, 6);
    expect(q[1]).toBeCloseTo(-1 - 0.1 * 0.701 * 0.8, 6);
  });

  it('2 x 1 column (rows > cols): the same map on the transpose, scaled by sqrt(rows / cols)', () => {
    const hp = hyperOf(muon, { lr: 0.1, momentum: 0, adamFirstLast: false });
    const [p] = cpuTrajectory(muon, hp, [0, 0], [[3, 4]], weight(2, 1));
    const y = phiN(5 / (5 + 1e-7), 5);
    expect(p[0]).toBeCloseTo(-0.1 * Math.SQRT2 * y * 0.6, 14);
    expect(p[1]).toBeCloseTo(-0.1 * Math.SQRT2 * y * 0.8, 14);
  });

  it('2 x 2: each singular value s_i = sigma_i / (|G|_F + 1e-7) goes through phi^5 on its own', () => {
    const hp = hyperOf(muon, { lr: 1, momentum: 0, adamFirstLast: false });
    // diag(2, 1): |G|_F = sqrt(5); the iterates stay diagonal.
    const [d] = cpuTrajectory(muon, hp, [0, 0, 0, 0], [[2, 0, 0, 1]], weight(2, 2));
    const n = Math.sqrt(5) + 1e-7;
    expect(d[0]).toBeCloseTo(-phiN(2 / n, 5), 14);
    expect(d[3]).toBeCloseTo(-phiN(1 / n, 5), 14);
    expect(d[1]).toBe(0);
    expect(d[2]).toBe(0);
    // 3 x a rotation Q: both singular values 3, s = 3 / (3 sqrt(2) + 1e-7); the result is phi^5(s) Q.
    const [c, s] = [Math.cos(0.3), Math.sin(0.3)];
    const [r] = cpuTrajectory(muon, hp, [0, 0, 0, 0], [[3 * c, -3 * s, 3 * s, 3 * c]], weight(2, 2));
    const y = phiN(3 / (3 * Math.SQRT2 + 1e-7), 5);
    [c, -s, s, c].forEach((q, k) => expect(r[k]).toBeCloseTo(-y * q, 13));
  });

  it('the AdamW tensors follow the schedule of lr: scheduled lr / peak lr times adamLr', () => {
    const tensors: TensorInfo[] = [{ name: 'b', offset: 0, size: 1, shape: [1], layer: 0, kind: 'bias' }];
    const hp = hyperOf(muon, { lr: 0.02, adamLr: 1e-3, adamEps: 0 });
    const params = Float64Array.from([1]);
    const state = muon.cpuInit(1, tensors, hp);
    muon.cpuStep({ params, grad: Float64Array.from([0.3]), state, hp, t: 1, lr: 0.01, tensors, seed: 1, batchSize: 1 });
    // First Adam step: m_hat / sqrt(v_hat) = sign(g); rate 1e-3 * 0.01 / 0.02.
    expect(params[0]).toBeCloseTo(1 - 5e-4, 15);
  });
});

// ---- the reference, transcribed (KellerJordan/Muon muon.py) ---------------------------------------

/** torch.lerp(start, end, w) as PyTorch computes it. */
const lerp = (start: number, end: number, w: number) =>
  w < 0.5 ? start + w * (end - start) : end - (end - start) * (1 - w);

type Mat = number[][];
const T = (x: Mat): Mat => x[0].map((_, j) => x.map((row) => row[j]));
const mm = (x: Mat, y: Mat): Mat => x.map((row) => y[0].map((_, j) => row.reduce((s, v, k) => s + v * y[k][j], 0)));
const axpby = (a: number, x: Mat, b: number, y: Mat): Mat => x.map((row, i) => row.map((v, j) => a * v + b * y[i][j]));

/** zeropower_via_newtonschulz5, in float64. */
function zeropower(G: Mat, steps: number): Mat {
  let X = G.length > G[0].length ? T(G) : G;
  const norm = Math.sqrt(X.flat().reduce((s, v) => s + v * v, 0));
  X = X.map((row) => row.map((v) => v / (norm + 1e-7)));
  for (let k = 0; k < steps; k++) {
    const Am = mm(X, T(X));
    const Bm = axpby(B, Am, C, mm(Am, Am));
    X = axpby(A, X, 1, mm(Bm, X));
  }
  return G.length > G[0].length ? T(X) : X;
}

interface RefState {
  momentum: Float64Array;
  expAvg: Float64Array;
  expAvgSq: Float64Array;
}

/** One step of SingleDeviceMuonWithAuxAdam: muon_update for the Muon matrices, adam_update for the rest. */
function referenceStep(p: Float64Array, g: Float64Array, st: RefState, hp: Hyper, tensors: TensorInfo[], t: number) {
  const muonTensors = new Map(
    muonMatrices(tensors)
      .filter((m) => !(m.end && hp.adamFirstLast))
      .map((m) => [m.tensor, m]),
  );
  tensors.forEach((tn, k) => {
    const idx = Array.from({ length: tn.size }, (_, q) => tn.offset + q);
    const mat = muonTensors.get(k);
    if (mat) {
      const beta = hp.momentum as number;
      const grad = idx.map((i) => g[i]);
      idx.forEach((i) => (st.momentum[i] = lerp(st.momentum[i], g[i], 1 - beta)));
      const upd = hp.nesterov ? idx.map((i, q) => lerp(grad[q], st.momentum[i], beta)) : idx.map((i) => st.momentum[i]);
      const G = Array.from({ length: mat.rows }, (_, r) => upd.slice(r * mat.cols, (r + 1) * mat.cols));
      const O = zeropower(G, hp.nsSteps as number).flat();
      const scale = Math.max(1, mat.rows / mat.cols) ** 0.5;
      const lr = hp.lr as number;
      idx.forEach((i, q) => {
        p[i] *= 1 - lr * (hp.weightDecay as number);
        p[i] += -lr * (O[q] * scale);
      });
    } else {
      const [b1, b2] = hp.adamBetas as [number, number];
      const lr = hp.adamLr as number;
      idx.forEach((i) => {
        st.expAvg[i] = lerp(st.expAvg[i], g[i], 1 - b1);
        st.expAvgSq[i] = lerp(st.expAvgSq[i], g[i] * g[i], 1 - b2);
        const buf1c = st.expAvg[i] / (1 - b1 ** t);
        const buf2c = st.expAvgSq[i] / (1 - b2 ** t);
        p[i] *= 1 - lr * (hp.adamWeightDecay as number);
        p[i] += -lr * (buf1c / (Math.sqrt(buf2c) + (hp.adamEps as number)));
      });
    }
  });
}

describe("muon: cpuStep against the reference's muon_update / adam_update (float64)", () => {
  const layout = mlpLayout([3, 6, 4, 2]); // [6, 3] (rows > cols), [4, 6], [2, 4], and biases
  const cases: Record<string, number | boolean | [number, number]>[] = [
    {},
    { adamFirstLast: false, weightDecay: 0.1, adamWeightDecay: 0.05, lr: 0.05, adamLr: 3e-3 },
    { adamFirstLast: false, nesterov: false, momentum: 0.8, nsSteps: 3, adamBetas: [0.8, 0.99], adamEps: 1e-8 },
  ];
  for (const over of cases) {
    it(`agrees to 1e-12 over 50 steps: ${JSON.stringify(over)}`, () => {
      const hp = hyperOf(muon, over);
      const P = layout.paramCount;
      const rng = harnessRng(3);
      const init = Array.from(rng.array(P, 0.5));
      const drift = rng.array(P, 0.5);
      const grads = Array.from({ length: 50 }, () => Array.from(rng.array(P), (v, i) => v + drift[i]));
      const ours = cpuTrajectory(muon, hp, init, grads, layout.tensors);
      const p = Float64Array.from(init);
      const st = { momentum: new Float64Array(P), expAvg: new Float64Array(P), expAvgSq: new Float64Array(P) };
      let worst = 0;
      let moved = 0;
      grads.forEach((g, k) => {
        referenceStep(p, Float64Array.from(g), st, hp, layout.tensors, k + 1);
        for (let i = 0; i < P; i++) worst = Math.max(worst, Math.abs(p[i] - ours[k][i]));
      });
      for (let i = 0; i < P; i++) moved = Math.max(moved, Math.abs(p[i] - init[i]));
      expect(worst).toBeLessThan(1e-12);
      expect(moved).toBeGreaterThan(1e-2);
    });
  }
});
