/**
 * The CPU backend's curvature and oscillation rows for one run at one logged step, with the same
 * names, conditions and conventions as the GPU path (webgpu/trainer_metrics.ts curvRequest,
 * metrics/curvature_rows.ts, metrics/rows.ts). Definitions: docs/metrics.md.
 */
import { alignmentDirections } from '../model/directions';
import type { Activation, LossName, MetricsConfig } from '../../schema/types';
import { lossAndGrad, meanLoss, type OutputCentre } from '../cpu/mlp';
import type { Dataset } from '../data/types';
import type { ParamLayout } from '../model/layout';
import type { CpuOptimizerState, Hyper, OptimizerDef } from '../optim/types';
import type { MetricRow } from '../trainer';
import {
  directionalSharpness,
  featureAlignment,
  gradEigCosine,
  hessianTrace,
  preconditionedSharpness,
  sharpness,
  type GradOracle,
  type LossOracle,
} from './curvature_cpu';
import { distance } from './linalg';
import { sharpnessBudget } from './sharpness_budget';
import { sharpnessName } from './names';

/** Which curvature measurements are due at logged step s (the GPU trainer's rule). */
export interface CurvatureDue {
  sharpness?: { iters: number; tol: number };
  trace?: { samples: number };
}

export function curvatureDue(m: MetricsConfig, s: number): CurvatureDue {
  const due: CurvatureDue = {};
  if (m.sharpness && m.sharpness.every > 0 && s % m.sharpness.every === 0) {
    due.sharpness = { iters: m.sharpness.iters, tol: m.sharpness.tol ?? 1e-3 };
  }
  if (m.trace && m.trace.every > 0 && s % m.trace.every === 0) due.trace = { samples: m.trace.samples };
  return due;
}

/**
 * Number of training points the curvature oracle averages over: the first `subset` points, the same
 * rule as population.ts (sharpness.subset, else trace.subset, else 1024, capped at nTrain).
 */
export function curvatureSubset(m: MetricsConfig, nTrain: number): number {
  return Math.min(nTrain, m.sharpness?.subset ?? m.trace?.subset ?? 1024);
}

/**
 * Gradient and loss oracles of the CPU MLP (cpu/mlp.ts) for the mean loss over the first `subset`
 * training points: what curvatureRowsCpu and lossSlice need.
 */
export function mlpCurvatureOracles(o: {
  layout: ParamLayout;
  activation: Activation;
  loss: LossName;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  nClasses: number;
  subset: number;
  /** model.outputScale: the run's centring of the training set (the curvature is that of the training loss). */
  centre?: OutputCentre;
}): { grad: GradOracle; loss: LossOracle } {
  if (!Number.isInteger(o.subset) || o.subset < 1)
    throw new Error(`curvature subset: expected an integer >= 1, got ${o.subset}`);
  const idx = Uint32Array.from({ length: o.subset }, (_, i) => i);
  const model = { activation: o.activation };
  return {
    grad: (theta) => lossAndGrad(theta, o.layout, model, o.loss, o.x, o.y, idx, o.nClasses, o.centre).grad,
    loss: (theta) => meanLoss(theta, o.layout, model, o.loss, o.x, o.y, idx, o.nClasses, o.centre),
  };
}

/**
 * The optimizer's diagonal preconditioner after step t: D_i = scale * (sqrt(vScale * max(v_i, 0)) + eps),
 * v = state.slots[slot] (docs/metrics.md; Adam: scale = 1 - beta1^t, vScale = 1/(1 - beta2^t)). Undefined for
 * optimizers without one.
 */
export function preconditionerDiag(
  def: Pick<OptimizerDef, 'preconditioner'>,
  hp: Hyper,
  state: CpuOptimizerState,
  t: number,
): Float64Array | undefined {
  const pre = def.preconditioner?.(hp, t);
  if (!pre) return undefined;
  const v = state.slots[pre.slot];
  if (!v) throw new Error(`preconditioner: optimizer state has no slot ${pre.slot} (it has ${state.slots.length})`);
  const D = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) D[i] = pre.scale * (Math.sqrt(pre.vScale * Math.max(v[i], 0)) + pre.eps);
  return D;
}

/** Eigenvectors carried from one logged step to the next (warm starts), per run. */
export interface CurvatureCarry {
  /** The top eigenvector of the last sharpness estimate (grad_eig_cosine, the eigen slice; the warm start for k = 1). */
  eig?: Float64Array;
  /** With metrics.sharpness.k > 1: the normalised sum of its top-k Ritz vectors, the next estimate's warm start. */
  eigSpan?: Float64Array;
  precondEig?: Float64Array;
}

const usable = (v: Float64Array | undefined, P: number): v is Float64Array =>
  v !== undefined && v.length === P && v.every(Number.isFinite) && v.some((x) => x !== 0);

export interface CurvatureRowsInput {
  run: number;
  /** Logged step s (0 = initial parameters). */
  step: number;
  metrics: MetricsConfig;
  /** The run's seed seed_r (probes are drawn from it). */
  seed: number;
  /** Gradient of the mean loss over the first curvatureSubset() training points. */
  grad: GradOracle;
  /** theta_s. */
  theta: Float64Array;
  /** theta_{s-1} (s >= 1): directional sharpness. */
  prevTheta?: Float64Array;
  /** theta_{s-2} (s >= 2): period2_distance; leave out to skip that row. */
  prev2Theta?: Float64Array;
  /** g_s, the minibatch gradient of step s (s >= 1): grad_eig_cosine. */
  batchGrad?: Float64Array;
  def: Pick<OptimizerDef, 'sharpnessThreshold' | 'precondThreshold' | 'preconditioner'>;
  hp: Hyper;
  /** Optimizer state after step s (needed for precond_sharpness). */
  state?: CpuOptimizerState;
  /** Scheduled lr of step s (at s = 0: the lr of step 1). */
  lr: number;
  /** With meta: weak_alignment / strong_alignment (feature-noise data, at least one hidden layer). */
  layout?: ParamLayout;
  meta?: Dataset['meta'];
  /** Warm starts; updated in place with this step's eigenvectors. */
  carry: CurvatureCarry;
  /** Finite-difference step (default FD_STEP_F64). */
  h?: number;
  /** The experiment's step count (its last step is logged): which estimate is the first. Default: unbounded. */
  steps?: number;
}

/**
 * Rows for one run at one logged step s. Always (when the inputs are given): period2_distance (s >= 2),
 * weak_alignment and strong_alignment. When sharpness is due: sharpness, sharpness_threshold,
 * grad_eig_cosine (s >= 1), precond_sharpness and precond_threshold (optimizers with a preconditioner,
 * s >= 1), directional_sharpness (s >= 1, non-zero update). When trace is due: hessian_trace, hessian_fro.
 * Non-finite values are left out, like the GPU rows.
 */
export function curvatureRowsCpu(inp: CurvatureRowsInput): MetricRow[] {
  const { run, step: s, theta } = inp;
  const P = theta.length;
  const rows: MetricRow[] = [];
  const add = (metric: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) rows.push({ run, step: s, metric, value });
  };
  const checkLen = (name: string, a: Float64Array | undefined) => {
    if (a && a.length !== P) throw new Error(`curvatureRowsCpu.${name}: length ${a.length}, expected paramCount ${P}`);
  };
  checkLen('prevTheta', inp.prevTheta);
  checkLen('prev2Theta', inp.prev2Theta);
  checkLen('batchGrad', inp.batchGrad);
  const finite = theta.every(Number.isFinite);
  const due = curvatureDue(inp.metrics, s);
  if (due.sharpness && finite) {
    const { tol } = due.sharpness;
    // Product budgets: full for the kind's first estimate of the run, LANCZOS_WARM_ITERS after it.
    const iters = sharpnessBudget(inp.metrics, inp.steps ?? Infinity, s, 'sharpness');
    const precondIters = sharpnessBudget(inp.metrics, inp.steps ?? Infinity, s, 'precond');
    const k = inp.metrics.sharpness?.k ?? 1;
    // Top k > 1: warm from the sum of the last estimate's k Ritz vectors (the GPU does the same).
    const warm = k > 1 && usable(inp.carry.eigSpan, P) ? inp.carry.eigSpan : inp.carry.eig;
    const top = sharpness(inp.grad, theta, { iters, tol, warm, seed: inp.seed, step: s, h: inp.h, k });
    inp.carry.eig = top.vector;
    if (k > 1) inp.carry.eigSpan = top.span;
    add('sharpness', top.value);
    for (let j = 1; j < Math.min(k, top.values.length); j++) add(sharpnessName(j), top.values[j]);
    add('sharpness_threshold', inp.def.sharpnessThreshold?.(inp.hp, inp.lr));
    if (s > 0 && inp.batchGrad) add('grad_eig_cosine', gradEigCosine(inp.batchGrad, top.vector));
    if (s > 0 && inp.def.preconditioner && inp.state) {
      const D = preconditionerDiag(inp.def, inp.hp, inp.state, Math.max(1, s));
      if (D && D.every((d) => d > 0 && Number.isFinite(d))) {
        const pre = preconditionedSharpness(inp.grad, theta, D, {
          iters: precondIters,
          tol,
          warm: inp.carry.precondEig,
          seed: inp.seed,
          step: s,
          h: inp.h,
        });
        inp.carry.precondEig = pre.vector;
        add('precond_sharpness', pre.value);
        add('precond_threshold', inp.def.precondThreshold?.(inp.hp, inp.lr));
      }
    }
    if (s > 0 && inp.prevTheta && inp.prevTheta.every(Number.isFinite)) {
      add('directional_sharpness', directionalSharpness(inp.grad, inp.prevTheta, theta, inp.h));
    }
  }
  if (due.trace && finite) {
    const tr = hessianTrace(inp.grad, theta, { samples: due.trace.samples, seed: inp.seed, step: s, h: inp.h });
    add('hessian_trace', tr.trace);
    add('hessian_fro', tr.fro);
  }
  if (s >= 2 && inp.prev2Theta) add('period2_distance', distance(theta, inp.prev2Theta));
  const dirs = inp.layout && inp.meta ? alignmentDirections(inp.layout, inp.meta) : undefined;
  if (dirs && inp.layout) {
    const first = inp.layout.layers[0];
    add('weak_alignment', featureAlignment(theta, first, dirs.weak));
    add('strong_alignment', featureAlignment(theta, first, dirs.strong));
  }
  return rows;
}
