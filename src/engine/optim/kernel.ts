/**
 * A small wrapper for the compute kernels of the optimizers in this folder that need more than
 * one dispatch per step (adamp/sgdp, clipped-*, dp-sgd/dice-sgd). Each kernel gets an explicit
 * pipeline layout: group 0 holds its buffers (declared read / read-write / uniform in binding
 * order), group 1 binding 0 the per-step StepInfo record with a dynamic offset, so one bind group
 * serves every step slot of a chunk, and after it any per-population buffers a step's kernels share
 * (the divergence guard's, for the frame's update: common.ts).
 */
import {
  COMPUTE,
  groupLayout,
  layoutEntry,
  type Access,
  type PipelineCache,
  type Overrides,
} from '../webgpu/pipelines';

/** Access of each group-0 binding, in binding order (defined with the pipeline cache). */
export type { Access };

export interface KernelSpec {
  label: string;
  code: string;
  entry: string;
  overrides: Overrides;
  /** Group-0 bindings 0..n-1. */
  bindings: Access[];
  /** Whether the kernel reads StepInfo at @group(1) @binding(0). */
  step: boolean;
  /** Group-1 bindings 1..n after StepInfo (only with `step`). */
  stepBindings?: Access[];
}

export interface Kernel {
  /** Record one dispatch (with this step's StepInfo record when the kernel reads it). */
  encode(pass: GPUComputePassEncoder, stepInfoOffset: number): void;
  /** Set by frameKernel when this kernel's update does the divergence guard's work (optim_common.wgsl). */
  guarded?: boolean;
}

interface Layouts {
  g0: GPUBindGroupLayout;
  g1?: GPUBindGroupLayout;
  layout: GPUPipelineLayout;
}

// One pipeline layout per device and binding signature, so the pipeline cache (keyed by layout)
// reuses pipelines across populations.
const layoutCache = new WeakMap<GPUDevice, Map<string, Layouts>>();

function layoutFor(device: GPUDevice, spec: KernelSpec): Layouts {
  let byKey = layoutCache.get(device);
  if (!byKey) layoutCache.set(device, (byKey = new Map()));
  const extra = spec.stepBindings ?? [];
  const key = `${spec.bindings.join(',')}|${spec.step}|${extra.join(',')}`;
  let hit = byKey.get(key);
  if (!hit) {
    const g0 = groupLayout(device, spec.bindings, `optim.g0[${key}]`);
    const g1 = spec.step
      ? device.createBindGroupLayout({
          label: 'optim.g1',
          entries: [
            {
              binding: 0,
              visibility: COMPUTE,
              buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: 16 },
            },
            ...extra.map((a, i) => layoutEntry(i + 1, a)),
          ],
        })
      : undefined;
    const layout = device.createPipelineLayout({ label: `optim[${key}]`, bindGroupLayouts: g1 ? [g0, g1] : [g0] });
    byKey.set(key, (hit = { g0, g1, layout }));
  }
  return hit;
}

/**
 * Compile `spec` (cached by the pipeline cache) and bind `buffers` (one per binding) and, when
 * spec.step, the StepInfo buffer. `workgroups` is the fixed dispatch size [x, y].
 */
export async function createKernel(
  device: GPUDevice,
  pipelines: PipelineCache,
  spec: KernelSpec,
  buffers: GPUBuffer[],
  workgroups: [number, number],
  stepInfo?: GPUBuffer,
  stepBuffers: GPUBuffer[] = [],
): Promise<Kernel> {
  if (stepBuffers.length !== (spec.stepBindings ?? []).length)
    throw new Error(
      `kernel ${spec.label}:${spec.entry}: ${(spec.stepBindings ?? []).length} group-1 bindings declared, ${stepBuffers.length} buffers given`,
    );
  if (buffers.length !== spec.bindings.length) {
    throw new Error(
      `kernel ${spec.label}:${spec.entry}: ${spec.bindings.length} bindings declared, ${buffers.length} buffers given`,
    );
  }
  if (spec.step && !stepInfo) throw new Error(`kernel ${spec.label}:${spec.entry}: needs the StepInfo buffer`);
  const { g0, g1, layout } = layoutFor(device, spec);
  const pipeline = await pipelines.get(spec.label, spec.code, spec.entry, spec.overrides, layout);
  const group0 = device.createBindGroup({
    label: `${spec.label}:${spec.entry}.g0`,
    layout: g0,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const group1 =
    g1 && stepInfo
      ? device.createBindGroup({
          layout: g1,
          entries: [
            { binding: 0, resource: { buffer: stepInfo, offset: 0, size: 16 } },
            ...stepBuffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
          ],
        })
      : undefined;
  const [x, y] = workgroups;
  return {
    encode(pass, stepInfoOffset) {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group0);
      if (group1) pass.setBindGroup(1, group1, [stepInfoOffset]);
      pass.dispatchWorkgroups(x, y);
    },
  };
}
