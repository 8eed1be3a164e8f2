/**
 * Benign-oscillation feature-noise data (docs/data.md; a reconstruction of Lu, Wu, Yang, Zou, ICLR
 * 2024, whose exact constants are not sourced). x is numPatches patches of dimension d = patchDim,
 * concatenated (input index p * d + i is coordinate i of patch p). With y uniform in {-1, +1}:
 *   patch 0: y * weakNorm * v, v = e_0 of the patch (every point, train and test);
 *   patch 1: train: y * strongNorm * u, u = e_1 of the patch, with probability strongFraction,
 *            otherwise noise; test: always noise;
 *   patches 2..P-1: noise.
 * A noise patch is N(0, noiseStd^2 I_d) projected orthogonal to u and v, i.e. coordinates 0 and 1
 * of the patch are zero and the rest are N(0, noiseStd^2). Labels: class 0 for y = -1, 1 for +1.
 */
import type { FeatureNoiseData } from '../../../schema/types';
import type { Dataset, DataSplit } from '../types';
import type { Rng } from '../prng';
import { dataRng, emptySplit, SUB_TEST, SUB_TRAIN } from './common';

export const FEATURE_NOISE_NOTE =
  'Reconstruction of the feature-noise data of Lu et al. (ICLR 2024, "Benign Oscillation of SGD") from its abstract and reviews; the paper\'s exact constants are not sourced, so every constant is a parameter.';

function noisePatch(x: Float32Array, at: number, d: number, std: number, rng: Rng): void {
  // Coordinates 0 (v) and 1 (u) stay zero: the projection orthogonal to both directions.
  for (let i = 2; i < d; i++) x[at + i] = std * rng.normal();
}

function split(
  cfg: FeatureNoiseData,
  n: number,
  train: boolean,
  rng: Rng,
): { split: DataSplit; hasStrong: Uint8Array } {
  const d = cfg.patchDim;
  const D = d * cfg.numPatches;
  const s = emptySplit(n, D, 1);
  const hasStrong = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const y = rng.uniform() < 0.5 ? -1 : 1;
    const strong = train && rng.uniform() < cfg.strongFraction;
    const at = k * D;
    s.x[at] = y * cfg.weakNorm;
    if (strong) {
      s.x[at + d + 1] = y * cfg.strongNorm;
      hasStrong[k] = 1;
    } else {
      noisePatch(s.x, at + d, d, cfg.noiseStd, rng);
    }
    for (let p = 2; p < cfg.numPatches; p++) noisePatch(s.x, at + p * d, d, cfg.noiseStd, rng);
    s.y[k] = y > 0 ? 1 : 0;
  }
  return { split: s, hasStrong };
}

export function featureNoise(cfg: FeatureNoiseData, seed: number): Dataset {
  const d = cfg.patchDim;
  const D = d * cfg.numPatches;
  const train = split(cfg, cfg.nTrain, true, dataRng(seed, SUB_TRAIN));
  const test = split(cfg, cfg.nTest, false, dataRng(seed, SUB_TEST));
  const weak = new Float32Array(D);
  weak[0] = 1;
  const strong = new Float32Array(D);
  strong[d + 1] = 1;
  return {
    inputDim: D,
    nClasses: 2,
    targetDim: 1,
    train: train.split,
    test: test.split,
    meta: {
      kind: cfg.kind,
      reconstruction: FEATURE_NOISE_NOTE,
      weakDirection: weak,
      strongDirection: strong,
      hasStrong: train.hasStrong,
    },
  };
}
