import { describe, expect, it } from 'vitest';
import { fdHvp, topEigen, type LinearOp } from './curvature_cpu';
import { LANCZOS_MAX_ITERS, lanczosTop, reorthogonalise, tridiagRitz, type LanczosResult } from './lanczos';
import { addScaled, dot, matVec, norm, symEig } from './linalg';
import { startProbe } from './probes';
import { linearMse, matrixWithSpectrum, randomVec, testNormal, testRng } from './testing_models';

const matOp =
  (A: Float64Array, n: number): LinearOp =>
  (v) =>
    matVec(A, n, v);

function unitProbe(n: number, seed: number): () => Float64Array {
  return () => {
    const v = randomVec(n, testNormal(testRng(seed)));
    return v.map((x) => x / norm(v));
  };
}

interface PairCheck {
  /** Largest |theta - nearest eigenvalue| - reported residual (<= slack when the bound holds). */
  boundExcess: number;
  /** Largest |true residual - reported residual|. */
  residualMismatch: number;
}

/**
 * Checks every returned pair against the exact spectrum `exact`: the Ritz bound |theta - lambda_nearest| <=
 * residual, and that the reported residual is the true |A v - theta v|.
 */
function checkPairs(
  A: Float64Array,
  n: number,
  exact: ArrayLike<number>,
  values: ArrayLike<number>,
  vectors: Float64Array[],
  res: ArrayLike<number>,
): PairCheck {
  let boundExcess = -Infinity;
  let residualMismatch = 0;
  for (let i = 0; i < values.length; i++) {
    const theta = values[i];
    const nearest = Math.min(...Array.from(exact, (l) => Math.abs(l - theta)));
    boundExcess = Math.max(boundExcess, nearest - res[i]);
    const trueRes = norm(addScaled(matVec(A, n, vectors[i]), -theta, vectors[i]));
    residualMismatch = Math.max(residualMismatch, Math.abs(trueRes - res[i]));
  }
  return { boundExcess, residualMismatch };
}

/** A few well separated outliers over a bulk in [-0.5, 0.5] (a Hessian-like spectrum). */
function outlierSpectrum(n: number, rnd: () => number, top: number[]): number[] {
  return Array.from({ length: n }, (_, i) => (i < top.length ? top[i] : rnd() - 0.5));
}

interface Case {
  name: string;
  n: number;
  spectrum: number[];
}

function cases(): Case[] {
  const u = testRng(11);
  const out: Case[] = [];
  for (const n of [1, 2, 7, 50, 130]) {
    out.push({ name: `outliers n=${n}`, n, spectrum: outlierSpectrum(n, u, [10, 7, 5, 3.5, 2.5]) });
  }
  for (const gap of [1e-2, 1e-4]) {
    for (const n of [50, 130])
      out.push({
        name: `cluster gap=${gap} n=${n}`,
        n,
        spectrum: outlierSpectrum(n, u, [3, 3 * (1 - gap), 2, 1.6, 1.3]),
      });
  }
  for (const n of [7, 50])
    out.push({
      name: `negative-definite n=${n}`,
      n,
      spectrum: Array.from({ length: n }, (_, i) => (i < 5 ? -0.1 - 0.2 * i : -2 - u())),
    });
  out.push({
    name: 'rank-deficient n=50 rank 8',
    n: 50,
    spectrum: Array.from({ length: 50 }, (_, i) => (i < 8 ? 4 - 0.45 * i : 0)),
  });
  out.push({ name: 'dominant negative n=40', n: 40, spectrum: outlierSpectrum(40, u, [-12, 1.5, 1.2, 1, 0.85, 0.75]) });
  return out;
}

describe('lanczosTop against Jacobi (symEig)', () => {
  const rnd = testNormal(testRng(5));
  const built = cases().map((c) => ({ ...c, A: matrixWithSpectrum(c.spectrum, rnd) }));

  it('finds the top k (1..5) eigenvalues within 1e-10 relative, with eigenvectors, when run to convergence', () => {
    for (const c of built) {
      const want = c.spectrum.slice().sort((a, b) => b - a);
      const scale = Math.max(...want.map(Math.abs));
      for (let k = 1; k <= 5; k++) {
        const r = lanczosTop(matOp(c.A, c.n), c.n, { k, maxIters: 32, tol: 1e-12, probe: unitProbe(c.n, k) });
        expect(r.converged, `${c.name} k=${k}`).toBe(true);
        expect(r.values.length).toBe(Math.min(k, c.n));
        for (let i = 0; i < r.values.length; i++) {
          const rel = Math.abs(r.values[i] - want[i]) / Math.max(Math.abs(want[i]), 1e-3 * scale);
          expect(rel, `${c.name} k=${k} i=${i}`).toBeLessThan(1e-10);
          expect(Math.abs(norm(r.vectors[i]) - 1)).toBeLessThan(1e-12);
          const Av = matVec(c.A, c.n, r.vectors[i]);
          expect(norm(addScaled(Av, -r.values[i], r.vectors[i])) / scale).toBeLessThan(1e-5);
        }
        // Ritz values interlace: none exceeds the eigenvalue of the same rank.
        for (let i = 0; i < r.values.length; i++) expect(r.values[i]).toBeLessThanOrEqual(want[i] + 1e-12 * scale);
      }
    }
  });

  it('every returned pair obeys |theta - lambda_nearest| <= residual, converged or not', () => {
    for (const c of built) {
      const scale = Math.max(...c.spectrum.map(Math.abs));
      for (const maxIters of [1, 2, 3, 5, 8, 20]) {
        for (const k of [1, 2, 3]) {
          if (maxIters < Math.min(k, c.n)) continue;
          const r = lanczosTop(matOp(c.A, c.n), c.n, { k, maxIters, tol: 0, probe: unitProbe(c.n, 100 + k) });
          const chk = checkPairs(c.A, c.n, c.spectrum, r.values, r.vectors, r.residuals);
          expect(chk.boundExcess, `${c.name} iters=${maxIters} k=${k}`).toBeLessThan(1e-12 * scale);
          expect(chk.residualMismatch, `${c.name} iters=${maxIters} k=${k}`).toBeLessThan(1e-10 * scale);
          expect(r.hvps).toBeLessThanOrEqual(Math.min(maxIters, c.n));
        }
      }
    }
  });

  it('returns the most positive eigenvalue when the dominant one is negative, without a shifted phase', () => {
    const c = built.find((b) => b.name === 'dominant negative n=40')!;
    const r = lanczosTop(matOp(c.A, c.n), c.n, { maxIters: 32, tol: 1e-10, probe: unitProbe(c.n, 3) });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.values[0] - 1.5)).toBeLessThan(1e-9);
    // Power iteration needs its second (shifted) phase here.
    const p = topEigen(matOp(c.A, c.n), c.n, { iters: 200, tol: 1e-10, probe: unitProbe(c.n, 3) });
    expect(p.shifted).toBe(true);
    expect(r.hvps).toBeLessThan(p.iterations);
  });

  it('negative-definite: the top eigenvalue is the one nearest zero', () => {
    const c = built.find((b) => b.name === 'negative-definite n=50')!;
    const r = lanczosTop(matOp(c.A, c.n), c.n, { k: 3, maxIters: 32, tol: 1e-11, probe: unitProbe(c.n, 4) });
    expect(Array.from(r.values).map((v) => Number(v.toFixed(9)))).toEqual([-0.1, -0.3, -0.5]);
  });
});

describe('lanczosTop: warm starts and invariant subspaces', () => {
  const rnd = testNormal(testRng(21));
  const n = 60;
  const spectrum = outlierSpectrum(n, testRng(22), [4, 3.96, 3, 2]);
  const A = matrixWithSpectrum(spectrum, rnd);
  const eig = symEig(A, n);

  it('a warm start at the exact top eigenvector converges in one product (k = 1) or two (k = 2 from both)', () => {
    const r1 = lanczosTop(matOp(A, n), n, { maxIters: 20, warm: eig.vectors[0], probe: unitProbe(n, 1) });
    expect(r1.warmUsed).toBe(true);
    expect(r1.converged).toBe(true);
    expect(r1.hvps).toBeLessThanOrEqual(2);
    expect(Math.abs(r1.values[0] - 4)).toBeLessThan(1e-12);
    const r2 = lanczosTop(matOp(A, n), n, {
      k: 2,
      maxIters: 20,
      warm: eig.vectors.slice(0, 2),
      probe: unitProbe(n, 1),
    });
    expect(r2.hvps).toBeLessThanOrEqual(2);
    expect(r2.invariant).toBe(true);
    expect(Math.abs(r2.values[0] - 4)).toBeLessThan(1e-12);
    expect(Math.abs(r2.values[1] - 3.96)).toBeLessThan(1e-12);
  });

  it('a slightly stale warm start needs fewer products than a cold start for the same tolerance', () => {
    const stale = addScaled(eig.vectors[0], 0.05, eig.vectors[1]);
    const noise = randomVec(n, testNormal(testRng(4)), 0.01);
    const warm = addScaled(stale, 1, noise);
    const w = lanczosTop(matOp(A, n), n, { maxIters: 32, tol: 1e-8, warm, probe: unitProbe(n, 2) });
    const c = lanczosTop(matOp(A, n), n, { maxIters: 32, tol: 1e-8, probe: unitProbe(n, 2) });
    expect(w.converged && c.converged).toBe(true);
    expect(w.hvps).toBeLessThan(c.hvps);
    expect(Math.abs(w.values[0] - 4)).toBeLessThan(1e-10);
  });

  it('ignores a zero, non-finite or wrong-length warm start and uses the probe', () => {
    const cold = lanczosTop(matOp(A, n), n, { maxIters: 6, tol: 0, probe: unitProbe(n, 8) });
    const bad = [
      new Float64Array(n),
      new Float64Array(n).fill(NaN),
      new Float64Array(n - 1).fill(1),
      [] as Float64Array[],
    ];
    for (const warm of bad) {
      const r = lanczosTop(matOp(A, n), n, { maxIters: 6, tol: 0, warm, probe: unitProbe(n, 8) });
      expect(r.warmUsed).toBe(false);
      expect(Array.from(r.values)).toEqual(Array.from(cold.values));
    }
  });

  it('on an invariant subspace smaller than k it continues from a fresh direction', () => {
    // The start lies in span(u1, u2); k = 4 needs two more directions.
    const warm = addScaled(eig.vectors[0], 1, eig.vectors[1]);
    const r = lanczosTop(matOp(A, n), n, { k: 4, maxIters: 32, tol: 1e-11, warm, probe: unitProbe(n, 9) });
    expect(r.invariant).toBe(true);
    expect(r.converged).toBe(true);
    const chk = checkPairs(A, n, eig.values, r.values, r.vectors, r.residuals);
    expect(chk.boundExcess).toBeLessThan(1e-12);
    for (let i = 0; i < 4; i++) expect(Math.abs(r.values[i] - eig.values[i])).toBeLessThan(1e-9);
  });

  it('the zero operator: exact zeros after one product per pair', () => {
    const zero: LinearOp = (v) => new Float64Array(v.length);
    const r = lanczosTop(zero, 10, { k: 3, maxIters: 5, probe: unitProbe(10, 1) });
    expect(Array.from(r.values)).toEqual([0, 0, 0]);
    expect(r.hvps).toBe(3);
    expect(r.converged).toBe(true);
  });

  it('a non-finite product ends the run with NaN values, not converged', () => {
    const r = lanczosTop(() => new Float64Array(n).fill(Infinity), n, { maxIters: 5, probe: unitProbe(n, 1) });
    expect(Number.isNaN(r.values[0])).toBe(true);
    expect(r.converged).toBe(false);
  });
});

describe('lanczosTop on a Hessian through finite-difference products', () => {
  it('linear model (Hessian exactly (Xa^T Xa / n) (x) I): sharpness within 1e-8', () => {
    const rnd = testNormal(testRng(1));
    const [np, d, k] = [40, 6, 3];
    const X = new Float64Array(np * d);
    for (let p = 0; p < np; p++) for (let i = 0; i < d; i++) X[p * d + i] = (1 + i / 2) * rnd();
    const m = linearMse(X, randomVec(np * k, rnd), np, d, k);
    const P = m.layout.paramCount;
    const theta = randomVec(P, rnd, 0.5);
    const exact = symEig(m.hessian, P).values;
    const hvp = fdHvp(m.grad, theta);
    // The Hessian is block diagonal with k equal blocks: each eigenvalue has multiplicity k, which a
    // single Krylov sequence sees once; the top value is still exact.
    const r = lanczosTop(hvp, P, { maxIters: 21, tol: 1e-10, probe: () => startProbe(7, 0, P) });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.values[0] - exact[0]) / exact[0]).toBeLessThan(1e-8);
    const dflt = lanczosTop(hvp, P, { maxIters: 20, probe: () => startProbe(7, 0, P) });
    expect(Math.abs(dflt.values[0] - exact[0]) / exact[0]).toBeLessThan(1e-5);
    expect(dflt.hvps).toBeLessThanOrEqual(r.hvps);
  });
});

describe('lanczosTop option errors', () => {
  const op: LinearOp = (v) => v;
  const probe = unitProbe(4, 1);
  const cases: [string, () => LanczosResult, RegExp][] = [
    [
      'k = 0',
      () => lanczosTop(op, 4, { k: 0, maxIters: 4, probe }),
      /lanczos\.k: expected an integer in \[1, 5\], got 0/,
    ],
    ['k = 6', () => lanczosTop(op, 4, { k: 6, maxIters: 8, probe }), /lanczos\.k: .*got 6/],
    ['k = 1.5', () => lanczosTop(op, 4, { k: 1.5, maxIters: 8, probe }), /lanczos\.k: .*got 1\.5/],
    [
      'maxIters = 0',
      () => lanczosTop(op, 4, { maxIters: 0, probe }),
      /lanczos\.maxIters: expected an integer in \[1, 32\], got 0/,
    ],
    [
      'maxIters = 33',
      () => lanczosTop(op, 4, { maxIters: LANCZOS_MAX_ITERS + 1, probe }),
      /lanczos\.maxIters: .*got 33/,
    ],
    [
      'maxIters < k',
      () => lanczosTop(op, 4, { k: 3, maxIters: 2, probe }),
      /lanczos\.maxIters: expected at least k = 3/,
    ],
    [
      'tol < 0',
      () => lanczosTop(op, 4, { maxIters: 4, tol: -1, probe }),
      /lanczos\.tol: expected a number in \[0, 1\), got -1/,
    ],
    ['tol NaN', () => lanczosTop(op, 4, { maxIters: 4, tol: NaN, probe }), /lanczos\.tol: .*got NaN/],
    ['tol = 1', () => lanczosTop(op, 4, { maxIters: 4, tol: 1, probe }), /lanczos\.tol: .*got 1/],
    ['P = 0', () => lanczosTop(op, 0, { maxIters: 4, probe }), /lanczos: P must be a positive integer, got 0/],
    [
      'probe of the wrong length',
      () => lanczosTop(op, 4, { maxIters: 4, probe: unitProbe(3, 1) }),
      /lanczos\.probe: expected a finite non-zero vector of length 4, got length 3/,
    ],
    [
      'zero probe',
      () => lanczosTop(op, 4, { maxIters: 4, probe: () => new Float64Array(4) }),
      /lanczos\.probe: expected a finite non-zero vector/,
    ],
  ];
  for (const [name, f, re] of cases) it(`rejects ${name}`, () => expect(f).toThrow(re));

  it('k above P returns P pairs (maxIters is checked against min(k, P))', () => {
    const r = lanczosTop(matOp(new Float64Array([2, 1, 1, 2]), 2), 2, { k: 5, maxIters: 2, probe: unitProbe(2, 1) });
    expect(r.values.length).toBe(2);
    expect(r.values[0]).toBeCloseTo(3, 13);
    expect(r.values[1]).toBeCloseTo(1, 13);
  });
});

describe('the pair checker catches a wrong tridiagonal', () => {
  it('a perturbed alpha gives Ritz values outside the claimed residual bound', () => {
    const n = 40;
    const rnd = testNormal(testRng(31));
    const A = matrixWithSpectrum(outlierSpectrum(n, testRng(32), [5, 4, 3]), rnd);
    const exact = symEig(A, n).values;
    // Eight Lanczos steps by hand, with the module's reorthogonalisation.
    const Q: Float64Array[] = [unitProbe(n, 5)()];
    const alpha: number[] = [];
    const beta: number[] = [];
    let betaLast = 0;
    for (let j = 1; j <= 8; j++) {
      const w = matVec(A, n, Q[j - 1]);
      alpha.push(reorthogonalise(Q, w)[j - 1]);
      betaLast = norm(w);
      if (j < 8) {
        beta.push(betaLast);
        Q.push(w.map((x) => x / betaLast));
      }
    }
    const pairs = (a: number[]) => {
      const t = tridiagRitz(a, beta, betaLast, 3);
      const vectors = t.coords.map((y) => {
        const v = new Float64Array(n);
        y.forEach((c, i) => Q[i].forEach((q, p) => (v[p] += c * q)));
        return v;
      });
      return checkPairs(A, n, exact, t.values, vectors, t.residuals);
    };
    const good = pairs(alpha);
    expect(good.boundExcess).toBeLessThan(1e-12);
    expect(good.residualMismatch).toBeLessThan(1e-10);
    const bad = pairs(alpha.map((a, i) => (i === 2 ? a + 0.05 : a)));
    expect(bad.residualMismatch).toBeGreaterThan(1e-3);
    expect(bad.boundExcess).toBeGreaterThan(1e-3);
    expect(dot(Q[0], Q[7])).toBeLessThan(1e-14);
  });
});
