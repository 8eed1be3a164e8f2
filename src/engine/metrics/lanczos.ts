/**
 * Top-k eigenvalues of a symmetric operator by the Lanczos method with full reorthogonalisation,
 * in float64: sharpness and precond_sharpness on the CPU backend (lanczosTopEigen in
 * curvature_cpu.ts) and the oracle of the GPU's f32 Lanczos (lanczos_gpu.ts). It replaced power
 * iteration (topEigen, kept for comparison); measured against it: bench/eig_accuracy.ts and
 * docs/metrics.md.
 *
 * Step j (q_1 the unit start vector, Q_j = [q_1 .. q_j]):
 *   w = A q_j;  w <- w - Q_j (Q_j^T w)   (classical Gram-Schmidt against every kept vector, repeated
 *   once more when it removed more than 1 - 1/sqrt2 of |w|: "twice is enough");
 *   alpha_j = q_j^T A q_j (both passes' coefficient on q_j);  beta_j = |w|;  q_{j+1} = w / beta_j.
 * Q_j^T A Q_j is then the j x j tridiagonal T_j = tridiag(beta, alpha, beta) to round-off. Its
 * eigenpairs (theta_i, y_i) (Jacobi, symEig) give Ritz pairs (theta_i, Q_j y_i) with residual
 *   |A Q_j y_i - theta_i Q_j y_i| = beta_j |e_j^T y_i|,
 * and for a symmetric A some eigenvalue lies within that residual of theta_i. The stop rule asks
 * residual_i <= tol |theta_i| for each of the k pairs requested (or a round-off floor, below).
 *
 * Unlike power iteration, the most positive Ritz value converges to the most positive eigenvalue
 * whatever the sign of the dominant one, so no shifted phase is needed.
 */
import { dot, norm, symEig } from './linalg';
import type { LinearOp } from './curvature_cpu';

/** Most Lanczos steps (operator applications) allowed: the basis is kept whole. */
export const LANCZOS_MAX_ITERS = 32;
/** Most eigenpairs returned. */
export const LANCZOS_MAX_K = 5;
/** Default stop tolerance on residual / |theta| (chosen by bench/eig_accuracy.ts; docs/metrics.md). */
export const LANCZOS_DEFAULT_TOL = 1e-3;
/** The largest tolerance lanczosTop takes (the experiment allows metrics.sharpness.tol up to 1). */
export const LANCZOS_TOL_CAP = 0.999;

/** Products a sharpness measurement may use for metrics.sharpness.iters = iters (the basis is kept whole). */
export function lanczosBudget(iters: number): number {
  return Math.max(1, Math.min(Math.floor(iters), LANCZOS_MAX_ITERS));
}

/** beta_j below this times the largest |A q| seen counts as an invariant subspace (exact breakdown). */
const BREAKDOWN = 1e-12;
/** A residual below this times the largest |A q| is at round-off level and counts as converged. */
const RESIDUAL_FLOOR = 1e-13;

export interface LanczosOptions {
  /** Eigenpairs wanted, 1..5 (default 1); at most P are returned. */
  k?: number;
  /** Most operator applications, 1..32 (and >= k). */
  maxIters: number;
  /** Stop when every requested pair has residual <= tol |theta| (default 1e-3); 0 runs the whole budget unless the residuals reach round-off. */
  tol?: number;
  /**
   * Warm start: the previous Ritz vector, or the previous Ritz vectors (their sum is used, which
   * keeps a component along each). Missing, zero, non-finite or wrong-length vectors are ignored;
   * with none left the probe is used.
   */
  warm?: Float64Array | readonly Float64Array[];
  /** Start vector when there is no usable warm start (and a fresh direction after a breakdown). */
  probe: () => Float64Array;
}

export interface LanczosResult {
  /** The top min(k, P) Ritz values, most positive first. */
  values: Float64Array;
  /** Unit Ritz vectors, vectors[i] for values[i] (store vectors[0], or all, as the next warm start). */
  vectors: Float64Array[];
  /** |A v_i - theta_i v_i| for each pair, from the recurrence (beta_j |e_j^T y_i|). */
  residuals: Float64Array;
  /** Operator applications (Hessian-vector products). */
  hvps: number;
  /** Every requested pair met the stop rule, or the Krylov space became invariant (exact). */
  converged: boolean;
  /** The iteration ended on an invariant subspace (beta = 0) or a complete basis (j = P). */
  invariant: boolean;
  /** Whether the warm start was used (false: the probe). */
  warmUsed: boolean;
  /** The next warm start of a top-k estimate (the sum of the signed unit Ritz vectors, normalised; = vectors[0] for k = 1). */
  span: Float64Array;
}

function checkOptions(P: number, o: LanczosOptions): { k: number; tol: number } {
  if (!Number.isInteger(P) || P < 1) throw new Error(`lanczos: P must be a positive integer, got ${P}`);
  const k = o.k ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > LANCZOS_MAX_K)
    throw new Error(`lanczos.k: expected an integer in [1, ${LANCZOS_MAX_K}], got ${k}`);
  if (!Number.isInteger(o.maxIters) || o.maxIters < 1 || o.maxIters > LANCZOS_MAX_ITERS)
    throw new Error(`lanczos.maxIters: expected an integer in [1, ${LANCZOS_MAX_ITERS}], got ${o.maxIters}`);
  const kEff = Math.min(k, P);
  if (o.maxIters < kEff)
    throw new Error(`lanczos.maxIters: expected at least k = ${kEff} (one product per eigenpair), got ${o.maxIters}`);
  const tol = o.tol ?? LANCZOS_DEFAULT_TOL;
  if (!(tol >= 0 && tol < 1)) throw new Error(`lanczos.tol: expected a number in [0, 1), got ${tol}`);
  return { k: kEff, tol };
}

const usable = (v: Float64Array, P: number) => v.length === P && v.every(Number.isFinite) && norm(v) > 0;

/** The start vector: the (summed) warm start when usable, else the probe. Not normalised. */
function startVector(P: number, o: LanczosOptions): { v: Float64Array; warm: boolean } {
  const list = o.warm === undefined ? [] : o.warm instanceof Float64Array ? [o.warm] : [...o.warm];
  const ok = list.filter((v) => usable(v, P));
  if (ok.length > 0) {
    const s = new Float64Array(P);
    for (const v of ok) {
      const n = norm(v);
      for (let i = 0; i < P; i++) s[i] += v[i] / n;
    }
    if (usable(s, P)) return { v: s, warm: true };
  }
  const p = o.probe();
  if (!usable(p, P))
    throw new Error(`lanczos.probe: expected a finite non-zero vector of length ${P}, got length ${p.length}`);
  return { v: p, warm: false };
}

/**
 * w <- w - Q (Q^T w), repeated once when the first pass removed most of w. Returns the coefficients
 * removed (summed over both passes), so h[j] is the Rayleigh coefficient on the last kept vector.
 */
export function reorthogonalise(Q: readonly Float64Array[], w: Float64Array): Float64Array {
  const h = new Float64Array(Q.length);
  const before = norm(w);
  for (let pass = 0; pass < 2; pass++) {
    const c = Q.map((q) => dot(q, w));
    for (let t = 0; t < Q.length; t++) {
      h[t] += c[t];
      const q = Q[t];
      for (let i = 0; i < w.length; i++) w[i] -= c[t] * q[i];
    }
    if (norm(w) > Math.SQRT1_2 * before) break;
  }
  return h;
}

/**
 * A unit vector orthogonal to Q, for continuing after an invariant subspace: the probe, else the
 * first coordinate vector that is not in span(Q). Undefined when Q spans everything.
 */
function freshDirection(Q: readonly Float64Array[], P: number, probe: () => Float64Array): Float64Array | undefined {
  const tries: (() => Float64Array)[] = [probe];
  for (let i = 0; i < P && tries.length <= Q.length + 1; i++)
    tries.push(() => {
      const e = new Float64Array(P);
      e[i] = 1;
      return e;
    });
  for (const t of tries) {
    const v = Float64Array.from(t());
    if (!usable(v, P)) continue;
    const n0 = norm(v);
    reorthogonalise(Q, v);
    reorthogonalise(Q, v);
    const n = norm(v);
    if (n > 1e-8 * n0) return v.map((x) => x / n);
  }
  return undefined;
}

export interface RitzPairs {
  values: Float64Array;
  /** Eigenvectors y_i of T (length j), for values[i]. */
  coords: Float64Array[];
  /** betaLast |e_j^T y_i|. */
  residuals: Float64Array;
}

/**
 * The top `k` eigenpairs of the j x j symmetric tridiagonal with diagonal alpha and off-diagonal
 * beta (length j - 1), and their Lanczos residual estimates betaLast |e_j^T y|.
 */
export function tridiagRitz(alpha: ArrayLike<number>, beta: ArrayLike<number>, betaLast: number, k: number): RitzPairs {
  const j = alpha.length;
  if (beta.length !== j - 1) throw new Error(`tridiagRitz: beta has length ${beta.length}, expected ${j - 1}`);
  const T = new Float64Array(j * j);
  for (let i = 0; i < j; i++) {
    T[i * j + i] = alpha[i];
    if (i + 1 < j) T[i * j + i + 1] = T[(i + 1) * j + i] = beta[i];
  }
  const e = symEig(T, j);
  const m = Math.min(k, j);
  const coords = e.vectors.slice(0, m);
  return {
    values: e.values.slice(0, m),
    coords,
    residuals: Float64Array.from(coords, (y) => Math.abs(betaLast * y[j - 1])),
  };
}

/** Q y for a basis Q (vectors of length P) and coordinates y, normalised. */
function combine(Q: readonly Float64Array[], y: ArrayLike<number>, P: number): Float64Array {
  const v = new Float64Array(P);
  for (let t = 0; t < Q.length; t++) {
    const c = y[t];
    const q = Q[t];
    for (let i = 0; i < P; i++) v[i] += c * q[i];
  }
  const n = norm(v);
  return n > 0 ? v.map((x) => x / n) : v;
}

/**
 * The warm start a top-k estimate leaves for the next one: the unit vector along the sum of its
 * Ritz vectors, each signed to lean towards the start vector (y_i[0] >= 0, so the sum does not
 * depend on the eigensolver's sign convention and the GPU's equals this one). From the top vector
 * alone, lambda_2 .. lambda_k restart their convergence at every estimate, and where the Hessian
 * barely moves (the top vector is then an eigenvector to round-off) the Krylov space after it is
 * built from round-off and misses them (measured: docs/metrics.md); the sum keeps each direction.
 */
function spanOf(Q: readonly Float64Array[], coords: readonly Float64Array[], P: number): Float64Array {
  const y = new Float64Array(Q.length);
  for (const c of coords) {
    const sign = c[0] < 0 ? -1 : 1;
    for (let t = 0; t < y.length; t++) y[t] += sign * c[t];
  }
  return combine(Q, y, P);
}

function failed(k: number, P: number, hvps: number, warmUsed: boolean): LanczosResult {
  return {
    values: new Float64Array(k).fill(NaN),
    vectors: Array.from({ length: k }, () => new Float64Array(P).fill(NaN)),
    residuals: new Float64Array(k).fill(NaN),
    hvps,
    converged: false,
    invariant: false,
    warmUsed,
    span: new Float64Array(P).fill(NaN),
  };
}

/**
 * The top-k eigenpairs (most positive first) of a symmetric operator on R^P, by Lanczos with full
 * reorthogonalisation from the warm start or the probe (see the header for the recurrence and the
 * stop rule). A non-finite operator output ends the run with NaN values and converged = false.
 */
export function lanczosTop(op: LinearOp, P: number, o: LanczosOptions): LanczosResult {
  const { k, tol } = checkOptions(P, o);
  const start = startVector(P, o);
  const n0 = norm(start.v);
  const Q: Float64Array[] = [start.v.map((x) => x / n0)];
  const alpha: number[] = [];
  const beta: number[] = [];
  const steps = Math.min(o.maxIters, P);
  let scale = 0;
  let ritz: RitzPairs | undefined;
  let invariant = false;
  let converged = false;
  for (let j = 1; j <= steps; j++) {
    const w = Float64Array.from(op(Q[j - 1]));
    if (w.length !== P) throw new Error(`lanczos: operator returned length ${w.length}, expected ${P}`);
    const nw = norm(w);
    if (!Number.isFinite(nw)) return failed(k, P, j, start.warm);
    scale = Math.max(scale, nw);
    const h = reorthogonalise(Q, w);
    alpha.push(h[j - 1]);
    const b = norm(w);
    const broke = b <= BREAKDOWN * scale;
    ritz = tridiagRitz(alpha, beta, b, k);
    const floor = RESIDUAL_FLOOR * scale;
    const allMet =
      ritz.values.length >= k && ritz.residuals.every((r, i) => r <= Math.max(tol * Math.abs(ritz!.values[i]), floor));
    if (broke || j === P) {
      // An invariant subspace: T's eigenpairs are exact eigenpairs of A. Continue only while fewer
      // than k pairs exist, from a direction orthogonal to everything seen (T becomes block diagonal).
      invariant = true;
      if (ritz.values.length >= k || j === steps) {
        converged = ritz.values.length >= k;
        break;
      }
      const fresh = freshDirection(Q, P, o.probe);
      if (!fresh) {
        converged = false;
        break;
      }
      beta.push(0);
      Q.push(fresh);
      continue;
    }
    if (allMet) {
      converged = true;
      break;
    }
    if (j < steps) {
      beta.push(b);
      Q.push(w.map((x) => x / b));
    }
  }
  const r = ritz!;
  const basis = Q.slice(0, alpha.length);
  return {
    values: r.values,
    vectors: r.coords.map((y) => combine(basis, y, P)),
    residuals: r.residuals,
    hvps: alpha.length,
    converged,
    invariant,
    warmUsed: start.warm,
    span: spanOf(basis, r.coords, P),
  };
}
