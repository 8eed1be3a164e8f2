/**
 * AdamP/SGDP's projection (clovaai/AdamP; docs/optimizers.md): remove the radial component of the update of
 * a scale-invariant-looking weight tensor. The float64 CPU routine, and the row/segment tables the
 * WGSL kernels (shaders/optim_adamp.wgsl) use to do the same for all runs at once.
 */
import type { TensorInfo } from '../model/layout';

/** True for tensors the projection applies to (ndim > 1: dense weights [out, in]). */
export function isProjected(t: TensorInfo): boolean {
  return t.shape.length > 1;
}

/** |x.y| / (max(||x||, eps) max(||y||, eps)) from x.y, x.x and y.y (torch's cosine_similarity). */
export function cosineFromDots(xy: number, xx: number, yy: number, eps: number): number {
  return Math.abs(xy) / (Math.max(Math.sqrt(xx), eps) * Math.max(Math.sqrt(yy), eps));
}

export interface ProjectionArgs {
  /** Parameters, raw gradient and proposed update of one run; the tensor sits at t.offset. */
  p: Float64Array;
  g: Float64Array;
  u: Float64Array;
  t: TensorInfo;
  delta: number;
  wdRatio: number;
  eps: number;
}

/**
 * Project u in place for tensor t (ndim > 1). Channel view first (rows = shape[0]), then the layer
 * view (the whole tensor as one row). Returns the weight-decay factor: wdRatio when a view fired,
 * else 1. The cosine test uses the raw gradient g.
 */
export function projectUpdate(a: ProjectionArgs): number {
  const { p, g, u, t, delta, wdRatio, eps } = a;
  const rows = t.shape[0];
  const cols = t.size / rows;
  const gp = new Float64Array(rows);
  const gg = new Float64Array(rows);
  const pp = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = t.offset + r * cols + c;
      gp[r] += g[i] * p[i];
      gg[r] += g[i] * g[i];
      pp[r] += p[i] * p[i];
    }
  }
  let maxCos = 0;
  for (let r = 0; r < rows; r++) maxCos = Math.max(maxCos, cosineFromDots(gp[r], gg[r], pp[r], eps));
  if (maxCos < delta / Math.sqrt(cols)) {
    for (let r = 0; r < rows; r++) {
      const n = Math.sqrt(pp[r]) + eps;
      let pu = 0;
      for (let c = 0; c < cols; c++) pu += (p[t.offset + r * cols + c] / n) * u[t.offset + r * cols + c];
      for (let c = 0; c < cols; c++) u[t.offset + r * cols + c] -= (p[t.offset + r * cols + c] / n) * pu;
    }
    return wdRatio;
  }
  let GP = 0;
  let GG = 0;
  let PP = 0;
  for (let r = 0; r < rows; r++) {
    GP += gp[r];
    GG += gg[r];
    PP += pp[r];
  }
  if (cosineFromDots(GP, GG, PP, eps) < delta / Math.sqrt(t.size)) {
    const n = Math.sqrt(PP) + eps;
    let pu = 0;
    for (let i = t.offset; i < t.offset + t.size; i++) pu += (p[i] / n) * u[i];
    for (let i = t.offset; i < t.offset + t.size; i++) u[i] -= (p[i] / n) * pu;
    return wdRatio;
  }
  return 1;
}

/** GPU tables for one parameter layout (shared by every run). */
export interface ProjectionTables {
  /** vec4u per segment: (start, length, row index or NONE_ROW, tensor index). */
  segs: Uint32Array;
  /** vec4u per tensor: (offset, size, rows or 0 when unprojected, first row index). */
  tensors: Uint32Array;
  segments: number;
  rows: number;
}

export const NONE_ROW = 0xffffffff;

/** Tables for `tensors`, which must tile the run (common.ts checkTensorTiling). */
export function projectionTables(tensors: TensorInfo[]): ProjectionTables {
  const segs: number[] = [];
  const tabs: number[] = [];
  let row = 0;
  tensors.forEach((t, k) => {
    if (isProjected(t)) {
      const rows = t.shape[0];
      const cols = t.size / rows;
      tabs.push(t.offset, t.size, rows, row);
      for (let r = 0; r < rows; r++) segs.push(t.offset + r * cols, cols, row + r, k);
      row += rows;
    } else {
      tabs.push(t.offset, t.size, 0, 0);
      segs.push(t.offset, t.size, NONE_ROW, k);
    }
  });
  return { segs: new Uint32Array(segs), tensors: new Uint32Array(tabs), segments: segs.length / 4, rows: row };
}
