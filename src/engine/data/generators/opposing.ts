/**
 * Opposing-signals toy data (docs/data.md; a reconstruction of Rosenfeld & Risteski, ICLR 2024, whose
 * exact toy model is not sourced). Input x = (x0, x1, ..., x_dim), dimension dim + 1.
 *   Clean points: x0 = 0; y ~ Bernoulli(1/2); x1 = (2y - 1) * signal (the true signal);
 *                 x2..x_dim ~ N(0, noiseStd^2).
 *   Outliers:     exactly round(outlierFraction * n) points of each split, at seeded random
 *                 positions; x0 = +alpha or -alpha with a fair coin; label = outlierClass for
 *                 both groups; x1 = +-signal with a fair sign independent of the label (so the
 *                 clean feature does not predict their class); x2.. as for clean points.
 * The label of an outlier depends on x0 only through |x0|: a linear use of x0 helps the x0 > 0
 * group and hurts the x0 < 0 group (for outlierClass 1; the reverse for 0). meta.group holds, per
 * train point, +1 (x0 > 0), -1 (x0 < 0) or 0 (clean).
 */
import type { OpposingSignalsData } from '../../../schema/types';
import type { Dataset, DataSplit } from '../types';
import type { Rng } from '../prng';
import { dataRng, emptySplit, SUB_TEST, SUB_TRAIN } from './common';

export const OPPOSING_SIGNALS_NOTE =
  'Reconstruction of the opposing-signals toy model of Rosenfeld & Risteski (ICLR 2024) from its abstract and reviews: a few outliers with x0 = +-alpha share one class that the clean feature x1 does not predict; every constant is a parameter.';

function split(cfg: OpposingSignalsData, n: number, rng: Rng): { split: DataSplit; group: Int8Array } {
  const D = cfg.dim + 1;
  const s = emptySplit(n, D, 1);
  const group = new Int8Array(n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  rng.shuffle(order);
  const nOut = Math.round(cfg.outlierFraction * n);
  for (let i = 0; i < nOut; i++) group[order[i]] = rng.uniform() < 0.5 ? -1 : 1;
  for (let k = 0; k < n; k++) {
    const at = k * D;
    const g = group[k];
    let y: number;
    if (g === 0) {
      y = rng.uniform() < 0.5 ? 0 : 1;
      s.x[at + 1] = (2 * y - 1) * cfg.signal;
    } else {
      y = cfg.outlierClass;
      s.x[at] = g * cfg.alpha;
      s.x[at + 1] = (rng.uniform() < 0.5 ? -1 : 1) * cfg.signal;
    }
    for (let i = 2; i < D; i++) s.x[at + i] = cfg.noiseStd * rng.normal();
    s.y[k] = y;
  }
  return { split: s, group };
}

export function opposingSignals(cfg: OpposingSignalsData, seed: number): Dataset {
  const train = split(cfg, cfg.nTrain, dataRng(seed, SUB_TRAIN));
  const test = split(cfg, cfg.nTest, dataRng(seed, SUB_TEST));
  return {
    inputDim: cfg.dim + 1,
    nClasses: 2,
    targetDim: 1,
    train: train.split,
    test: test.split,
    meta: { kind: cfg.kind, reconstruction: OPPOSING_SIGNALS_NOTE, group: train.group },
  };
}
