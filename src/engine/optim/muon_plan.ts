/**
 * Which tensors Muon orthogonalises, and the Newton–Schulz map in float64 (muon.ts's cpuStep and the
 * oracle of the GPU kernels). A weight tensor [out, ...] is the matrix [out, size / out] (a conv
 * filter [out, in, kh, kw] is [out, in·kh·kw]); every other tensor goes through the auxiliary AdamW.
 */
import type { TensorInfo } from '../model/layout';

/** The published quintic coefficients (a, b, c) of KellerJordan/Muon's zeropower_via_newtonschulz5. */
export const NS_COEFFS = [3.4445, -4.775, 2.0315] as const;

/** Added to the Frobenius norm before X is divided by it. */
export const NS_NORM_EPS = 1e-7;

/** A weight matrix Muon may orthogonalise. */
export interface MuonMatrix {
  /** Index in the tensor list. */
  tensor: number;
  offset: number;
  rows: number;
  cols: number;
  /** The first or the last weight matrix of the model (AdamW when the run's adamFirstLast is on). */
  end: boolean;
  /** sqrt(max(1, rows / cols)), the reference's scale of the orthogonalised update. */
  scale: number;
}

/** The weight matrices of a layout, in tensor order (biases and 1-D tensors are left out). */
export function muonMatrices(tensors: TensorInfo[]): MuonMatrix[] {
  const weights = tensors
    .map((t, k) => ({ t, k }))
    .filter(({ t }) => t.kind === 'weight' && t.shape.length >= 2 && t.shape[0] >= 1 && t.size % t.shape[0] === 0);
  if (!weights.length) return [];
  const first = Math.min(...weights.map(({ t }) => t.layer));
  const last = Math.max(...weights.map(({ t }) => t.layer));
  return weights.map(({ t, k }) => {
    const rows = t.shape[0];
    const cols = t.size / rows;
    return {
      tensor: k,
      offset: t.offset,
      rows,
      cols,
      end: t.layer === first || t.layer === last,
      scale: Math.sqrt(Math.max(1, rows / cols)),
    };
  });
}

/** Whether a run with this adamFirstLast setting orthogonalises matrix `m`. */
export const usesMuon = (m: MuonMatrix, adamFirstLast: boolean): boolean => !(m.end && adamFirstLast);

/**
 * The Newton–Schulz orthogonalisation of the rows x cols matrix `u` (row-major), float64: X = u (or
 * its transpose when rows > cols, so that X is wide), X /= ||X||_F + 1e-7, then `steps` times
 * A = X X^T, B = b A + c A A, X = a X + B X; returned in u's layout. The scale is not applied.
 */
export function newtonSchulz(u: ArrayLike<number>, rows: number, cols: number, steps: number): Float64Array {
  const tr = rows > cols;
  const m = tr ? cols : rows;
  const n = tr ? rows : cols;
  let x = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) x[tr ? j * n + i : i * n + j] = u[i * cols + j];
  let ss = 0;
  for (const v of x) ss += v * v;
  const norm = Math.sqrt(ss) + NS_NORM_EPS;
  for (let q = 0; q < x.length; q++) x[q] = x[q] / norm;
  const [a, b, c] = NS_COEFFS;
  const A = new Float64Array(m * m);
  const B = new Float64Array(m * m);
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += x[i * n + k] * x[j * n + k];
        A[i * m + j] = acc;
      }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let k = 0; k < m; k++) acc += A[i * m + k] * A[k * m + j];
        B[i * m + j] = b * A[i * m + j] + c * acc;
      }
    const next = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let k = 0; k < m; k++) acc += B[i * m + k] * x[k * n + j];
        next[i * n + j] = a * x[i * n + j] + acc;
      }
    x = next;
  }
  if (!tr) return x;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = x[j * n + i];
  return out;
}
