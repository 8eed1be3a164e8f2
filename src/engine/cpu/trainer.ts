/**
 * The CPU Trainer: every run of an experiment in float64, one after another, with the step
 * semantics of ../trainer.ts and the metric definitions of ../metrics/names.ts. It is the
 * reference the WebGPU trainer is compared against, and a fallback backend without WebGPU.
 *
 * Step t (1-based) of run r: minibatch batchIndices(seed_r, t-1, n, B) (full batch: 0..n-1),
 * mean loss and gradient g_t at theta_{t-1} (plus (1/B) sum_i clip(g_i, C) for optimizers with
 * perExampleClip), lr_t = peak lr * scheduleFactor(schedule, t-1, steps), then the optimizer's
 * cpuStep. Parameters start as the float32 initParams values and are float64 afterwards.
 */
import type { Experiment } from '../../schema/types';
import type { Dataset } from '../data/types';
import { generateDataset } from '../data/index';
import { isLogStep } from '../hyper';
import type { ParamLayout } from '../model/layout';
import { experimentLayout } from '../model/shape';
import { getOptimizer } from '../optim/registry';
import type { LossSurface, MetricRow, SliceOptions, SlicePoint, SurfaceOptions, Trainer } from '../trainer';
import { checkTrackedRuns, PathRing, pathCapacity, surfaceCpu } from '../metrics/surface';
import { lossSlice } from '../metrics/curvature_cpu';
import { curvatureSubset, mlpCurvatureOracles } from '../metrics/curvature_rows_cpu';
import { checkLossTask } from './losses';
import { checkOutputScale } from './output_scale';
import { buildEvalSets, type EvalSetSpec } from '../metrics/eval_sets';
import { CHECKPOINT_VERSION, checkCheckpoint, experimentFingerprint, type Checkpoint } from '../checkpoint';
import { cpuRunCheckpoint, loadCpuRun } from './checkpoint';
import { createRunStates, type RunState, type TrainContext } from './run_state';
import { stepRun } from './step';
import { logRows } from './log_rows';

export const CPU_ADAPTER_DESCRIPTION = 'cpu (float64 reference)';

export interface CpuTrainerOptions {
  /** Use this dataset instead of generating exp.data (tests). */
  dataset?: Dataset;
  /** Continue from this checkpoint (either backend's) instead of step 0. */
  resume?: Checkpoint;
}

export class CpuTrainer implements Trainer {
  readonly backend = 'cpu' as const;
  readonly adapterDescription = CPU_ADAPTER_DESCRIPTION;
  step = 0;
  private zeroLogged = false;
  /** trackPath: each tracked run's recorded iterates. */
  private paths = new Map<number, PathRing>();
  /** What the step and the logging of every run read (run_state.ts). */
  private readonly ctx: TrainContext;

  private constructor(
    readonly experiment: Experiment,
    readonly dataset: Dataset,
    readonly layout: ParamLayout,
    private readonly runs: RunState[],
    /** Extra evaluation sets (metrics/eval_sets.ts), scored at every logged step. */
    private readonly evalSets: EvalSetSpec[] = [],
  ) {
    const n = dataset.train.n;
    const fullBatch = experiment.batchSize === 'full' || experiment.batchSize >= n;
    const batch = fullBatch ? n : (experiment.batchSize as number);
    const idx = new Uint32Array(batch);
    if (fullBatch) for (let i = 0; i < n; i++) idx[i] = i;
    const sub = experiment.metrics.evalSubset;
    this.ctx = {
      experiment,
      dataset,
      layout,
      model: { activation: experiment.model.activation },
      batch,
      fullBatch,
      idx,
      evalTrain: sub > 0 ? Math.min(sub, n) : n,
      evalSets,
      oracles: this.runs.map((run) =>
        mlpCurvatureOracles({
          layout,
          activation: experiment.model.activation,
          loss: experiment.loss,
          x: dataset.train.x,
          y: dataset.train.y,
          nClasses: dataset.nClasses,
          subset: curvatureSubset(experiment.metrics, n),
          centre: run.centre?.train,
        }),
      ),
    };
  }

  static create(exp: Experiment, opts: CpuTrainerOptions = {}): CpuTrainer {
    const ds = opts.dataset ?? generateDataset(exp.data, exp.seed);
    if (ds.train.n < 1) throw new Error(`data.nTrain: expected at least 1 training point, got ${ds.train.n}`);
    const layout = experimentLayout(exp, ds);
    checkLossTask(exp.loss, layout.widths[layout.widths.length - 1], ds.nClasses);
    if (exp.runs.length === 0) throw new Error('runs: expected at least one run, got none');
    checkOutputScale(
      exp,
      exp.runs.map((r) => getOptimizer(r.optimizer.name) ?? { name: r.optimizer.name }),
    );
    const evalSets = buildEvalSets(exp, ds);
    const runs = createRunStates(exp, ds, layout, evalSets);
    const trainer = new CpuTrainer(exp, ds, layout, runs, evalSets);
    if (opts.resume) trainer.resumeFrom(opts.resume);
    return trainer;
  }

  divergedAt(): (number | null)[] {
    return this.runs.map((r) => r.diverged);
  }

  /** Per run: the step at which stopAtZeroLoss stopped it (train_loss exactly 0), else null. */
  stoppedAt(): (number | null)[] {
    return this.runs.map((r) => r.stopped);
  }

  async advance(n: number): Promise<MetricRow[]> {
    const exp = this.experiment;
    const rows: MetricRow[] = [];
    if (!this.zeroLogged) {
      this.zeroLogged = true;
      this.runs.forEach((run, r) => {
        if (run.diverged === null && run.stopped === null) rows.push(...logRows(this.ctx, run, r, 0));
      });
    }
    const todo = Math.max(0, Math.min(Math.floor(n), exp.steps - this.step));
    for (let k = 0; k < todo; k++) {
      const t = this.step + 1;
      const log = isLogStep(t, exp.metrics.every, exp.steps);
      this.runs.forEach((run, r) => {
        if (run.diverged !== null || run.stopped !== null) return; // frozen: no updates, no rows
        const info = stepRun(this.ctx, run, t);
        if (log) rows.push(...logRows(this.ctx, run, r, t, info));
        if (run.diverged === t) run.params = Float64Array.from(run.prev!); // frozen at theta_{t-1}
      });
      this.step = t;
      for (const [r, ring] of this.paths) ring.push(t, this.runs[r].params);
    }
    return rows;
  }

  /** Loss over the curvature subset along run r's top eigenvector or last logged update (trainer.ts). */
  async lossSlice(run: number, o: SliceOptions): Promise<SlicePoint[]> {
    const st = this.runs[run];
    if (!st) throw new Error(`run: expected an index in 0..${this.runs.length - 1}, got ${run}`);
    let d: Float64Array | undefined;
    if (o.direction === 'eigen') {
      d = st.carry.eig;
      if (!d)
        throw new Error(
          `lossSlice.direction: run ${run} has no top eigenvector yet (set metrics.sharpness and log a step first)`,
        );
    } else if (o.direction === 'update') {
      d = st.lastUpdate;
      if (!d) throw new Error(`lossSlice.direction: run ${run} has no logged update yet (advance past step 0 first)`);
    } else {
      throw new Error(`lossSlice.direction: expected "eigen" or "update", got "${String(o.direction)}"`);
    }
    return lossSlice(this.ctx.oracles[run].loss, st.params, d, { radius: o.radius, points: o.points });
  }

  /** Record every step's parameters of these runs (trainer.ts), starting with the current ones. */
  trackPath(runs: readonly number[], length: number): void {
    const list = checkTrackedRuns(runs, this.runs.length);
    const cap = list.length > 0 ? pathCapacity(length, list.length, this.layout.paramCount) : 0;
    const kept = this.paths;
    this.paths = new Map();
    for (const r of list) {
      const old = kept.get(r);
      const ring = old && old.capacity === cap ? old : new PathRing(cap);
      if (ring !== old) for (const it of old?.list() ?? []) ring.push(it.step, it.params);
      ring.push(this.step, this.runs[r].params);
      this.paths.set(r, ring);
    }
  }

  /** The loss on the plane of run r's top two Hessian eigenvectors, with its recorded path (surface.ts). */
  async surface2d(run: number, o: SurfaceOptions): Promise<LossSurface> {
    const st = this.runs[run];
    if (!st) throw new Error(`run: expected an index in 0..${this.runs.length - 1}, got ${run}`);
    const { grad, loss } = this.ctx.oracles[run];
    const iterates = this.paths.get(run)?.list() ?? [];
    return surfaceCpu({ run, step: this.step, seed: st.seed, theta: st.params, grad, loss, iterates }, o);
  }

  /** Run r's parameters in float64, as trained (a copy); the weights files carry every digit. */
  async getParams(run: number): Promise<Float64Array> {
    return this.getParams64(run);
  }

  /** A copy of every run's parameters and optimizer state after `step` steps (checkpoint.ts). */
  async checkpoint(): Promise<Checkpoint> {
    return {
      version: CHECKPOINT_VERSION,
      step: this.step,
      from: 'cpu',
      fingerprint: experimentFingerprint(this.experiment),
      paramCount: this.layout.paramCount,
      runs: this.runs.map((run) => ({ ...cpuRunCheckpoint(run), frozenAt: run.stopped })),
    };
  }

  /** Continue from `ck` (taken by either backend): step, parameters, optimizer state, flags. */
  private resumeFrom(ck: Checkpoint): void {
    checkCheckpoint(ck, this.experiment, this.layout.paramCount);
    this.runs.forEach((run, r) => {
      loadCpuRun(ck, r, run);
      run.stopped = ck.runs[r].frozenAt ?? null;
    });
    this.step = ck.step;
    this.zeroLogged = true;
  }

  /** Float64 parameters of run r (a copy). */
  getParams64(run: number): Float64Array {
    const st = this.runs[run];
    if (!st) throw new Error(`run: expected an index in 0..${this.runs.length - 1}, got ${run}`);
    return Float64Array.from(st.params);
  }

  dispose(): void {
    // Nothing to release: plain arrays.
  }
}

export async function createCpuTrainer(exp: Experiment, opts: CpuTrainerOptions = {}): Promise<Trainer> {
  return CpuTrainer.create(exp, opts);
}
