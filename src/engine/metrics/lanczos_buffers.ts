/**
 * The GPU Lanczos's buffers (lanczos_gpu.ts, shaders/lanczos.wgsl), declared once: LanczosGpu
 * allocates them on its own (the oracle test) or the curvature probe's table includes them
 * (curvature_buffers.ts), and the memory plan lists them from there.
 */
import type { BufferTable } from '../webgpu/buffer_table';

/** Floats of per-run state (see the header of shaders/lanczos.wgsl). */
export const LANCZOS_STATE = 96;

export interface LanczosDims {
  /** Runs and parameters per run. */
  R: number;
  P: number;
  /** Basis vectors kept per run (the product budget, <= 32); 0: no Lanczos, no buffers. */
  M: number;
}

const on = (d: LanczosDims) => d.M > 0;

export const LANCZOS_BUFFERS = {
  'lz-basis': {
    floats: (d) => Math.max(1, d.R * d.M * d.P),
    when: on,
    sizedBy: 'params',
    what: (d) => `the Lanczos bases (${d.M} vectors) of ${d.R} runs`,
  },
  'lz-coef': {
    floats: (d) => Math.max(1, 2 * d.R * d.M),
    when: on,
    sizedBy: 'runs',
    what: () => 'the Lanczos coefficients',
  },
  'lz-state': {
    floats: (d) => Math.max(1, d.R * LANCZOS_STATE),
    when: on,
    sizedBy: 'runs',
    what: () => 'the Lanczos state',
  },
  'lz-tri': {
    floats: (d) => Math.max(1, d.R * d.M * d.M),
    when: on,
    sizedBy: 'runs',
    what: () => 'the Lanczos tridiagonal eigenvectors',
  },
  'lz-warm': {
    floats: (d) => Math.max(1, d.R * d.P),
    when: on,
    sizedBy: 'params',
    what: (d) => `the top-k Lanczos warm starts of ${d.R} runs`,
  },
} satisfies BufferTable<LanczosDims>;
