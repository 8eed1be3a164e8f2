/**
 * Per-example gradients and DP-style clipping (docs/optimizers.md, dp-sgd), in float64.
 *
 * g_i is the gradient of example i's own loss (not divided by B). The clipped mean is
 *   (1/B) sum_i g_i min(1, C / (||g_i|| + 1e-6)),   ||g_i|| over ALL parameters (flat clipping),
 * Opacus' form. Two independent ways to get ||g_i||:
 * - materialised: build every g_i and take its norm (perExampleGrads);
 * - ghost norms: per dense layer with input a_i and output gradient delta_i,
 *   ||dW_i||^2 + ||db_i||^2 = ||delta_i||^2 (||a_i||^2 + 1)   (without bias: ||delta_i||^2 ||a_i||^2),
 *   since dW_i = delta_i a_i^T is an outer product (ghostNorms; what the GPU computes).
 */
import type { LossName } from '../../schema/types';
import type { ParamLayout } from '../model/layout';
import { accumulateGrad, backward, batchLosses, forward, type CpuModel } from './mlp';

/** Added to the norm before dividing (Opacus). */
export const CLIP_EPS = 1e-6;

/** The factor min(1, C / (norm + 1e-6)) that scales one example's gradient. */
export function clipFactor(norm: number, clipNorm: number): number {
  return Math.min(1, clipNorm / (norm + CLIP_EPS));
}

/**
 * Per-example clipping is implemented for MLPs only (the ghost norms assume dense layers); the
 * validator refuses DP optimizers on other models before a trainer is built.
 */
function checkMlp(layout: ParamLayout): void {
  if (layout.cnn)
    throw new Error(
      `model.kind: per-example gradient clipping (dp-sgd, dice-sgd) supports only "mlp" models, got "${layout.cnn.kind}"`,
    );
}

function checkClip(clipNorm: number): void {
  if (!(clipNorm > 0)) throw new Error(`clipNorm: expected a positive number, got ${clipNorm}`);
}

export function l2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

export interface PerExampleGrads {
  /** Per-example losses [B]. */
  losses: Float64Array;
  /** g_i [paramCount] for each example of the batch. */
  grads: Float64Array[];
  /** ||g_i||, from the materialised gradients. */
  norms: Float64Array;
  correct: number;
}

/** Materialised per-example gradients of the examples idx (B * paramCount floats). */
export function perExampleGrads(
  params: ArrayLike<number>,
  layout: ParamLayout,
  model: CpuModel,
  loss: LossName,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  idx: ArrayLike<number>,
  nClasses: number,
): PerExampleGrads {
  checkMlp(layout);
  const B = idx.length;
  const fwd = forward(params, layout, model.activation, x, B, idx);
  const bl = batchLosses(fwd, layout, loss, y, idx, nClasses, 1);
  const deltas = backward(params, layout, model.activation, fwd, bl.dz);
  const grads: Float64Array[] = [];
  const norms = new Float64Array(B);
  for (let i = 0; i < B; i++) {
    const g = new Float64Array(layout.paramCount);
    accumulateGrad(layout, fwd, deltas, g, i, i + 1);
    grads.push(g);
    norms[i] = l2(g);
  }
  return { losses: bl.losses, grads, norms, correct: bl.correct };
}

/** (1/B) sum_i g_i min(1, C/(||g_i|| + 1e-6)) from materialised per-example gradients. */
export function clippedMean(grads: Float64Array[], clipNorm: number, norms?: ArrayLike<number>): Float64Array {
  checkClip(clipNorm);
  if (grads.length === 0) throw new Error('grads: expected at least one per-example gradient');
  const P = grads[0].length;
  const out = new Float64Array(P);
  const B = grads.length;
  for (let i = 0; i < B; i++) {
    const f = clipFactor(norms ? norms[i] : l2(grads[i]), clipNorm) / B;
    const g = grads[i];
    for (let j = 0; j < P; j++) out[j] += f * g[j];
  }
  return out;
}

/**
 * ||g_i|| for each example by the ghost-norm formula, summed over dense layers, without building
 * any per-example gradient.
 */
export function ghostNorms(
  params: ArrayLike<number>,
  layout: ParamLayout,
  model: CpuModel,
  loss: LossName,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  idx: ArrayLike<number>,
  nClasses: number,
): Float64Array {
  checkMlp(layout);
  const B = idx.length;
  const fwd = forward(params, layout, model.activation, x, B, idx);
  const bl = batchLosses(fwd, layout, loss, y, idx, nClasses, 1);
  const deltas = backward(params, layout, model.activation, fwd, bl.dz);
  const sq = new Float64Array(B);
  layout.layers.forEach((layer, l) => {
    const { inDim, outDim, biasOffset } = layer;
    for (let i = 0; i < B; i++) {
      let d2 = 0;
      for (let j = 0; j < outDim; j++) d2 += deltas[l][i * outDim + j] ** 2;
      let a2 = biasOffset >= 0 ? 1 : 0;
      for (let k = 0; k < inDim; k++) a2 += fwd.acts[l][i * inDim + k] ** 2;
      sq[i] += d2 * a2;
    }
  });
  return sq.map(Math.sqrt);
}

export interface ClippedBatch {
  /** Mean loss over the batch. */
  loss: number;
  /** (1/B) sum_i g_i: the ordinary minibatch gradient. */
  grad: Float64Array;
  /** (1/B) sum_i clip(g_i, C). */
  clipped: Float64Array;
  /** ||g_i|| per example. */
  norms: Float64Array;
  correct: number;
}

/**
 * The minibatch gradient and the clipped mean in one pass, one example at a time (memory
 * O(paramCount), not O(B * paramCount)). What the trainer uses for perExampleClip optimizers.
 */
export function clippedBatchGrad(
  params: ArrayLike<number>,
  layout: ParamLayout,
  model: CpuModel,
  loss: LossName,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  idx: ArrayLike<number>,
  nClasses: number,
  clipNorm: number,
): ClippedBatch {
  checkMlp(layout);
  checkClip(clipNorm);
  const B = idx.length;
  if (B === 0) throw new Error('idx: expected at least one example, got an empty batch');
  const P = layout.paramCount;
  const fwd = forward(params, layout, model.activation, x, B, idx);
  const bl = batchLosses(fwd, layout, loss, y, idx, nClasses, 1);
  const deltas = backward(params, layout, model.activation, fwd, bl.dz);
  const grad = new Float64Array(P);
  const clipped = new Float64Array(P);
  const norms = new Float64Array(B);
  const g = new Float64Array(P);
  let lossSum = 0;
  for (let i = 0; i < B; i++) {
    lossSum += bl.losses[i];
    g.fill(0);
    accumulateGrad(layout, fwd, deltas, g, i, i + 1);
    norms[i] = l2(g);
    const f = clipFactor(norms[i], clipNorm) / B;
    for (let j = 0; j < P; j++) {
      grad[j] += g[j] / B;
      clipped[j] += f * g[j];
    }
  }
  return { loss: lossSum / B, grad, clipped, norms, correct: bl.correct };
}
