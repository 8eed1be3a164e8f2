/**
 * Per-example losses on the logits z of one example, with their gradients dl/dz beside them, and
 * accuracy (the CPU oracle of shaders/mlp_loss.wgsl). Batch losses are means of these.
 *
 * Targets: classification data holds the class index c (one float per point, nClasses > 0);
 * regression data holds a target vector of outDim floats per point (nClasses = 0).
 * - cross-entropy: logsumexp(z) - z_c, computed with the max subtracted.
 * - logistic (binary): y = 2c - 1, softplus(-y z) = max(-y z, 0) + log1p(exp(-|y z|)).
 * - hinge (binary): max(0, 1 - y z); derivative -y where 1 - y z > 0, else 0.
 * - mse: 0.5 * sum_j (z_j - t_j)^2, t = one-hot(c) on classification data, the target vector otherwise.
 * - binary mse (mse with ONE output on 2-class data, e.g. the patch CNN): s = 2c - 1,
 *   0.5 (z - s)^2 (= 0.5 (s z - 1)^2: target margin 1); derivative z - s.
 * Accuracy: argmax of z (ties -> lowest index) for cross-entropy and classification mse;
 * z > 0 means class 1 for logistic, hinge and binary mse (z = 0 predicts class 0).
 * Regression has no accuracy.
 */
import type { LossName } from '../../schema/types';

export const LOSS_NAMES: readonly LossName[] = ['cross-entropy', 'logistic', 'mse', 'hinge'];

/** mse with one output on 2-class data: the signed target s = 2c - 1 (the binary squared loss). */
export function isBinaryMse(loss: LossName, outDim: number, nClasses: number): boolean {
  return loss === 'mse' && outDim === 1 && nClasses === 2;
}

/** Throws a specific error when a loss cannot be used with this output width and data. */
export function checkLossTask(loss: LossName, outDim: number, nClasses: number): void {
  if (!LOSS_NAMES.includes(loss))
    throw new Error(`loss: expected one of ${LOSS_NAMES.join(', ')}, got "${String(loss)}"`);
  if (loss === 'logistic' || loss === 'hinge') {
    if (nClasses !== 2)
      throw new Error(
        `loss: "${loss}" needs binary classification data (2 classes), got ${nClasses === 0 ? 'regression data' : `${nClasses} classes`}`,
      );
    if (outDim !== 1) throw new Error(`loss: "${loss}" needs 1 output unit, the network has ${outDim}`);
    return;
  }
  if (loss === 'cross-entropy' && nClasses === 0)
    throw new Error('loss: "cross-entropy" needs classification data, got regression data');
  if (isBinaryMse(loss, outDim, nClasses)) return;
  if (nClasses > 0 && outDim !== nClasses)
    throw new Error(
      `loss: "${loss}" on ${nClasses}-class data needs ${nClasses} output units` +
        (loss === 'mse' && nClasses === 2 ? ' (or 1, the binary squared loss)' : '') +
        `, the network has ${outDim}`,
    );
}

function classOf(y: ArrayLike<number>, row: number, nClasses: number): number {
  const c = y[row];
  if (!Number.isInteger(c) || c < 0 || c >= nClasses)
    throw new Error(`data.y[${row}]: expected a class index in 0..${nClasses - 1}, got ${c}`);
  return c;
}

/** Index of the largest of z[off .. off+k) (ties -> lowest index). */
export function argmax(z: ArrayLike<number>, off: number, k: number): number {
  let best = 0;
  let bv = z[off];
  for (let j = 1; j < k; j++) {
    if (z[off + j] > bv) {
      bv = z[off + j];
      best = j;
    }
  }
  return best;
}

/** softplus(u) = log(1 + e^u), without overflow. */
export function softplus(u: number): number {
  return Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
}

function sigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

/**
 * Loss of one example whose logits are z[zOff .. zOff+outDim), target at data row `row`. When `dz`
 * is given, writes scale * dl/dz_j into dz[dzOff + j].
 */
export function exampleLoss(
  loss: LossName,
  z: ArrayLike<number>,
  zOff: number,
  outDim: number,
  y: ArrayLike<number>,
  row: number,
  nClasses: number,
  dz?: Float64Array,
  dzOff = 0,
  scale = 1,
): number {
  switch (loss) {
    case 'cross-entropy': {
      const c = classOf(y, row, nClasses);
      let m = z[zOff];
      for (let j = 1; j < outDim; j++) m = Math.max(m, z[zOff + j]);
      let s = 0;
      for (let j = 0; j < outDim; j++) s += Math.exp(z[zOff + j] - m);
      if (dz)
        for (let j = 0; j < outDim; j++) dz[dzOff + j] = scale * (Math.exp(z[zOff + j] - m) / s - (j === c ? 1 : 0));
      return m + Math.log(s) - z[zOff + c];
    }
    case 'logistic': {
      const yy = 2 * classOf(y, row, nClasses) - 1;
      const u = -yy * z[zOff];
      // d softplus(-y z)/dz = -y sigmoid(-y z)
      if (dz) dz[dzOff] = scale * -yy * sigmoid(u);
      return softplus(u);
    }
    case 'hinge': {
      const yy = 2 * classOf(y, row, nClasses) - 1;
      const h = 1 - yy * z[zOff];
      if (dz) dz[dzOff] = h > 0 ? scale * -yy : 0;
      return h > 0 ? h : 0;
    }
    case 'mse': {
      if (isBinaryMse(loss, outDim, nClasses)) {
        const e = z[zOff] - (2 * classOf(y, row, nClasses) - 1);
        if (dz) dz[dzOff] = scale * e;
        return 0.5 * e * e;
      }
      const c = nClasses > 0 ? classOf(y, row, nClasses) : -1;
      let l = 0;
      for (let j = 0; j < outDim; j++) {
        const t = nClasses > 0 ? (j === c ? 1 : 0) : y[row * outDim + j];
        const e = z[zOff + j] - t;
        l += 0.5 * e * e;
        if (dz) dz[dzOff + j] = scale * e;
      }
      return l;
    }
    default:
      throw new Error(`loss: expected one of ${LOSS_NAMES.join(', ')}, got "${String(loss)}"`);
  }
}

/** Whether the prediction for one example is right (classification only; false for regression). */
export function exampleCorrect(
  loss: LossName,
  z: ArrayLike<number>,
  zOff: number,
  outDim: number,
  y: ArrayLike<number>,
  row: number,
  nClasses: number,
): boolean {
  if (nClasses === 0) return false;
  const c = classOf(y, row, nClasses);
  if (loss === 'logistic' || loss === 'hinge' || isBinaryMse(loss, outDim, nClasses))
    return (z[zOff] > 0 ? 1 : 0) === c;
  return argmax(z, zOff, outDim) === c;
}
