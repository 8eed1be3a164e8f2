/**
 * One training step of one CPU run (trainer.ts), in place: the minibatch, the mean loss and
 * gradient at theta_{t-1} (and the clipped mean for perExampleClip optimizers), the scheduled lr,
 * the optimizer's cpuStep and the divergence check.
 */
import { batchIndices } from '../data/batches';
import { scheduleFactor } from '../optim/schedules';
import { lossAndGrad } from './mlp';
import { clippedBatchGrad, l2 } from './per_example';
import { stepIsFinite } from './guard';
import type { RunState, TrainContext } from './run_state';

/** What one step of one run measured (the step-only metrics). */
export interface StepInfo {
  batchLoss: number;
  lr: number;
  gradNorm: number;
  stepDistance: number;
  /** g_t (a copy made before the optimizer ran), for the curvature rows. */
  grad: Float64Array;
}

/** ||a - b||_2. */
export function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** Mean loss and gradient over the step's minibatch at `at`. */
function batchGrad(c: TrainContext, run: RunState, at: Float64Array): { loss: number; grad: Float64Array } {
  const { layout, model, idx, dataset: ds } = c;
  return lossAndGrad(at, layout, model, c.experiment.loss, ds.train.x, ds.train.y, idx, ds.nClasses, run.centre?.train);
}

/** Step t of one run, in place. */
export function stepRun(c: TrainContext, run: RunState, t: number): StepInfo {
  const exp = c.experiment;
  const ds = c.dataset;
  const { train } = ds;
  if (!c.fullBatch) batchIndices(run.seed, t - 1, train.n, c.batch, c.idx);
  // Schedule-Free takes the gradient at y, not at the parameters x (OptimizerDef.cpuGradientPoint).
  const pointArgs = { params: run.params, state: run.state, hp: run.hp, t, tensors: c.layout.tensors };
  const at = run.def.cpuGradientPoint?.(pointArgs) ?? run.params;
  let loss: number;
  let grad: Float64Array;
  let clippedGrad: Float64Array | undefined;
  if (run.clip !== undefined) {
    const cb = clippedBatchGrad(at, c.layout, c.model, exp.loss, train.x, train.y, c.idx, ds.nClasses, run.clip);
    loss = cb.loss;
    grad = cb.grad;
    clippedGrad = cb.clipped;
  } else {
    ({ loss, grad } = batchGrad(c, run, at));
  }
  const gradNorm = l2(grad);
  const gradCopy = Float64Array.from(grad);
  // SAM: the step uses a second gradient, at the perturbed point (OptimizerDef.cpuPerturb).
  if (run.def.cpuPerturb) grad = batchGrad(c, run, run.def.cpuPerturb({ ...pointArgs, grad })).grad;
  const lr = run.peakLr * scheduleFactor(run.schedule, t - 1, exp.steps);
  const before = Float64Array.from(run.params);
  run.def.cpuStep({
    params: run.params,
    grad,
    state: run.state,
    hp: run.hp,
    t,
    lr,
    tensors: c.layout.tensors,
    seed: run.seed,
    batchSize: c.batch,
    clippedGrad,
  });
  run.prev2 = run.prev;
  run.prev = before;
  if (run.diverged === null && !stepIsFinite(loss, run.params)) run.diverged = t; // guard.ts
  return { batchLoss: loss, lr, gradNorm, stepDistance: distance(run.params, before), grad: gradCopy };
}
