/**
 * WebGPU convolutional model (model.kind "cnn" / "patch-cnn") for a population of R runs, with
 * MlpGpu's public surface: buffers, uniforms and bind groups built once from `o.layout.cnn`, then
 * gather / forward / loss / backward encoded per step with no CPU work beyond recording dispatches.
 *
 * The op list is grouped into stages (model/cnn_gpu_plan.ts: conv/dense + act fused). Training:
 * the minibatch rows are gathered once ([1][B][in] with shared indices, [R][B][in] per run; full
 * batch reads the data directly), each stage runs forward, the loss op (shaders/mlp_loss.wgsl) writes
 * the batch stats and d(mean loss)/d logits, and the stages run backward from the last to the first
 * one with parameters. Parameter gradients OVERWRITE `o.grads` (every parameter is written every
 * step), as MlpGpu's do. Every reduction has a fixed order: runs are bit-identical across repeats.
 *
 * Not supported: `o.clip` (per-example clipping) throws. `o.pairedReluMask` (curvature graphs):
 * every ReLU stage's mask is fixed to the midpoint's sign in both halves, as in MlpGpu; max pooling
 * keeps its own argmax per half (a window whose top two values are within O(h) of each other can
 * still add an O(1/h) term; rare). `o.activation` is ignored: each act op carries its own function.
 */
import type { Activation } from '../../schema/types';
import type { PipelineCache, Overrides } from '../webgpu/pipelines';
import { dispatchSize, storageBuffer, uniformBuffer } from '../webgpu/buffers';
import { bindGroupOf } from '../webgpu/kernel_io';
import { buildLossOp, type LossCentre } from './loss_gpu';
import { ACT_CODE, NS, STAT, type MlpGpuOptions } from './mlp_gpu';
import type { CnnOp } from './cnn_spec';
import { CNN_WG, cnnGpuBufferFloats, cnnStages, firstParamStage, pairedStage, type CnnStage } from './cnn_gpu_plan';
import {
  CNN_GATHER_IO,
  cnnBindGroup,
  cnnEntry,
  cnnGatherPipeline,
  cnnKernel,
  paramOffsets,
  type CnnBuffers,
  type CnnEntry,
  type Source,
} from './cnn_gpu_kernels';
import { reluPairMaskOp } from './mlp_gpu_kernels';

export { cnnKernel } from './cnn_gpu_kernels';
export {
  cnnGpuBufferFloats,
  cnnStages,
  cnnDispatchesPerStep,
  cnnTrainDispatches,
  cnnEvalDispatch,
} from './cnn_gpu_plan';

const WG = CNN_WG;

type Op = (pass: GPUComputePassEncoder, slot: number) => void;

/** An evaluation set: its rows, labels, size and the stats field of its loss sum. */
interface EvalTarget {
  x: GPUBuffer;
  y: GPUBuffer;
  n: number;
  field: number;
}

export class CnnGpu {
  private readonly bufs: GPUBuffer[] = [];
  private readonly named = new Map<string, GPUBuffer>();
  private trainOps: Op[] = [];
  private readonly evalOps = new Map<string, Op[]>();
  private readonly stages: CnnStage[];

  private constructor(
    readonly device: GPUDevice,
    private readonly pipelines: PipelineCache,
    readonly o: MlpGpuOptions,
  ) {
    const spec = o.layout.cnn;
    if (!spec) throw new Error('CnnGpu: layout.cnn is missing (expected the op list of a "cnn" or "patch-cnn" model)');
    if (o.clip) throw new Error('per-example clipping (dp-sgd, dicesgd) is available for MLP models only');
    this.stages = cnnStages(spec);
  }

  static async create(device: GPUDevice, pipelines: PipelineCache, o: MlpGpuOptions): Promise<CnnGpu> {
    const m = new CnnGpu(device, pipelines, o);
    try {
      await m.build();
    } catch (e) {
      m.destroy();
      throw e;
    }
    return m;
  }

  private buf(label: string): GPUBuffer {
    const b = this.named.get(label);
    if (!b) throw new Error(`CnnGpu: no buffer "${label}" in the plan`);
    return b;
  }

  private uniform(words: number[], label: string): GPUBuffer {
    const b = uniformBuffer(this.device, new Uint32Array(words), label);
    this.bufs.push(b);
    return b;
  }

  /** The Dims uniform of shaders/cnn_common.wgsl. */
  private dims(op: CnnOp, src: Source, label: string): GPUBuffer {
    const [wOff, bOff] = paramOffsets(op);
    return this.uniform([this.o.layout.paramCount, wOff, bOff, src.off, src.rs, 0, 0, 0], label);
  }

  private pipe(op: CnnOp, entry: string, b: number, extra: Overrides): Promise<CnnEntry> {
    const k = cnnKernel(op);
    return cnnEntry(this.device, this.pipelines, k, entry, { ...k.overrides, R: this.o.runs, B: b, ...extra });
  }

  /** One dispatch of entry point `e` with `buffers` by role over `n` invocations (or `n` workgroups when `groups`). */
  private op(e: CnnEntry, buffers: CnnBuffers, n: number, groups = false): Op {
    return this.dispatch(e.pipe, cnnBindGroup(this.device, e, buffers), n, groups);
  }

  private dispatch(pipe: GPUComputePipeline, bg: GPUBindGroup, n: number, groups = false): Op {
    const [x, y] = dispatchSize(n, groups ? 1 : WG);
    return (pass) => {
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(x, y);
    };
  }

  /** model.outputScale: the centring of a set whose offsets F(w0, x) hold `rows` rows per run. */
  private centre(offsets: GPUBuffer | undefined, rows: number): LossCentre | undefined {
    const c = this.o.outputCentre;
    if (!c) return undefined;
    if (!offsets) throw new Error('outputCentre: an evaluation set has no offsets F(w0, x)');
    return { alpha: c.alpha, offsets, offRows: rows, offRuns: c.offRuns };
  }

  /**
   * The loss op (shaders/mlp_loss.wgsl through the shared builder in loss_gpu.ts): batch stats of
   * `b` examples into `field`, and in training mode d(mean loss)/d logits into `delta`.
   */
  private async lossOp(
    b: number,
    inMode: 1 | 2,
    rowOffset: number,
    train: boolean,
    accumulate: boolean,
    field: number,
    logits: GPUBuffer,
    y: GPUBuffer,
    delta: GPUBuffer,
    centre?: LossCentre,
  ): Promise<Op> {
    const o = this.o;
    const l = await buildLossOp(this.device, this.pipelines, {
      centre,
      runs: o.runs,
      loss: o.loss,
      outDim: o.layout.cnn!.outDim,
      nClasses: o.data.nClasses,
      targetDim: o.data.targetDim,
      batch: b,
      inMode,
      idxPerRun: o.idxPerRun,
      rowOffset,
      train,
      accumulate,
      field,
      ns: NS,
      logits,
      y,
      idx: inMode === 1 ? o.idx : this.buf('dummy-read'),
      delta,
      stats: o.stats,
      dummy: this.buf('dummy-read'),
      steps: o.steps,
      label: 'cnn-loss',
    });
    this.bufs.push(l.uniform);
    return (pass, slot) => l.encode(pass, slot);
  }

  /** Curvature graphs: max pooling takes its argmax on the pair's midpoint (shaders/cnn_pool.wgsl PAIRED). */
  private pairedPool(st: CnnStage, train: boolean): { PAIRED?: number } {
    return train && this.o.pairedReluMask && st.op.op === 'maxpool' ? { PAIRED: 1 } : {};
  }

  /** Forward dispatch of stage `st` over `b` examples per run. */
  private async forwardOp(
    st: CnnStage,
    b: number,
    src: Source,
    out: GPUBuffer,
    post: GPUBuffer | null,
    train = false,
  ): Promise<Op> {
    const fused = st.act !== undefined;
    const pipe = await this.pipe(st.op, 'forward', b, {
      FUSE_ACT: fused ? 1 : 0,
      ACT: ACT_CODE[st.act ?? (st.op.op === 'act' ? st.op.fn : 'linear')],
      ...this.pairedPool(st, train),
    });
    const u = this.dims(st.op, src, `cnn-fwd-${st.opIndex}`);
    const e: CnnBuffers = { o: u, inp: src.buf, outZ: out };
    if (st.hasParams) {
      e.params = this.o.params;
      e.outA = post ?? this.buf('dummy-write');
    }
    return this.op(pipe, e, this.o.runs * b * st.outSize);
  }

  private async build(): Promise<void> {
    const { o, stages } = this;
    const spec = o.layout.cnn!;
    const R = o.runs;
    const B = o.batch;
    const inputDim = spec.inShape[0] * spec.inShape[1] * spec.inShape[2];
    for (const { label, floats } of cnnGpuBufferFloats({
      spec,
      runs: R,
      batch: B,
      fullBatch: o.fullBatch,
      idxPerRun: o.idxPerRun,
      evalChunk: o.evalChunk,
      pairedReluMask: o.pairedReluMask,
    })) {
      const b = storageBuffer(this.device, Math.max(1, floats), `cnn-${label}`);
      this.bufs.push(b);
      this.named.set(label, b);
    }
    const dummyW = this.buf('dummy-write');
    const S = stages.length;
    const first = firstParamStage(stages);
    const result = (s: number) => this.buf(stages[s].act ? `post${s}` : `out${s}`);
    const ops: Op[] = [];

    // ---- training graph ----
    let src0: Source;
    if (o.fullBatch) {
      src0 = { buf: o.data.xTrain, off: 0, rs: 0 };
    } else {
      const rg = o.idxPerRun ? R : 1;
      const gather = await cnnGatherPipeline(this.device, this.pipelines, { WG, RG: rg, B, IN: inputDim });
      const bg = bindGroupOf(this.device, 'cnn_gather', CNN_GATHER_IO[0], {
        X: o.data.xTrain,
        idx: o.idx,
        outX: this.buf('input'),
      });
      ops.push(this.dispatch(gather, bg, rg * B * inputDim));
      src0 = { buf: this.buf('input'), off: 0, rs: o.idxPerRun ? B * inputDim : 0 };
    }
    const srcOf = (s: number): Source => (s === 0 ? src0 : { buf: result(s - 1), off: 0, rs: B * stages[s].inSize });
    for (let s = 0; s < S; s++) {
      const st = stages[s];
      ops.push(await this.forwardOp(st, B, srcOf(s), this.buf(`out${s}`), st.act ? this.buf(`post${s}`) : null, true));
      if (pairedStage(st, o)) {
        // Curvature graph: both halves use the midpoint's ReLU mask (see shaders/relu_pair_mask.wgsl).
        const shape = { runs: R, batch: B, width: st.outSize, wg: CNN_WG, label: `cnn-pair${s}` };
        const bufs = { Z: this.buf(`out${s}`), A: this.buf(`post${s}`), zMid: this.buf(`zmid${s}`) };
        ops.push(await reluPairMaskOp(this.device, this.pipelines, shape, bufs, (b) => this.bufs.push(b)));
      }
    }
    ops.push(
      await this.lossOp(
        B,
        o.fullBatch ? 2 : 1,
        0,
        true,
        false,
        STAT.batchLoss,
        this.buf(`out${S - 1}`),
        o.data.yTrain,
        this.buf(`delta${S - 1}`),
        this.centre(o.outputCentre?.train, o.data.nTrain),
      ),
    );
    for (let s = S - 1; s >= first; s--) ops.push(...(await this.backwardOps(s, srcOf(s), s > first)));
    this.trainOps = ops;

    // ---- evaluation graphs: chunks of E examples, stage results ping-pong between evalA0/evalA1 ----
    const E = Math.max(1, o.evalChunk);
    const evA = [this.buf('evalA0'), this.buf('evalA1')];
    const evZ = this.buf('evalZ');
    const d = o.data;
    const targets = new Map<string, EvalTarget & { c?: LossCentre }>();
    const oc = o.outputCentre;
    const train = { c: this.centre(oc?.train, d.nTrain), field: STAT.trainLoss };
    targets.set('train', { x: d.xTrain, y: d.yTrain, n: o.evalTrain, ...train });
    const test = { c: this.centre(oc?.test, d.nTest), field: STAT.testLoss };
    targets.set('test', { x: d.xTest, y: d.yTest, n: d.nTest, ...test });
    for (const e of o.extraEvalSets ?? []) targets.set(e.key, { ...e, c: this.centre(e.offsets, e.n) });
    for (const [key, t] of targets) {
      const eops: Op[] = [];
      for (let c = 0; c * E < t.n; c++) {
        const bc = Math.min(E, t.n - c * E);
        for (let s = 0; s < S; s++) {
          const st = stages[s];
          const src: Source =
            s === 0
              ? { buf: t.x, off: c * E * inputDim, rs: 0 }
              : { buf: evA[(s - 1) % 2], off: 0, rs: bc * st.inSize };
          eops.push(await this.forwardOp(st, bc, src, st.act ? evZ : evA[s % 2], st.act ? evA[s % 2] : null));
        }
        eops.push(await this.lossOp(bc, 2, c * E, false, c > 0, t.field, evA[(S - 1) % 2], t.y, dummyW, t.c));
      }
      this.evalOps.set(key, eops);
    }
  }

  /**
   * Backward dispatches of stage s: its parameter gradient (into o.grads) and, when `data`, the
   * gradient w.r.t. its input into delta<s-1> (times act'(out<s-1>) when stage s-1 fused an act).
   */
  private async backwardOps(s: number, src: Source, data: boolean): Promise<Op[]> {
    const { o, stages } = this;
    const st = stages[s];
    const R = o.runs;
    const B = o.batch;
    const prev = data ? stages[s - 1] : undefined;
    const prevAct = prev?.act;
    const ov = { PREV_ACT: prevAct ? 1 : 0, ACT: ACT_CODE[prevAct ?? 'linear'] };
    const u = this.dims(st.op, src, `cnn-bwd-${st.opIndex}`);
    const dOut = this.buf(`delta${s}`);
    const dIn = data ? this.buf(`delta${s - 1}`) : this.buf('dummy-write');
    // act'(z) of the previous stage: its pre-activations, or the paired midpoints in a curvature graph.
    const zPrev = prevAct
      ? this.buf(prev && pairedStage(prev, o) ? `zmid${s - 1}` : `out${s - 1}`)
      : this.buf('dummy-read');
    const nData = R * B * st.inSize;
    const ops: Op[] = [];
    switch (st.op.op) {
      case 'conv2d': {
        if (data) {
          const p = await this.pipe(st.op, 'backward_data', B, ov);
          ops.push(this.op(p, { o: u, params: o.params, dOut, zPrev, dIn }, nData));
        }
        const p = await this.pipe(st.op, 'backward_weights', B, {});
        const [CO, CI] = [st.op.outShape[0], st.op.inShape[0]];
        const groups = R * CO * (CI * st.op.kh * st.op.kw + 1);
        ops.push(this.op(p, { o: u, inp: src.buf, dOut, grads: o.grads }, groups, true));
        break;
      }
      case 'dense': {
        const p = await this.pipe(st.op, 'backward', B, { ...ov, NEED_DATA: data ? 1 : 0 });
        const n = R * st.op.outDim * (st.op.inDim + 1) + (data ? nData : 0);
        ops.push(this.op(p, { o: u, params: o.params, inp: src.buf, dOut, zPrev, dIn, grads: o.grads }, n));
        break;
      }
      case 'maxpool':
      case 'avgpool':
      case 'patch-head':
      case 'act': {
        if (!data) break;
        if (st.op.op === 'act' && prevAct) throw new Error('CnnGpu: an act op cannot follow a fused act');
        const actOv =
          st.op.op === 'act' ? { ACT: ACT_CODE[st.op.fn as Activation] } : { ...ov, ...this.pairedPool(st, true) };
        const p = await this.pipe(st.op, 'backward_data', B, actOv);
        // The patch head's backward reads no uniform and no input; act's no zPrev (CNN_*_IO).
        const e: CnnBuffers = { dOut, dIn };
        if (st.op.op !== 'patch-head') Object.assign(e, { o: u, inp: src.buf });
        if (st.op.op !== 'act') e.zPrev = zPrev;
        ops.push(this.op(p, e, nData));
        break;
      }
    }
    return ops;
  }

  /** Gather, forward, loss (batch stats into the step's slot) and backward into `grads`. */
  encodeTrainStep(pass: GPUComputePassEncoder, slot: number): void {
    for (const op of this.trainOps) op(pass, slot);
  }

  /** Loss sum and correct count of 'train', 'test' or an extra set's key into the slot's stats record. */
  encodeEval(pass: GPUComputePassEncoder, which: string, slot: number): void {
    const ops = this.evalOps.get(which);
    if (!ops)
      throw new Error(
        `CnnGpu.encodeEval: unknown evaluation set "${which}" (expected one of ${[...this.evalOps.keys()].join(', ')})`,
      );
    for (const op of ops) op(pass, slot);
  }

  get dispatchesPerStep(): number {
    return this.trainOps.length;
  }

  destroy(): void {
    for (const b of this.bufs) b.destroy();
    this.bufs.length = 0;
    this.named.clear();
  }
}
