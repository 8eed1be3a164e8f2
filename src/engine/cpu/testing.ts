/** Small deterministic helpers for the CPU backend's tests (not used by the engine). */
import type { LossName } from '../../schema/types';

/** mulberry32: uniform in [0, 1). */
export function uniformRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [lo, hi). */
export function randomArray(n: number, rnd: () => number, lo = -1, hi = 1): Float64Array {
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * rnd());
}

/**
 * Random targets for `points` examples: class indices (as floats) for classification, target
 * vectors of outDim floats for regression (nClasses = 0).
 */
export function randomTargets(
  points: number,
  loss: LossName,
  outDim: number,
  rnd: () => number,
): { y: Float64Array; nClasses: number } {
  if (loss === 'logistic' || loss === 'hinge')
    return { y: Float64Array.from({ length: points }, () => (rnd() < 0.5 ? 0 : 1)), nClasses: 2 };
  return { y: Float64Array.from({ length: points }, () => Math.floor(rnd() * outDim)), nClasses: outDim };
}
