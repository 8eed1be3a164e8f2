/**
 * The WebGPU Trainer: every run of an experiment, grouped by optimizer kind into populations that
 * advance in the same command buffers. Many steps are encoded per submit; metric records are
 * copied to staging buffers and mapped asynchronously, awaited only when advance() returns.
 */
import type { Experiment } from '../../schema/types';
import type { MetricRow, SliceOptions, SlicePoint, Trainer } from '../trainer';
import { lossSliceGpu } from '../metrics/slice_gpu';
import type { Dataset } from '../data/types';
import { acquireGpu, type GpuHandle } from './device';
import { PipelineCache } from './pipelines';
import { BufferPool, MAP_READ, COPY_DST, readF32, storageBuffer } from './buffers';
import { generateDataset } from '../data/index';
import { getOptimizer } from '../optim/registry';
import { scheduleFactor } from '../optim/schedules';
import { initParams } from '../model/init';
import { experimentLayout } from '../model/shape';
import type { ParamLayout } from '../model/layout';
import { NS, STAT, type GpuData } from '../model/mlp_gpu';
import { Population } from './population';
import { alignmentDirections } from '../model/directions';
import { isLogStep, resolveHyper, runSeed } from '../hyper';
import { statsToRows } from '../metrics/rows';
import { zeroLossRows } from '../metrics/names';
import { checkDeviceLimits } from './memory_plan';
import { CURV_KINDS, SC, type CurvatureRequest } from '../metrics/curvature_gpu';
import { curvatureRows } from '../metrics/curvature_rows';
import { DivergeGuard } from './diverge_guard';
import { checkCheckpoint, type Checkpoint } from '../checkpoint';
import { restorePopulation, takeGpuCheckpoint } from './checkpoint';
import { buildEvalSets, type EvalSetSpec } from '../metrics/eval_sets';
import { checkOutputScale, outputScaleOf, stackedInitOutputs } from '../cpu/output_scale';
import { DeviceLimitError, GpuSetupError } from './errors';

export { GpuSetupError, DeviceLimitError };

export interface GpuTrainerOptions {
  /** Reuse a device (tests, the worker); otherwise one is acquired and destroyed with the trainer. */
  gpu?: GpuHandle;
  pipelines?: PipelineCache;
  /** Max steps per submit (default 64). */
  stepsPerSubmit?: number;
  dataset?: Dataset;
  /** Continue from this checkpoint (either backend's) instead of step 0. */
  resume?: Checkpoint;
}

interface LogEntry {
  step: number;
  lr: number[];
  curv?: CurvatureRequest;
}

interface Pending {
  pop: Population;
  staging: GPUBuffer;
  /** The logged records, in staging order. */
  logs: LogEntry[];
  /** Curvature scalar records of the same logs (only those with curv), in order. */
  curvStaging?: GPUBuffer;
}

export class GpuTrainer implements Trainer {
  readonly backend = 'webgpu' as const;
  readonly adapterDescription: string;
  /** Resolves with the reason when this trainer's device is lost (the worker then resumes elsewhere). */
  readonly lost: Promise<string>;
  step = 0;
  private zeroLogged = false;
  private readonly diverged: (number | null)[];
  /** stopAtZeroLoss: the step whose logged train_loss was exactly 0, per run. */
  private readonly stopped: (number | null)[];
  private readonly ownsGpu: boolean;
  /** Staging buffers for metric readback, reused across submits instead of created per chunk. */
  private readonly staging: BufferPool;
  private readonly dataBuffers: GPUBuffer[] = [];

  private constructor(
    readonly experiment: Experiment,
    private readonly gpu: GpuHandle,
    private readonly pops: Population[],
    private readonly layout: ParamLayout,
    private readonly dataset: Dataset,
    ownsGpu: boolean,
    dataBuffers: GPUBuffer[],
    private readonly pipelines: PipelineCache,
    private readonly data: GpuData,
    /** Extra evaluation sets (metrics/eval_sets.ts); their stats fields are STAT.extra + 2k. */
    private readonly evalSets: EvalSetSpec[] = [],
  ) {
    this.adapterDescription = gpu.adapterDescription;
    this.lost = gpu.lost.then((info) => info.message || info.reason || 'unknown reason');
    this.diverged = experiment.runs.map(() => null);
    this.stopped = experiment.runs.map(() => null);
    this.ownsGpu = ownsGpu;
    this.staging = new BufferPool(gpu.device);
    this.dataBuffers = dataBuffers;
  }

  static async create(exp: Experiment, opts: GpuTrainerOptions = {}): Promise<GpuTrainer> {
    if (opts.resume) {
      const trainer = await GpuTrainer.create(exp, { ...opts, resume: undefined });
      try {
        trainer.resumeFrom(opts.resume);
      } catch (e) {
        trainer.dispose();
        throw e;
      }
      return trainer;
    }
    const gpu = opts.gpu ?? (await acquireGpu());
    const device = gpu.device;
    const pipelines = opts.pipelines ?? new PipelineCache(device);
    const ds = opts.dataset ?? generateDataset(exp.data, exp.seed);
    const layout = experimentLayout(exp, ds);
    // Refuse, before any allocation, a config whose buffers this device cannot hold.
    const lim = device.limits;
    const problems = checkDeviceLimits(
      exp,
      { inputDim: ds.inputDim, outDim: layout.widths[layout.widths.length - 1], nTrain: ds.train.n, nTest: ds.test.n },
      {
        maxBufferSize: lim.maxBufferSize,
        maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
        maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
      },
      undefined,
      { stepsPerSubmit: opts.stepsPerSubmit ?? 64 },
    );
    if (problems.length > 0) {
      if (!opts.gpu) gpu.destroy();
      throw new DeviceLimitError(problems);
    }
    // Allocation and setup inside error scopes, so a failure becomes a specific message rather
    // than an uncaptured error and a trainer that silently computes nothing.
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const popScopes = async (): Promise<void> => {
      const validation = await device.popErrorScope();
      const oom = await device.popErrorScope();
      if (oom)
        throw new GpuSetupError(
          `The GPU ran out of memory while allocating this experiment's buffers: reduce the number of runs, the batch size, the hidden widths or the dataset size (${oom.message})`,
        );
      if (validation)
        throw new GpuSetupError(
          `WebGPU rejected the setup of this experiment (a bug or a device limit): ${validation.message}`,
        );
    };
    let pops: Population[] = [];
    let bufs: GPUBuffer[] = [];
    let evalSets: EvalSetSpec[] = [];
    try {
      ({ pops, bufs, evalSets } = await GpuTrainer.allocate(exp, device, pipelines, ds, layout, opts));
    } catch (e) {
      await popScopes().catch(() => undefined);
      if (!opts.gpu) gpu.destroy();
      throw e;
    }
    try {
      await popScopes();
    } catch (e) {
      for (const p of pops) p.destroy();
      for (const b of bufs) b.destroy();
      if (!opts.gpu) gpu.destroy();
      throw e;
    }
    return new GpuTrainer(
      exp,
      gpu,
      pops,
      layout,
      ds,
      !opts.gpu,
      bufs,
      pipelines,
      GpuTrainer.gpuData(bufs, ds),
      evalSets,
    );
  }

  private static gpuData(bufs: GPUBuffer[], ds: Dataset): GpuData {
    return {
      xTrain: bufs[0],
      yTrain: bufs[1],
      xTest: bufs[2],
      yTest: bufs[3],
      nTrain: ds.train.n,
      nTest: ds.test.n,
      nClasses: ds.nClasses,
      targetDim: ds.targetDim,
    };
  }

  private static async allocate(
    exp: Experiment,
    device: GPUDevice,
    pipelines: PipelineCache,
    ds: Dataset,
    layout: ParamLayout,
    opts: GpuTrainerOptions,
  ): Promise<{ pops: Population[]; bufs: GPUBuffer[]; evalSets: EvalSetSpec[] }> {
    checkOutputScale(
      exp,
      exp.runs.map((r) => getOptimizer(r.optimizer.name) ?? { name: r.optimizer.name }),
    );
    const evalSets = buildEvalSets(exp, ds);
    const bufs = [
      storageBuffer(device, ds.train.x, 'x-train'),
      storageBuffer(device, ds.train.y, 'y-train'),
      storageBuffer(device, ds.test.n > 0 ? ds.test.x : new Float32Array(1), 'x-test'),
      storageBuffer(device, ds.test.n > 0 ? ds.test.y : new Float32Array(1), 'y-test'),
    ];
    const data = GpuTrainer.gpuData(bufs, ds);
    // Extra evaluation sets: uploaded once, shared by every population.
    const sets = evalSets.map((spec) => {
      const x = storageBuffer(device, spec.x, `x-${spec.key}`);
      const y = storageBuffer(device, spec.y, `y-${spec.key}`);
      bufs.push(x, y);
      return { spec, x, y };
    });
    const alpha = outputScaleOf(exp);
    // model.outputScale: F(w0, x) of every run on every set, from the float64 CPU forward pass.
    const offsets = (init: Float32Array[], x: Float32Array, n: number) =>
      stackedInitOutputs(init, layout, exp.model.activation, x, n);
    const capacity = Math.max(1, Math.min(opts.stepsPerSubmit ?? 64, exp.steps));
    // Group runs by optimizer kind, keeping the experiment's order within each group.
    const groups = new Map<string, number[]>();
    exp.runs.forEach((run, i) => {
      const list = groups.get(run.optimizer.name) ?? [];
      list.push(i);
      groups.set(run.optimizer.name, list);
    });
    const pops: Population[] = [];
    for (const [name, runIds] of groups) {
      const def = getOptimizer(name);
      if (!def) throw new Error(`unknown optimizer "${name}"`);
      const seeds = runIds.map((i) => runSeed(exp.seed, i, exp.varySeedPerRun));
      const init = seeds.map((s) => initParams(layout, exp.model, s));
      pops.push(
        await Population.create(device, pipelines, {
          exp,
          layout,
          def,
          runIds,
          hps: runIds.map((i) => resolveHyper(def, exp.runs[i].optimizer)),
          seeds,
          init,
          data,
          capacity,
          directions: alignmentDirections(layout, ds.meta),
          evalSets: sets,
          centre:
            alpha === undefined
              ? undefined
              : {
                  alpha,
                  train: offsets(init, ds.train.x, ds.train.n),
                  test: offsets(init, ds.test.x, ds.test.n),
                  extra: evalSets.map((e) => offsets(init, e.x, e.n)),
                },
        }),
      );
    }
    return { pops, bufs, evalSets };
  }

  divergedAt(): (number | null)[] {
    return this.diverged.slice();
  }

  /**
   * Per run: the logged step whose train_loss was exactly 0 (stopAtZeroLoss), else null. The device
   * froze the run's parameters at that step (diverge_guard.ts, frozenAt); the host learns of it when the rows
   * of that submit come back and logs nothing for the run after it.
   */
  stoppedAt(): (number | null)[] {
    return this.stopped.slice();
  }

  /** Scheduled lr of step t (1-based) for global run i. */
  private lr(i: number, t: number): number {
    const run = this.experiment.runs[i];
    const peak =
      typeof run.optimizer.lr === 'number'
        ? run.optimizer.lr
        : Number(getOptimizer(run.optimizer.name)?.hyperparams.find((h) => h.key === 'lr')?.default ?? 0);
    return peak * scheduleFactor(run.schedule, t - 1, this.experiment.steps);
  }

  async advance(n: number): Promise<MetricRow[]> {
    const exp = this.experiment;
    const device = this.gpu.device;
    const pending: Pending[] = [];
    if (!this.zeroLogged) {
      this.zeroLogged = true;
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      let pass0 = pass;
      const curv0 = this.curvRequest(0);
      for (const pop of this.pops) {
        const lr0 = pop.spec.runIds.map((i) => this.lr(i, 1));
        pop.prepareChunk(-1, 1, [lr0]);
        if (curv0) this.prepareCurvature(pop, 0, 0);
        pop.encodeEval(pass0, 0);
        if (curv0 && pop.curvature) pass0 = pop.curvature.encode(enc, pass0, 0, curv0);
      }
      pass0.end();
      for (const pop of this.pops) pending.push(this.stage(enc, pop, [0], [{ step: 0, lr: [], curv: curv0 }]));
      device.queue.submit([enc.finish()]);
    }
    let remaining = Math.max(0, Math.min(n, exp.steps - this.step));
    while (remaining > 0) {
      const count = Math.min(remaining, this.pops[0].slots.capacity);
      const t0 = this.step;
      const enc = device.createCommandEncoder();
      const logSlots: number[] = [];
      const logs: LogEntry[][] = this.pops.map(() => []);
      const curvAt = new Map<number, CurvatureRequest>();
      this.pops.forEach((pop, pi) => {
        const lrs: number[][] = [];
        for (let k = 0; k < count; k++) lrs.push(pop.spec.runIds.map((i) => this.lr(i, t0 + k + 1)));
        pop.prepareChunk(t0, count, lrs);
        for (let k = 0; k < count; k++) {
          const s = t0 + k + 1;
          if (isLogStep(s, exp.metrics.every, exp.steps)) {
            const curv = this.curvRequest(s);
            if (pi === 0) logSlots.push(k);
            if (curv) {
              curvAt.set(k, curv);
              this.prepareCurvature(pop, k, s);
            }
            logs[pi].push({ step: s, lr: lrs[k], curv });
          }
        }
      });
      let pass = enc.beginComputePass();
      for (let k = 0; k < count; k++) {
        const log = logSlots.includes(k);
        const s = t0 + k + 1;
        const nextLog = s + 1 <= exp.steps && isLogStep(s + 1, exp.metrics.every, exp.steps);
        for (const pop of this.pops) pass = pop.encodeStep(enc, pass, k, log, nextLog, curvAt.get(k));
      }
      pass.end();
      if (logSlots.length > 0) this.pops.forEach((pop, pi) => pending.push(this.stage(enc, pop, logSlots, logs[pi])));
      device.queue.submit([enc.finish()]);
      this.step += count;
      remaining -= count;
    }
    const guards = DivergeGuard.read(
      device,
      this.pops.map((p) => p.guard),
      this.staging,
    );
    const rows: MetricRow[] = [];
    for (const p of pending) rows.push(...(await this.collect(p)));
    rows.sort((a, b) => a.step - b.step || a.run - b.run);
    this.noteDiverged(await guards);
    return this.filterDiverged(rows);
  }

  /** The exact divergence steps the device guards recorded (diverge_guard.ts). */
  private noteDiverged(status: { divergedAt: (number | null)[] }[]): void {
    status.forEach((s, pi) =>
      this.pops[pi].spec.runIds.forEach((run, r) => {
        const d = s.divergedAt[r];
        const known = this.diverged[run];
        if (d !== null && (known === null || d < known)) this.diverged[run] = d;
      }),
    );
  }

  /**
   * Every run's parameters, optimizer state and flags after the current step (checkpoint.ts). The
   * copies are enqueued now; the promise resolves when they are mapped, while training goes on.
   */
  async checkpoint(): Promise<Checkpoint> {
    return takeGpuCheckpoint({
      device: this.gpu.device,
      exp: this.experiment,
      step: this.step,
      paramCount: this.layout.paramCount,
      pops: this.pops.map((p) => ({ state: p.stateBuffers(), runIds: p.spec.runIds })),
      diverged: this.diverged,
      stopped: this.stopped,
    });
  }

  /** Continue from `ck` (either backend's): step, parameters, optimizer state and flags. */
  private resumeFrom(ck: Checkpoint): void {
    checkCheckpoint(ck, this.experiment, this.layout.paramCount);
    for (const pop of this.pops) restorePopulation(this.gpu.device, pop.stateBuffers(), ck, pop.spec.runIds);
    ck.runs.forEach((c, i) => {
      this.diverged[i] = c.divergedAt;
      this.stopped[i] = c.frozenAt ?? null;
    });
    this.step = ck.step;
    this.zeroLogged = true;
  }

  /** Which curvature measurements are due at logged step s. */
  private curvRequest(s: number): CurvatureRequest | undefined {
    const m = this.experiment.metrics;
    const req: CurvatureRequest = {};
    if (m.sharpness && m.sharpness.every > 0 && s % m.sharpness.every === 0) {
      req.sharpness = { iters: m.sharpness.iters };
      req.precond = { iters: m.sharpness.iters };
      if (s > 0) req.directional = true;
    }
    if (m.trace && m.trace.every > 0 && s % m.trace.every === 0) req.trace = { samples: m.trace.samples };
    return req.sharpness || req.trace ? req : undefined;
  }

  private prepareCurvature(pop: Population, slot: number, s: number): void {
    if (!pop.curvature) return;
    const { def, hps, seeds } = pop.spec;
    const tol = this.experiment.metrics.sharpness?.tol ?? 1e-3;
    pop.curvature.writeParams(
      slot,
      hps.map((hp, r) => {
        const pre = def.preconditioner?.(hp, Math.max(1, s));
        return { tol, scale: pre?.scale ?? 1, vScale: pre?.vScale ?? 1, eps: pre?.eps ?? 1, seed: seeds[r] };
      }),
    );
  }

  private stage(enc: GPUCommandEncoder, pop: Population, slots: number[], logs: LogEntry[]): Pending {
    const rec = pop.R * NS * 4;
    const staging = this.staging.acquire(slots.length * rec, MAP_READ | COPY_DST);
    slots.forEach((slot, j) => enc.copyBufferToBuffer(pop.stats, slot * rec, staging, j * rec, rec));
    const curvSlots = slots.filter((_, j) => logs[j].curv);
    let curvStaging: GPUBuffer | undefined;
    if (pop.curvature && curvSlots.length > 0) {
      const crec = CURV_KINDS.length * pop.R * SC * 4;
      curvStaging = this.staging.acquire(curvSlots.length * crec, MAP_READ | COPY_DST);
      curvSlots.forEach((slot, j) =>
        enc.copyBufferToBuffer(pop.curvature!.records, slot * crec, curvStaging!, j * crec, crec),
      );
    }
    return { pop, staging, logs, curvStaging };
  }

  private async collect(p: Pending): Promise<MetricRow[]> {
    await p.staging.mapAsync(MAP_READ);
    const data = new Float32Array(p.staging.getMappedRange().slice(0));
    p.staging.unmap();
    this.staging.release(p.staging);
    let curvData: Float32Array | undefined;
    if (p.curvStaging) {
      await p.curvStaging.mapAsync(MAP_READ);
      curvData = new Float32Array(p.curvStaging.getMappedRange().slice(0));
      p.curvStaging.unmap();
      this.staging.release(p.curvStaging);
    }
    let curvIndex = 0;
    const rows: MetricRow[] = [];
    const { pop } = p;
    const ds = this.dataset;
    const nTrain = ds.train.n;
    const evalTrain =
      this.experiment.metrics.evalSubset > 0 ? Math.min(this.experiment.metrics.evalSubset, nTrain) : nTrain;
    p.logs.forEach((log, j) => {
      pop.spec.runIds.forEach((run, r) => {
        const base = (j * pop.R + r) * NS;
        rows.push(
          ...statsToRows({
            run,
            step: log.step,
            stats: data.subarray(base, base + NS),
            lr: log.step > 0 ? log.lr[r] : undefined,
            batch: pop.batch,
            evalTrain,
            nTest: ds.test.n,
            classification: ds.nClasses > 0,
            featureNoise: this.experiment.data.kind === 'feature-noise',
            alignment: !!alignmentDirections(this.layout, ds.meta),
            w0Norm: pop.w0Norms[r],
            extra: this.evalSets.map((e, k) => ({
              metric: e.metric,
              report: e.report,
              n: e.n,
              field: STAT.extra + 2 * k,
            })),
          }),
        );
      });
      if (log.curv && curvData) {
        const block = curvData.subarray(
          curvIndex * CURV_KINDS.length * pop.R * SC,
          (curvIndex + 1) * CURV_KINDS.length * pop.R * SC,
        );
        curvIndex++;
        pop.spec.runIds.forEach((run, r) => {
          const rec = (k: number) => block.subarray((k * pop.R + r) * SC, (k * pop.R + r + 1) * SC);
          const hp = pop.spec.hps[r];
          const lr = log.step > 0 ? log.lr[r] : this.lr(run, 1);
          rows.push(
            ...curvatureRows({
              run,
              step: log.step,
              req: log.curv!,
              sharp: rec(0),
              precond: pop.spec.def.preconditioner && log.step > 0 ? rec(1) : undefined,
              trace: rec(2),
              directional: rec(3),
              sharpnessThreshold: pop.spec.def.sharpnessThreshold?.(hp, lr),
              precondThreshold: pop.spec.def.precondThreshold?.(hp, lr),
            }),
          );
        });
      }
    });
    return rows;
  }

  private filterDiverged(rows: MetricRow[]): MetricRow[] {
    const out: MetricRow[] = [];
    for (const row of rows) {
      const d = this.diverged[row.run];
      if (d !== null && row.step > d) continue;
      const stop = this.stopped[row.run];
      if (stop !== null && row.step > stop) continue;
      if (d === null && (row.metric === 'batch_loss' || row.metric === 'train_loss') && !Number.isFinite(row.value)) {
        this.diverged[row.run] = row.step;
      }
      out.push(row);
      if (this.zeroLossStop(row))
        out.push(...zeroLossRows(row.run, row.step, this.experiment.runs[row.run].optimizer.lr));
    }
    return out;
  }

  /** stopAtZeroLoss: whether this row stops its run (its first logged train_loss of exactly 0). */
  private zeroLossStop(row: MetricRow): boolean {
    if (!this.experiment.stopAtZeroLoss || row.metric !== 'train_loss' || row.value !== 0) return false;
    if (this.stopped[row.run] !== null || this.diverged[row.run] !== null) return false;
    this.stopped[row.run] = row.step;
    return true;
  }

  async getParams(run: number): Promise<Float32Array> {
    for (const pop of this.pops) {
      const r = pop.spec.runIds.indexOf(run);
      if (r < 0) continue;
      return readF32(this.gpu.device, pop.params, this.layout.paramCount, r * this.layout.paramCount);
    }
    throw new Error(`no run ${run}`);
  }

  async lossSlice(run: number, o: SliceOptions): Promise<SlicePoint[]> {
    const pop = this.pops.find((p) => p.spec.runIds.includes(run));
    if (!pop) throw new Error(`no run ${run}`);
    const r = pop.spec.runIds.indexOf(run);
    const theta = await this.getParams(run);
    let direction: Float32Array;
    if (o.direction === 'eigen') {
      if (!pop.curvature) throw new Error('slice along the top eigenvector: enable metrics.sharpness first');
      direction = await pop.curvature.eigenvector(r);
    } else {
      const prev = await readF32(this.gpu.device, pop.prevParams, this.layout.paramCount, r * this.layout.paramCount);
      direction = theta.map((v, i) => v - prev[i]);
    }
    const m = this.experiment.metrics;
    const subset = Math.min(this.dataset.train.n, m.sharpness?.subset ?? m.trace?.subset ?? 1024);
    // model.outputScale: the slice is of the training loss, centred with this run's F(w0, x).
    const c = pop.spec.centre;
    const rows = this.dataset.train.n * this.layout.widths[this.layout.widths.length - 1];
    const f0 = c ? storageBuffer(this.gpu.device, c.train.slice(r * rows, (r + 1) * rows), 'slice-f0') : undefined;
    try {
      return await lossSliceGpu(this.gpu.device, this.pipelines, {
        layout: this.layout,
        activation: this.experiment.model.activation,
        loss: this.experiment.loss,
        data: this.data,
        subset,
        theta,
        direction,
        points: o.points,
        radius: o.radius,
        outputCentre: c && f0 ? { alpha: c.alpha, train: f0, test: f0 } : undefined,
      });
    } finally {
      f0?.destroy();
    }
  }

  /** Dispatches per training step over all populations (for the benchmark). */
  get dispatchesPerStep(): number {
    return this.pops.reduce((a, p) => a + p.dispatchesPerStep, 0);
  }

  dispose(): void {
    for (const p of this.pops) p.destroy();
    for (const b of this.dataBuffers) b.destroy();
    this.staging.destroyAll();
    if (this.ownsGpu) this.gpu.destroy();
  }
}

export { STAT };
