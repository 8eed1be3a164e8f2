/**
 * The metric rows of one CPU run at a logged step (trainer.ts): losses and accuracies over the
 * evaluation sets, norms and distances, the step-only metrics, the curvature rows
 * (metrics/curvature_rows_cpu.ts, same rules as the GPU), and the divergence and zero-loss checks.
 */
import { zeroLossRows } from '../metrics/names';
import { scheduleFactor } from '../optim/schedules';
import type { MetricRow } from '../trainer';
import { curvatureRowsCpu } from '../metrics/curvature_rows_cpu';
import { evalSet } from './mlp';
import { evalSetValue } from '../metrics/eval_sets';
import { l2 } from './per_example';
import { distance, type StepInfo } from './step';
import type { RunState, TrainContext } from './run_state';

/** The metric rows of run r at logged step s (info: what step s measured; absent at step 0), and the divergence check. */
export function logRows(c: TrainContext, run: RunState, r: number, s: number, info?: StepInfo): MetricRow[] {
  const exp = c.experiment;
  const ds = c.dataset;
  const rows: MetricRow[] = [];
  const add = (metric: string, value: number) => rows.push({ run: r, step: s, metric, value });
  const classification = ds.nClasses > 0;
  const { centre } = run;
  const trainSet = centre ? { ...ds.train, centre: centre.train } : ds.train;
  const train = evalSet(run.params, c.layout, c.model, exp.loss, trainSet, ds.nClasses, c.evalTrain);
  add('train_loss', train.loss);
  if (classification) add('train_acc', train.correct / train.n);
  if (ds.test.n > 0) {
    const testSet = centre ? { ...ds.test, centre: centre.test } : ds.test;
    const test = evalSet(run.params, c.layout, c.model, exp.loss, testSet, ds.nClasses);
    add('test_loss', test.loss);
    if (classification) {
      add('test_acc', test.correct / test.n);
      if (exp.data.kind === 'feature-noise') add('weak_feature_acc', test.correct / test.n);
    }
  }
  add('weight_norm', l2(run.params));
  c.evalSets.forEach((set, k) => {
    const e = evalSet(run.params, c.layout, c.model, exp.loss, { ...set, centre: centre?.extra[k] }, ds.nClasses);
    add(set.metric, evalSetValue(set, e.lossSum, e.correct));
  });
  if (info && run.w0Norm > 0) add('relative_weight_change', distance(run.params, run.w0) / run.w0Norm);
  if (info) {
    const prev = run.prev!;
    run.lastUpdate = run.params.map((v, i) => v - prev[i]);
    add('batch_loss', info.batchLoss);
    add('lr', info.lr);
    add('temperature', info.lr / c.batch);
    add('grad_norm', info.gradNorm);
    add('step_distance', info.stepDistance);
    add('update_norm', info.lr !== 0 ? info.stepDistance / info.lr : 0);
  }
  rows.push(...curvatureRows(c, run, r, s, info));
  if (!Number.isFinite(train.loss) || (info && !Number.isFinite(info.batchLoss))) run.diverged = s;
  else if (exp.stopAtZeroLoss && train.loss === 0) {
    run.stopped = s;
    rows.push(...zeroLossRows(r, s, exp.runs[r].optimizer.lr));
  }
  return rows;
}

/** Curvature, period-2 and feature-alignment rows (metrics/curvature_rows_cpu.ts, same rules as the GPU). */
function curvatureRows(c: TrainContext, run: RunState, r: number, s: number, info?: StepInfo): MetricRow[] {
  const exp = c.experiment;
  const ds = c.dataset;
  const lr = info ? info.lr : run.peakLr * scheduleFactor(run.schedule, 0, exp.steps);
  return curvatureRowsCpu({
    run: r,
    step: s,
    metrics: exp.metrics,
    seed: run.seed,
    grad: c.oracles[r].grad,
    theta: run.params,
    prevTheta: s >= 1 ? run.prev : undefined,
    prev2Theta: s >= 2 ? run.prev2 : undefined,
    batchGrad: info?.grad,
    def: run.def,
    hp: run.hp,
    state: run.state,
    lr,
    layout: c.layout,
    meta: ds.meta,
    carry: run.carry,
    steps: exp.steps,
  });
}
