/**
 * Per-step uniform records for a chunk of steps encoded in one submit. Record k holds
 * StepInfo { t, slot = k, runs, paramCount } at byte offset k * stride (struct StepInfo in
 * kernel_io.ts). Every kernel reads it at @group(1) @binding(0) through one bind group and a
 * dynamic offset (offset(slot)). packStepScalars fills the optimizer's per-step scalars of a chunk.
 */
import { UNIFORM, COPY_DST } from './buffers';
import { STEP_SCALARS, type Hyper, type OptimizerDef } from '../optim/types';

/** Steps encoded per submit when the caller does not say. */
export const DEFAULT_STEPS_PER_SUBMIT = 64;

/** Step slots of a trainer of `steps` steps: stepsPerSubmit (default 64), at most `steps`, at least 1. */
export function slotCapacity(steps: number, stepsPerSubmit = DEFAULT_STEPS_PER_SUBMIT): number {
  return Math.max(1, Math.min(stepsPerSubmit, steps));
}

/**
 * Bytes between two records: max(256, minUniformBufferOffsetAlignment). 256 on every adapter we
 * know, so the memory plan (made before a device exists) assumes it.
 */
export const MIN_STEP_STRIDE = 256;
export function stepStride(limits: Pick<GPUSupportedLimits, 'minUniformBufferOffsetAlignment'>): number {
  return Math.max(MIN_STEP_STRIDE, limits.minUniformBufferOffsetAlignment);
}

export class StepSlots {
  readonly buffer: GPUBuffer;
  readonly stride: number;
  private readonly host: Uint32Array;

  constructor(
    readonly device: GPUDevice,
    /** Maximum steps per submit. */
    readonly capacity: number,
    readonly runs: number,
    readonly paramCount: number,
  ) {
    this.stride = stepStride(device.limits);
    this.buffer = device.createBuffer({ size: this.stride * capacity, usage: UNIFORM | COPY_DST, label: 'step-info' });
    this.host = new Uint32Array((this.stride * capacity) / 4);
  }

  /** Write the records for steps t0+1 .. t0+count (slots 0..count-1). */
  write(t0: number, count: number): void {
    const w = this.stride / 4;
    for (let k = 0; k < count; k++) {
      this.host.set([t0 + k + 1, k, this.runs, this.paramCount], k * w);
    }
    this.device.queue.writeBuffer(this.buffer, 0, this.host.buffer, 0, Math.max(1, count) * this.stride);
  }

  /** The dynamic offset of slot `slot`'s record (kernels bind the buffer once: stepInfoBinding(true)). */
  offset(slot: number): number {
    return slot * this.stride;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}

/**
 * The optimizer's per-step scalars of steps t0+1 .. t0+lrs.length for every run into `out`
 * ([step][run][STEP_SCALARS], zero past each run's own scalars): `lrs[k][r]` is the scheduled lr
 * of step t0+1+k for run r.
 */
export function packStepScalars(
  def: Pick<OptimizerDef, 'stepScalars'>,
  hps: Hyper[],
  t0: number,
  lrs: number[][],
  out: Float32Array,
): void {
  const R = hps.length;
  out.fill(0);
  lrs.forEach((row, k) =>
    hps.forEach((hp, r) => {
      const v = def.stepScalars(hp, t0 + k + 1, row[r]);
      for (let q = 0; q < Math.min(STEP_SCALARS, v.length); q++) out[(k * R + r) * STEP_SCALARS + q] = v[q];
    }),
  );
}
