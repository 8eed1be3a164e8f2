/** Metric rows from the GPU curvature scalar records (layout: shaders/curvature.wgsl header). */
import type { MetricRow } from '../trainer';
import type { CurvatureRequest } from './curvature_gpu';
import { SC_HVPS, SC_MORE } from './curvature_buffers';
import { sharpnessName } from './names';

export interface CurvatureRecords {
  run: number;
  step: number;
  req: CurvatureRequest;
  sharp: ArrayLike<number>;
  precond?: ArrayLike<number>;
  trace: ArrayLike<number>;
  directional: ArrayLike<number>;
  sharpnessThreshold?: number;
  precondThreshold?: number;
}

/** The top eigenvalue of a sharpness record (the top Ritz value Lanczos reported). */
export function topEigenvalue(sc: ArrayLike<number>): number {
  return sc[0];
}

export function curvatureRows(c: CurvatureRecords): MetricRow[] {
  const rows: MetricRow[] = [];
  const add = (metric: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) rows.push({ run: c.run, step: c.step, metric, value });
  };
  if (c.req.sharpness) {
    add('sharpness', topEigenvalue(c.sharp));
    // Ritz values 2..k, where the estimate made that many products.
    for (let j = 1; j < (c.req.sharpness.k ?? 1) && j < c.sharp[SC_HVPS]; j++)
      add(sharpnessName(j), c.sharp[SC_MORE + j - 1]);
    add('sharpness_threshold', c.sharpnessThreshold);
    if (c.step > 0 && c.sharp[12] > 0) add('grad_eig_cosine', Math.abs(c.sharp[11]) / Math.sqrt(c.sharp[12])); // an eigenvector's sign is arbitrary
    if (c.precond) {
      add('precond_sharpness', topEigenvalue(c.precond));
      add('precond_threshold', c.precondThreshold);
    }
    if (c.req.directional && c.directional[4] > 0) {
      add('directional_sharpness', c.directional[5] / (c.directional[4] * c.directional[4]));
    }
  }
  if (c.req.trace) {
    const k = c.req.trace.samples;
    add('hessian_trace', c.trace[7] / k);
    add('hessian_fro', Math.sqrt(Math.max(0, c.trace[8] / k)));
  }
  return rows;
}
