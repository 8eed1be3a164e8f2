/**
 * The feature directions the alignment metrics (weak_alignment, strong_alignment) compare the first
 * layer's units with, in that layer's input space, or undefined when the metric does not apply.
 *
 * - MLP with a hidden layer on feature-noise data: the weak / strong unit directions in input space.
 * - Patch CNN: the filters live in patch space (R^d); the weak feature sits in patch 0 and the strong
 *   one in patch 1 (data/generators/feature_noise.ts), so their patch-space directions are those
 *   slices. This is the paper's "max_j <w_j, v>" curve, as a cosine (docs/metrics.md).
 * - Other models (a linear model, a general CNN): none.
 */
import type { Dataset } from '../data/types';
import type { ParamLayout } from './layout';

export interface FeatureDirections {
  weak: Float32Array;
  strong: Float32Array;
}

export function alignmentDirections(layout: ParamLayout, meta: Dataset['meta']): FeatureDirections | undefined {
  const { weakDirection: weak, strongDirection: strong } = meta;
  if (!weak || !strong) return undefined;
  if (layout.cnn) {
    if (layout.cnn.kind !== 'patch-cnn') return undefined;
    const d = layout.layers[0].inDim;
    if (weak.length < 2 * d) return undefined;
    return { weak: weak.slice(0, d), strong: strong.slice(d, 2 * d) };
  }
  if (layout.layers.length < 2) return undefined;
  return { weak, strong };
}
