import { describe, expect, it } from 'vitest';
import { dot, matVec, norm, symEig } from './linalg';
import { matrixWithSpectrum, randomVec, testNormal, testRng } from './testing_models';

describe('symEig (Jacobi)', () => {
  it('solves a 2x2 case exactly', () => {
    // [[2, 1], [1, 2]]: eigenvalues 3 and 1, vectors (1, 1)/sqrt2 and (1, -1)/sqrt2.
    const { values, vectors } = symEig([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(dot(vectors[0], [Math.SQRT1_2, Math.SQRT1_2]))).toBeCloseTo(1, 14);
  });

  it('recovers a planted spectrum and gives orthonormal eigenvectors (n = 1, 5, 17, 40)', () => {
    const rnd = testNormal(testRng(3));
    for (const n of [1, 5, 17, 40]) {
      const spectrum = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.5 + 3 * Math.abs(rnd())));
      const A = matrixWithSpectrum(spectrum, rnd);
      const { values, vectors } = symEig(A, n);
      const want = spectrum.slice().sort((a, b) => b - a);
      const scale = Math.max(...want.map(Math.abs));
      for (let i = 0; i < n; i++) expect(Math.abs(values[i] - want[i])).toBeLessThan(1e-12 * scale);
      for (let i = 0; i < n; i++) {
        // A v = lambda v and v_i . v_j = delta_ij.
        const Av = matVec(A, n, vectors[i]);
        for (let k = 0; k < n; k++) expect(Math.abs(Av[k] - values[i] * vectors[i][k])).toBeLessThan(1e-11 * scale);
        for (let j = 0; j < n; j++)
          expect(Math.abs(dot(vectors[i], vectors[j]) - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });

  it('sorts most positive first and handles repeated eigenvalues', () => {
    const rnd = testNormal(testRng(11));
    const A = matrixWithSpectrum([2, 2, 2, -5, 0], rnd);
    const { values, vectors } = symEig(A, 5);
    expect(Array.from(values).map((x) => Math.round(x * 1e10) / 1e10 + 0)).toEqual([2, 2, 2, 0, -5]);
    for (const v of vectors) expect(norm(v)).toBeCloseTo(1, 12);
  });

  it('matches the trace and Frobenius norm of random symmetric matrices', () => {
    const rnd = testNormal(testRng(5));
    const n = 12;
    const B = randomVec(n * n, rnd);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = B[i * n + j] + B[j * n + i];
    const { values } = symEig(A, n);
    let tr = 0;
    for (let i = 0; i < n; i++) tr += A[i * n + i];
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(tr, 10);
    expect(Math.sqrt(values.reduce((s, x) => s + x * x, 0))).toBeCloseTo(norm(A), 10);
  });

  it('rejects bad input with a specific error', () => {
    expect(() => symEig([1, 2, 3, 4], 2)).toThrow(/not symmetric/);
    expect(() => symEig([1, 2, 3], 2)).toThrow(/expected n\*n = 4/);
    expect(() => symEig([1, NaN, NaN, 1], 2)).toThrow(/entry \[0\]\[1\] is NaN/);
    expect(() => symEig([], 0)).toThrow(/positive integer/);
  });
});
