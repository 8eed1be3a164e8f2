/**
 * The WebGPU Trainer: every run of an experiment, grouped by optimizer kind into populations that
 * advance in the same command buffers. Many steps are encoded per submit; metric records are
 * copied to staging buffers and mapped asynchronously, awaited only when advance() returns. The
 * setup (limits, allocation, populations) is in trainer_setup.ts; which probes are due, the
 * staging and the metric rows in trainer_metrics.ts.
 */
import type { Experiment } from '../../schema/types';
import type { LossSurface, MetricRow, SliceOptions, SlicePoint, SurfaceOptions, Trainer } from '../trainer';
import { lossSliceOf, PathTracks, surfaceOf, type LandscapeContext } from './trainer_surface';
import type { Dataset } from '../data/types';
import type { GpuHandle } from './device';
import type { PipelineCache } from './pipelines';
import { BufferPool, readF32 } from './buffers';
import { getOptimizer } from '../optim/registry';
import { scheduleFactor } from '../optim/schedules';
import type { ParamLayout } from '../model/layout';
import { STAT, type GpuData } from '../model/mlp_gpu';
import type { Population } from './population';
import { isLogStep } from '../hyper';
import { zeroLossRows } from '../metrics/names';
import type { CurvatureRequest } from '../metrics/curvature_gpu';
import { DivergeGuard } from './diverge_guard';
import { checkCheckpoint, type Checkpoint } from '../checkpoint';
import { restorePopulation, takeGpuCheckpoint, type PopulationState } from './checkpoint';
import type { EvalSetSpec } from '../metrics/eval_sets';
import { DeviceLimitError, GpuSetupError } from './errors';
import { setupGpuTrainer } from './trainer_setup';
import {
  collectRows,
  curvRequest,
  prepareCurvature,
  stageRecords,
  type LogEntry,
  type Pending,
  type RowContext,
} from './trainer_metrics';

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
  /** trackPath's recorders. */
  private readonly tracks = new PathTracks();

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
    const s = await setupGpuTrainer(exp, opts);
    return new GpuTrainer(exp, s.gpu, s.pops, s.layout, s.dataset, !opts.gpu, s.bufs, s.pipelines, s.data, s.evalSets);
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
    await this.tracks.settled();
    if (!this.zeroLogged) {
      this.zeroLogged = true;
      this.submitStepZero(pending);
    }
    let remaining = Math.max(0, Math.min(n, exp.steps - this.step));
    while (remaining > 0) {
      const count = Math.min(remaining, this.pops[0].slots.capacity);
      this.submitChunk(count, pending);
      this.step += count;
      remaining -= count;
    }
    const guards = DivergeGuard.read(
      device,
      this.pops.map((p) => p.guard),
      this.staging,
    );
    const rows: MetricRow[] = [];
    const ctx = this.rowContext();
    for (const p of pending) rows.push(...(await collectRows(ctx, p)));
    rows.sort((a, b) => a.step - b.step || a.run - b.run);
    this.noteDiverged(await guards);
    return this.filterDiverged(rows);
  }

  /** Submit the evaluation (and curvature probes) of step 0, staging its records into `pending`. */
  private submitStepZero(pending: Pending[]): void {
    const device = this.gpu.device;
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    let pass0 = pass;
    const curv0 = curvRequest(this.experiment, 0);
    for (const pop of this.pops) {
      const lr0 = pop.spec.runIds.map((i) => this.lr(i, 1));
      pop.prepareChunk(-1, 1, [lr0]);
      if (curv0) prepareCurvature(pop, 0, 0);
      pop.encodeEval(pass0, 0);
      if (curv0 && pop.curvature) pass0 = pop.curvature.encode(enc, pass0, 0, curv0);
    }
    pass0.end();
    for (const pop of this.pops)
      pending.push(stageRecords(enc, this.staging, pop, [0], [{ step: 0, lr: [], curv: curv0 }]));
    device.queue.submit([enc.finish()]);
  }

  /**
   * Submit `count` steps after this.step of every population in one command buffer, staging the
   * records of its logged steps into `pending`.
   */
  private submitChunk(count: number, pending: Pending[]): void {
    const exp = this.experiment;
    const device = this.gpu.device;
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
          const curv = curvRequest(exp, s);
          if (pi === 0) logSlots.push(k);
          if (curv) {
            curvAt.set(k, curv);
            prepareCurvature(pop, k, s);
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
      for (const pop of this.pops) {
        pass = pop.encodeStep(enc, pass, k, log, nextLog, curvAt.get(k));
        this.tracks.encode(pop, pass, k);
      }
    }
    pass.end();
    if (logSlots.length > 0)
      this.pops.forEach((pop, pi) => pending.push(stageRecords(enc, this.staging, pop, logSlots, logs[pi])));
    device.queue.submit([enc.finish()]);
  }

  /** What collectRows reads from this trainer. */
  private rowContext(): RowContext {
    return {
      experiment: this.experiment,
      dataset: this.dataset,
      layout: this.layout,
      evalSets: this.evalSets,
      staging: this.staging,
      lr: (i, t) => this.lr(i, t),
    };
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
      pops: this.pops.map((p) => ({ state: withWarm(p), runIds: p.spec.runIds })),
      diverged: this.diverged,
      stopped: this.stopped,
    });
  }

  /** Continue from `ck` (either backend's): step, parameters, optimizer state and flags. */
  private resumeFrom(ck: Checkpoint): void {
    checkCheckpoint(ck, this.experiment, this.layout.paramCount);
    for (const pop of this.pops) restorePopulation(this.gpu.device, withWarm(pop), ck, pop.spec.runIds);
    ck.runs.forEach((c, i) => {
      this.diverged[i] = c.divergedAt;
      this.stopped[i] = c.frozenAt ?? null;
    });
    this.step = ck.step;
    this.zeroLogged = true;
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
    return lossSliceOf(this.landscape(), run, o);
  }

  /** Record every step's parameters of these runs (Trainer.trackPath; trainer_surface.ts). */
  trackPath(runs: readonly number[], length: number): void {
    this.tracks.track(this.landscape(), runs, length);
  }

  async surface2d(run: number, o: SurfaceOptions): Promise<LossSurface> {
    return surfaceOf(this.landscape(), this.tracks, run, o);
  }

  private landscape(): LandscapeContext {
    const { experiment, dataset, layout, data, pops, pipelines } = this;
    return { device: this.gpu.device, pipelines, experiment, dataset, layout, data, pops, step: () => this.step };
  }

  /** Dispatches per training step over all populations (for the benchmark). */
  get dispatchesPerStep(): number {
    return this.pops.reduce((a, p) => a + p.dispatchesPerStep, 0);
  }

  dispose(): void {
    this.tracks.clear();
    for (const p of this.pops) p.destroy();
    for (const b of this.dataBuffers) b.destroy();
    this.staging.destroyAll();
    if (this.ownsGpu) this.gpu.destroy();
  }
}

export { STAT };

/** A population's checkpointed buffers with its curvature probe's warm-start vectors. */
function withWarm(pop: Population): PopulationState {
  return { ...pop.stateBuffers(), warm: pop.curvature?.warmBuffers() };
}
