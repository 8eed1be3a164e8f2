/**
 * For the sharpness-trajectory tests (sharpness_trajectory*.test.ts): the exact top eigenvalues of
 * a dense symmetric matrix (Householder tridiagonalisation, then bisection on Sturm counts: the
 * classic direct eigensolver, O(P^3) once and O(P) per bisection step, where cyclic Jacobi would
 * take seconds per matrix at a few hundred parameters), the dense float64 finite-difference Hessian
 * of the CPU model's gradient, the two experiments (a tanh MLP trained by full-batch GD to the edge
 * of stability, and a linear model with squared loss whose Hessian is known), and the walk along a
 * trainer's trajectory that compares `sharpness`, `sharpness_2` with the exact values at every
 * logged step.
 */
import type { Experiment } from '../../schema/types';
import type { MetricRow, Trainer } from '../trainer';
import type { Checkpoint } from '../checkpoint';
import type { Dataset } from '../data/types';
import { generateDataset } from '../data/index';
import { experimentLayout } from '../model/shape';
import { run, testExperiment } from '../../test_fixtures';
import { denseMatrix, fdHvp } from './curvature_cpu';
import { curvatureSubset, mlpCurvatureOracles } from './curvature_rows_cpu';
import { symmetrize } from './linalg';
import { sharpnessName } from './names';

/** Reduce symmetric A (row-major n x n, not modified) to tridiagonal form: diagonal d, off-diagonal e (length n - 1). */
export function tridiagonalise(Ain: ArrayLike<number>, n: number): { d: Float64Array; e: Float64Array } {
  const A = Float64Array.from(Ain);
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const u = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 1; k++) {
    d[k] = A[k * n + k];
    // x = A[k+1.., k]; reflect it onto alpha e_1 with H = I - beta u u^T, u = x - alpha e_1.
    let xx = 0;
    for (let i = k + 1; i < n; i++) xx += A[i * n + k] ** 2;
    const x0 = A[(k + 1) * n + k];
    const alpha = -(x0 >= 0 ? 1 : -1) * Math.sqrt(xx);
    e[k] = alpha;
    const uu = xx - 2 * alpha * x0 + alpha * alpha;
    if (!(uu > 0)) continue;
    for (let i = k + 1; i < n; i++) u[i] = A[i * n + k];
    u[k + 1] -= alpha;
    const beta = 2 / uu;
    // A22 <- H A22 H = A22 - u q^T - q u^T, p = beta A22 u, q = p - (beta/2)(u.p) u.
    let up = 0;
    for (let i = k + 1; i < n; i++) {
      let s = 0;
      for (let j = k + 1; j < n; j++) s += A[i * n + j] * u[j];
      p[i] = beta * s;
      up += u[i] * p[i];
    }
    const K = 0.5 * beta * up;
    for (let i = k + 1; i < n; i++) p[i] -= K * u[i];
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) A[i * n + j] -= u[i] * p[j] + p[i] * u[j];
    }
  }
  d[n - 1] = A[(n - 1) * n + (n - 1)];
  return { d, e };
}

/** Eigenvalues of the tridiagonal (d, e) below x (Sturm count of the LDL^T pivots). */
function countBelow(d: Float64Array, e: Float64Array, x: number): number {
  let c = 0;
  let q = 1;
  for (let i = 0; i < d.length; i++) {
    q = d[i] - x - (i > 0 ? (e[i - 1] * e[i - 1]) / q : 0);
    if (q === 0) q = -1e-300;
    if (q < 0) c++;
  }
  return c;
}

/** The k largest eigenvalues of symmetric A (row-major n x n), most positive first, to float64 round-off. */
export function topEigenvaluesExact(A: ArrayLike<number>, n: number, k: number): number[] {
  const { d, e } = tridiagonalise(A, n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - r);
    hi = Math.max(hi, d[i] + r);
  }
  const out: number[] = [];
  for (let j = 1; j <= Math.min(k, n); j++) {
    // lambda_j (j-th largest) is the smallest x with countBelow(x) >= n - j + 1.
    let a = lo;
    let b = hi;
    for (let it = 0; it < 200 && b - a > 1e-15 * Math.max(Math.abs(a), Math.abs(b)); it++) {
      const m = 0.5 * (a + b);
      if (countBelow(d, e, m) >= n - j + 1) b = m;
      else a = m;
    }
    out.push(0.5 * (a + b));
  }
  return out;
}

/** The exact experiment's pieces: the dataset and the float64 gradient and loss over the curvature subset. */
export function curvatureOracle(exp: Experiment): {
  ds: Dataset;
  grad: (t: Float64Array) => Float64Array;
  loss: (t: Float64Array) => number;
} {
  const ds = generateDataset(exp.data, exp.seed);
  const { grad, loss } = mlpCurvatureOracles({
    layout: experimentLayout(exp, ds),
    activation: exp.model.activation,
    loss: exp.loss,
    x: ds.train.x,
    y: ds.train.y,
    nClasses: ds.nClasses,
    subset: curvatureSubset(exp.metrics, ds.train.n),
  });
  return { ds, grad, loss };
}

/** Top k eigenvalues of the dense Hessian at theta: float64 central differences of grad, symmetrised. */
export function fdHessianTop(grad: (t: Float64Array) => Float64Array, theta: Float64Array, k: number): number[] {
  const P = theta.length;
  return topEigenvaluesExact(symmetrize(denseMatrix(fdHvp(grad, theta), P), P), P, k);
}

/** The known Hessian of the linear model with squared loss, one output: Xa^T Xa / n, Xa = [X, 1]. */
export function linearHessian(ds: Dataset): Float64Array {
  const d = ds.inputDim;
  const n = ds.train.n;
  const P = d + 1;
  const H = new Float64Array(P * P);
  const xa = (p: number, i: number) => (i < d ? ds.train.x[p * d + i] : 1);
  for (let a = 0; a < P; a++) {
    for (let b = 0; b < P; b++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += xa(p, a) * xa(p, b);
      H[a * P + b] = s / n;
    }
  }
  return H;
}

/** The default sharpness settings (the presets' every 10 and iters 20; tol and subset left out), with k. */
const sharpness = (k: number) => ({ every: 10, iters: 20, k });

/** Full-batch GD's learning rate in the tanh experiment: 2/lr = 6.67. */
export const TANH_LR = 0.3;

/**
 * A 2-[12, 12]-2 tanh MLP (218 parameters) on 60 spiral points, squared loss, full-batch GD at lr
 * 0.3 from a small initialisation (exact lambda_1 1.74 at step 0): progressive sharpening past
 * 2/lr, catapults at steps ~110 and ~190 that throw the sharpness back down, then from step ~220
 * lambda_1 hovers just under 2/lr = 6.67 (6.47-6.49) with lambda_2 at 4.5-4.7.
 */
export function tanhEosExperiment(k: number, steps = 400): Experiment {
  return testExperiment({
    seed: 1,
    data: { kind: 'spiral', nTrain: 60, nTest: 0, nClasses: 2, turns: 1, noise: 0.1 },
    model: { kind: 'mlp', hidden: [12, 12], activation: 'tanh', initScale: 0.5, bias: true },
    loss: 'mse',
    steps,
    batchSize: 'full',
    runs: [run('GD', { name: 'sgd', lr: TANH_LR })],
    metrics: { every: 10, evalSubset: 0, sharpness: sharpness(k) },
  });
}

/** A linear model with one output on 40 teacher-student points in 8 dimensions (9 parameters), GD at lr. */
export function linearExperiment(k: number, lr: number, steps = 100): Experiment {
  return testExperiment({
    seed: 4,
    data: {
      kind: 'teacher-student',
      nTrain: 60,
      nTest: 0,
      inputDim: 20,
      outputDim: 1,
      teacherHidden: [],
      teacherActivation: 'linear',
      noise: 0.3,
    },
    model: { kind: 'mlp', hidden: [], activation: 'relu', initScale: 1, bias: true },
    loss: 'mse',
    steps,
    batchSize: 'full',
    runs: [run('GD', { name: 'sgd', lr })],
    metrics: { every: 10, evalSubset: 0, sharpness: sharpness(k) },
  });
}

export interface TrajectoryPoint {
  step: number;
  /** The run's parameters after the step (float32 ones widened on the GPU). */
  theta: Float64Array;
  /** sharpness, sharpness_2 .. as logged. */
  got: number[];
  /** The exact top eigenvalues at theta. */
  exact: number[];
}

/**
 * Advance the trainers (one experiment each, differing only in metrics) to their common step count
 * in increments of metrics.every (every logged step carries a sharpness estimate here) and, after
 * each, compare the logged sharpness rows of run 0 with exact(theta) at the trainer's own
 * parameters. Metrics do not change training, so the trainers' parameters agree and exact() runs
 * once per step (again for any trainer whose parameters differ).
 */
export async function walkTrajectories(
  trainers: { t: Trainer; exp: Experiment }[],
  exact: (theta: Float64Array) => number[],
): Promise<TrajectoryPoint[][]> {
  const { every } = trainers[0].exp.metrics;
  const steps = trainers[0].exp.steps;
  const out: TrajectoryPoint[][] = trainers.map(() => []);
  for (let s = 0; s <= steps; s += every) {
    let prev: { theta: Float64Array; exact: number[] } | undefined;
    for (const [i, { t, exp }] of trainers.entries()) {
      const rows: MetricRow[] = await t.advance(s === 0 ? 0 : every);
      const k = exp.metrics.sharpness?.k ?? 1;
      const got = Array.from({ length: k }, (_, j) => {
        const name = j === 0 ? 'sharpness' : sharpnessName(j);
        return rows.find((r) => r.run === 0 && r.step === s && r.metric === name)?.value ?? NaN;
      });
      const theta = Float64Array.from(await t.getParams(0));
      const same = prev && prev.theta.every((x, j) => x === theta[j]);
      const ex = same ? prev!.exact : exact(theta);
      prev = { theta, exact: ex };
      out[i].push({ step: s, theta, got, exact: ex });
    }
  }
  return out;
}

/**
 * sharpness and sharpness_2 rows after step `at` of an uninterrupted trainer and of one resumed from
 * its checkpoint at `at` (the checkpoint keeps the top-k warm start, eigSpan): [uninterrupted, resumed].
 */
export async function resumeRows(
  make: (resume?: Checkpoint) => Promise<Trainer>,
  exp: Experiment,
  at: number,
): Promise<[MetricRow[], MetricRow[]]> {
  const pick = (rows: MetricRow[]) => rows.filter((r) => r.metric === 'sharpness' || r.metric === 'sharpness_2');
  const a = await make();
  await a.advance(at);
  const ck = await a.checkpoint!();
  const rest = pick(await a.advance(exp.steps - at));
  a.dispose();
  const b = await make(ck);
  const resumed = pick(await b.advance(exp.steps - at));
  b.dispose();
  return [rest, resumed];
}

export interface ErrorStats {
  median: number;
  worst: number;
  worstStep: number;
}

/** Relative errors |got_j - exact_j| / |exact_j| of eigenvalue j along the trajectory. */
export function errorStats(points: TrajectoryPoint[], j: number): ErrorStats {
  const errs = points.map((p) => ({ step: p.step, e: Math.abs(p.got[j] - p.exact[j]) / Math.abs(p.exact[j]) }));
  const sorted = errs.map((x) => x.e).sort((a, b) => a - b);
  const worst = errs.reduce((a, b) => (b.e > a.e || Number.isNaN(b.e) ? b : a));
  return { median: sorted[Math.floor(sorted.length / 2)], worst: worst.e, worstStep: worst.step };
}

/** One line per eigenvalue: median and worst relative error (printed by the tests). */
export function report(label: string, points: TrajectoryPoint[]): ErrorStats[] {
  return points[0].got.map((_, j) => {
    const st = errorStats(points, j);
    console.log(
      `${label} lambda${j + 1}: ${points.length} steps, relative error median ${st.median.toExponential(2)} ` +
        `worst ${st.worst.toExponential(2)} (step ${st.worstStep})`,
    );
    return st;
  });
}
