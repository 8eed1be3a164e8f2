/**
 * Small float64 linear algebra for the curvature metrics: vector helpers and a cyclic Jacobi
 * eigen-solver for symmetric matrices. The solver gives exact small-case answers (a Hessian built
 * column by column) that the power-iteration and Hutchinson estimators are tested against.
 * Matrices are dense, row-major Float64Array of n*n entries.
 */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** ||a - b||. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`distance: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** a + s * b, as a new array. */
export function addScaled(a: ArrayLike<number>, s: number, b: ArrayLike<number>): Float64Array {
  if (a.length !== b.length) throw new Error(`addScaled: lengths differ (${a.length} vs ${b.length})`);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + s * b[i];
  return out;
}

/** s * a, as a new array. */
export function scaled(a: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = s * a[i];
  return out;
}

/** A x for a dense row-major n x n matrix. */
export function matVec(A: ArrayLike<number>, n: number, x: ArrayLike<number>): Float64Array {
  if (A.length !== n * n) throw new Error(`matVec: matrix has ${A.length} entries, expected ${n * n}`);
  if (x.length !== n) throw new Error(`matVec: vector has length ${x.length}, expected ${n}`);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) s += A[row + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** Frobenius norm of a dense matrix. */
export function frobenius(A: ArrayLike<number>): number {
  return norm(A);
}

/** Largest |A_ij - A_ji| relative to max |A_ij| (0 for a symmetric matrix). */
export function asymmetry(A: ArrayLike<number>, n: number): number {
  let m = 0;
  let big = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      m = Math.max(m, Math.abs(A[i * n + j] - A[j * n + i]));
      big = Math.max(big, Math.abs(A[i * n + j]));
    }
  }
  return big > 0 ? m / big : 0;
}

/** (A + A^T) / 2. */
export function symmetrize(A: ArrayLike<number>, n: number): Float64Array {
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) S[i * n + j] = 0.5 * (A[i * n + j] + A[j * n + i]);
  return S;
}

export interface SymEig {
  /** Eigenvalues, most positive first. */
  values: Float64Array;
  /** vectors[k] is the unit eigenvector of values[k]. */
  vectors: Float64Array[];
  /** Jacobi sweeps used. */
  sweeps: number;
}

/**
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations. Each rotation in
 * the (p, q) plane zeroes A_pq; sweeps repeat until the off-diagonal mass is below
 * 1e-30 of the total (float64 round-off level), at most `maxSweeps`. Throws when A is not symmetric
 * (relative asymmetry above 1e-9) or not finite. Intended for n up to a few hundred.
 */
export function symEig(Ain: ArrayLike<number>, n: number, maxSweeps = 100): SymEig {
  if (!Number.isInteger(n) || n < 1) throw new Error(`symEig: n must be a positive integer, got ${n}`);
  if (Ain.length !== n * n) throw new Error(`symEig: matrix has ${Ain.length} entries, expected n*n = ${n * n}`);
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(Ain[i]))
      throw new Error(`symEig: entry [${Math.floor(i / n)}][${i % n}] is ${Ain[i]}, expected a finite number`);
  }
  const asym = asymmetry(Ain, n);
  if (asym > 1e-9)
    throw new Error(`symEig: matrix is not symmetric (relative asymmetry ${asym.toExponential(2)}, expected <= 1e-9)`);
  const A = symmetrize(Ain, n);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  const total = A.reduce((s, x) => s + x * x, 0);
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * A[p * n + q] * A[p * n + q];
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (apq === 0) continue;
        const app = A[p * n + p];
        const aqq = A[q * n + q];
        // Rotation J with J_pp = J_qq = c, J_pq = s, J_qp = -s; A <- J^T A J zeroes A_pq when
        // t = s/c solves t^2 + 2 theta t - 1 = 0, theta = (aqq - app) / (2 apq) (smaller root).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => A[b * n + b] - A[a * n + a]);
  const values = new Float64Array(order.map((i) => A[i * n + i]));
  const vectors = order.map((j) => {
    const v = new Float64Array(n);
    for (let k = 0; k < n; k++) v[k] = V[k * n + j];
    return v;
  });
  return { values, vectors, sweeps };
}
