/**
 * The state of the CPU trainer (trainer.ts): what every run shares (TrainContext: the data, the
 * layout, the minibatch buffer, the evaluation sets and curvature oracles) and what each run holds
 * (RunState: optimizer, parameters and their history, flags, centring), with the runs' initial
 * state.
 */
import type { Experiment, ScheduleConfig } from '../../schema/types';
import type { Dataset } from '../data/types';
import { resolveHyper, runSeed } from '../hyper';
import { initParams } from '../model/init';
import type { ParamLayout } from '../model/layout';
import { getOptimizer, optimizerNames } from '../optim/registry';
import type { CpuOptimizerState, Hyper, OptimizerDef } from '../optim/types';
import type { CurvatureCarry } from '../metrics/curvature_rows_cpu';
import type { GradOracle, LossOracle } from '../metrics/curvature_cpu';
import type { CpuModel, OutputCentre } from './mlp';
import { initOutputs, outputScaleOf } from './output_scale';
import type { EvalSetSpec } from '../metrics/eval_sets';
import { l2 } from './per_example';

export interface RunState {
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

/** What a step and the logging of every run read (step.ts, log_rows.ts). */
export interface TrainContext {
  experiment: Experiment;
  dataset: Dataset;
  layout: ParamLayout;
  model: CpuModel;
  /** Examples per step (nTrain with the full batch). */
  batch: number;
  fullBatch: boolean;
  /** The step's minibatch indices (0..n-1 once with the full batch, else rewritten each step). */
  idx: Uint32Array;
  /** Examples of the train set scored for train_loss (metrics.evalSubset). */
  evalTrain: number;
  /** Extra evaluation sets (metrics/eval_sets.ts), scored at every logged step. */
  evalSets: EvalSetSpec[];
  /** Per run: gradient and loss oracles over the curvature subset (centred per run with outputScale). */
  oracles: { grad: GradOracle; loss: LossOracle }[];
}

/** Every run's initial state: its optimizer and hyperparameters, seed, initial parameters and centring. */
export function createRunStates(
  exp: Experiment,
  ds: Dataset,
  layout: ParamLayout,
  evalSets: EvalSetSpec[],
): RunState[] {
  const alpha = outputScaleOf(exp);
  return exp.runs.map((run, i): RunState => {
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
}
