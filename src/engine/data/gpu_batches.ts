/**
 * GPU minibatch indices for a population (shaders/batch_indices.wgsl, the same values as
 * batchIndices in batches.ts). The step comes from the StepInfo record bound with a dynamic
 * offset, so a chunk of K steps is encoded with no CPU work per step: encode(pass, offset) for
 * each step slot. Step t (1-based, StepInfo.t) uses batch t - 1.
 */
import batchWgsl from '../../../shaders/batch_indices.wgsl?raw';
import { dispatchSize, uniformBuffer } from '../webgpu/buffers';
import type { PipelineCache } from '../webgpu/pipelines';
import {
  bindGroupOf,
  pipelineLayoutOf,
  read,
  rw,
  stepInfoBinding,
  STEP_INFO_BYTES,
  uniform,
  wgslSource,
  windowOf,
  type KernelIo,
} from '../webgpu/kernel_io';
import { PRNG } from '../webgpu/snippets';
import { checkBatch, FEISTEL_ROUNDS } from './batches';

/** Threads per workgroup of batch_indices.wgsl (its WG override). */
export const BATCH_WG = 64;

/**
 * The bindings of batch_indices.wgsl: its Cfg, the runs' seeds, the indices it writes; group 1 the
 * step's StepInfo record at a dynamic offset.
 */
export const BATCH_INDICES_IO = [
  { cfg: uniform('Cfg'), seeds: read('array<u32>'), out: rw('array<u32>') },
  { stp: stepInfoBinding(true) },
] as const satisfies KernelIo;

export interface GpuBatchesOptions {
  /** u32 [runs]: the minibatch seed of each run. */
  seeds: GPUBuffer;
  runs: number;
  /** Training points. */
  n: number;
  /** Batch size B, 1 <= B <= n. */
  batch: number;
  /** u32 [runs * batch]: receives the indices, run r at r * batch. */
  out: GPUBuffer;
  /** Uniform buffer of StepInfo records { t, slot, runs, paramCount }. */
  stepInfo: GPUBuffer;
  /** Byte stride between records (for reference; encode() takes the byte offset itself). */
  stepInfoStride: number;
}

export class GpuBatches {
  private constructor(
    private readonly pipeline: GPUComputePipeline,
    private readonly group0: GPUBindGroup,
    private readonly group1: GPUBindGroup,
    private readonly cfg: GPUBuffer,
    private readonly workgroups: [number, number],
  ) {}

  static async create(device: GPUDevice, pipelines: PipelineCache, o: GpuBatchesOptions): Promise<GpuBatches> {
    checkBatch(o.n, o.batch);
    if (!Number.isInteger(o.runs) || o.runs < 1)
      throw new Error(`GpuBatches: runs must be an integer >= 1, got ${o.runs}`);
    if (o.seeds.size < o.runs * 4)
      throw new Error(`GpuBatches: seeds buffer holds ${o.seeds.size} bytes, needs ${o.runs * 4}`);
    if (o.out.size < o.runs * o.batch * 4) {
      throw new Error(`GpuBatches: output buffer holds ${o.out.size} bytes, needs ${o.runs * o.batch * 4}`);
    }
    const layout = pipelineLayoutOf(device, BATCH_INDICES_IO);
    const code = wgslSource(BATCH_INDICES_IO, batchWgsl, [PRNG]);
    const pipeline = await pipelines.get('batch-indices', code, 'main', { WG: BATCH_WG, FEISTEL_ROUNDS }, layout);
    const nb = Math.floor(o.n / o.batch);
    const cfg = uniformBuffer(device, new Uint32Array([o.n, o.batch, nb, o.runs]), 'batch-indices-cfg');
    const group0 = bindGroupOf(device, 'batch-indices.g0', BATCH_INDICES_IO[0], {
      cfg,
      seeds: windowOf(o.seeds, o.runs * 4),
      out: windowOf(o.out, o.runs * o.batch * 4),
    });
    const group1 = bindGroupOf(device, 'batch-indices.g1', BATCH_INDICES_IO[1], {
      stp: windowOf(o.stepInfo, STEP_INFO_BYTES),
    });
    return new GpuBatches(pipeline, group0, group1, cfg, dispatchSize(o.runs * o.batch, BATCH_WG));
  }

  /** Record the index computation of the step whose StepInfo record is at `stepInfoOffset`. */
  encode(pass: GPUComputePassEncoder, stepInfoOffset: number): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.group0);
    pass.setBindGroup(1, this.group1, [stepInfoOffset]);
    pass.dispatchWorkgroups(...this.workgroups);
  }

  destroy(): void {
    this.cfg.destroy();
  }
}
