/**
 * How CnnGpu (model/cnn_gpu.ts) maps a CnnSpec's op list onto dispatches and buffers, as pure
 * arithmetic (no device): the memory planner (engine/webgpu/memory_plan.ts) mirrors the allocation through
 * cnnGpuBufferFloats, and CnnGpu allocates exactly that list.
 *
 * A stage is one forward dispatch: one op, plus the activation op after it when that activation is
 * fused (a conv2d or dense op followed by an act op that is not the model's output and is not itself
 * followed by another act). A fused stage writes its pre-activation to `out` and act(out) to `post`;
 * the backward kernel of the NEXT stage multiplies its input gradient by act'(out), so the stage's
 * delta is always d loss / d out.
 */
import type { Activation } from '../../schema/types';
import { opInSize, type CnnOp, type CnnSpec } from './cnn_spec';

export interface CnnStage {
  /** Index of the stage's op in spec.ops. */
  opIndex: number;
  op: CnnOp;
  /** The fused activation (ops[opIndex + 1]), if any. */
  act?: Activation;
  /** Values per example of the op's input and output. */
  inSize: number;
  outSize: number;
  /** Whether the op has parameters (conv2d, dense). */
  hasParams: boolean;
}

/** The stages of a spec (see the file comment). */
export function cnnStages(spec: CnnSpec): CnnStage[] {
  const stages: CnnStage[] = [];
  const ops = spec.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const next = ops[i + 1];
    const fuse =
      (op.op === 'conv2d' || op.op === 'dense') &&
      next?.op === 'act' &&
      i + 1 < ops.length - 1 &&
      ops[i + 2]?.op !== 'act';
    stages.push({
      opIndex: i,
      op,
      act: fuse && next.op === 'act' ? next.fn : undefined,
      inSize: opInSize(op),
      outSize: spec.outSizes[i],
      hasParams: op.op === 'conv2d' || op.op === 'dense',
    });
    if (fuse) i++;
  }
  return stages;
}

/** Index of the first stage with parameters: gradients flow from the loss down to it. */
export function firstParamStage(stages: CnnStage[]): number {
  const s = stages.findIndex((st) => st.hasParams);
  return s < 0 ? stages.length : s;
}

export interface CnnGpuPlanInput {
  spec: CnnSpec;
  runs: number;
  /** Training batch (nTrain for full batch). */
  batch: number;
  fullBatch: boolean;
  idxPerRun: boolean;
  evalChunk: number;
  /**
   * Curvature graphs (runs = theta + h v | theta - h v halves): fix every ReLU stage's mask to the
   * midpoint's sign in both halves (shaders/relu_pair_mask.wgsl), as MlpGpu does.
   */
  pairedReluMask?: boolean;
}

/** Whether stage `st` gets the paired-ReLU mask in a graph with these options. */
export function pairedStage(st: CnnStage, o: Pick<CnnGpuPlanInput, 'pairedReluMask'>): boolean {
  return !!o.pairedReluMask && st.act === 'relu';
}

export interface CnnBufferFloats {
  label: string;
  floats: number;
}

/**
 * Every storage buffer CnnGpu allocates, in allocation order, with its size in floats (CnnGpu
 * creates each with max(1, floats) floats, rounded up to 16 bytes). Not listed: the small uniform
 * buffers (32 bytes per dispatch, 80 per loss op). Labels: dummy-read/-write (placeholders), input
 * (the gathered minibatch; absent with full batch, whose first op reads the data directly), out<s>,
 * post<s> (fused stages), delta<s> (stages at or after the first one with parameters), evalA0,
 * evalA1 (ping-pong stage results of an evaluation chunk), evalZ (fused pre-activations there).
 */
export function cnnGpuBufferFloats(o: CnnGpuPlanInput): CnnBufferFloats[] {
  const stages = cnnStages(o.spec);
  const R = o.runs;
  const B = o.batch;
  const E = Math.max(1, o.evalChunk);
  const inputDim = o.spec.inShape[0] * o.spec.inShape[1] * o.spec.inShape[2];
  const list: CnnBufferFloats[] = [
    { label: 'dummy-read', floats: 4 },
    { label: 'dummy-write', floats: 4 },
  ];
  if (!o.fullBatch) list.push({ label: 'input', floats: (o.idxPerRun ? R : 1) * B * inputDim });
  const first = firstParamStage(stages);
  stages.forEach((st, s) => {
    list.push({ label: `out${s}`, floats: R * B * st.outSize });
    if (st.act) list.push({ label: `post${s}`, floats: R * B * st.outSize });
    if (pairedStage(st, o)) list.push({ label: `zmid${s}`, floats: R * B * st.outSize });
    if (s >= first) list.push({ label: `delta${s}`, floats: R * B * st.outSize });
  });
  const maxOut = Math.max(...stages.map((st) => st.outSize));
  const maxFused = Math.max(1, ...stages.map((st) => (st.act ? st.outSize : 0)));
  list.push({ label: 'evalA0', floats: R * E * maxOut });
  list.push({ label: 'evalA1', floats: R * E * maxOut });
  list.push({ label: 'evalZ', floats: R * E * maxFused });
  return list;
}

/** Workgroup size of every CNN kernel (a power of two: the weight-gradient reduction halves it). */
export const CNN_WG = 64;

export interface CnnDispatch {
  label: string;
  /** Invocations, split over x and y by dispatchSize(threads, workgroupSize). */
  threads: number;
  workgroupSize: number;
}

/**
 * The dispatches of one training step, in encoding order (gather, stage forwards, loss, backward
 * kernels), with their sizes. One workgroup per reduced value (conv weight gradients) is written as
 * threads = workgroups * CNN_WG, which splits the same way; the loss runs one workgroup per run.
 */
export function cnnTrainDispatches(o: Omit<CnnGpuPlanInput, 'evalChunk'>): CnnDispatch[] {
  const stages = cnnStages(o.spec);
  const first = firstParamStage(stages);
  const R = o.runs;
  const B = o.batch;
  const inputDim = o.spec.inShape[0] * o.spec.inShape[1] * o.spec.inShape[2];
  const list: CnnDispatch[] = [];
  const add = (label: string, threads: number, workgroupSize = CNN_WG) => list.push({ label, threads, workgroupSize });
  if (!o.fullBatch) add('gather', (o.idxPerRun ? R : 1) * B * inputDim);
  stages.forEach((st, s) => {
    add(`forward ${s} (${st.op.op})`, R * B * st.outSize);
    if (pairedStage(st, o)) add(`relu pair mask ${s}`, R * B * st.outSize);
  });
  add('loss', R, 1);
  for (let s = stages.length - 1; s >= first; s--) {
    const st = stages[s];
    const data = s > first ? R * B * st.inSize : 0;
    const op = st.op;
    if (op.op === 'conv2d') {
      if (data) add(`backward data ${s} (conv2d)`, data);
      const groups = R * op.outShape[0] * (op.inShape[0] * op.kh * op.kw + 1);
      add(`weight gradient ${s} (conv2d)`, groups * CNN_WG);
    } else if (op.op === 'dense') {
      add(`backward ${s} (dense)`, R * op.outDim * (op.inDim + 1) + data);
    } else if (data) {
      add(`backward data ${s} (${op.op})`, data);
    }
  }
  return list;
}

/** Dispatches of one training step (the length of cnnTrainDispatches). */
export function cnnDispatchesPerStep(spec: CnnSpec, fullBatch: boolean): number {
  return cnnTrainDispatches({ spec, runs: 1, batch: 1, fullBatch, idxPerRun: false }).length;
}

/** The largest evaluation forward dispatch: R runs x evalChunk points x the widest stage output. */
export function cnnEvalDispatch(o: CnnGpuPlanInput): CnnDispatch {
  const maxOut = Math.max(...cnnStages(o.spec).map((st) => st.outSize));
  return { label: 'evaluation forward', threads: o.runs * Math.max(1, o.evalChunk) * maxOut, workgroupSize: CNN_WG };
}
