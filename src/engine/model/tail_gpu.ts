/**
 * The fused last layer of a training step (shaders/mlp_tail.wgsl): the last layer's forward, the
 * softmax cross-entropy loss and the last layer's backward as one dispatch, where tailPlan
 * (dense_tuning.ts) allows it. MlpGpu (mlp_gpu_train.ts) builds it in place of those three kernels.
 */
import activationsWgsl from '../../../shaders/activations.wgsl?raw';
import tailWgsl from '../../../shaders/mlp_tail.wgsl?raw';
import { COMPUTE, groupLayout, type PipelineCache } from '../webgpu/pipelines';
import type { StepSlots } from '../webgpu/step_slots';
import { unrollWgsl } from '../webgpu/unroll';
import type { TailPlan } from './dense_tuning';

export interface TailOpOptions {
  plan: TailPlan;
  runs: number;
  batch: number;
  /** Inputs and outputs of the last layer. */
  inDim: number;
  outDim: number;
  /** Floats per run in params and grads. */
  paramCount: number;
  hasBias: boolean;
  /** ACT_CODE of the hidden layers' activation (act' of the previous layer). */
  act: number;
  /** 1: rows idx[r' * B + b] (minibatch), 2: rows b (full batch). */
  inMode: number;
  idxPerRun: boolean;
  /** Records per run in stats, and the field the batch loss sum goes to (the correct count after it). */
  ns: number;
  field: number;
  /** Whether `zPrev` is `inActs` itself (ReLU hidden layers keep only A: act'(Z) = [A > 0]). */
  prevIsIn: boolean;
  /** Bound in this order (mlp_tail.wgsl): the layer's Offsets uniform, params, inActs, zPrev, Y, idx, grads, deltaPrev, stats. */
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
  steps: StepSlots;
}

/** Compile and bind the fused last layer; returns the step op (one dispatch, one workgroup per run). */
export async function buildTailOp(
  device: GPUDevice,
  pipelines: PipelineCache,
  o: TailOpOptions,
): Promise<(pass: GPUComputePassEncoder, slot: number) => void> {
  const { plan, runs: R, batch: B, inDim } = o;
  const code = [
    activationsWgsl,
    unrollWgsl(
      tailWgsl,
      { TB: plan.TB, TJ: o.outDim },
      {
        IN_MODE: o.inMode,
        NB: plan.NB,
        WP: o.outDim * inDim,
        PART_FLOATS: plan.partFloats,
        GRAD_LEN: R * o.paramCount,
        PREV_LEN: R * B * inDim,
        PREV_IS_IN: o.prevIsIn,
      },
    ),
  ].join('\n');
  // Explicit layout: in full-batch mode idx is unused and an 'auto' layout would drop it.
  const layout = device.createPipelineLayout({
    bindGroupLayouts: [
      groupLayout(device, ['uniform', 'read', 'read', 'read', 'read', 'read', 'rw', 'rw', 'rw']),
      device.createBindGroupLayout({ entries: [{ binding: 0, visibility: COMPUTE, buffer: { type: 'uniform' } }] }),
    ],
  });
  const overrides = {
    ACT: o.act,
    R,
    B,
    IN: inDim,
    IDX_PER_RUN: o.idxPerRun ? 1 : 0,
    HAS_BIAS: o.hasBias ? 1 : 0,
    INV_B: 1 / B,
    NS: o.ns,
    FIELD: o.field,
  };
  const pipe = await pipelines.get('mlp_tail', code, 'main', overrides, layout);
  const group = device.createBindGroup({
    layout: pipe.getBindGroupLayout(0),
    entries: o.buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const stepGroups = o.steps.bindGroups(pipe, 1);
  return (pass, slot) => {
    pass.setPipeline(pipe);
    pass.setBindGroup(0, group);
    pass.setBindGroup(1, stepGroups[slot]);
    pass.dispatchWorkgroups(R);
  };
}
