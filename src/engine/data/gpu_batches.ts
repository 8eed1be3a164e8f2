/**
 * GPU minibatch indices for a population (shaders/batch_indices.wgsl, the same values as
 * batchIndices in batches.ts). The step comes from the StepInfo record bound with a dynamic
 * offset, so a chunk of K steps is encoded with no CPU work per step: encode(pass, offset) for
 * each step slot. Step t (1-based, StepInfo.t) uses batch t - 1.
 */
import prngWgsl from '../../../shaders/prng.wgsl?raw';
import batchWgsl from '../../../shaders/batch_indices.wgsl?raw';
import { dispatchSize, uniformBuffer } from '../webgpu/buffers';
import { COMPUTE, groupLayout, type PipelineCache } from '../webgpu/pipelines';
import { checkBatch, FEISTEL_ROUNDS } from './batches';

/** Threads per workgroup of batch_indices.wgsl (its WG override). */
export const BATCH_WG = 64;

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
    const g0 = groupLayout(device, ['uniform', 'read', 'rw'], 'batch-indices.g0');
    const g1 = device.createBindGroupLayout({
      label: 'batch-indices.g1',
      entries: [
        { binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 16 } },
      ],
    });
    const layout = device.createPipelineLayout({ label: 'batch-indices', bindGroupLayouts: [g0, g1] });
    const code = prngWgsl + '\n' + batchWgsl;
    const pipeline = await pipelines.get('batch-indices', code, 'main', { WG: BATCH_WG, FEISTEL_ROUNDS }, layout);
    const nb = Math.floor(o.n / o.batch);
    const cfg = uniformBuffer(device, new Uint32Array([o.n, o.batch, nb, o.runs]), 'batch-indices-cfg');
    const group0 = device.createBindGroup({
      label: 'batch-indices.g0',
      layout: g0,
      entries: [
        { binding: 0, resource: { buffer: cfg } },
        { binding: 1, resource: { buffer: o.seeds, size: o.runs * 4 } },
        { binding: 2, resource: { buffer: o.out, size: o.runs * o.batch * 4 } },
      ],
    });
    const group1 = device.createBindGroup({
      label: 'batch-indices.g1',
      layout: g1,
      entries: [{ binding: 0, resource: { buffer: o.stepInfo, offset: 0, size: 16 } }],
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
