/**
 * WebGPU MLP for a population of R runs: buffers, uniforms and bind groups built once, then
 * forward / loss / backward (and DP per-example clipping) encoded per step with no CPU work beyond
 * recording dispatches. The dense kernels are in mlp_gpu_kernels.ts, the training graph in
 * mlp_gpu_train.ts and the evaluation graphs in mlp_gpu_eval.ts.
 */
import type { Activation, LossName } from '../../schema/types';
import type { ParamLayout } from './layout';
import type { PipelineCache } from '../webgpu/pipelines';
import { uniformBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import { buildLossOp, type LossCentre } from './loss_gpu';
import { denseTileFor } from './dense_tuning';
import { denseKernels, type GraphLossOptions, type MlpGraphContext, type Op } from './mlp_gpu_kernels';
import { buildTrainGraph } from './mlp_gpu_train';
import { buildEvalGraphs } from './mlp_gpu_eval';

export {
  denseBackwardThreads,
  denseForwardThreads,
  denseTileFor,
  denseTiles,
  denseTuning,
  denseWorkgroup,
  isCpuBacked,
  splitBackward,
  tailPlan,
} from './dense_tuning';

export const ACT_CODE: Record<Activation, number> = { relu: 0, relu2: 1, tanh: 2, sigmoid: 3, gelu: 4, linear: 5 };
export { LOSS_CODE } from './loss_gpu';

export { STAT, NS, MAX_EXTRA_EVAL } from './stats_layout';
import { NS } from './stats_layout';
import { allocateTable, required } from '../webgpu/buffer_table';
import { mlpBufferTable } from './mlp_gpu_plan';

export interface GpuData {
  xTrain: GPUBuffer;
  yTrain: GPUBuffer;
  xTest: GPUBuffer;
  yTest: GPUBuffer;
  nTrain: number;
  nTest: number;
  nClasses: number;
  targetDim: number;
}

/**
 * An extra evaluation set (beyond train/test): its loss sum goes to stats field `field`, its correct
 * count to `field + 1` of the slot's record, like train_loss/train_correct.
 */
export interface EvalSetGpu {
  key: string;
  x: GPUBuffer;
  y: GPUBuffer;
  n: number;
  field: number;
  /** With outputCentre: this set's offsets F(w0, x) f32 [runs][n][outDim]. */
  offsets?: GPUBuffer;
}

/**
 * Output centring (model.outputScale, see loss_gpu.ts): alpha and the offsets F(w0, x) f32
 * [offRuns][n][outDim] of the train and test sets (run r reads offset run r % offRuns).
 */
export interface OutputCentreGpu {
  alpha: number;
  train: GPUBuffer;
  test: GPUBuffer;
  /** Runs in the offset buffers (default: runs). */
  offRuns?: number;
}

export interface MlpGpuOptions {
  /** Extra evaluation sets, evaluated by encodeEval(pass, key, slot). */
  extraEvalSets?: EvalSetGpu[];
  /** model.outputScale: score alpha (F - F(w0)) with loss / alpha^2 (absent: the plain output). */
  outputCentre?: OutputCentreGpu;
  layout: ParamLayout;
  activation: Activation;
  loss: LossName;
  runs: number;
  /** Training batch size (nTrain for full batch). */
  batch: number;
  fullBatch: boolean;
  /** Minibatch indices u32 [idxRuns * batch]. */
  idx: GPUBuffer;
  idxPerRun: boolean;
  data: GpuData;
  params: GPUBuffer;
  grads: GPUBuffer;
  stats: GPUBuffer;
  steps: StepSlots;
  /** Examples of the train set used for train_loss (<= nTrain). */
  evalTrain: number;
  evalChunk: number;
  /**
   * Curvature graphs only: runs [0, R/2) and [R/2, R) are theta + h v and theta - h v. With a ReLU
   * network, fix each unit's mask to the midpoint's sign in both halves (shaders/relu_pair_mask.wgsl).
   */
  pairedReluMask?: boolean;
  /** Per-example clipping: clip norms f32 [runs] and the output buffer for the clipped mean. */
  clip?: { clipNorm: GPUBuffer; clipped: GPUBuffer };
}

export class MlpGpu {
  private readonly bufs: GPUBuffer[] = [];
  private trainOps: Op[] = [];
  private evalOps = new Map<string, Op[]>();

  private constructor(
    readonly device: GPUDevice,
    readonly o: MlpGpuOptions,
  ) {}

  static async create(device: GPUDevice, pipelines: PipelineCache, o: MlpGpuOptions): Promise<MlpGpu> {
    const m = new MlpGpu(device, o);
    await m.build(pipelines);
    return m;
  }

  private uniform(words: Uint32Array | ArrayBuffer, label: string): GPUBuffer {
    const b = uniformBuffer(this.device, words, label);
    this.bufs.push(b);
    return b;
  }

  /** What the graph builders share: the placeholders, the dense kernels, the loss op and centring. */
  private graphContext(pipelines: PipelineCache): MlpGraphContext {
    const { device, o } = this;
    // Separate placeholders for unused read-only and writable bindings: one buffer may not be
    // bound both ways in the same dispatch.
    const L = o.layout.layers.length;
    const relu = o.activation === 'relu';
    const dims = {
      R: o.runs,
      batch: o.batch,
      widths: o.layout.widths,
      evalChunk: o.evalChunk,
      relu,
      paired: !!o.pairedReluMask && relu,
      clip: !!o.clip,
    };
    const mem = allocateTable(device, mlpBufferTable(L), dims, {}, (b) => (this.bufs.push(b), b));
    const dummy = required(mem, 'dummy-read');
    const dummyW = required(mem, 'dummy-write');
    const act = ACT_CODE[o.activation];
    const outDim = o.layout.widths[o.layout.layers.length];
    const centre = (offsets: GPUBuffer | undefined, rows: number): LossCentre | undefined => {
      const c = o.outputCentre;
      if (!c) return undefined;
      if (!offsets) throw new Error('outputCentre: an evaluation set has no offsets F(w0, x)');
      return { alpha: c.alpha, offsets, offRows: rows, offRuns: c.offRuns };
    };
    const lossOp = async (x: GraphLossOptions) => {
      const op = await buildLossOp(device, pipelines, {
        ...x,
        runs: o.runs,
        loss: o.loss,
        outDim,
        nClasses: o.data.nClasses,
        targetDim: o.data.targetDim,
        idxPerRun: o.idxPerRun,
        ns: NS,
        stats: o.stats,
        dummy,
        steps: o.steps,
      });
      this.bufs.push(op.uniform);
      return op;
    };
    const k = denseKernels(device, pipelines, {
      layout: o.layout,
      runs: o.runs,
      idxPerRun: o.idxPerRun,
      act,
      tile: denseTileFor(device),
    });
    return {
      device,
      pipelines,
      o,
      act,
      k,
      dummy,
      dummyW,
      buf: (label) => required(mem, label),
      dims,
      uniform: (words, label) => this.uniform(words, label),
      own: (b) => void this.bufs.push(b),
      centre,
      lossOp,
    };
  }

  /** Build the training graph (forward, loss, backward, clipping) and the evaluation graphs. */
  private async build(pipelines: PipelineCache): Promise<void> {
    const g = this.graphContext(pipelines);
    this.trainOps = await buildTrainGraph(g);
    this.evalOps = await buildEvalGraphs(g);
  }

  /** Forward, loss (batch stats into the step's slot) and backward into `grads`. */
  encodeTrainStep(pass: GPUComputePassEncoder, slot: number): void {
    for (const op of this.trainOps) op(pass, slot);
  }

  /**
   * Loss sums and correct counts of an evaluation set ('train', 'test' or an extra set's key) into
   * the slot's stats record.
   */
  encodeEval(pass: GPUComputePassEncoder, which: string, slot: number): void {
    for (const op of this.evalOps.get(which) ?? []) op(pass, slot);
  }

  get dispatchesPerStep(): number {
    return this.trainOps.length;
  }

  destroy(): void {
    for (const b of this.bufs) b.destroy();
    this.bufs.length = 0;
  }
}
