/**
 * The MLP in float64: forward, backward and the mean-loss gradient of a batch (the oracle of
 * shaders/mlp_forward.wgsl, mlp_loss.wgsl and mlp_backward.wgsl).
 *
 * Widths [inputDim, ...hidden, outDim]; dense layer l computes z_l = W_l a_l + b_l with W_l
 * [out, in] row-major at layout.layers[l].weightOffset (model/layout.ts), then a_{l+1} = act(z_l)
 * for every layer except the last, whose z is the logits.
 *
 * Backward, per example i (delta_l = dLoss/dz_l):
 *   delta_{L-1} = dl/dlogits;  delta_{l-1} = (W_l^T delta_l) * act'(z_{l-1})
 *   dW_l += delta_l a_l^T;     db_l += delta_l
 */
import type { Activation, LossName } from '../../schema/types';
import type { ParamLayout } from '../model/layout';
import { activationFns, type ActivationFns } from './activations';
import { checkLossTask, exampleCorrect, exampleLoss } from './losses';
import { cnnAccumulateGrad, cnnBackward, cnnForward } from './cnn';

export type Act = Activation | ActivationFns;

/** What the CPU MLP needs from the model config (tests may pass a custom activation pair). */
export interface CpuModel {
  activation: Act;
}

export interface ForwardResult {
  /** Examples. */
  n: number;
  /** acts[l]: input of layer l, [n, widths[l]]; acts[0] holds the (gathered) inputs. */
  acts: Float64Array[];
  /** pre[l]: pre-activation z of layer l, [n, widths[l+1]]. */
  pre: Float64Array[];
  /** The logits [n, outDim] (= pre[last]). */
  logits: Float64Array;
}

function checkParams(params: ArrayLike<number>, layout: ParamLayout): void {
  if (params.length < layout.paramCount)
    throw new Error(
      `params: expected at least ${layout.paramCount} values for widths [${layout.widths.join(', ')}], got ${params.length}`,
    );
}

/**
 * Forward pass on n examples. Row b is x[idx[b]] when idx is given (a minibatch), else x[b].
 */
export function forward(
  params: ArrayLike<number>,
  layout: ParamLayout,
  act: Act,
  x: ArrayLike<number>,
  n: number,
  idx?: ArrayLike<number>,
): ForwardResult {
  // Convolutional models execute their op list (cpu/cnn.ts); `act` is then unused (the ops carry it).
  if (layout.cnn) return cnnForward(params, layout.cnn, x, n, idx);
  checkParams(params, layout);
  const fns = activationFns(act);
  const d = layout.widths[0];
  if (idx && idx.length < n) throw new Error(`idx: expected at least ${n} indices, got ${idx.length}`);
  const a0 = new Float64Array(n * d);
  for (let b = 0; b < n; b++) {
    const row = idx ? idx[b] : b;
    if (!Number.isInteger(row) || row < 0 || (row + 1) * d > x.length)
      throw new Error(`idx[${b}]: row ${row} is outside the ${Math.floor(x.length / d)} rows of x`);
    for (let k = 0; k < d; k++) a0[b * d + k] = x[row * d + k];
  }
  const acts: Float64Array[] = [a0];
  const pre: Float64Array[] = [];
  const L = layout.layers.length;
  for (let l = 0; l < L; l++) {
    const { inDim, outDim, weightOffset: wo, biasOffset: bo } = layout.layers[l];
    const a = acts[l];
    const z = new Float64Array(n * outDim);
    for (let b = 0; b < n; b++) {
      for (let j = 0; j < outDim; j++) {
        let s = bo >= 0 ? params[bo + j] : 0;
        const w = wo + j * inDim;
        const ab = b * inDim;
        for (let k = 0; k < inDim; k++) s += params[w + k] * a[ab + k];
        z[b * outDim + j] = s;
      }
    }
    pre.push(z);
    if (l + 1 < L) acts.push(z.map(fns.f));
  }
  return { n, acts, pre, logits: pre[L - 1] };
}

/** deltas[l] = dLoss/dz_l [n, widths[l+1]], given dz = dLoss/dlogits [n, outDim]. */
export function backward(
  params: ArrayLike<number>,
  layout: ParamLayout,
  act: Act,
  fwd: ForwardResult,
  dz: Float64Array,
): Float64Array[] {
  if (layout.cnn) return cnnBackward(params, layout.cnn, fwd, dz);
  const fns = activationFns(act);
  const L = layout.layers.length;
  const n = fwd.n;
  const deltas: Float64Array[] = new Array(L);
  deltas[L - 1] = dz;
  for (let l = L - 1; l >= 1; l--) {
    const { inDim, outDim, weightOffset: wo } = layout.layers[l];
    const dl = deltas[l];
    const zPrev = fwd.pre[l - 1];
    const out = new Float64Array(n * inDim);
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < inDim; k++) {
        let s = 0;
        for (let j = 0; j < outDim; j++) s += params[wo + j * inDim + k] * dl[b * outDim + j];
        out[b * inDim + k] = s * fns.df(zPrev[b * inDim + k]);
      }
    }
    deltas[l - 1] = out;
  }
  return deltas;
}

/**
 * out += scale * sum over examples b in [from, to) of the parameter gradient given by the deltas:
 * dW_l[j, k] += delta_l[b, j] a_l[b, k],  db_l[j] += delta_l[b, j].
 */
export function accumulateGrad(
  layout: ParamLayout,
  fwd: ForwardResult,
  deltas: Float64Array[],
  out: Float64Array,
  from = 0,
  to = fwd.n,
  scale = 1,
): void {
  if (layout.cnn) return cnnAccumulateGrad(null, layout.cnn, fwd, deltas, out, from, to, scale);
  for (let l = 0; l < layout.layers.length; l++) {
    const { inDim, outDim, weightOffset: wo, biasOffset: bo } = layout.layers[l];
    const a = fwd.acts[l];
    const dl = deltas[l];
    for (let b = from; b < to; b++) {
      for (let j = 0; j < outDim; j++) {
        const g = scale * dl[b * outDim + j];
        const w = wo + j * inDim;
        const ab = b * inDim;
        for (let k = 0; k < inDim; k++) out[w + k] += g * a[ab + k];
        if (bo >= 0) out[bo + j] += g;
      }
    }
  }
}

/**
 * Output centring (model.outputScale alpha, docs/metrics.md "Output scale"): the scored output is f = alpha (F - f0[row])
 * with F the network's logits and f0 the outputs at the initial parameters of the rows of the set
 * being scored ([rows][outDim]); the loss is l(f) / alpha^2, so d loss / dF = l'(f) / alpha.
 */
export interface OutputCentre {
  alpha: number;
  f0: ArrayLike<number>;
}

/** The centred outputs alpha (F - f0[row]) of example b (a fresh [outDim] array). */
function centred(logits: Float64Array, b: number, outDim: number, c: OutputCentre, row: number): Float64Array {
  const z = new Float64Array(outDim);
  for (let j = 0; j < outDim; j++) z[j] = c.alpha * (logits[b * outDim + j] - c.f0[row * outDim + j]);
  return z;
}

/** Loss of example b (row `row` of its set), centred when `c` is given; writes scale * dl/dF into dz. */
function scoreExample(
  loss: LossName,
  logits: Float64Array,
  b: number,
  outDim: number,
  y: ArrayLike<number>,
  row: number,
  nClasses: number,
  c: OutputCentre | undefined,
  dz?: Float64Array,
  scale = 1,
): { loss: number; correct: boolean } {
  const [z, off] = c ? [centred(logits, b, outDim, c, row), 0] : [logits, b * outDim];
  const l = exampleLoss(loss, z, off, outDim, y, row, nClasses, dz, b * outDim, c ? scale / c.alpha : scale);
  const correct = nClasses > 0 && exampleCorrect(loss, z, off, outDim, y, row, nClasses);
  return { loss: c ? l / (c.alpha * c.alpha) : l, correct };
}

export interface BatchLosses {
  /** Per-example losses [n]. */
  losses: Float64Array;
  /** scale * dl_b/dlogits [n, outDim]. */
  dz: Float64Array;
  /** Correct predictions (0 on regression data). */
  correct: number;
}

/** Per-example losses of a forward pass and their logit gradients times `scale` (centred: see OutputCentre). */
export function batchLosses(
  fwd: ForwardResult,
  layout: ParamLayout,
  loss: LossName,
  y: ArrayLike<number>,
  rows: ArrayLike<number> | undefined,
  nClasses: number,
  scale: number,
  centre?: OutputCentre,
): BatchLosses {
  const outDim = layout.widths[layout.widths.length - 1];
  checkLossTask(loss, outDim, nClasses);
  const losses = new Float64Array(fwd.n);
  const dz = new Float64Array(fwd.n * outDim);
  let correct = 0;
  for (let b = 0; b < fwd.n; b++) {
    const row = rows ? rows[b] : b;
    const e = scoreExample(loss, fwd.logits, b, outDim, y, row, nClasses, centre, dz, scale);
    losses[b] = e.loss;
    if (e.correct) correct++;
  }
  return { losses, dz, correct };
}

export interface LossAndGrad {
  /** Mean loss over the batch. */
  loss: number;
  /** Gradient of the mean loss [paramCount]. */
  grad: Float64Array;
  /** Correct predictions in the batch (0 on regression data). */
  correct: number;
}

/**
 * Mean loss over the examples idx of (x, y) and its gradient. y holds class indices when
 * nClasses > 0, else target vectors of outDim floats per point. With `centre` (model.outputScale)
 * the output is centred and scaled (see OutputCentre; its f0 holds the rows of x).
 */
export function lossAndGrad(
  params: ArrayLike<number>,
  layout: ParamLayout,
  model: CpuModel,
  loss: LossName,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  idx: ArrayLike<number>,
  nClasses: number,
  centre?: OutputCentre,
): LossAndGrad {
  const B = idx.length;
  if (B === 0) throw new Error('idx: expected at least one example, got an empty batch');
  const fwd = forward(params, layout, model.activation, x, B, idx);
  const bl = batchLosses(fwd, layout, loss, y, idx, nClasses, 1 / B, centre);
  const deltas = backward(params, layout, model.activation, fwd, bl.dz);
  const grad = new Float64Array(layout.paramCount);
  accumulateGrad(layout, fwd, deltas, grad);
  let sum = 0;
  for (let b = 0; b < B; b++) sum += bl.losses[b];
  return { loss: sum / B, grad, correct: bl.correct };
}

/** Mean loss only (no backward): for finite differences and evaluation (centre: f0 rows are idx's rows). */
export function meanLoss(
  params: ArrayLike<number>,
  layout: ParamLayout,
  model: CpuModel,
  loss: LossName,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  idx: ArrayLike<number>,
  nClasses: number,
  centre?: OutputCentre,
): number {
  const fwd = forward(params, layout, model.activation, x, idx.length, idx);
  const outDim = layout.widths[layout.widths.length - 1];
  checkLossTask(loss, outDim, nClasses);
  let sum = 0;
  for (let b = 0; b < idx.length; b++)
    sum += scoreExample(loss, fwd.logits, b, outDim, y, idx[b], nClasses, centre).loss;
  return sum / idx.length;
}

export interface EvalResult {
  /** Points evaluated. */
  n: number;
  /** Sum and mean of the loss over them. */
  lossSum: number;
  loss: number;
  /** Correct predictions, and their fraction (undefined on regression data). */
  correct: number;
  acc?: number;
}

/**
 * Loss and accuracy over the first `count` points of a split (all by default), in chunks; with
 * split.centre, of the centred output (OutputCentre, f0 holding the split's rows).
 */
export function evalSet(
  params: ArrayLike<number>,
  layout: ParamLayout,
  model: CpuModel,
  loss: LossName,
  split: { x: ArrayLike<number>; y: ArrayLike<number>; n: number; centre?: OutputCentre },
  nClasses: number,
  count = split.n,
  chunk = 512,
): EvalResult {
  const n = Math.min(count, split.n);
  const outDim = layout.widths[layout.widths.length - 1];
  checkLossTask(loss, outDim, nClasses);
  let lossSum = 0;
  let correct = 0;
  const rows = new Uint32Array(chunk);
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    for (let b = 0; b < m; b++) rows[b] = s + b;
    const fwd = forward(params, layout, model.activation, split.x, m, rows);
    for (let b = 0; b < m; b++) {
      const e = scoreExample(loss, fwd.logits, b, outDim, split.y, s + b, nClasses, split.centre);
      lossSum += e.loss;
      if (e.correct) correct++;
    }
  }
  return { n, lossSum, loss: n > 0 ? lossSum / n : NaN, correct, acc: nClasses > 0 && n > 0 ? correct / n : undefined };
}
