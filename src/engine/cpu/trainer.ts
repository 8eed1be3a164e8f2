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
import type { Experiment, ScheduleConfig } from '../../schema/types';
import type { Dataset } from '../data/types';
import { generateDataset } from '../data/index';
import { batchIndices } from '../data/batches';
import { isLogStep, resolveHyper, runSeed } from '../hyper';
import { initParams } from '../model/init';
import type { ParamLayout } from '../model/layout';
import { experimentLayout } from '../model/shape';
import { getOptimizer, optimizerNames } from '../optim/registry';
import { zeroLossRows } from '../metrics/names';
import { scheduleFactor } from '../optim/schedules';
import type { CpuOptimizerState, Hyper, OptimizerDef } from '../optim/types';
import type { MetricRow, SliceOptions, SlicePoint, Trainer } from '../trainer';
import { lossSlice } from '../metrics/curvature_cpu';
import {
  curvatureRowsCpu,
  curvatureSubset,
  mlpCurvatureOracles,
  type CurvatureCarry,
} from '../metrics/curvature_rows_cpu';
import type { GradOracle, LossOracle } from '../metrics/curvature_cpu';
import { checkLossTask } from './losses';
import { evalSet, lossAndGrad, type CpuModel, type OutputCentre } from './mlp';
import { checkOutputScale, initOutputs, outputScaleOf } from './output_scale';
import { buildEvalSets, evalSetValue, type EvalSetSpec } from '../metrics/eval_sets';
import { clippedBatchGrad, l2 } from './per_example';
import { stepIsFinite } from './guard';
import { CHECKPOINT_VERSION, checkCheckpoint, experimentFingerprint, type Checkpoint } from '../checkpoint';
import { cpuRunCheckpoint, loadCpuRun } from './checkpoint';

export const CPU_ADAPTER_DESCRIPTION = 'cpu (float64 reference)';

interface RunState {
  def: OptimizerDef;
  hp: Hyper;
  seed: number;
  peakLr: number;
  schedule: ScheduleConfig;
  /** Per-example clipping norm C (perExampleClip optimizers). */
  clip?: number;
  params: Float64Array;
  /** theta_{t-1} and theta_{t-2} after step t (for step_distance and period2_distance). */
  prev?: Float64Array;
  prev2?: Float64Array;
  state: CpuOptimizerState;
  diverged: number | null;
  /** stopAtZeroLoss: the logged step whose train_loss was exactly 0 (the run stops there). */
  stopped: number | null;
  /** theta_0 and ||theta_0|| (relative_weight_change). */
  w0: Float64Array;
  w0Norm: number;
  /** model.outputScale: the centring of the train, test and extra evaluation sets (F(theta_0, x)). */
  centre?: { train: OutputCentre; test: OutputCentre; extra: OutputCentre[] };
  carry: CurvatureCarry;
  /** theta_s - theta_{s-1} at the last logged step s >= 1 (lossSlice 'update'). */
  lastUpdate?: Float64Array;
}

/** What one step of one run measured (the step-only metrics). */
interface StepInfo {
  batchLoss: number;
  lr: number;
  gradNorm: number;
  stepDistance: number;
  /** g_t (a copy made before the optimizer ran), for the curvature rows. */
  grad: Float64Array;
}

export interface CpuTrainerOptions {
  /** Use this dataset instead of generating exp.data (tests). */
  dataset?: Dataset;
  /** Continue from this checkpoint (either backend's) instead of step 0. */
  resume?: Checkpoint;
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

export class CpuTrainer implements Trainer {
  readonly backend = 'cpu' as const;
  readonly adapterDescription = CPU_ADAPTER_DESCRIPTION;
  step = 0;
  private zeroLogged = false;
  private readonly model: CpuModel;
  private readonly batch: number;
  private readonly fullBatch: boolean;
  private readonly idx: Uint32Array;
  private readonly evalTrain: number;
  /** Per run: gradient and loss oracles over the curvature subset (centred per run with outputScale). */
  private readonly oracles: { grad: GradOracle; loss: LossOracle }[];

  private constructor(
    readonly experiment: Experiment,
    readonly dataset: Dataset,
    readonly layout: ParamLayout,
    private readonly runs: RunState[],
    /** Extra evaluation sets (metrics/eval_sets.ts), scored at every logged step. */
    private readonly evalSets: EvalSetSpec[] = [],
  ) {
    const n = dataset.train.n;
    this.model = { activation: experiment.model.activation };
    this.fullBatch = experiment.batchSize === 'full' || experiment.batchSize >= n;
    this.batch = this.fullBatch ? n : (experiment.batchSize as number);
    this.idx = new Uint32Array(this.batch);
    if (this.fullBatch) for (let i = 0; i < n; i++) this.idx[i] = i;
    const sub = experiment.metrics.evalSubset;
    this.evalTrain = sub > 0 ? Math.min(sub, n) : n;
    this.oracles = this.runs.map((run) =>
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
    );
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
    const alpha = outputScaleOf(exp);
    const runs = exp.runs.map((run, i): RunState => {
      const def = getOptimizer(run.optimizer.name);
      if (!def)
        throw new Error(
          `runs[${i}].optimizer.name: unknown optimizer "${run.optimizer.name}"; expected one of ${optimizerNames().join(', ')}`,
        );
      const hp = resolveHyper(def, run.optimizer);
      const seed = runSeed(exp.seed, i, exp.varySeedPerRun);
      const params = Float64Array.from(initParams(layout, exp.model, seed));
      const f0 = (x: ArrayLike<number>, n: number): OutputCentre => ({
        alpha: alpha!,
        f0: initOutputs(params, layout, exp.model.activation, x, n),
      });
      return {
        def,
        hp,
        seed,
        peakLr: typeof hp.lr === 'number' ? hp.lr : 0,
        schedule: run.schedule,
        clip: def.perExampleClip?.(hp),
        params,
        state: def.cpuInit(layout.paramCount, layout.tensors, hp),
        diverged: null,
        stopped: null,
        w0: Float64Array.from(params),
        w0Norm: l2(params),
        centre:
          alpha === undefined
            ? undefined
            : {
                train: f0(ds.train.x, ds.train.n),
                test: f0(ds.test.x, ds.test.n),
                extra: evalSets.map((e) => f0(e.x, e.n)),
              },
        carry: {},
      };
    });
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
        if (run.diverged === null && run.stopped === null) rows.push(...this.logRows(r, 0));
      });
    }
    const todo = Math.max(0, Math.min(Math.floor(n), exp.steps - this.step));
    for (let k = 0; k < todo; k++) {
      const t = this.step + 1;
      const log = isLogStep(t, exp.metrics.every, exp.steps);
      this.runs.forEach((run, r) => {
        if (run.diverged !== null || run.stopped !== null) return; // frozen: no updates, no rows
        const info = this.stepRun(run, t);
        if (log) rows.push(...this.logRows(r, t, info));
        if (run.diverged === t) run.params = Float64Array.from(run.prev!); // frozen at theta_{t-1}
      });
      this.step = t;
    }
    return rows;
  }

  /** Step t of one run, in place. */
  private stepRun(run: RunState, t: number): StepInfo {
    const exp = this.experiment;
    const ds = this.dataset;
    const { train } = ds;
    if (!this.fullBatch) batchIndices(run.seed, t - 1, train.n, this.batch, this.idx);
    let loss: number;
    let grad: Float64Array;
    let clippedGrad: Float64Array | undefined;
    if (run.clip !== undefined) {
      const cb = clippedBatchGrad(
        run.params,
        this.layout,
        this.model,
        exp.loss,
        train.x,
        train.y,
        this.idx,
        ds.nClasses,
        run.clip,
      );
      loss = cb.loss;
      grad = cb.grad;
      clippedGrad = cb.clipped;
    } else {
      const { layout, model, idx } = this;
      const lg = lossAndGrad(
        run.params,
        layout,
        model,
        exp.loss,
        train.x,
        train.y,
        idx,
        ds.nClasses,
        run.centre?.train,
      );
      loss = lg.loss;
      grad = lg.grad;
    }
    const gradNorm = l2(grad);
    const gradCopy = Float64Array.from(grad);
    const lr = run.peakLr * scheduleFactor(run.schedule, t - 1, exp.steps);
    const before = Float64Array.from(run.params);
    run.def.cpuStep({
      params: run.params,
      grad,
      state: run.state,
      hp: run.hp,
      t,
      lr,
      tensors: this.layout.tensors,
      seed: run.seed,
      batchSize: this.batch,
      clippedGrad,
    });
    run.prev2 = run.prev;
    run.prev = before;
    if (run.diverged === null && !stepIsFinite(loss, run.params)) run.diverged = t; // guard.ts
    return { batchLoss: loss, lr, gradNorm, stepDistance: distance(run.params, before), grad: gradCopy };
  }

  /** The metric rows of run r at logged step s, and the divergence check. */
  private logRows(r: number, s: number, info?: StepInfo): MetricRow[] {
    const exp = this.experiment;
    const ds = this.dataset;
    const run = this.runs[r];
    const rows: MetricRow[] = [];
    const add = (metric: string, value: number) => rows.push({ run: r, step: s, metric, value });
    const classification = ds.nClasses > 0;
    const { centre } = run;
    const trainSet = centre ? { ...ds.train, centre: centre.train } : ds.train;
    const train = evalSet(run.params, this.layout, this.model, exp.loss, trainSet, ds.nClasses, this.evalTrain);
    add('train_loss', train.loss);
    if (classification) add('train_acc', train.correct / train.n);
    if (ds.test.n > 0) {
      const testSet = centre ? { ...ds.test, centre: centre.test } : ds.test;
      const test = evalSet(run.params, this.layout, this.model, exp.loss, testSet, ds.nClasses);
      add('test_loss', test.loss);
      if (classification) {
        add('test_acc', test.correct / test.n);
        if (exp.data.kind === 'feature-noise') add('weak_feature_acc', test.correct / test.n);
      }
    }
    add('weight_norm', l2(run.params));
    this.evalSets.forEach((set, k) => {
      const e = evalSet(
        run.params,
        this.layout,
        this.model,
        exp.loss,
        { ...set, centre: centre?.extra[k] },
        ds.nClasses,
      );
      add(set.metric, evalSetValue(set, e.lossSum, e.correct));
    });
    if (info && run.w0Norm > 0) add('relative_weight_change', distance(run.params, run.w0) / run.w0Norm);
    if (info) {
      const prev = run.prev!;
      run.lastUpdate = run.params.map((v, i) => v - prev[i]);
      add('batch_loss', info.batchLoss);
      add('lr', info.lr);
      add('temperature', info.lr / this.batch);
      add('grad_norm', info.gradNorm);
      add('step_distance', info.stepDistance);
      add('update_norm', info.lr !== 0 ? info.stepDistance / info.lr : 0);
    }
    rows.push(...this.curvatureRows(r, s, info));
    if (!Number.isFinite(train.loss) || (info && !Number.isFinite(info.batchLoss))) run.diverged = s;
    else if (exp.stopAtZeroLoss && train.loss === 0) {
      run.stopped = s;
      rows.push(...zeroLossRows(r, s, exp.runs[r].optimizer.lr));
    }
    return rows;
  }

  /** Curvature, period-2 and feature-alignment rows (metrics/curvature_rows_cpu.ts, same rules as the GPU). */
  private curvatureRows(r: number, s: number, info?: StepInfo): MetricRow[] {
    const exp = this.experiment;
    const ds = this.dataset;
    const run = this.runs[r];
    const lr = info ? info.lr : run.peakLr * scheduleFactor(run.schedule, 0, exp.steps);
    return curvatureRowsCpu({
      run: r,
      step: s,
      metrics: exp.metrics,
      seed: run.seed,
      grad: this.oracles[r].grad,
      theta: run.params,
      prevTheta: s >= 1 ? run.prev : undefined,
      prev2Theta: s >= 2 ? run.prev2 : undefined,
      batchGrad: info?.grad,
      def: run.def,
      hp: run.hp,
      state: run.state,
      lr,
      layout: this.layout,
      meta: ds.meta,
      carry: run.carry,
    });
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
    return lossSlice(this.oracles[run].loss, st.params, d, { radius: o.radius, points: o.points });
  }

  async getParams(run: number): Promise<Float32Array> {
    const st = this.runs[run];
    if (!st) throw new Error(`run: expected an index in 0..${this.runs.length - 1}, got ${run}`);
    return Float32Array.from(st.params);
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
