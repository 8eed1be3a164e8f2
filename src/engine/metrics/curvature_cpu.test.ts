import { describe, expect, it } from 'vitest';
import {
  denseMatrix,
  directionalSharpness,
  fdHvp,
  featureAlignment,
  gradEigCosine,
  hessianTrace,
  hutchinson,
  lossSlice,
  preconditionedOp,
  preconditionedSharpness,
  sharpness,
  topEigen,
  type LinearOp,
} from './curvature_cpu';
import { addScaled, asymmetry, distance, dot, matVec, norm, symEig, symmetrize } from './linalg';
import { probeVector, startProbe } from './probes';
import { rngRademacher, STREAM_PROBE } from '../data/prng';
import { mlpLayout } from '../model/layout';
import {
  linearMse,
  matrixWithSpectrum,
  quadraticGrad,
  randomVec,
  tanhNet,
  testNormal,
  testRng,
} from './testing_models';

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => distance(a, b) / Math.max(norm(b), 1e-300);

/** Linear model on anisotropic inputs (feature i scaled by 1 + i/2): a clear top-eigenvalue gap. */
function linearCase(seed = 1) {
  const rnd = testNormal(testRng(seed));
  const n = 40;
  const d = 6;
  const k = 3;
  const X = new Float64Array(n * d);
  for (let p = 0; p < n; p++) for (let i = 0; i < d; i++) X[p * d + i] = (1 + i / 2) * rnd();
  const T = randomVec(n * k, rnd);
  const m = linearMse(X, T, n, d, k);
  const P = m.layout.paramCount;
  const theta = randomVec(P, rnd, 0.5);
  return { ...m, P, theta, eig: symEig(m.hessian, P) };
}

describe('fdHvp on a linear model (exact Hessian (Xa^T Xa / n) (x) I)', () => {
  it('matches H v to round-off and builds the Hessian', () => {
    const c = linearCase();
    const hvp = fdHvp(c.grad, c.theta);
    const rnd = testNormal(testRng(9));
    for (let t = 0; t < 5; t++) {
      const v = randomVec(c.P, rnd, 10 ** (t - 2));
      expect(relErr(hvp(v), matVec(c.hessian, c.P, v))).toBeLessThan(1e-8);
    }
    expect(relErr(denseMatrix(hvp, c.P), c.hessian)).toBeLessThan(1e-8);
    expect(Array.from(hvp(new Float64Array(c.P)))).toEqual(new Array(c.P).fill(0));
  });

  it('sharpness = top eigenvalue within 1% (default tol 1e-3) and returns its eigenvector', () => {
    const c = linearCase();
    const lmax = c.eig.values[0];
    const r = sharpness(c.grad, c.theta, { iters: 50, seed: 7, step: 0 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.value - lmax) / lmax).toBeLessThan(0.01);
    const Hu = matVec(c.hessian, c.P, r.vector);
    expect(norm(addScaled(Hu, -r.value, r.vector)) / lmax).toBeLessThan(0.1);
    // Tight tolerance: the estimate converges to the exact eigenvalue.
    const tight = sharpness(c.grad, c.theta, { iters: 2000, tol: 1e-12, seed: 7, step: 0 });
    expect(Math.abs(tight.value - lmax) / lmax).toBeLessThan(1e-8);
  });

  it('warm start from the previous eigenvector converges in fewer iterations', () => {
    const c = linearCase();
    const cold = sharpness(c.grad, c.theta, { iters: 500, tol: 1e-8, seed: 3, step: 10 });
    const moved = addScaled(c.theta, 0.1, c.theta);
    const warm = sharpness(c.grad, moved, { iters: 500, tol: 1e-8, seed: 3, step: 20, warm: cold.vector });
    const coldAgain = sharpness(c.grad, moved, { iters: 500, tol: 1e-8, seed: 3, step: 20 });
    expect(warm.converged && coldAgain.converged).toBe(true);
    expect(warm.iterations).toBeLessThan(coldAgain.iterations);
    expect(Math.abs(warm.value - coldAgain.value) / coldAgain.value).toBeLessThan(1e-6);
  });

  it('Hutchinson trace and Frobenius norm: within 5% with 400 probes, exact for the probes drawn', () => {
    const c = linearCase();
    const H = c.hessian;
    const P = c.P;
    let trace = 0;
    for (let i = 0; i < P; i++) trace += H[i * P + i];
    const fro = norm(H);
    expect(trace).toBeCloseTo(
      c.eig.values.reduce((s, x) => s + x, 0),
      10,
    );
    const samples = 400;
    const r = hessianTrace(c.grad, c.theta, { samples, seed: 5, step: 3 });
    expect(Math.abs(r.trace - trace) / trace).toBeLessThan(0.05);
    expect(Math.abs(r.fro - fro) / fro).toBeLessThan(0.05);
    // The estimator itself: the same probes through the exact Hessian give the same numbers.
    let t = 0;
    let f = 0;
    for (let k = 0; k < samples; k++) {
      const z = probeVector(5, 3, samples, k, P);
      const hz = matVec(H, P, z);
      t += dot(z, hz);
      f += dot(hz, hz);
    }
    expect(Math.abs(r.trace - t / samples) / trace).toBeLessThan(1e-9);
    expect(Math.abs(r.fro - Math.sqrt(f / samples)) / fro).toBeLessThan(1e-9);
  });
});

describe('power iteration with the negative-eigenvalue shift', () => {
  const rnd = testNormal(testRng(21));
  const probe = (P: number) => () => startProbe(1, 0, P);

  it('returns the most positive eigenvalue when the dominant one is negative', () => {
    const spectrum = [-10, -3, 1, 2.5, 0.5, -0.2];
    const A = matrixWithSpectrum(spectrum, rnd);
    const op: LinearOp = (v) => matVec(A, 6, v);
    const r = topEigen(op, 6, { iters: 1000, tol: 1e-12, probe: probe(6) });
    expect(r.shifted).toBe(true);
    expect(r.dominant).toBeCloseTo(-10, 6);
    expect(r.value).toBeCloseTo(2.5, 6);
    expect(norm(addScaled(matVec(A, 6, r.vector), -2.5, r.vector))).toBeLessThan(1e-4);
    // Through a gradient oracle and finite differences as well.
    const viaGrad = sharpness(quadraticGrad(A, 6), randomVec(6, rnd), { iters: 1000, tol: 1e-12, seed: 2, step: 1 });
    expect(viaGrad.value).toBeCloseTo(2.5, 5);
  });

  it('all eigenvalues negative: returns the one closest to zero', () => {
    const A = matrixWithSpectrum([-10, -5, -1], rnd);
    const r = topEigen((v) => matVec(A, 3, v), 3, { iters: 1000, tol: 1e-12, probe: probe(3) });
    expect(r.value).toBeCloseTo(-1, 6);
  });

  it('positive dominant eigenvalue: no shift; a zero operator gives 0', () => {
    const A = matrixWithSpectrum([4, -3, 1], rnd);
    const r = topEigen((v) => matVec(A, 3, v), 3, { iters: 1000, tol: 1e-12, probe: probe(3) });
    expect(r.shifted).toBe(false);
    expect(r.value).toBeCloseTo(4, 6);
    const z = topEigen((v) => new Float64Array(v.length), 3, { iters: 10, probe: probe(3) });
    expect(z.value).toBe(0);
    expect(z.converged).toBe(true);
  });

  it('rejects bad settings with the config path', () => {
    expect(() => topEigen((v) => v, 3, { iters: 0, probe: probe(3) })).toThrow(/metrics\.sharpness\.iters/);
    expect(() => topEigen((v) => v, 3, { iters: 5, tol: -1, probe: probe(3) })).toThrow(/metrics\.sharpness\.tol/);
    expect(() => hutchinson((v) => v, 3, { samples: 0, seed: 1, step: 0 })).toThrow(/metrics\.trace\.samples/);
  });
});

describe('preconditioned sharpness (top eigenvalue of D^-1/2 H D^-1/2)', () => {
  it('diagonal quadratic with a known preconditioner: max h_i / d_i exactly', () => {
    const h = [2, 4, 9, 2, 1];
    const D = Float64Array.from([0.1, 2, 1, 4, 0.5]);
    const A = new Float64Array(25);
    h.forEach((x, i) => (A[i * 5 + i] = x));
    const r = preconditionedSharpness(quadraticGrad(A, 5), randomVec(5, testNormal(testRng(2))), D, {
      iters: 500,
      tol: 1e-14,
      seed: 4,
      step: 2,
    });
    expect(Math.abs(r.value - 20) / 20).toBeLessThan(1e-9);
  });

  it('dense quadratic: matches the eigen-solver on D^-1/2 H D^-1/2', () => {
    const rnd = testNormal(testRng(8));
    const n = 8;
    const A = matrixWithSpectrum([5, 3, -2, 1, 0.5, 0.1, -0.3, 2], rnd);
    const D = Float64Array.from({ length: n }, () => 0.05 + Math.abs(rnd()));
    const M = denseMatrix(
      preconditionedOp((v) => matVec(A, n, v), D),
      n,
    );
    expect(asymmetry(M, n)).toBeLessThan(1e-12);
    const want = symEig(symmetrize(M, n), n).values[0];
    const r = preconditionedSharpness(quadraticGrad(A, n), randomVec(n, rnd), D, {
      iters: 3000,
      tol: 1e-13,
      seed: 1,
      step: 0,
    });
    expect(Math.abs(r.value - want) / Math.abs(want)).toBeLessThan(1e-6);
    expect(() => preconditionedOp((v) => v, Float64Array.from([1, 0]))).toThrow(/preconditioner\[1\]/);
  });
});

describe('2-layer tanh network: HVP against exact forward-over-reverse and a finite-difference Hessian', () => {
  const rnd = testNormal(testRng(31));
  const n = 30;
  const [d, m, k] = [3, 5, 2];
  const net = tanhNet(randomVec(n * d, rnd), randomVec(n * k, rnd), n, d, m, k);
  const P = net.layout.paramCount;
  const theta = randomVec(P, rnd, 0.8);
  const exact: LinearOp = (v) => net.hvp(theta, v).hv;

  it('the test network has a correct gradient (float64 finite differences of the loss)', () => {
    const g = net.grad(theta);
    const fd = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      const e = new Float64Array(P);
      e[i] = 1e-6;
      fd[i] = (net.loss(addScaled(theta, 1, e)) - net.loss(addScaled(theta, -1, e))) / 2e-6;
    }
    expect(relErr(fd, g)).toBeLessThan(1e-7);
  });

  it('fdHvp matches the exact HVP within 1e-7 relative (measured ~1e-10)', () => {
    const hvp = fdHvp(net.grad, theta);
    let worst = 0;
    for (let t = 0; t < 10; t++) {
      const v = randomVec(P, rnd, 10 ** ((t % 5) - 2));
      worst = Math.max(worst, relErr(hvp(v), exact(v)));
    }
    expect(worst).toBeLessThan(1e-7);
  });

  it('the finite-difference Hessian (columns of FD gradients) is symmetric and equals the exact one within 1e-7', () => {
    const Hfd = denseMatrix(fdHvp(net.grad, theta), P);
    const Hex = denseMatrix(exact, P);
    expect(asymmetry(Hex, P)).toBeLessThan(1e-12);
    expect(asymmetry(Hfd, P)).toBeLessThan(1e-7);
    expect(relErr(Hfd, Hex)).toBeLessThan(1e-7);
    const v = randomVec(P, rnd);
    expect(relErr(fdHvp(net.grad, theta)(v), matVec(Hfd, P, v))).toBeLessThan(1e-7);
    // Sharpness and trace against the eigen-solver on this Hessian.
    const eig = symEig(symmetrize(Hex, P), P);
    const top = eig.values[0];
    const r = sharpness(net.grad, theta, { iters: 3000, tol: 1e-10, seed: 9, step: 4 });
    expect(Math.abs(r.value - top) / Math.abs(top)).toBeLessThan(0.01);
  });

  it('indefinite Hessian with a negative dominant eigenvalue: the most positive one, within 1% at tol 1e-4', () => {
    // The first seeded point whose Hessian has |lambda_min| > lambda_max (deterministic search).
    const exactEig = (t: Float64Array) =>
      symEig(
        symmetrize(
          denseMatrix((v) => net.hvp(t, v).hv, P),
          P,
        ),
        P,
      );
    let big = randomVec(P, testNormal(testRng(100)), 3);
    let eig = exactEig(big);
    for (let s = 101; s < 200 && !(eig.values[P - 1] < -eig.values[0]); s++) {
      big = randomVec(P, testNormal(testRng(s)), 3);
      eig = exactEig(big);
    }
    expect(eig.values[P - 1]).toBeLessThan(-eig.values[0]);
    expect(eig.values[0]).toBeGreaterThan(0);
    // Lanczos needs no shifted phase: the most positive Ritz value converges whatever the sign of
    // the dominant eigenvalue.
    const r = sharpness(net.grad, big, { iters: 300, tol: 1e-4, seed: 9, step: 4 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.value - eig.values[0]) / eig.values[0]).toBeLessThan(0.01);
  });

  it('the comparison fails on a wrong gradient (negative control)', () => {
    const wrong = (t: Float64Array) => {
      const g = net.grad(t);
      g[0] += 0.05 * t[1] * t[1];
      return g;
    };
    const v = randomVec(P, rnd);
    expect(relErr(fdHvp(wrong, theta)(v), exact(v))).toBeGreaterThan(1e-4);
  });
});

describe('directional sharpness, gradient-eigenvector cosine, alignment, loss slice', () => {
  const rnd = testNormal(testRng(41));
  const A = matrixWithSpectrum([3, -1, 0.5, 2], rnd);
  const grad = quadraticGrad(A, 4);

  it('directional sharpness = v.Av / ||v||^2 exactly on a quadratic; undefined for a zero update', () => {
    const t0 = randomVec(4, rnd);
    const t1 = addScaled(t0, -0.3, grad(t0));
    const v = addScaled(t1, -1, t0);
    const want = dot(v, matVec(A, 4, v)) / dot(v, v);
    expect(Math.abs(directionalSharpness(grad, t0, t1)! - want)).toBeLessThan(1e-9);
    expect(directionalSharpness(grad, t0, t0)).toBeUndefined();
  });

  it('grad_eig_cosine is |cos|: 1 along +-u, 0 orthogonal, undefined for zero vectors', () => {
    expect(gradEigCosine([3, 0, 0], [1, 0, 0])).toBeCloseTo(1, 15);
    expect(gradEigCosine([-3, 0, 0], [1, 0, 0])).toBeCloseTo(1, 15);
    expect(gradEigCosine([0, 2, 0], [1, 0, 0])).toBe(0);
    expect(gradEigCosine([1, 1, 0], [1, 0, 0])).toBeCloseTo(Math.SQRT1_2, 15);
    expect(gradEigCosine([0, 0, 0], [1, 0, 0])).toBeUndefined();
  });

  it('feature alignment: max over first-layer rows of <w_j, u>/||w_j||', () => {
    const layout = mlpLayout([4, 3, 2]);
    const theta = new Float64Array(layout.paramCount);
    theta.set([0, 0, 0, 0], 0); // zero row: counts as 0
    theta.set([1, 1, 0, 0], 4);
    theta.set([-2, 0, 5, 0], 8);
    const first = layout.layers[0];
    expect(featureAlignment(theta, first, [1, 0, 0, 0])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(featureAlignment(theta, first, [0, 0, 1, 0])).toBeCloseTo(5 / Math.sqrt(29), 14);
    theta.set([-1, 0, 0, 0], 0);
    theta.set([-1, 0, 0, 0], 4);
    theta.set([-3, 0, 0, 0], 8);
    expect(featureAlignment(theta, first, [1, 0, 0, 0])).toBeCloseTo(-1, 14);
    expect(() => featureAlignment(theta, first, [1, 0])).toThrow(/input dimension 4/);
  });

  it('lossSlice evaluates loss(theta + alpha d/||d||) on an even grid over [-radius, radius]', () => {
    const loss = (t: Float64Array) => 0.5 * dot(t, matVec(A, 4, t));
    const theta = randomVec(4, rnd);
    const d = randomVec(4, rnd, 7);
    const s = lossSlice(loss, theta, d, { radius: 2, points: 5 });
    expect(s.map((p) => p.alpha)).toEqual([-2, -1, 0, 1, 2]);
    const u = addScaled(new Float64Array(4), 1 / norm(d), d);
    for (const p of s) {
      const want = loss(theta) + p.alpha * dot(grad(theta), u) + 0.5 * p.alpha * p.alpha * dot(u, matVec(A, 4, u));
      expect(p.loss).toBeCloseTo(want, 12);
    }
    expect(() => lossSlice(loss, theta, d, { radius: 0, points: 5 })).toThrow(/lossSlice\.radius/);
    expect(() => lossSlice(loss, theta, d, { radius: 1, points: 1 })).toThrow(/lossSlice\.points/);
    expect(() => lossSlice(loss, theta, new Float64Array(4), { radius: 1, points: 3 })).toThrow(/non-zero/);
  });
});

describe('probes use the counter PRNG with the GPU kernel counters', () => {
  it('Hutchinson probe k at step s uses counter (s*samples + k)*P + i; the start probe s*P + i', () => {
    const P = 7;
    const z = probeVector(12, 3, 4, 2, P);
    for (let i = 0; i < P; i++) {
      expect(Math.abs(z[i])).toBe(1);
      expect(z[i]).toBe(rngRademacher(12, STREAM_PROBE, (3 * 4 + 2) * P + i));
    }
    const u = startProbe(12, 3, P);
    expect(norm(u)).toBeCloseTo(1, 15);
    for (let i = 0; i < P; i++) expect(u[i] * Math.sqrt(P)).toBeCloseTo(rngRademacher(12, STREAM_PROBE, 3 * P + i), 14);
    // Counters wrap modulo 2^32 like the shader's u32 arithmetic.
    const big = probeVector(1, 2 ** 31, 3, 1, 5);
    for (let i = 0; i < 5; i++)
      expect(big[i]).toBe(
        rngRademacher(1, STREAM_PROBE, Number((BigInt(2 ** 31 * 3 + 1) * 5n + BigInt(i)) % 2n ** 32n)),
      );
  });
});
