/**
 * Shampoo's float64 reference step (the oracle of the WGSL kernels, and the CPU backend's update)
 * and the layout of its factor matrices, shared with the GPU path (shampoo_gpu.ts) and checkpoints.
 *
 * A weight of shape [out, in, ...] is the matrix G [rows = out, cols = size / out]. Its left factor
 * L (rows x rows) accumulates G G^T, its right factor R (cols x cols) G^T G. A run's factors lie
 * back to back in one block of `floats` numbers (per weight: L, then R, each row-major); the
 * inverse fourth roots use the same layout. Checkpoints store both blocks under these names
 * (state.extra.factors / state.extra.roots on the CPU, the internal state of the same names on
 * the GPU), so either backend resumes from the other's checkpoint.
 */
import type { TensorInfo } from '../model/layout';
import { symEig } from '../metrics/linalg';
import { flag, num } from './hp';
import type { CpuOptimizerState, CpuStepArgs, Hyper } from './types';

/** Widest side that gets a factor; a longer side (a wide convolution's in * k * k) stays unpreconditioned. */
export const SHAMPOO_MAX_DIM = 256;

/** One tensor as Shampoo sees it; lOff / rOff are the factors' offsets in a run's block, -1 when none. */
export interface ShampooTensor {
  offset: number;
  size: number;
  rows: number;
  cols: number;
  /** A weight matrix with at least one factor (the rest take the grafting direction alone). */
  preconditioned: boolean;
  lOff: number;
  rOff: number;
}

export interface ShampooFactor {
  /** Side length n (the factor is n x n). */
  n: number;
  /** Offset in a run's block. */
  off: number;
  /** Index into the tensor list. */
  tensor: number;
  /** 0: left (rows), 1: right (cols). */
  side: 0 | 1;
}

export interface ShampooLayout {
  tensors: ShampooTensor[];
  factors: ShampooFactor[];
  /** Floats per run of the factor block (and of the root block). */
  floats: number;
}

export function shampooLayout(tensors: TensorInfo[]): ShampooLayout {
  const factors: ShampooFactor[] = [];
  let floats = 0;
  const add = (n: number, tensor: number, side: 0 | 1): number => {
    if (n > SHAMPOO_MAX_DIM) return -1;
    factors.push({ n, off: floats, tensor, side });
    floats += n * n;
    return floats - n * n;
  };
  const out = tensors.map((t, k): ShampooTensor => {
    if (t.kind !== 'weight' || t.shape.length < 2)
      return { offset: t.offset, size: t.size, rows: t.size, cols: 1, preconditioned: false, lOff: -1, rOff: -1 };
    const rows = t.shape[0];
    const cols = t.size / rows;
    const lOff = add(rows, k, 0);
    const rOff = add(cols, k, 1);
    return { offset: t.offset, size: t.size, rows, cols, preconditioned: lOff >= 0 || rOff >= 0, lOff, rOff };
  });
  return { tensors: out, factors, floats };
}

/** A run's root block at the start: every inverse root the identity (as the reference starts them). */
export function identityRoots(layout: ShampooLayout): Float64Array {
  const x = new Float64Array(layout.floats);
  for (const f of layout.factors) for (let i = 0; i < f.n; i++) x[f.off + i * f.n + i] = 1;
  return x;
}

/**
 * (A + delta I)^(-1/4) with delta = epsilon ||A||_F, by eigendecomposition (float64 Jacobi), with
 * the reference's guard for an eigenvalue that rounding leaves below delta (shift the spectrum up
 * to delta). Undefined for A = 0 (the caller keeps the previous root).
 */
export function inverseFourthRoot(A: ArrayLike<number>, n: number, epsilon: number): Float64Array | undefined {
  let ss = 0;
  for (let i = 0; i < n * n; i++) ss += A[i] * A[i];
  if (!(ss > 0)) return undefined;
  const delta = epsilon * Math.sqrt(ss);
  const ridged = Float64Array.from(A);
  for (let i = 0; i < n; i++) ridged[i * n + i] += delta;
  const { values, vectors } = symEig(ridged, n);
  const lowest = values[n - 1];
  const shift = lowest < delta ? delta - lowest : 0;
  const X = new Float64Array(n * n);
  values.forEach((lam, k) => {
    const w = (lam + shift) ** -0.25;
    const v = vectors[k];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) X[i * n + j] += w * v[i] * v[j];
  });
  return X;
}

/** The per-step values of a run, in float64 (the GPU gets them as step scalars: shampoo.ts). */
export function shampooStepValues(hp: Hyper, t: number, lr: number) {
  const b1 = num(hp, 'beta1');
  const b2 = num(hp, 'beta2');
  const freq = num(hp, 'preconditionFrequency');
  const startHp = num(hp, 'startPreconditioningStep');
  const start = startHp === -1 ? freq : startHp;
  const bc = flag(hp, 'useBiasCorrection');
  const adagrad = flag(hp, 'adagradGrafting');
  return {
    lr,
    decay: 1 - lr * num(hp, 'weightDecay'),
    invBc1: bc ? 1 / (1 - b1 ** t) : 1,
    graftScale: adagrad ? 1 : 1 / (1 - num(hp, 'graftingBeta2') ** t),
    factorScale: bc && b2 < 1 ? 1 / (1 - b2 ** t) : 1,
    refresh: (t % freq === 0 && t > start) || t === start ? 1 : 0,
    shampoo: t >= start ? 1 : 0,
  };
}

/** The per-run constants (the GPU's hyper slots). */
export function shampooRunValues(hp: Hyper) {
  const b1 = num(hp, 'beta1');
  const b2 = num(hp, 'beta2');
  const adagrad = flag(hp, 'adagradGrafting');
  const gb2 = adagrad ? 1 : num(hp, 'graftingBeta2');
  return {
    beta1: b1,
    oneMinusBeta1: 1 - b1,
    beta2: b2,
    factorWeight: b2 === 1 ? 1 : 1 - b2,
    graftBeta2: gb2,
    graftWeight: adagrad ? 1 : 1 - gb2,
    graftEps: num(hp, 'graftingEpsilon'),
    epsilon: num(hp, 'epsilon'),
  };
}

export function shampooCpuInit(paramCount: number, tensors: TensorInfo[]): CpuOptimizerState {
  const layout = shampooLayout(tensors);
  return {
    slots: [new Float64Array(paramCount), new Float64Array(paramCount)],
    extra: { factors: new Array<number>(layout.floats).fill(0), roots: Array.from(identityRoots(layout)) },
  };
}

/** factor <- beta2 factor + w G G^T (side 0) or G^T G (side 1), in place. */
function accumulate(F: number[], f: ShampooFactor, t: ShampooTensor, g: ArrayLike<number>, b2: number, w: number) {
  const { n, off } = f;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = 0;
      if (f.side === 0)
        for (let j = 0; j < t.cols; j++) s += g[t.offset + a * t.cols + j] * g[t.offset + b * t.cols + j];
      else for (let i = 0; i < t.rows; i++) s += g[t.offset + i * t.cols + a] * g[t.offset + i * t.cols + b];
      F[off + a * n + b] = b2 * F[off + a * n + b] + w * s;
    }
  }
}

/** Linv M Rinv of a weight (M = its filtered gradient m_hat, [rows x cols]); a missing side is the identity. */
function precondition(t: ShampooTensor, roots: number[], mhat: Float64Array): Float64Array {
  const { rows, cols } = t;
  const T = new Float64Array(rows * cols);
  for (let a = 0; a < rows; a++)
    for (let c = 0; c < cols; c++) {
      let s = 0;
      if (t.lOff < 0) s = mhat[a * cols + c];
      else for (let b = 0; b < rows; b++) s += roots[t.lOff + a * rows + b] * mhat[b * cols + c];
      T[a * cols + c] = s;
    }
  if (t.rOff < 0) return T;
  const S = new Float64Array(rows * cols);
  for (let a = 0; a < rows; a++)
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let d = 0; d < cols; d++) s += T[a * cols + d] * roots[t.rOff + d * cols + c];
      S[a * cols + c] = s;
    }
  return S;
}

/** One float64 Shampoo step of one run, in place on params and state. */
export function shampooCpuStep({ params, grad, state, hp, t, lr, tensors }: CpuStepArgs): void {
  const layout = shampooLayout(tensors);
  const c = shampooRunValues(hp);
  const s = shampooStepValues(hp, t, lr);
  const [m, v] = state.slots;
  const { factors, roots } = state.extra;
  if (factors?.length !== layout.floats || roots?.length !== layout.floats)
    throw new Error(`shampoo: state.extra.factors/roots must hold ${layout.floats} numbers`);
  for (const f of layout.factors) {
    const tn = layout.tensors[f.tensor];
    accumulate(factors, f, tn, grad, c.beta2, c.factorWeight);
    if (!s.refresh) continue;
    const A = factors.slice(f.off, f.off + f.n * f.n).map((x) => x * s.factorScale);
    const X = inverseFourthRoot(A, f.n, c.epsilon);
    if (X) for (let i = 0; i < X.length; i++) roots[f.off + i] = X[i];
  }
  for (const tn of layout.tensors) {
    const { offset: o, size } = tn;
    const mhat = new Float64Array(size);
    const d = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      const g = grad[o + j];
      m[o + j] = c.beta1 * m[o + j] + c.oneMinusBeta1 * g;
      v[o + j] = c.graftBeta2 * v[o + j] + c.graftWeight * g * g;
      mhat[j] = m[o + j] * s.invBc1;
      d[j] = mhat[j] / (Math.sqrt(v[o + j] * s.graftScale) + c.graftEps);
    }
    let step = d;
    if (tn.preconditioned && s.shampoo) {
      const S = precondition(tn, roots, mhat);
      let ss = 0;
      let dd = 0;
      for (let j = 0; j < size; j++) {
        ss += S[j] * S[j];
        dd += d[j] * d[j];
      }
      const scale = Math.sqrt(dd) / (Math.sqrt(ss) + 1e-16);
      step = S.map((x) => x * scale);
    }
    for (let j = 0; j < size; j++) params[o + j] = params[o + j] * s.decay - lr * step[j];
  }
}
