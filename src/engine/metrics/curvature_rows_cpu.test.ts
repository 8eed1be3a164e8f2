import { describe, expect, it } from 'vitest';
import type { MetricsConfig } from '../../schema/types';
import type { CpuOptimizerState, Hyper, OptimizerDef } from '../optim/types';
import type { MetricRow } from '../trainer';
import { mlpLayout } from '../model/layout';
import {
  denseMatrix,
  directionalSharpness,
  fdHvp,
  gradEigCosine,
  hessianTrace,
  preconditionedSharpness,
  sharpness,
} from './curvature_cpu';
import {
  curvatureDue,
  curvatureRowsCpu,
  curvatureSubset,
  mlpCurvatureOracles,
  preconditionerDiag,
  type CurvatureCarry,
} from './curvature_rows_cpu';
import { addScaled, asymmetry, distance, symEig, symmetrize } from './linalg';
import { linearMse, randomVec, tanhNet, testNormal, testRng } from './testing_models';

type CurvDef = Pick<OptimizerDef, 'sharpnessThreshold' | 'precondThreshold' | 'preconditioner'>;

const sgdLike: CurvDef = { sharpnessThreshold: (_hp, lr) => 2 / lr };
const b1 = 0.9;
const b2 = 0.999;
const adamLike: CurvDef = {
  preconditioner: (_hp, t) => ({ slot: 1, scale: 1 - b1 ** t, vScale: 1 / (1 - b2 ** t), eps: 1e-8 }),
  precondThreshold: (_hp, lr) => (2 + 2 * b1) / (lr * (1 - b1)),
};
const hp: Hyper = { lr: 0.1 };

const metrics: MetricsConfig = {
  every: 1,
  evalSubset: 0,
  sharpness: { every: 5, iters: 40 },
  trace: { every: 10, samples: 6 },
};

function setup() {
  const rnd = testNormal(testRng(4));
  const n = 30;
  const d = 4;
  const k = 2;
  const X = new Float64Array(n * d);
  for (let p = 0; p < n; p++) for (let i = 0; i < d; i++) X[p * d + i] = (1 + i) * rnd();
  const lm = linearMse(X, randomVec(n * k, rnd), n, d, k);
  const P = lm.layout.paramCount;
  const t0 = randomVec(P, rnd, 0.3);
  const g1 = lm.grad(t0);
  const t1 = addScaled(t0, -0.01, g1);
  const t2 = addScaled(t1, -0.01, lm.grad(t1));
  return { ...lm, P, rnd, t0, t1, t2, g1 };
}

const names = (rows: MetricRow[]) => rows.map((r) => r.metric);
const value = (rows: MetricRow[], m: string) => rows.find((r) => r.metric === m)?.value;

describe('curvatureDue / curvatureSubset', () => {
  it('follows the GPU trainer: multiples of every, every = 0 or absent disables', () => {
    expect(curvatureDue(metrics, 0)).toEqual({ sharpness: { iters: 40, tol: 1e-3 }, trace: { samples: 6 } });
    expect(curvatureDue(metrics, 5)).toEqual({ sharpness: { iters: 40, tol: 1e-3 } });
    expect(curvatureDue(metrics, 7)).toEqual({});
    expect(curvatureDue({ every: 1, evalSubset: 0, sharpness: { every: 0, iters: 5, tol: 1e-5 } }, 10)).toEqual({});
    expect(
      curvatureDue({ every: 1, evalSubset: 0, sharpness: { every: 2, iters: 5, tol: 1e-5 } }, 4).sharpness?.tol,
    ).toBe(1e-5);
    expect(curvatureSubset(metrics, 5000)).toBe(1024);
    expect(curvatureSubset({ ...metrics, sharpness: { every: 1, iters: 1, subset: 100 } }, 50)).toBe(50);
    expect(curvatureSubset({ every: 1, evalSubset: 0, trace: { every: 1, samples: 1, subset: 300 } }, 5000)).toBe(300);
  });
});

describe('preconditionerDiag', () => {
  it('D_i = (1 - b1^t) (sqrt(v_i / (1 - b2^t)) + eps) from the state slot the optimizer names', () => {
    const v = Float64Array.from([0, 1e-4, 2.5, -1e-30]);
    const state: CpuOptimizerState = { slots: [new Float64Array(4), v], extra: {} };
    const D = preconditionerDiag(adamLike, hp, state, 3)!;
    for (let i = 0; i < 4; i++) {
      const want = (1 - b1 ** 3) * (Math.sqrt(Math.max(v[i], 0) / (1 - b2 ** 3)) + 1e-8);
      expect(D[i]).toBeCloseTo(want, 15);
    }
    expect(preconditionerDiag(sgdLike, hp, state, 3)).toBeUndefined();
    expect(() => preconditionerDiag(adamLike, hp, { slots: [v], extra: {} }, 1)).toThrow(/no slot 1/);
  });
});

describe('curvatureRowsCpu at step 0 and at a sharpness step', () => {
  it('metrics.sharpness.k = 3: sharpness, sharpness_2 and sharpness_3 match a dense eigensolver', () => {
    // One output: two outputs would repeat every eigenvalue, and single-vector Lanczos finds one copy of each.
    const rnd = testNormal(testRng(7));
    const [n, d] = [30, 6];
    const X = Float64Array.from({ length: n * d }, (_, q) => (1 + (q % d)) * rnd());
    const c = linearMse(X, randomVec(n, rnd), n, d, 1);
    const P = c.layout.paramCount;
    const m: MetricsConfig = { every: 1, evalSubset: 0, sharpness: { every: 5, iters: 20, tol: 1e-6, k: 3 } };
    const rows = curvatureRowsCpu({
      ...{ run: 0, step: 0, metrics: m, seed: 11, grad: c.grad, theta: randomVec(P, rnd), def: sgdLike, hp, lr: 0.1 },
      carry: {},
    });
    expect(names(rows)).toEqual(['sharpness', 'sharpness_2', 'sharpness_3', 'sharpness_threshold']);
    const exact = symEig(c.hessian, P).values;
    ['sharpness', 'sharpness_2', 'sharpness_3'].forEach((name, j) =>
      expect(Math.abs(value(rows, name)! - exact[j]) / exact[0], name).toBeLessThan(1e-6),
    );
  });

  it('product budgets: the cold first estimate gets min(iters, 32, P), a warm one at most 8', () => {
    const c = setup();
    let calls = 0;
    const grad = (th: Float64Array) => (calls++, c.grad(th));
    const m: MetricsConfig = { every: 1, evalSubset: 0, sharpness: { every: 5, iters: 20, tol: 0 } };
    const carry: CurvatureCarry = {};
    const at = (step: number) => {
      calls = 0;
      curvatureRowsCpu({ run: 0, step, metrics: m, seed: 11, grad, theta: c.t0, def: sgdLike, hp, lr: 0.1, carry });
      return calls / 2; // central differences: two gradients per product
    };
    expect(c.P).toBe(10);
    expect(at(0)).toBe(10);
    // A warm start that is no eigenvector, so that 8 products cannot reach the invariant space (P = 10).
    carry.eig = randomVec(c.P, c.rnd);
    expect(at(5)).toBe(8);
    carry.eig = randomVec(c.P, c.rnd);
    expect(at(10)).toBe(8);
  });

  it('step 0: sharpness, its threshold, trace and Frobenius (no step-dependent rows)', () => {
    const c = setup();
    const carry: CurvatureCarry = {};
    const rows = curvatureRowsCpu({
      run: 2,
      step: 0,
      metrics,
      seed: 11,
      grad: c.grad,
      theta: c.t0,
      def: sgdLike,
      hp,
      lr: 0.1,
      carry,
    });
    expect(names(rows)).toEqual(['sharpness', 'sharpness_threshold', 'hessian_trace', 'hessian_fro']);
    expect(rows.every((r) => r.run === 2 && r.step === 0)).toBe(true);
    expect(value(rows, 'sharpness_threshold')).toBeCloseTo(20, 12);
    const top = symEig(c.hessian, c.P).values[0];
    expect(Math.abs(value(rows, 'sharpness')! - top) / top).toBeLessThan(0.01);
    const tr = hessianTrace(c.grad, c.t0, { samples: 6, seed: 11, step: 0 });
    expect(value(rows, 'hessian_trace')).toBe(tr.trace);
    expect(value(rows, 'hessian_fro')).toBe(tr.fro);
    expect(carry.eig?.length).toBe(c.P);
  });

  it('a sharpness step s >= 1: warm start, cosine, directional sharpness, period-2 distance', () => {
    const c = setup();
    const carry: CurvatureCarry = {};
    curvatureRowsCpu({
      run: 0,
      step: 0,
      metrics,
      seed: 11,
      grad: c.grad,
      theta: c.t0,
      def: sgdLike,
      hp,
      lr: 0.1,
      carry,
    });
    const warm = carry.eig!;
    const rows = curvatureRowsCpu({
      run: 0,
      step: 5,
      metrics,
      seed: 11,
      grad: c.grad,
      theta: c.t2,
      prevTheta: c.t1,
      prev2Theta: c.t0,
      batchGrad: c.g1,
      def: sgdLike,
      hp,
      lr: 0.05,
      carry,
    });
    expect(names(rows)).toEqual([
      'sharpness',
      'sharpness_threshold',
      'grad_eig_cosine',
      'directional_sharpness',
      'period2_distance',
    ]);
    const direct = sharpness(c.grad, c.t2, { iters: 40, warm, seed: 11, step: 5 });
    expect(value(rows, 'sharpness')).toBe(direct.value);
    expect(value(rows, 'sharpness_threshold')).toBeCloseTo(40, 12);
    expect(value(rows, 'grad_eig_cosine')).toBe(gradEigCosine(c.g1, direct.vector));
    expect(value(rows, 'directional_sharpness')).toBe(directionalSharpness(c.grad, c.t1, c.t2));
    expect(value(rows, 'period2_distance')).toBe(distance(c.t2, c.t0));
    expect(Array.from(carry.eig!)).toEqual(Array.from(direct.vector));
  });
});

describe('curvatureRowsCpu: preconditioned rows, rows between curvature steps, bad input', () => {
  it('Adam family: precond_sharpness and precond_threshold at s >= 1 only', () => {
    const c = setup();
    const v = Float64Array.from({ length: c.P }, () => 1e-3 * (0.1 + Math.abs(c.rnd())));
    const state: CpuOptimizerState = { slots: [new Float64Array(c.P), v], extra: {} };
    const carry: CurvatureCarry = {};
    const at0 = curvatureRowsCpu({
      run: 0,
      step: 0,
      metrics,
      seed: 3,
      grad: c.grad,
      theta: c.t0,
      def: adamLike,
      hp,
      state,
      lr: 1e-3,
      carry,
    });
    expect(names(at0)).not.toContain('precond_sharpness');
    const rows = curvatureRowsCpu({
      run: 0,
      step: 10,
      metrics,
      seed: 3,
      grad: c.grad,
      theta: c.t1,
      prevTheta: c.t0,
      def: adamLike,
      hp,
      state,
      lr: 1e-3,
      carry,
    });
    expect(names(rows)).toEqual([
      'sharpness',
      'precond_sharpness',
      'precond_threshold',
      'directional_sharpness',
      'hessian_trace',
      'hessian_fro',
    ]);
    const D = preconditionerDiag(adamLike, hp, state, 10)!;
    const direct = preconditionedSharpness(c.grad, c.t1, D, { iters: 40, seed: 3, step: 10 });
    expect(value(rows, 'precond_sharpness')).toBe(direct.value);
    expect(value(rows, 'precond_threshold')).toBeCloseTo(38 / 1e-3, 6);
    expect(carry.precondEig?.length).toBe(c.P);
  });

  it('between curvature steps: only period2_distance and the alignment rows', () => {
    const layout = mlpLayout([3, 2, 1]);
    const P = layout.paramCount;
    const theta = new Float64Array(P);
    theta.set([1, 0, 0, 0, 2, 0], 0);
    const meta = {
      kind: 'feature-noise',
      weakDirection: Float32Array.from([0, 1, 0]),
      strongDirection: Float32Array.from([1, 0, 0]),
    };
    const base = {
      run: 1,
      metrics,
      seed: 1,
      grad: (t: Float64Array) => t,
      def: sgdLike,
      hp,
      lr: 0.1,
      layout,
      meta,
      carry: {},
    };
    const rows = curvatureRowsCpu({ ...base, step: 7, theta, prev2Theta: new Float64Array(P) });
    expect(names(rows)).toEqual(['period2_distance', 'weak_alignment', 'strong_alignment']);
    expect(value(rows, 'period2_distance')).toBeCloseTo(Math.sqrt(5), 14);
    expect(value(rows, 'weak_alignment')).toBe(1);
    expect(value(rows, 'strong_alignment')).toBe(1);
    // A linear model has no hidden layer: no alignment rows. Step 1: no period-2 distance.
    const lin = mlpLayout([3, 1]);
    expect(names(curvatureRowsCpu({ ...base, layout: lin, step: 1, theta: new Float64Array(lin.paramCount) }))).toEqual(
      [],
    );
  });

  it('non-finite parameters give no curvature rows; wrong lengths give a specific error', () => {
    const c = setup();
    const bad = c.t0.slice();
    bad[0] = NaN;
    const rows = curvatureRowsCpu({
      run: 0,
      step: 10,
      metrics,
      seed: 1,
      grad: c.grad,
      theta: bad,
      def: sgdLike,
      hp,
      lr: 0.1,
      carry: {},
    });
    expect(names(rows)).toEqual([]);
    expect(() =>
      curvatureRowsCpu({
        run: 0,
        step: 5,
        metrics,
        seed: 1,
        grad: c.grad,
        theta: c.t0,
        prevTheta: new Float64Array(2),
        def: sgdLike,
        hp,
        lr: 0.1,
        carry: {},
      }),
    ).toThrow(/curvatureRowsCpu\.prevTheta: length 2, expected paramCount/);
  });
});

describe('mlpCurvatureOracles (the CPU MLP as the gradient oracle)', () => {
  it('matches an independent tanh network and gives the Hessian spectrum of the first `subset` points', () => {
    const rnd = testNormal(testRng(17));
    const [n, d, m, k] = [25, 3, 4, 2];
    const x = randomVec(n * d, rnd);
    const y = randomVec(n * k, rnd);
    const subset = 20;
    const ref = tanhNet(x.subarray(0, subset * d), y.subarray(0, subset * k), subset, d, m, k);
    const layout = mlpLayout([d, m, k]);
    const o = mlpCurvatureOracles({ layout, activation: 'tanh', loss: 'mse', x, y, nClasses: 0, subset });
    const theta = randomVec(layout.paramCount, rnd, 0.8);
    const gRef = ref.grad(theta);
    expect(distance(o.grad(theta), gRef) / distance(gRef, new Float64Array(theta.length))).toBeLessThan(1e-12);
    expect(Math.abs(o.loss(theta) - ref.loss(theta))).toBeLessThan(1e-12);
    const P = layout.paramCount;
    const H = denseMatrix(fdHvp(o.grad, theta), P);
    expect(asymmetry(H, P)).toBeLessThan(1e-7);
    const top = symEig(symmetrize(H, P), P).values[0];
    const r = sharpness(o.grad, theta, { iters: 500, tol: 1e-8, seed: 1, step: 0 });
    expect(Math.abs(r.value - top) / Math.abs(top)).toBeLessThan(1e-5);
  });

  it('cross-entropy classification: sharpness within 1% of the eigen-solver (default tol)', () => {
    const rnd = testNormal(testRng(23));
    const [n, d, m, c] = [40, 2, 6, 3];
    const x = randomVec(n * d, rnd);
    const y = Float64Array.from({ length: n }, (_, i) => i % c);
    const layout = mlpLayout([d, m, c]);
    const o = mlpCurvatureOracles({ layout, activation: 'tanh', loss: 'cross-entropy', x, y, nClasses: c, subset: n });
    const theta = randomVec(layout.paramCount, rnd, 1);
    const P = layout.paramCount;
    const top = symEig(symmetrize(denseMatrix(fdHvp(o.grad, theta), P), P), P).values[0];
    const r = sharpness(o.grad, theta, { iters: 100, seed: 2, step: 0 });
    expect(Math.abs(r.value - top) / top).toBeLessThan(0.01);
    expect(() =>
      mlpCurvatureOracles({ layout, activation: 'tanh', loss: 'mse', x, y, nClasses: 0, subset: 0 }),
    ).toThrow(/curvature subset/);
  });
});
