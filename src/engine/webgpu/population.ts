/**
 * A population: R runs of one architecture and one optimizer kind, advanced in the same
 * dispatches. Every buffer is laid out [run][...]; per-run hyperparameters live in ctx.hyper.
 */
import type { Experiment } from '../../schema/types';
import type { ParamLayout } from '../model/layout';
import type { GpuOptimizer, Hyper, OptimizerDef } from '../optim/types';
import { STEP_SCALARS } from '../optim/types';
import type { PipelineCache } from './pipelines';
import { storageBuffer } from './buffers';
import { allocateTable, required, type TableBuffers } from './buffer_table';
import { evalChunk, POPULATION_BUFFERS, populationData, populationDims } from './population_buffers';
import { curvatureSubset } from '../metrics/curvature_rows_cpu';
import { StepSlots, packStepScalars } from './step_slots';
import { NS, STAT, type GpuData, type MlpGpuOptions } from '../model/mlp_gpu';
import { createModelGpu, type ModelGpu } from '../model/model_gpu';
import { GpuBatches } from '../data/gpu_batches';
import { CurvatureGpu, type CurvatureRequest } from '../metrics/curvature_gpu';
import { DivergeGuard } from './diverge_guard';
import { RunProbes } from './run_probes';
import { internalStateOf, type InternalState, type PopulationState } from './checkpoint';
import type { EvalSetSpec } from '../metrics/eval_sets';

export interface PopulationSpec {
  exp: Experiment;
  layout: ParamLayout;
  def: OptimizerDef;
  /** Global indices of the runs in this population. */
  runIds: number[];
  hps: Hyper[];
  seeds: number[];
  init: Float32Array[];
  data: GpuData;
  /** Max steps encoded per submit. */
  capacity: number;
  /** Feature directions in the first layer's input space for the alignment metrics (model/directions.ts). */
  directions?: { weak: Float32Array; strong: Float32Array };
  /** Extra evaluation sets (metrics/eval_sets.ts) with their uploaded inputs and targets. */
  evalSets?: { spec: EvalSetSpec; x: GPUBuffer; y: GPUBuffer }[];
  /** model.outputScale: alpha and this population's offsets F(w0, x) f32 [R][n][outDim] per set. */
  centre?: { alpha: number; train: Float32Array; test: Float32Array; extra: Float32Array[] };
}

export class Population {
  readonly R: number;
  readonly P: number;
  readonly batch: number;
  readonly fullBatch: boolean;
  readonly slots: StepSlots;
  readonly stats: GPUBuffer;
  readonly params: GPUBuffer;
  private readonly buffers: GPUBuffer[] = [];
  private mlp!: ModelGpu;
  private opt!: GpuOptimizer;
  private batcher?: GpuBatches;
  private probes!: RunProbes;
  private readonly prev: GPUBuffer;
  /** theta_{s-1} of the last logged step s. */
  get prevParams(): GPUBuffer {
    return this.prev;
  }
  private readonly prev2: GPUBuffer;
  /** theta_0 per run (relative_weight_change), and ||theta_0|| per run. */
  private readonly w0: GPUBuffer;
  readonly w0Norms: number[];
  private readonly grads: GPUBuffer;
  private state!: GPUBuffer;
  /** Divergence guard: per-run non-finite check and freeze after every step (diverge_guard.ts). */
  guard!: DivergeGuard;
  /** Optimizer state kept in the optimizer's own buffers (checkpoints). */
  private internal: InternalState[] = [];
  curvature?: CurvatureGpu;
  private readonly stepScalars: GPUBuffer;
  private readonly scalarsHost: Float32Array;
  /** The population's own buffers (population_buffers.ts), allocated together. */
  private readonly mem: TableBuffers<typeof POPULATION_BUFFERS>;
  private readonly hyperHost: Float32Array;

  private constructor(
    readonly device: GPUDevice,
    readonly spec: PopulationSpec,
  ) {
    const { exp, layout, runIds, def, hps } = spec;
    const dims = populationDims({
      exp,
      nTrain: spec.data.nTrain,
      R: runIds.length,
      P: layout.paramCount,
      capacity: spec.capacity,
      def,
    });
    this.R = dims.R;
    this.P = dims.P;
    this.fullBatch = dims.fullBatch;
    this.batch = dims.batch;
    this.hyperHost = new Float32Array(Math.max(1, this.R * def.hyperSize));
    hps.forEach((hp, r) => this.hyperHost.set(def.packHyper(hp), r * def.hyperSize));
    const clip = def.perExampleClip;
    const data = { init: spec.init, seeds: spec.seeds, hyper: this.hyperHost, clipNorms: clip && hps.map(clip) };
    const own = (b: GPUBuffer) => this.own(b);
    this.mem = allocateTable(device, POPULATION_BUFFERS, dims, populationData(dims, data), own);
    const b = this.mem;
    this.params = required(b, 'params');
    this.grads = required(b, 'grads');
    this.prev = required(b, 'prev-params');
    this.prev2 = required(b, 'prev2-params');
    this.w0 = required(b, 'w0');
    this.w0Norms = spec.init.map((p) => Math.sqrt(p.reduce((a, v) => a + v * v, 0)));
    this.stats = required(b, 'stats');
    this.stepScalars = required(b, 'step-scalars');
    this.scalarsHost = new Float32Array(spec.capacity * this.R * STEP_SCALARS);
    this.slots = new StepSlots(device, spec.capacity, this.R, this.P);
  }

  private own(b: GPUBuffer): GPUBuffer {
    this.buffers.push(b);
    return b;
  }

  static async create(device: GPUDevice, pipelines: PipelineCache, spec: PopulationSpec): Promise<Population> {
    const p = new Population(device, spec);
    await p.build(pipelines);
    return p;
  }

  /** Everything a population trains with, in allocation order (the memory plan follows it). */
  private async build(pipelines: PipelineCache): Promise<void> {
    const { seeds, idx, idxPerRun } = await this.buildBatches(pipelines);
    const { clipped, lazy } = await this.buildModel(pipelines, idx, idxPerRun);
    const state = await this.buildOptimizer(pipelines, seeds, clipped);
    this.probes = await RunProbes.create(this.device, pipelines, (b) => this.own(b), {
      runs: this.R,
      paramCount: this.P,
      params: this.params,
      grads: this.grads,
      prev: this.prev,
      prev2: this.prev2,
      w0: this.w0,
      stats: this.stats,
      slots: this.slots,
      firstLayer: this.spec.layout.layers[0],
      directions: this.spec.directions,
    });
    await this.buildCurvature(pipelines, state, lazy);
  }

  /** The runs' seeds and the minibatch index stream (one per run when seeds vary per run). */
  private async buildBatches(
    pipelines: PipelineCache,
  ): Promise<{ seeds: GPUBuffer; idx: GPUBuffer; idxPerRun: boolean }> {
    const { device, spec, R } = this;
    const idxPerRun = spec.exp.varySeedPerRun && this.R > 1;
    const idxRuns = idxPerRun ? R : 1;
    const seeds = required(this.mem, 'seeds');
    const idx = required(this.mem, 'batch-idx');
    if (!this.fullBatch) {
      this.batcher = await GpuBatches.create(device, pipelines, {
        seeds: idxPerRun ? seeds : required(this.mem, 'seed0'),
        runs: idxRuns,
        n: spec.data.nTrain,
        batch: this.batch,
        out: idx,
        stepInfo: this.slots.buffer,
        stepInfoStride: this.slots.stride,
      });
    }
    return { seeds, idx, idxPerRun };
  }

  /** The model's graphs (forward, backward, per-example clipping for DP, evaluation). */
  private async buildModel(
    pipelines: PipelineCache,
    idx: GPUBuffer,
    idxPerRun: boolean,
  ): Promise<{ clipped: GPUBuffer | undefined; lazy: Pick<MlpGpuOptions, 'extraEvalSets' | 'outputCentre'> }> {
    const { device, spec, R } = this;
    const { exp } = spec;
    const clipped = this.mem['clipped-grads'];
    const clipNorm = this.mem['clip-norms'];
    const nTrain = spec.data.nTrain;
    const evalTrain = exp.metrics.evalSubset > 0 ? Math.min(exp.metrics.evalSubset, nTrain) : nTrain;
    const lazy = this.lazyOptions();
    this.mlp = await createModelGpu(device, pipelines, {
      layout: spec.layout,
      activation: exp.model.activation,
      loss: exp.loss,
      runs: R,
      batch: this.batch,
      fullBatch: this.fullBatch,
      idx,
      idxPerRun,
      data: spec.data,
      params: this.params,
      grads: this.grads,
      stats: this.stats,
      steps: this.slots,
      evalTrain,
      evalChunk: evalChunk(nTrain, spec.data.nTest),
      ...lazy,
      clip: clipNorm && clipped ? { clipNorm, clipped } : undefined,
    });
    return { clipped, lazy };
  }

  /** The optimizer (its hyperparameters, state and kernels) and the divergence guard; returns the state. */
  private async buildOptimizer(
    pipelines: PipelineCache,
    seeds: GPUBuffer,
    clipped: GPUBuffer | undefined,
  ): Promise<GPUBuffer> {
    const { device, spec, R, P } = this;
    const { exp, def } = spec;
    const { hyperHost } = this;
    const hyper = required(this.mem, 'hyper');
    const state = required(this.mem, 'opt-state');
    this.state = state;
    this.guard = await DivergeGuard.create(device, pipelines, {
      runs: R,
      paramCount: P,
      params: this.params,
      stats: this.stats,
      ns: NS,
      batchField: STAT.batchLoss,
      trainField: STAT.trainLoss,
      stepInfo: this.slots.buffer,
      stopAtZeroLoss: !!exp.stopAtZeroLoss,
    });
    this.opt = await def.createGpu({
      device,
      pipelines,
      runs: R,
      paramCount: P,
      tensors: spec.layout.tensors,
      params: this.params,
      grads: this.grads,
      state,
      hyper,
      hyperHost,
      hps: spec.hps,
      stepScalars: this.stepScalars,
      stepInfo: this.slots.buffer,
      stepInfoStride: this.slots.stride,
      seeds,
      batchSize: this.batch,
      clippedGrads: clipped,
      guard: this.guard.frameGuard(),
    });
    this.guard.optimizerChecks = this.opt.guarded === true;
    this.internal = internalStateOf(this.opt);
    return state;
  }

  /** Sharpness and trace probes, when the experiment logs them. */
  private async buildCurvature(
    pipelines: PipelineCache,
    state: GPUBuffer,
    lazy: Pick<MlpGpuOptions, 'extraEvalSets' | 'outputCentre'>,
  ): Promise<void> {
    const { device, spec, R, P } = this;
    const { exp, def, hps } = spec;
    const m = exp.metrics;
    if (m.sharpness || m.trace) {
      const subset = curvatureSubset(m, spec.data.nTrain);
      const pre = def.preconditioner;
      this.curvature = await CurvatureGpu.create(device, pipelines, {
        layout: spec.layout,
        activation: exp.model.activation,
        loss: exp.loss,
        runs: R,
        data: spec.data,
        subset,
        steps: this.slots,
        params: this.params,
        prev: this.prev,
        grads: this.opt.gradsAtParams ?? this.grads, // SAM: g(theta), not the second gradient
        state: pre ? state : undefined,
        precondOffset: pre ? pre(hps[0], 1).slot * R * P : undefined,
        capacity: spec.capacity,
        sharpness: m.sharpness,
        outputCentre: lazy.outputCentre,
      });
    }
  }

  /** The MlpGpu options of the extra evaluation sets and of output centring (absent: none). */
  private lazyOptions(): Pick<MlpGpuOptions, 'extraEvalSets' | 'outputCentre'> {
    const { spec, device } = this;
    const c = spec.centre;
    const up = (a: Float32Array, label: string) => this.own(storageBuffer(device, a, label));
    return {
      extraEvalSets: spec.evalSets?.map((e, k) => ({
        key: e.spec.key,
        x: e.x,
        y: e.y,
        n: e.spec.n,
        field: STAT.extra + 2 * k,
        offsets: c ? up(c.extra[k], `f0-${e.spec.key}`) : undefined,
      })),
      outputCentre: c ? { alpha: c.alpha, train: up(c.train, 'f0-train'), test: up(c.test, 'f0-test') } : undefined,
    };
  }

  /**
   * Upload step records and per-step scalars for steps t0+1 .. t0+count. `lrs[k][r]` is the
   * scheduled lr of step t0+1+k for run r.
   */
  prepareChunk(t0: number, count: number, lrs: number[][]): void {
    this.slots.write(t0, count);
    packStepScalars(this.spec.def, this.spec.hps, t0, lrs.slice(0, count), this.scalarsHost);
    const bytes = Math.max(1, count) * this.R * STEP_SCALARS * 4;
    this.device.queue.writeBuffer(this.stepScalars, 0, this.scalarsHost.buffer, 0, bytes);
  }

  /** Encode one training step in slot `slot`; on logging steps also the metric reductions. */
  encodeStep(
    encoder: GPUCommandEncoder,
    pass: GPUComputePassEncoder,
    slot: number,
    log: boolean,
    nextLog: boolean,
    curv?: CurvatureRequest,
  ): GPUComputePassEncoder {
    const off = this.slots.offset(slot);
    this.batcher?.encode(pass, off);
    const opt = this.opt;
    opt.encodeGradientPoint?.(pass, off);
    this.mlp.encodeTrainStep(pass, slot);
    if (log) this.probes.encodeNorms(pass, 0, slot);
    if (opt.encodePerturb) {
      // SAM: a second gradient on the same minibatch at the perturbed point (optim/sam.ts).
      opt.encodePerturb(pass, off);
      this.mlp.encodeTrainStep(pass, slot);
    }
    opt.encodeRestore?.(pass, off);
    if (log || nextLog) {
      pass.end();
      // theta_{s-1} for step_distance at a logged step s; theta_{s-2} for period2_distance.
      if (log) encoder.copyBufferToBuffer(this.params, 0, this.prev, 0, this.params.size);
      if (nextLog) encoder.copyBufferToBuffer(this.params, 0, this.prev2, 0, this.params.size);
      pass = encoder.beginComputePass();
    }
    this.opt.encode(pass, this.slots.offset(slot));
    if (log) {
      this.encodeEval(pass, slot);
      if (curv && this.curvature) pass = this.curvature.encode(encoder, pass, slot, curv);
    }
    // After the metrics, so that a diverging step's rows show the blow-up; before the next step.
    this.guard.encodeCheck(pass, this.slots.offset(slot), log);
    this.guard.encodeHold(pass, this.slots.offset(slot));
    return pass;
  }

  /** Metrics of the current parameters (train/test loss and accuracy, norms) into `slot`. */
  encodeEval(pass: GPUComputePassEncoder, slot: number): void {
    this.probes.encodeNorms(pass, 1, slot);
    this.probes.encodeAlignment(pass, slot);
    this.mlp.encodeEval(pass, 'train', slot);
    if (this.spec.data.nTest > 0) this.mlp.encodeEval(pass, 'test', slot);
    for (const e of this.spec.evalSets ?? []) this.mlp.encodeEval(pass, e.spec.key, slot);
  }

  /** The buffers a checkpoint copies and a resume writes (checkpoint.ts in this folder). */
  stateBuffers(): PopulationState {
    const { R, P, guard, internal } = this;
    const slots = this.spec.def.stateSlots;
    return {
      runs: R,
      paramCount: P,
      params: this.params,
      state: this.state,
      stateSlots: slots,
      internal,
      guard,
      prev2: this.prev2,
    };
  }

  get dispatchesPerStep(): number {
    // + the optimizer's, + the divergence guard's (check and hold, or only a restore when the
    // optimizer's update does the check: diverge_guard.ts)
    return (
      this.mlp.dispatchesPerStep +
      (this.batcher ? 1 : 0) +
      (this.opt.dispatches ?? 1) +
      (this.opt.pointDispatches ?? 0) +
      (this.opt.encodePerturb ? this.mlp.dispatchesPerStep : 0) +
      (this.guard.optimizerChecks ? 1 : 2)
    );
  }

  destroy(): void {
    this.mlp.destroy();
    this.opt.destroy();
    this.batcher?.destroy();
    this.curvature?.destroy();
    this.guard.destroy();
    this.slots.destroy();
    for (const b of this.buffers) b.destroy();
  }
}
