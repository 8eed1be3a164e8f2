/**
 * A small wrapper for the compute kernels of the optimizers in this folder. Each kernel declares
 * its resources once (webgpu/kernel_io.ts): group 0 holds its buffers, by name; with `step`,
 * group 1 binding 0 is the per-step StepInfo record with a dynamic offset, so one bind group
 * serves every step slot of a chunk, followed by any per-population buffers a step's kernels share
 * (the divergence guard's, for the frame's update: common.ts). The WGSL binding lines, the
 * pipeline layout and both bind groups come from that declaration.
 */
import {
  bindGroupOf,
  pipelineLayoutOf,
  stepInfoBinding,
  STEP_INFO_BYTES,
  wgslSource,
  windowOf,
  type GroupBuffers,
  type GroupDecl,
  type KernelIo,
  type WgslSnippet,
} from '../webgpu/kernel_io';
import type { PipelineCache, Overrides } from '../webgpu/pipelines';

export interface KernelSpec<G0 extends GroupDecl, G1 extends GroupDecl = Record<never, never>> {
  label: string;
  /** The kernel's own WGSL, which declares no bindings (they come from `io` and `stepIo`). */
  source: string;
  /** Shared WGSL it relies on (kernel_io.ts snippets), included once ahead of it. */
  snippets?: WgslSnippet[];
  entry: string;
  overrides: Overrides;
  /** Group 0. */
  io: G0;
  /** Whether the kernel reads StepInfo (`step`, @group(1) @binding(0)). */
  step: boolean;
  /** Group-1 bindings after StepInfo (only with `step`). */
  stepIo?: G1;
}

export interface Kernel {
  /** Record one dispatch (with this step's StepInfo record when the kernel reads it). */
  encode(pass: GPUComputePassEncoder, stepInfoOffset: number): void;
  /** Set by frameKernel when this kernel's update does the divergence guard's work (optim_common.wgsl). */
  guarded?: boolean;
}

/** The whole declaration of a spec: group 0, and group 1 when it reads StepInfo. */
export function kernelIo<G0 extends GroupDecl, G1 extends GroupDecl>(spec: KernelSpec<G0, G1>): KernelIo {
  if (!spec.step) {
    if (spec.stepIo && Object.keys(spec.stepIo).length)
      throw new Error(`kernel ${spec.label}:${spec.entry}: group-1 bindings need step`);
    return [spec.io];
  }
  return [spec.io, { step: stepInfoBinding(true), ...(spec.stepIo ?? {}) }];
}

/** The full WGSL of a spec (snippets, generated binding lines, own source). */
export function kernelCode<G0 extends GroupDecl, G1 extends GroupDecl>(spec: KernelSpec<G0, G1>): string {
  return wgslSource(kernelIo(spec), spec.source, spec.snippets);
}

/**
 * Compile `spec` (cached by the pipeline cache) and bind `buffers` (one per group-0 binding, by
 * name) and, when spec.step, the StepInfo buffer and `stepBuffers`. `workgroups` is the fixed
 * dispatch size [x, y].
 */
export async function createKernel<G0 extends GroupDecl, G1 extends GroupDecl = Record<never, never>>(
  device: GPUDevice,
  pipelines: PipelineCache,
  spec: KernelSpec<G0, G1>,
  buffers: GroupBuffers<G0>,
  workgroups: [number, number],
  stepInfo?: GPUBuffer,
  stepBuffers?: GroupBuffers<G1>,
): Promise<Kernel> {
  const name = `${spec.label}:${spec.entry}`;
  if (spec.step && !stepInfo) throw new Error(`kernel ${name}: needs the StepInfo buffer`);
  const io = kernelIo(spec);
  const pipeline = await pipelines.get(
    spec.label,
    wgslSource(io, spec.source, spec.snippets),
    spec.entry,
    spec.overrides,
    pipelineLayoutOf(device, io),
  );
  const group0 = bindGroupOf(device, `${name}.g0`, io[0], buffers);
  const group1 =
    spec.step && stepInfo
      ? bindGroupOf(device, `${name}.g1`, io[1], {
          step: windowOf(stepInfo, STEP_INFO_BYTES),
          ...(stepBuffers ?? {}),
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
