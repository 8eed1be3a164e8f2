/**
 * WebGPU MLP for a population of R runs: buffers, uniforms and bind groups built once, then
 * forward / loss / backward (and DP per-example clipping) encoded per step with no CPU work beyond
 * recording dispatches.
 */
import activationsWgsl from '../../../shaders/activations.wgsl?raw';
import forwardWgsl from '../../../shaders/mlp_forward.wgsl?raw';
import backwardWgsl from '../../../shaders/mlp_backward.wgsl?raw';
import denseCommonWgsl from '../../../shaders/dense_common.wgsl?raw';
import peNormsWgsl from '../../../shaders/per_example_norms.wgsl?raw';
import pairMaskWgsl from '../../../shaders/relu_pair_mask.wgsl?raw';
import type { Activation, LossName } from '../../schema/types';
import type { ParamLayout } from './layout';
import { groupLayout, type Access, type PipelineCache } from '../webgpu/pipelines';
import { dispatchSize, storageBuffer, uniformBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import { buildLossOp, type LossCentre, type LossOpOptions } from './loss_gpu';
import { buildTailOp } from './tail_gpu';
import { unrollWgsl, type Defines } from '../webgpu/unroll';
import {
  denseBackwardThreads,
  denseForwardThreads,
  denseTileFor,
  denseTiles,
  denseWorkgroup,
  splitBackward,
  tailPlan,
} from './dense_tuning';

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

const WG = 128;

export { STAT, NS, MAX_EXTRA_EVAL } from './stats_layout';
import { STAT, NS } from './stats_layout';

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

function denseUniform(w: number[]): Uint32Array {
  return new Uint32Array(w);
}

interface DenseKernel {
  pipe: GPUComputePipeline;
  /** Threads to dispatch. */
  n: number;
  wg: number;
}

export class MlpGpu {
  private readonly bufs: GPUBuffer[] = [];
  private trainOps: ((pass: GPUComputePassEncoder, slot: number) => void)[] = [];
  private bwdPipe?: (l: number, mode: number, b: number, scaled: boolean, part?: number) => Promise<DenseKernel>;
  private evalOps = new Map<string, ((pass: GPUComputePassEncoder, slot: number) => void)[]>();

  private constructor(
    readonly device: GPUDevice,
    readonly o: MlpGpuOptions,
  ) {}

  static async create(device: GPUDevice, pipelines: PipelineCache, o: MlpGpuOptions): Promise<MlpGpu> {
    const m = new MlpGpu(device, o);
    await m.build(pipelines);
    return m;
  }

  private buffer(floats: number, label: string): GPUBuffer {
    const b = storageBuffer(this.device, Math.max(1, floats), label);
    this.bufs.push(b);
    return b;
  }

  private uniform(words: Uint32Array | ArrayBuffer, label: string): GPUBuffer {
    const b = uniformBuffer(this.device, words, label);
    this.bufs.push(b);
    return b;
  }

  private async build(pipelines: PipelineCache): Promise<void> {
    const { device, o } = this;
    const L = o.layout.layers.length;
    const act = ACT_CODE[o.activation];
    // Separate placeholders for unused read-only and writable bindings: one buffer may not be
    // bound both ways in the same dispatch.
    const dummy = this.buffer(4, 'dummy-read');
    const dummyW = this.buffer(4, 'dummy-write');
    const R = o.runs;
    const P = o.layout.paramCount;
    const widths = o.layout.widths;
    const outDim = widths[L];
    const centre = (offsets: GPUBuffer | undefined, rows: number): LossCentre | undefined => {
      const c = o.outputCentre;
      if (!c) return undefined;
      if (!offsets) throw new Error('outputCentre: an evaluation set has no offsets F(w0, x)');
      return { alpha: c.alpha, offsets, offRows: rows, offRuns: c.offRuns };
    };
    const lossOp = async (
      x: Omit<
        LossOpOptions,
        'runs' | 'loss' | 'outDim' | 'nClasses' | 'targetDim' | 'ns' | 'stats' | 'dummy' | 'steps' | 'idxPerRun'
      >,
    ) => {
      const op = await buildLossOp(device, pipelines, {
        ...x,
        runs: R,
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

    // ---- training graph ----
    const B = o.batch;
    const inMode = o.fullBatch ? 2 : 1;
    const Z: GPUBuffer[] = [];
    const A: GPUBuffer[] = [];
    const D: GPUBuffer[] = [];
    const paired = !!o.pairedReluMask && o.activation === 'relu';
    // A hidden layer's pre-activations are read only by the backward, for act'(Z), and by the paired
    // ReLU mask. For ReLU, act'(Z) = [Z > 0] = [A > 0], so the backward reads A and Z is not stored.
    const keepZ = (l: number) => l === L - 1 || paired || o.activation !== 'relu';
    for (let l = 0; l < L; l++) {
      const n = R * B * widths[l + 1];
      Z.push(keepZ(l) ? this.buffer(n, `Z${l}`) : dummyW);
      A.push(l < L - 1 ? this.buffer(n, `A${l}`) : dummyW);
      D.push(this.buffer(n, `delta${l}`));
    }
    const ops: ((pass: GPUComputePassEncoder, slot: number) => void)[] = [];
    const zMid: GPUBuffer[] = [];
    const maskPipe = paired ? await pipelines.get('relu_pair_mask', pairMaskWgsl, 'main', { WG }) : undefined;
    const tile = denseTileFor(device);
    // Modes are compile-time switches of the templates (unrollWgsl's //#if), not override constants.
    const code = (template: string, l: number, b: number, defines: Defines) => {
      const ly = o.layout.layers[l];
      return [
        activationsWgsl,
        denseCommonWgsl,
        unrollWgsl(template, denseTiles(tile, b, ly.inDim, ly.outDim), defines),
      ].join('\n');
    };
    const shape = (l: number, b: number) => {
      const ly = o.layout.layers[l];
      return {
        WG,
        ACT: act,
        R,
        B: b,
        IN: ly.inDim,
        OUT: ly.outDim,
        IDX_PER_RUN: o.idxPerRun ? 1 : 0,
        HAS_BIAS: ly.biasOffset >= 0 ? 1 : 0,
      };
    };
    // Explicit layouts: a mode switched off at compile time leaves some bindings unused, and an
    // 'auto' layout would drop them, so every variant of a kernel shares one layout.
    const denseLayout = (readOnly: number, writable: number): GPUPipelineLayout =>
      device.createPipelineLayout({
        bindGroupLayouts: [
          groupLayout(device, [
            'uniform',
            ...Array<Access>(readOnly).fill('read'),
            ...Array<Access>(writable).fill('rw'),
          ]),
        ],
      });
    const fwdLayout = denseLayout(4, 2);
    const bwdLayout = denseLayout(6, 2);
    // storeZ: whether the layer writes its pre-activations (always for the last layer, the logits).
    const fwdPipe = async (l: number, mode: number, b: number, storeZ: boolean): Promise<DenseKernel> => {
      const n = denseForwardThreads(tile, R, b, widths[l], widths[l + 1]);
      const wg = denseWorkgroup(n);
      const t = denseTiles(tile, b, widths[l], widths[l + 1]);
      const defines = {
        IN_MODE: l === 0 ? mode : 0,
        IS_LAST: l === L - 1,
        FULL_TILES: b % t.TB === 0 && widths[l + 1] % t.TJ === 0,
        STORE_Z: storeZ || l === L - 1,
        OUT_LEN: R * b * widths[l + 1],
      };
      const pipe = await pipelines.get(
        'mlp_forward',
        code(forwardWgsl, l, b, defines),
        'main',
        { ...shape(l, b), WG: wg },
        fwdLayout,
      );
      return { pipe, n, wg };
    };
    // part: 0 both parts of the backward, 1 the weight gradient only, 2 the previous delta only.
    const bwdPipe = async (l: number, mode: number, b: number, scaled: boolean, part = 0): Promise<DenseKernel> => {
      const needPrev = l > 0 && !scaled;
      if (part !== 0 && !needPrev) throw new Error(`dense backward: part ${part} needs the previous delta`);
      const nGrad = denseBackwardThreads(tile, R, b, widths[l], widths[l + 1], false);
      const nAll = denseBackwardThreads(tile, R, b, widths[l], widths[l + 1], needPrev);
      const n = part === 1 ? nGrad : part === 2 ? nAll - nGrad : nAll;
      const wg = denseWorkgroup(n);
      const t = denseTiles(tile, b, widths[l], widths[l + 1]);
      const defines = {
        IN_MODE: l === 0 ? mode : 0,
        FULL_GRAD: widths[l + 1] % t.TJ === 0 && widths[l] % t.TK === 0,
        FULL_PREV: b % t.TB === 0 && widths[l] % t.TK === 0,
        NEED_PREV: needPrev,
        SCALED: scaled,
        PART: part,
        GRAD_LEN: R * P,
        PREV_LEN: R * b * widths[l],
      };
      const pipe = await pipelines.get(
        'mlp_backward',
        code(backwardWgsl, l, b, defines),
        'main',
        {
          ...shape(l, b),
          WG: wg,
        },
        bwdLayout,
      );
      return { pipe, n, wg };
    };
    this.bwdPipe = bwdPipe;
    const bind = (pipe: GPUComputePipeline, entries: GPUBuffer[], group = 0): GPUBindGroup =>
      device.createBindGroup({
        layout: pipe.getBindGroupLayout(group),
        entries: entries.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
    const layerDense = (l: number, rowOffset: number): Uint32Array => {
      const ly = o.layout.layers[l];
      return denseUniform([P, ly.weightOffset, Math.max(0, ly.biasOffset), rowOffset]);
    };
    // The last layer's forward, the loss and the last layer's backward as one dispatch, where it applies.
    const tail = tailPlan(device, tile, {
      loss: o.loss,
      centred: !!o.outputCentre,
      clip: !!o.clip,
      paired,
      widths,
      batch: B,
    });
    // forward
    for (let l = 0; l < (tail ? L - 1 : L); l++) {
      const u = this.uniform(layerDense(l, 0), `fwd${l}`);
      const fwd = await fwdPipe(l, inMode, B, keepZ(l));
      const bg = bind(fwd.pipe, [u, o.params, l === 0 ? dummy : A[l - 1], o.data.xTrain, o.idx, Z[l], A[l]]);
      const n = R * B * widths[l + 1];
      ops.push((pass) => {
        pass.setPipeline(fwd.pipe);
        pass.setBindGroup(0, bg);
        pass.dispatchWorkgroups(...dispatchSize(fwd.n, fwd.wg));
      });
      if (maskPipe && l < L - 1) {
        const zm = this.buffer(n, `zmid${l}`);
        zMid[l] = zm;
        const mu = this.uniform(new Uint32Array([R, B, widths[l + 1], 0]), `pair${l}`);
        const mbg = bind(maskPipe, [mu, Z[l], A[l], zm]);
        ops.push((pass) => {
          pass.setPipeline(maskPipe);
          pass.setBindGroup(0, mbg);
          pass.dispatchWorkgroups(...dispatchSize(n, WG));
        });
      }
    }
    // loss (training mode writes delta of the last layer)
    if (!tail) {
      const op = await lossOp({
        batch: B,
        inMode: inMode as 1 | 2,
        rowOffset: 0,
        train: true,
        accumulate: false,
        field: STAT.batchLoss,
        logits: Z[L - 1],
        y: o.data.yTrain,
        idx: o.idx,
        delta: D[L - 1],
        centre: centre(o.outputCentre?.train, o.data.nTrain),
        label: 'loss-train',
      });
      ops.push((pass, slot) => op.encode(pass, slot));
    }
    // backward
    for (let l = L - 1; l >= 0; l--) {
      const u = this.uniform(layerDense(l, 0), `bwd${l}`);
      if (tail && l === L - 1) {
        const zPrev = zMid[l - 1] ?? (keepZ(l - 1) ? Z[l - 1] : A[l - 1]);
        const op = await buildTailOp(device, pipelines, {
          plan: tail,
          runs: R,
          batch: B,
          inDim: widths[l],
          outDim,
          paramCount: P,
          hasBias: o.layout.layers[l].biasOffset >= 0,
          act,
          inMode,
          idxPerRun: !!o.idxPerRun,
          ns: NS,
          field: STAT.batchLoss,
          prevIsIn: zPrev === A[l - 1],
          buffers: [u, o.params, A[l - 1], zPrev, o.data.yTrain, o.idx, o.grads, D[l - 1], o.stats],
          steps: o.steps,
        });
        ops.push(op);
        continue;
      }
      const split = l > 0 && splitBackward(tile, R, B, widths[l], widths[l + 1]);
      for (const part of split ? [1, 2] : [0]) {
        const bwd = await bwdPipe(l, inMode, B, false, part);
        const bg = bind(bwd.pipe, [
          u,
          o.params,
          D[l],
          l === 0 ? dummy : A[l - 1],
          o.data.xTrain,
          o.idx,
          l === 0 ? dummy : (zMid[l - 1] ?? (keepZ(l - 1) ? Z[l - 1] : A[l - 1])),
          o.grads,
          l === 0 ? dummyW : D[l - 1],
        ]);
        ops.push((pass) => {
          pass.setPipeline(bwd.pipe);
          pass.setBindGroup(0, bg);
          pass.dispatchWorkgroups(...dispatchSize(bwd.n, bwd.wg));
        });
      }
    }
    if (o.clip) await this.buildClip(pipelines, ops, { A, D, dummy, dummyW, inMode, B, bind, layerDense });
    this.trainOps = ops;

    // ---- evaluation graphs (forward + loss over chunks of the train and test sets) ----
    const E = Math.max(1, o.evalChunk);
    const maxW = Math.max(...widths.slice(1));
    const evA = [this.buffer(R * E * maxW, 'evalA0'), this.buffer(R * E * maxW, 'evalA1')];
    const evZ = this.buffer(R * E * maxW, 'evalZ');
    const sets: { key: string; n: number; x: GPUBuffer; y: GPUBuffer; field: number; c?: LossCentre }[] = [
      {
        key: 'train',
        n: o.evalTrain,
        x: o.data.xTrain,
        y: o.data.yTrain,
        field: STAT.trainLoss,
        c: centre(o.outputCentre?.train, o.data.nTrain),
      },
      {
        key: 'test',
        n: o.data.nTest,
        x: o.data.xTest,
        y: o.data.yTest,
        field: STAT.testLoss,
        c: centre(o.outputCentre?.test, o.data.nTest),
      },
    ];
    for (const e of o.extraEvalSets ?? []) {
      if (sets.some((s) => s.key === e.key)) throw new Error(`extraEvalSets: duplicate key "${e.key}"`);
      if (e.field < STAT.extra || e.field + 1 >= NS)
        throw new Error(`extraEvalSets.${e.key}: field ${e.field} is outside [${STAT.extra}, ${NS - 1})`);
      sets.push({ key: e.key, n: e.n, x: e.x, y: e.y, field: e.field, c: centre(e.offsets, e.n) });
    }
    for (const { key: which, n: nEval, x, y, field, c: setCentre } of sets) {
      const eops: ((pass: GPUComputePassEncoder, slot: number) => void)[] = [];
      for (let c = 0; c * E < nEval; c++) {
        const bc = Math.min(E, nEval - c * E);
        for (let l = 0; l < L; l++) {
          const u = this.uniform(layerDense(l, c * E), `eval${which}${c}_${l}`);
          // Only the last layer writes its pre-activations (the logits, to the evZ scratch).
          const fwd = await fwdPipe(l, 2, bc, false);
          // Hidden activations ping-pong between evA[0] and evA[1].
          const inBuf = l === 0 ? dummy : evA[(l - 1) % 2];
          const bg = bind(fwd.pipe, [
            u,
            o.params,
            inBuf,
            x,
            dummy,
            l === L - 1 ? evZ : dummyW,
            l === L - 1 ? dummyW : evA[l % 2],
          ]);
          eops.push((pass) => {
            pass.setPipeline(fwd.pipe);
            pass.setBindGroup(0, bg);
            pass.dispatchWorkgroups(...dispatchSize(fwd.n, fwd.wg));
          });
        }
        const op = await lossOp({
          batch: bc,
          inMode: 2,
          rowOffset: c * E,
          train: false,
          accumulate: c > 0,
          field,
          logits: evZ,
          y,
          idx: dummy,
          delta: dummyW,
          centre: setCentre,
          label: `loss-${which}${c}`,
        });
        eops.push((pass, slot) => op.encode(pass, slot));
      }
      this.evalOps.set(which, eops);
    }
  }

  private async buildClip(
    pipelines: PipelineCache,
    ops: ((pass: GPUComputePassEncoder, slot: number) => void)[],
    c: {
      A: GPUBuffer[];
      D: GPUBuffer[];
      dummy: GPUBuffer;
      dummyW: GPUBuffer;
      inMode: number;
      B: number;
      bind: (pipe: GPUComputePipeline, entries: GPUBuffer[]) => GPUBindGroup;
      layerDense: (l: number, rowOffset: number) => Uint32Array;
    },
  ): Promise<void> {
    const { o } = this;
    const clip = o.clip!;
    const R = o.runs;
    const L = o.layout.layers.length;
    const pe = await pipelines.get('per_example_norms', peNormsWgsl, 'main', { WG });
    const scale = this.buffer(R * c.B, 'pe-scale');
    for (let l = 0; l <= L; l++) {
      const fin = l === L;
      const ly = o.layout.layers[Math.min(l, L - 1)];
      const u = this.uniform(
        new Uint32Array([
          R,
          c.B,
          ly.inDim,
          ly.outDim,
          ly.biasOffset >= 0 ? 1 : 0,
          l === 0 ? c.inMode : 0,
          o.idxPerRun ? 1 : 0,
          0,
          l === 0 ? 1 : 0,
          fin ? 1 : 0,
          0,
          0,
        ]),
        `pe${l}`,
      );
      const bg = c.bind(pe, [
        u,
        c.D[Math.min(l, L - 1)],
        l === 0 || fin ? c.dummy : c.A[l - 1],
        o.data.xTrain,
        o.idx,
        clip.clipNorm,
        scale,
      ]);
      ops.push((pass) => {
        pass.setPipeline(pe);
        pass.setBindGroup(0, bg);
        pass.dispatchWorkgroups(...dispatchSize(R * c.B, WG));
      });
    }
    for (let l = 0; l < L; l++) {
      const u = this.uniform(c.layerDense(l, 0), `bwdc${l}`);
      const scaled = await this.bwdPipe!(l, c.inMode, c.B, true);
      const bg = c.bind(scaled.pipe, [
        u,
        o.params,
        c.D[l],
        l === 0 ? c.dummy : c.A[l - 1],
        o.data.xTrain,
        o.idx,
        scale,
        clip.clipped,
        c.dummyW,
      ]);
      ops.push((pass) => {
        pass.setPipeline(scaled.pipe);
        pass.setBindGroup(0, bg);
        pass.dispatchWorkgroups(...dispatchSize(scaled.n, scaled.wg));
      });
    }
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
