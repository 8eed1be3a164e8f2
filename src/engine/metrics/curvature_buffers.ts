/**
 * The curvature probe's buffers (curvature_gpu.ts), declared once: CurvatureGpu allocates them from
 * this table and the memory plan lists them from it (webgpu/memory_plan_parts.ts). The probe's
 * model graph over 2R runs (the +h and -h parameters) declares its own, as every model graph does.
 */
import { NS } from '../model/stats_layout';
import type { BufferTable } from '../webgpu/buffer_table';
import { lanczosBudget } from './lanczos';
import { LANCZOS_BUFFERS } from './lanczos_buffers';

/** Floats per run in a scalar record (see shaders/curvature.wgsl's header). */
export const SC = 20;
/** Where a sharpness record holds the Lanczos product count (shaders/curvature.wgsl's header). */
export const SC_HVPS = 13;
/** Where a sharpness record holds the Ritz values 2..k (metrics.sharpness.k), at SC_MORE + j - 2 for value j. */
export const SC_MORE = 16;
/** Scalar records per logged curvature step: sharpness, preconditioned, trace, directional. */
export const CURV_KINDS = ['sharpness', 'precond', 'trace', 'directional'] as const;
export type CurvKind = (typeof CURV_KINDS)[number];

export interface CurvatureDims {
  /** Runs of the population, and parameters per run. */
  R: number;
  P: number;
  /** Step slots per submit. */
  capacity: number;
  /** Lanczos basis vectors per run (lanczosBasis); 0 without sharpness. */
  M: number;
}

/** The Lanczos basis size for metrics.sharpness.iters (0: sharpness off, no basis). */
export function lanczosBasis(sharpnessIters: number | undefined): number {
  return sharpnessIters === undefined ? 0 : lanczosBudget(sharpnessIters);
}

const RP = (d: CurvatureDims) => Math.max(1, d.R * d.P);
const dirs = (d: CurvatureDims) => `the curvature directions of ${d.R} runs`;
const scalars = (d: CurvatureDims) => Math.max(1, d.R * SC);
const scalarWhat = () => 'the curvature scalar records';

export const CURVATURE_BUFFERS = {
  'curv-prm': {
    floats: (d) => Math.max(1, d.capacity * d.R * 8),
    sizedBy: 'subset',
    what: () => 'the curvature parameters',
  },
  'curv-records': {
    floats: (d) => Math.max(1, d.capacity * CURV_KINDS.length * d.R * SC),
    sizedBy: 'subset',
    what: () => 'the curvature records',
  },
  'sc-sharp': { floats: scalars, sizedBy: 'subset', what: scalarWhat },
  'sc-pre': { floats: scalars, sizedBy: 'subset', what: scalarWhat },
  'sc-trace': { floats: scalars, sizedBy: 'subset', what: scalarWhat },
  'sc-dir': { floats: scalars, sizedBy: 'subset', what: scalarWhat },
  'v-eig': { floats: RP, sizedBy: 'params', what: dirs },
  'v-pre': { floats: RP, sizedBy: 'params', what: dirs },
  'v-dir': { floats: RP, sizedBy: 'params', what: dirs },
  hv: { floats: RP, sizedBy: 'params', what: dirs },
  pert: {
    floats: (d) => Math.max(1, 2 * d.R * d.P),
    sizedBy: 'params',
    what: (d) => `the perturbed parameters (2 x ${d.R} runs) of the curvature probe`,
  },
  'g-pm': {
    floats: (d) => Math.max(1, 2 * d.R * d.P),
    sizedBy: 'params',
    what: (d) => `the perturbed gradients (2 x ${d.R} runs) of the curvature probe`,
  },
  'curv-stats': {
    floats: (d) => Math.max(1, d.capacity * 2 * d.R * NS),
    sizedBy: 'subset',
    what: () => 'the curvature probe stats',
  },
  /** The Lanczos basis and state, shared by sharpness and precond_sharpness. */
  ...LANCZOS_BUFFERS,
  /** Placeholder minibatch indices: the probe's graph is full-batch over the subset. */
  'curv-idx': { floats: () => 4, sizedBy: 'subset', what: () => 'the curvature probe indices' },
} satisfies BufferTable<CurvatureDims>;
