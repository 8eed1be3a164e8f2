/**
 * Trainer.trackPath on the GPU: a ring of the last H steps' parameters per tracked run, written by
 * one dispatch after every step (shaders/path_record.wgsl, slot t % H) inside the step's command
 * buffer, so recording costs no readback. The host keeps which steps the ring holds: every step
 * since tracking began, the last H of them; `read` copies one run's out, oldest first.
 */
import pathWgsl from '../../../shaders/path_record.wgsl?raw';
import type { PipelineCache } from './pipelines';
import { dispatchSize, readF32, storageBuffer, uniformBuffer } from './buffers';
import {
  bindGroupOf,
  pipelineLayoutOf,
  read,
  rw,
  STEP_INFO_BYTES,
  stepInfoBinding,
  uniform,
  wgslSource,
  windowOf,
  type KernelIo,
} from './kernel_io';
import type { StepSlots } from './step_slots';

const WG = 64;

export const PATH_IO = [
  { cfg: uniform('PathCfg'), params: read(), runs: read('array<u32>'), ring: rw() },
  { stp: stepInfoBinding(true) },
] as const satisfies KernelIo;

export class PathRecorder {
  private readonly bufs: GPUBuffer[] = [];
  private readonly group: GPUBindGroup;
  private readonly stepGroup: GPUBindGroup;
  private pipe!: GPUComputePipeline;
  readonly ring: GPUBuffer;
  /** The first step recorded. */
  private first = 0;

  private constructor(
    readonly device: GPUDevice,
    readonly o: {
      /** The population's parameters ([R][P]) and step slots. */
      params: GPUBuffer;
      slots: StepSlots;
      P: number;
      /** Population-local indices of the tracked runs. */
      local: number[];
      /** Steps kept per run. */
      H: number;
      /** Steps completed now: read when the first record is taken (the current parameters). */
      step: () => number;
    },
  ) {
    const { P, H, local } = o;
    const own = (b: GPUBuffer) => (this.bufs.push(b), b);
    const cfg = own(uniformBuffer(device, new Uint32Array([P, H, local.length, 0]), 'path-cfg'));
    const runs = own(storageBuffer(device, Uint32Array.from(local), 'path-runs'));
    this.ring = own(storageBuffer(device, Math.max(1, local.length * H * P), 'path-ring'));
    this.group = bindGroupOf(device, 'path_record', PATH_IO[0], { cfg, params: o.params, runs, ring: this.ring });
    this.stepGroup = bindGroupOf(device, 'path_record.step', PATH_IO[1], {
      stp: windowOf(o.slots.buffer, STEP_INFO_BYTES),
    });
  }

  /** A recorder for these runs, the current parameters (after `step` steps) recorded at once. */
  static async create(
    device: GPUDevice,
    pipelines: PipelineCache,
    o: { params: GPUBuffer; slots: StepSlots; P: number; local: number[]; H: number; step: () => number },
  ): Promise<PathRecorder> {
    const rec = new PathRecorder(device, o);
    const layout = pipelineLayoutOf(device, PATH_IO);
    rec.pipe = await pipelines.get('path_record', wgslSource(PATH_IO, pathWgsl), 'path_record', { WG }, layout);
    const enc = device.createCommandEncoder();
    rec.first = o.step(); // after the await: the steps submitted meanwhile are in the queue before this copy
    o.local.forEach((r, j) =>
      enc.copyBufferToBuffer(o.params, r * o.P * 4, rec.ring, (j * o.H + (rec.first % o.H)) * o.P * 4, o.P * 4),
    );
    device.queue.submit([enc.finish()]);
    return rec;
  }

  /** After step slot `slot`'s update: record the tracked runs' parameters at that step. */
  encode(pass: GPUComputePassEncoder, slot: number): void {
    pass.setPipeline(this.pipe);
    pass.setBindGroup(0, this.group);
    pass.setBindGroup(1, this.stepGroup, [this.o.slots.offset(slot)]);
    pass.dispatchWorkgroups(...dispatchSize(this.o.local.length * this.o.P, WG));
  }

  /** The steps the ring holds after `step` steps (oldest first). */
  steps(step: number): number[] {
    const from = Math.max(this.first, step - this.o.H + 1);
    return Array.from({ length: Math.max(0, step - from + 1) }, (_, i) => from + i);
  }

  /** Tracked run j's recorded iterates after `step` steps, oldest first (a readback). */
  async read(j: number, step: number): Promise<{ step: number; params: Float32Array }[]> {
    const { P, H } = this.o;
    const all = await readF32(this.device, this.ring, H * P, j * H * P);
    return this.steps(step).map((s) => ({ step: s, params: all.subarray((s % H) * P, ((s % H) + 1) * P) }));
  }

  destroy(): void {
    for (const b of this.bufs) b.destroy();
  }
}
