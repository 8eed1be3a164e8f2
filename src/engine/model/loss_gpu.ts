/**
 * The loss op of a population graph (shaders/mlp_loss.wgsl): one builder that makes the uniform,
 * the bind group and the dispatch, shared by every model graph (MlpGpu, CnnGpu). The op reads the
 * logits [R][B][outDim], writes the loss sum and correct count of each run to its stats record
 * (field, field + 1) and, in training mode, the logit gradient of the mean loss into `delta`.
 * "mse" with outDim 1 on 2-class data is the binary squared loss 0.5 (z - y)^2, y = 2c - 1 (the
 * patch CNN's; cpu/losses.ts isBinaryMse), scored like logistic.
 *
 * Output centring (model.outputScale alpha, docs/metrics.md "Output scale"): pass `centre` with the offsets
 * F(w0, x) [offRuns][offRows][outDim] of the set the rows index (run r uses offset run r % offRuns);
 * the kernel then scores f = alpha (F - F0) and the loss l(f) / alpha^2. Without `centre` the kernel
 * is compiled with CENTRED = 0 and computes exactly what it did before centring existed.
 */
import lossWgsl from '../../../shaders/mlp_loss.wgsl?raw';
import type { LossName } from '../../schema/types';
import type { PipelineCache } from '../webgpu/pipelines';
import { uniformBuffer } from '../webgpu/buffers';
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
  workgroupReduce,
  type KernelIo,
} from '../webgpu/kernel_io';
import type { StepSlots } from '../webgpu/step_slots';
import { unrollWgsl } from '../webgpu/unroll';

export const LOSS_CODE: Record<LossName, number> = { 'cross-entropy': 0, logistic: 1, mse: 2, hinge: 3 };

/**
 * Threads per workgroup of the loss reduction (one workgroup per run, each thread loops over
 * examples). 4, because a workgroup barrier is expensive on a CPU-backed adapter: on SwiftShader
 * the `sweep64` loss (64 runs x 64 examples) took 5.2 ms with 64 threads, 1.3 ms with 16, 0.63 ms
 * with 4 (timestamp queries; docs/performance.md). On a GPU the kernel is tiny either way.
 */
export const LOSS_WG = 4;

/**
 * The bindings of the loss kernel (shaders/mlp_loss.wgsl): group 0 the LossDims uniform, the
 * logits, labels Y, minibatch idx, the logit gradient delta, the stats records and the centring
 * offsets `off` (a placeholder when not centred); group 1 the step's StepInfo.
 */
export const MLP_LOSS_IO = [
  {
    d: uniform('LossDims'),
    logits: read(),
    Y: read(),
    idx: read('array<u32>'),
    delta: rw(),
    stats: rw(),
    off: read(),
  },
  { step: stepInfoBinding(true) },
] as const satisfies KernelIo;

/**
 * The workgroup's (loss sum, correct count), added as one vec2f: the same pairs, in the same order,
 * as the two f32 arrays it replaces.
 */
const LOSS_SUM = workgroupReduce('loss_sum', 'vec2f');

/** The centring of one set: alpha and the offsets F(w0, x) of its rows. */
export interface LossCentre {
  alpha: number;
  /** f32 [offRuns][offRows][outDim]. */
  offsets: GPUBuffer;
  /** Rows per run in `offsets` (the size of the set the op's rows index). */
  offRows: number;
  /** Runs in `offsets` (default: runs); run r reads offset run r % offRuns. */
  offRuns?: number;
}

export interface LossOpOptions {
  runs: number;
  loss: LossName;
  outDim: number;
  nClasses: number;
  targetDim: number;
  /** Examples per run in this op (the batch, or the evaluation chunk). */
  batch: number;
  /** 1: row b of run r is idx[(idxPerRun ? r : 0) * batch + b]; 2: row rowOffset + b. */
  inMode: 1 | 2;
  idxPerRun: boolean;
  rowOffset: number;
  /** Training mode writes delta = d(mean loss)/d logits. */
  train: boolean;
  /** Add to the stats fields instead of overwriting them (evaluation chunks after the first). */
  accumulate: boolean;
  /** Stats field of the loss sum (the correct count goes to field + 1). */
  field: number;
  /** Floats per stats record. */
  ns: number;
  logits: GPUBuffer;
  y: GPUBuffer;
  /** Minibatch indices, or any placeholder in mode 2. */
  idx: GPUBuffer;
  /** The logit gradient, or a writable placeholder outside training mode. */
  delta: GPUBuffer;
  stats: GPUBuffer;
  /** A read-only placeholder (bound as the offsets when not centred). */
  dummy: GPUBuffer;
  steps: StepSlots;
  centre?: LossCentre;
  label?: string;
}

export interface LossOp {
  /** Record the dispatch for step slot `slot`. */
  encode(pass: GPUComputePassEncoder, slot: number): void;
  /** The op's uniform buffer; the caller destroys it with its other buffers. */
  readonly uniform: GPUBuffer;
}

/** The LossDims uniform of shaders/mlp_loss.wgsl (80 bytes). */
export function lossUniformData(o: LossOpOptions): ArrayBuffer {
  const buf = new ArrayBuffer(80);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  u.set([
    o.runs,
    o.batch,
    o.outDim,
    o.nClasses,
    o.targetDim,
    o.inMode,
    o.idxPerRun ? 1 : 0,
    o.rowOffset,
    o.train ? 1 : 0,
    o.accumulate ? 1 : 0,
    o.field,
    o.ns,
  ]);
  f[12] = 1 / o.batch;
  const alpha = o.centre?.alpha ?? 1;
  f[13] = alpha;
  f[14] = 1 / (alpha * alpha);
  f[15] = 1 / alpha;
  u[16] = o.centre?.offRows ?? 0;
  u[17] = o.centre ? (o.centre.offRuns ?? o.runs) : 1;
  return buf;
}

export async function buildLossOp(device: GPUDevice, pipelines: PipelineCache, o: LossOpOptions): Promise<LossOp> {
  if (o.centre) {
    const a = o.centre.alpha;
    if (!Number.isFinite(a) || a <= 0) throw new Error(`model.outputScale: expected a positive number, got ${a}`);
  }
  if (!Number.isInteger(o.outDim) || o.outDim < 1)
    throw new Error(`loss: outDim must be a positive integer, got ${o.outDim}`);
  // The outputs per example as a constant (a define, `const OUT: u32`): they fit a private array
  // (shaders/mlp_loss.wgsl).
  const io = MLP_LOSS_IO;
  const code = wgslSource(io, unrollWgsl(lossWgsl, {}, { OUT: o.outDim }), [LOSS_SUM]);
  const pipe = await pipelines.get(
    'mlp_loss',
    code,
    'main',
    {
      LOSS: LOSS_CODE[o.loss],
      WG: LOSS_WG,
      CENTRED: o.centre ? 1 : 0,
    },
    pipelineLayoutOf(device, io),
  );
  const label = o.label ?? 'loss';
  const dims = uniformBuffer(device, lossUniformData(o), label);
  const group = bindGroupOf(device, label, io[0], {
    d: dims,
    logits: o.logits,
    Y: o.y,
    idx: o.idx,
    delta: o.delta,
    stats: o.stats,
    off: o.centre?.offsets ?? o.dummy,
  });
  const stepGroup = bindGroupOf(device, 'mlp_loss.step', MLP_LOSS_IO[1], {
    step: windowOf(o.steps.buffer, STEP_INFO_BYTES),
  });
  const R = o.runs;
  return {
    uniform: dims,
    encode(pass, slot) {
      pass.setPipeline(pipe);
      pass.setBindGroup(0, group);
      pass.setBindGroup(1, stepGroup, [o.steps.offset(slot)]);
      pass.dispatchWorkgroups(R);
    },
  };
}
