/**
 * Curvature metrics in float64 for the CPU backend, and the oracle for the GPU probes
 * (metrics/curvature_gpu.ts, shaders/curvature.wgsl). Everything is built on a gradient oracle
 * grad(theta) = gradient of the mean training loss over the curvature subset, so nothing here
 * depends on the model code. Definitions and measured accuracy: docs/metrics.md.
 *
 * Hessian-vector products are central differences of that gradient along the unit direction:
 *   H v ~ ||v|| (g(theta + h v/||v||) - g(theta - h v/||v||)) / (2h),  h = FD_STEP_F64,
 * the same formula as the GPU (which uses h = FD_STEP = 1e-3 in f32). The error is O(h^2) from third
 * derivatives plus O(eps_f64 |g| / h) from round-off; with h = 1e-5 both are ~1e-10 relative
 * on smooth networks (measured in curvature_cpu.test.ts against exact forward-over-reverse).
 */
import { addScaled, dot, norm, scaled } from './linalg';
import { probeVector, startProbe } from './probes';
import { LANCZOS_DEFAULT_TOL, LANCZOS_TOL_CAP, lanczosBudget, lanczosTop } from './lanczos';

/** Gradient of the mean loss over the curvature subset (float64). */
export type GradOracle = (theta: Float64Array) => Float64Array;
/** Mean loss over the same points. */
export type LossOracle = (theta: Float64Array) => number;
/** A symmetric linear operator v -> A v (a Hessian at a fixed point, possibly transformed). */
export type LinearOp = (v: Float64Array) => Float64Array;

/** Central-difference step along a unit direction, chosen for float64 (see the header). */
export const FD_STEP_F64 = 1e-5;

/** Hessian-vector products at theta by central differences of grad (two gradient calls each). */
export function fdHvp(grad: GradOracle, theta: Float64Array, h = FD_STEP_F64): LinearOp {
  if (!(h > 0) || !Number.isFinite(h)) throw new Error(`fdHvp: h must be a positive finite number, got ${h}`);
  const P = theta.length;
  return (v) => {
    if (v.length !== P) throw new Error(`hvp: direction has length ${v.length}, expected paramCount ${P}`);
    const n = norm(v);
    if (n === 0) return new Float64Array(P);
    const gp = grad(addScaled(theta, h / n, v));
    const gm = grad(addScaled(theta, -h / n, v));
    if (gp.length !== P || gm.length !== P)
      throw new Error(`hvp: gradient oracle returned length ${gp.length}, expected ${P}`);
    const out = new Float64Array(P);
    const s = n / (2 * h);
    for (let i = 0; i < P; i++) out[i] = (gp[i] - gm[i]) * s;
    return out;
  };
}

/** The dense matrix of a linear operator, column j = A e_j (row-major; symmetrise before eigen-solving). */
export function denseMatrix(op: LinearOp, P: number): Float64Array {
  const A = new Float64Array(P * P);
  const e = new Float64Array(P);
  for (let j = 0; j < P; j++) {
    e.fill(0);
    e[j] = 1;
    const col = op(e);
    for (let i = 0; i < P; i++) A[i * P + j] = col[i];
  }
  return A;
}

export interface PowerOptions {
  /** Maximum iterations per phase (metrics.sharpness.iters). */
  iters: number;
  /** Stop when |lambda_k - lambda_{k-1}| <= tol |lambda_k| (default 1e-3). */
  tol?: number;
  /** Warm start (the previous eigenvector of this run); a zero, missing or wrong-length vector is ignored. */
  warm?: Float64Array;
  /** Start vector when there is no warm start, and the start of the shifted phase. */
  probe: () => Float64Array;
}

export interface PowerResult {
  /** The most positive eigenvalue estimate. */
  value: number;
  /** Unit eigenvector estimate for `value` (store it as the next warm start). */
  vector: Float64Array;
  /** Rayleigh quotient of the first phase (the dominant eigenvalue, by magnitude). */
  dominant: number;
  /** Whether the shifted phase ran (dominant < 0). */
  shifted: boolean;
  /** Operator applications, both phases. */
  iterations: number;
  /** Whether the phase that produced `value` met the tolerance. */
  converged: boolean;
}

interface Phase {
  lambda: number;
  u: Float64Array;
  iterations: number;
  converged: boolean;
}

/**
 * Power iteration on A + shift I from u0 (normalised here). The stop rule compares the change of the
 * Rayleigh quotient with tol |lambda - shift|, i.e. relative to the eigenvalue of A that is reported
 * (with shift = 0 this is the plain |lambda_k - lambda_{k-1}| <= tol |lambda_k|).
 */
function iterate(op: LinearOp, u0: Float64Array, iters: number, tol: number, shift: number): Phase {
  const n0 = norm(u0);
  let u = scaled(u0, 1 / n0);
  let lambda = 0;
  let prev = NaN;
  for (let k = 1; k <= iters; k++) {
    const w = op(u);
    if (shift !== 0) for (let i = 0; i < w.length; i++) w[i] += shift * u[i];
    lambda = dot(u, w);
    const nw = norm(w);
    if (!Number.isFinite(lambda) || !Number.isFinite(nw)) return { lambda: NaN, u, iterations: k, converged: false };
    if (nw === 0) return { lambda: 0, u, iterations: k, converged: true };
    u = scaled(w, 1 / nw);
    if (k > 1 && Math.abs(lambda - prev) <= tol * Math.abs(lambda - shift))
      return { lambda, u, iterations: k, converged: true };
    prev = lambda;
  }
  return { lambda, u, iterations: iters, converged: false };
}

/**
 * Most positive eigenvalue of a symmetric operator. Phase 1: power iteration from the warm start
 * (or the probe) converges to the dominant eigenvalue lambda_d (largest |lambda|). When lambda_d < 0,
 * phase 2 iterates from a fresh probe on A - lambda_d I, whose eigenvalues are all >= 0, and returns
 * its top eigenvalue + lambda_d. The measurement before Lanczos (lanczosTopEigen), kept for
 * comparison (bench/eig_accuracy.ts) and its tests.
 */
export function topEigen(op: LinearOp, P: number, o: PowerOptions): PowerResult {
  if (!Number.isInteger(o.iters) || o.iters < 1)
    throw new Error(`metrics.sharpness.iters: expected an integer >= 1, got ${o.iters}`);
  const tol = o.tol ?? 1e-3;
  if (!(tol >= 0)) throw new Error(`metrics.sharpness.tol: expected a number >= 0, got ${tol}`);
  const warmOk = o.warm !== undefined && o.warm.length === P && norm(o.warm) > 0 && o.warm.every(Number.isFinite);
  const start = warmOk ? o.warm! : o.probe();
  if (start.length !== P) throw new Error(`topEigen: start vector has length ${start.length}, expected ${P}`);
  const p1 = iterate(op, start, o.iters, tol, 0);
  if (!(p1.lambda < 0)) {
    return {
      value: p1.lambda,
      vector: p1.u,
      dominant: p1.lambda,
      shifted: false,
      iterations: p1.iterations,
      converged: p1.converged,
    };
  }
  const c = -p1.lambda;
  const p2 = iterate(op, o.probe(), o.iters, tol, c);
  return {
    value: p2.lambda - c,
    vector: p2.u,
    dominant: p1.lambda,
    shifted: true,
    iterations: p1.iterations + p2.iterations,
    converged: p2.converged,
  };
}

export interface TopEigenResult {
  /** The most positive eigenvalue estimate (top Ritz value). */
  value: number;
  /** Unit eigenvector estimate for `value` (store it as the next warm start). */
  vector: Float64Array;
  /** Operator applications (Hessian-vector products). */
  iterations: number;
  /** Whether the residual met the tolerance (or the Krylov space became invariant). */
  converged: boolean;
  /** |A v - value v| from the Lanczos recurrence. */
  residual: number;
  /** The top k Ritz values, most positive first (values[0] = value). */
  values: Float64Array;
  /** The next warm start of a top-k estimate: the normalised sum of the k signed unit Ritz vectors (LanczosResult.span). */
  span: Float64Array;
}

/**
 * Most positive eigenvalue of a symmetric operator by Lanczos (lanczosTop, k = 1): the measurement
 * behind sharpness and precond_sharpness on both backends. `iters` (metrics.sharpness.iters) caps
 * the products at min(iters, LANCZOS_MAX_ITERS); `tol` (metrics.sharpness.tol) is the relative
 * residual tolerance |A v - theta v| <= tol |theta|.
 */
export function lanczosTopEigen(
  op: LinearOp,
  P: number,
  o: { iters: number; tol?: number; warm?: Float64Array; probe: () => Float64Array; k?: number },
): TopEigenResult {
  if (!Number.isInteger(o.iters) || o.iters < 1)
    throw new Error(`metrics.sharpness.iters: expected an integer >= 1, got ${o.iters}`);
  const tol = o.tol ?? LANCZOS_DEFAULT_TOL;
  if (!(tol >= 0)) throw new Error(`metrics.sharpness.tol: expected a number >= 0, got ${tol}`);
  const r = lanczosTop(op, P, {
    k: o.k ?? 1,
    maxIters: lanczosBudget(o.iters),
    tol: Math.min(tol, LANCZOS_TOL_CAP),
    warm: o.warm,
    probe: o.probe,
  });
  return {
    value: r.values[0],
    vector: r.vectors[0],
    iterations: r.hvps,
    converged: r.converged,
    residual: r.residuals[0],
    values: r.values,
    span: r.span,
  };
}

/** Sharpness: top eigenvalue of the Hessian of the mean loss at theta (Lanczos on fdHvp). */
export function sharpness(
  grad: GradOracle,
  theta: Float64Array,
  o: { iters: number; tol?: number; warm?: Float64Array; seed: number; step: number; h?: number; k?: number },
): TopEigenResult {
  const P = theta.length;
  return lanczosTopEigen(fdHvp(grad, theta, o.h), P, { ...o, probe: () => startProbe(o.seed, o.step, P) });
}

/** D^-1/2 A D^-1/2 for a positive diagonal D (the preconditioned Hessian's symmetric form). */
export function preconditionedOp(op: LinearOp, D: Float64Array): LinearOp {
  const s = new Float64Array(D.length);
  D.forEach((d, i) => {
    if (!(d > 0) || !Number.isFinite(d))
      throw new Error(`preconditioner[${i}]: expected a positive finite value, got ${d}`);
    s[i] = 1 / Math.sqrt(d);
  });
  return (u) => {
    const x = new Float64Array(u.length);
    for (let i = 0; i < u.length; i++) x[i] = s[i] * u[i];
    const y = op(x);
    for (let i = 0; i < y.length; i++) y[i] *= s[i];
    return y;
  };
}

/**
 * Preconditioned sharpness: top eigenvalue of D^-1/2 H D^-1/2 (= the eigenvalues of D^-1 H), D the
 * optimizer's diagonal preconditioner (see preconditionerDiag in curvature_rows_cpu.ts).
 */
export function preconditionedSharpness(
  grad: GradOracle,
  theta: Float64Array,
  D: Float64Array,
  o: { iters: number; tol?: number; warm?: Float64Array; seed: number; step: number; h?: number },
): TopEigenResult {
  const P = theta.length;
  if (D.length !== P) throw new Error(`preconditioner: length ${D.length}, expected paramCount ${P}`);
  return lanczosTopEigen(preconditionedOp(fdHvp(grad, theta, o.h), D), P, {
    ...o,
    probe: () => startProbe(o.seed, o.step, P),
  });
}

export interface TraceResult {
  /** Mean of z.Hz over the probes (Hutchinson). */
  trace: number;
  /** sqrt of the mean of ||Hz||^2 over the same probes. */
  fro: number;
  /** Per probe: z.Hz and ||Hz||^2. */
  samples: { zHz: number; hzSq: number }[];
}

/** Hutchinson trace and Frobenius estimates with the counter-PRNG Rademacher probes of step `step`. */
export function hutchinson(op: LinearOp, P: number, o: { samples: number; seed: number; step: number }): TraceResult {
  if (!Number.isInteger(o.samples) || o.samples < 1)
    throw new Error(`metrics.trace.samples: expected an integer >= 1, got ${o.samples}`);
  const samples: { zHz: number; hzSq: number }[] = [];
  let t = 0;
  let f = 0;
  for (let k = 0; k < o.samples; k++) {
    const z = probeVector(o.seed, o.step, o.samples, k, P);
    const hz = op(z);
    const zHz = dot(z, hz);
    const hzSq = dot(hz, hz);
    samples.push({ zHz, hzSq });
    t += zHz;
    f += hzSq;
  }
  return { trace: t / o.samples, fro: Math.sqrt(Math.max(0, f / o.samples)), samples };
}

/** hessian_trace / hessian_fro at theta. */
export function hessianTrace(
  grad: GradOracle,
  theta: Float64Array,
  o: { samples: number; seed: number; step: number; h?: number },
): TraceResult {
  return hutchinson(fdHvp(grad, theta, o.h), theta.length, o);
}

/**
 * Directional sharpness of the update of step s: v.Hv / ||v||^2 with v = theta_s - theta_{s-1} and H at
 * theta_{s-1}. Undefined when the update is zero.
 */
export function directionalSharpness(
  grad: GradOracle,
  thetaPrev: Float64Array,
  thetaNow: Float64Array,
  h?: number,
): number | undefined {
  if (thetaPrev.length !== thetaNow.length)
    throw new Error(`directionalSharpness: theta_{s-1} has length ${thetaPrev.length}, theta_s ${thetaNow.length}`);
  const v = addScaled(thetaNow, -1, thetaPrev);
  const vv = dot(v, v);
  if (vv === 0) return undefined;
  return dot(v, fdHvp(grad, thetaPrev, h)(v)) / vv;
}

/**
 * |cos| between the minibatch gradient g_s and the top eigenvector u. An eigenvector's sign is
 * arbitrary, so the absolute value is the meaningful quantity. Undefined when either is zero.
 */
export function gradEigCosine(g: ArrayLike<number>, u: ArrayLike<number>): number | undefined {
  const ng = norm(g);
  const nu = norm(u);
  if (!(ng > 0) || !(nu > 0)) return undefined;
  return Math.abs(dot(g, u)) / (ng * nu);
}

/**
 * Feature alignment of the first dense layer: max over units j of <w_j, dir> / ||w_j||, w_j row j of the
 * weight [outDim, inDim] at `weightOffset`; a zero row counts as 0 (as on the GPU).
 */
export function featureAlignment(
  theta: ArrayLike<number>,
  first: { inDim: number; outDim: number; weightOffset: number },
  dir: ArrayLike<number>,
): number {
  if (dir.length !== first.inDim)
    throw new Error(`alignment: direction has length ${dir.length}, expected the input dimension ${first.inDim}`);
  if (first.weightOffset + first.inDim * first.outDim > theta.length)
    throw new Error(`alignment: first layer runs past paramCount ${theta.length}`);
  let best = -Infinity;
  for (let j = 0; j < first.outDim; j++) {
    const o = first.weightOffset + j * first.inDim;
    let ww = 0;
    let wd = 0;
    for (let k = 0; k < first.inDim; k++) {
      ww += theta[o + k] * theta[o + k];
      wd += theta[o + k] * dir[k];
    }
    best = Math.max(best, ww > 0 ? wd / Math.sqrt(ww) : 0);
  }
  return best;
}

export interface SlicePoint {
  alpha: number;
  loss: number;
}

/**
 * Loss along a line: loss(theta + alpha d/||d||) at `points` evenly spaced alpha in [-radius, radius]
 * (d: the top eigenvector or the last update).
 */
export function lossSlice(
  loss: LossOracle,
  theta: Float64Array,
  d: Float64Array,
  o: { radius: number; points: number },
): SlicePoint[] {
  if (d.length !== theta.length)
    throw new Error(`lossSlice.direction: length ${d.length}, expected paramCount ${theta.length}`);
  if (!(o.radius > 0) || !Number.isFinite(o.radius))
    throw new Error(`lossSlice.radius: expected a positive finite number, got ${o.radius}`);
  if (!Number.isInteger(o.points) || o.points < 2)
    throw new Error(`lossSlice.points: expected an integer >= 2, got ${o.points}`);
  const n = norm(d);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error('lossSlice.direction: expected a non-zero finite vector');
  const out: SlicePoint[] = [];
  for (let k = 0; k < o.points; k++) {
    const alpha = -o.radius + (2 * o.radius * k) / (o.points - 1);
    out.push({ alpha, loss: loss(addScaled(theta, alpha / n, d)) });
  }
  return out;
}
