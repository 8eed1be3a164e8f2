/**
 * The fused last layer of a training step (shaders/mlp_tail.wgsl): the last layer's forward, the
 * softmax cross-entropy loss and the last layer's backward as one dispatch, where tailPlan
 * (dense_tuning.ts) allows it. MlpGpu (mlp_gpu_train.ts) builds it in place of those three kernels.
 */
import tailWgsl from '../../../shaders/mlp_tail.wgsl?raw';
import type { PipelineCache } from '../webgpu/pipelines';
import {
  bindGroupOf,
  pipelineLayoutOf,
  read,
  rw,
  stepInfoBinding,
  STEP_INFO_BYTES,
  windowOf,
  uniform,
  wgslSource,
  type GroupBuffers,
  type KernelIo,
} from '../webgpu/kernel_io';
import type { StepSlots } from '../webgpu/step_slots';
import { unrollWgsl } from '../webgpu/unroll';
import type { TailPlan } from './dense_tuning';
import { ACTIVATIONS } from './mlp_gpu_kernels';

/**
 * The bindings of the fused last layer (shaders/mlp_tail.wgsl): group 0 the layer's Offsets
 * uniform, its inputs (params, inActs, zPrev for act'(Z) of the previous layer, labels Y, minibatch
 * idx) and outputs (grads, deltaPrev, the stats records); group 1 the step's StepInfo. The arrays
 * with their lengths in the source (PREV_LEN = R * B * IN, GRAD_LEN = R * P) are defines of the
 * template. The layout is explicit: in full-batch mode idx is unused and an 'auto' layout would drop it.
 */
export const MLP_TAIL_IO = [
  {
    o: uniform('Offsets'),
    params: read(),
    inActs: read(),
    zPrev: read('array<f32, PREV_LEN>'),
    Y: read(),
    idx: read('array<u32>'),
    grads: rw('array<f32, GRAD_LEN>'),
    deltaPrev: rw('array<f32, PREV_LEN>'),
    stats: rw(),
  },
  { step: stepInfoBinding(true) },
] as const satisfies KernelIo;

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
  /** Group 0 of MLP_TAIL_IO, by binding name. */
  buffers: GroupBuffers<(typeof MLP_TAIL_IO)[0]>;
  steps: StepSlots;
}

/** Compile and bind the fused last layer; returns the step op (one dispatch, one workgroup per run). */
export async function buildTailOp(
  device: GPUDevice,
  pipelines: PipelineCache,
  o: TailOpOptions,
): Promise<(pass: GPUComputePassEncoder, slot: number) => void> {
  const { plan, runs: R, batch: B, inDim } = o;
  const io = MLP_TAIL_IO;
  const source = unrollWgsl(
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
  );
  const code = wgslSource(io, source, [ACTIVATIONS]);
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
  const pipe = await pipelines.get('mlp_tail', code, 'main', overrides, pipelineLayoutOf(device, io));
  const group = bindGroupOf(device, 'mlp_tail', io[0], o.buffers);
  const stepGroup = bindGroupOf(device, 'mlp_tail.step', MLP_TAIL_IO[1], {
    step: windowOf(o.steps.buffer, STEP_INFO_BYTES),
  });
  return (pass, slot) => {
    pass.setPipeline(pipe);
    pass.setBindGroup(0, group);
    pass.setBindGroup(1, stepGroup, [o.steps.offset(slot)]);
    pass.dispatchWorkgroups(R);
  };
}
