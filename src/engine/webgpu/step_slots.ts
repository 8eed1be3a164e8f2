/**
 * Per-step uniform records for a chunk of steps encoded in one submit. Record k holds
 * StepInfo { t, slot = k, runs, paramCount } at byte offset k * stride. Kernels read it at
 * @group(1) @binding(0); with 'auto' pipeline layouts we bind one bind group per slot (a static
 * offset each) instead of dynamic offsets.
 */
import { UNIFORM, COPY_DST } from './buffers';

export class StepSlots {
  readonly buffer: GPUBuffer;
  readonly stride: number;
  private readonly host: Uint32Array;
  private readonly groups = new Map<GPUComputePipeline, Map<number, GPUBindGroup[]>>();

  constructor(
    readonly device: GPUDevice,
    /** Maximum steps per submit. */
    readonly capacity: number,
    readonly runs: number,
    readonly paramCount: number,
  ) {
    this.stride = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
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

  offset(slot: number): number {
    return slot * this.stride;
  }

  /** One bind group per slot for `group` of `pipeline` (binding 0 = this slot's record). */
  bindGroups(pipeline: GPUComputePipeline, group: number): GPUBindGroup[] {
    let byGroup = this.groups.get(pipeline);
    if (!byGroup) this.groups.set(pipeline, (byGroup = new Map()));
    let list = byGroup.get(group);
    if (!list) {
      const layout = pipeline.getBindGroupLayout(group);
      list = [];
      for (let k = 0; k < this.capacity; k++) {
        list.push(
          this.device.createBindGroup({
            layout,
            entries: [{ binding: 0, resource: { buffer: this.buffer, offset: k * this.stride, size: 16 } }],
          }),
        );
      }
      byGroup.set(group, list);
    }
    return list;
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
