/** Shared pieces of the dataset generators. */
import type { DataSplit } from '../types';
import { Rng, STREAM_DATA } from '../prng';

/**
 * Sub-streams of (seed, STREAM_DATA): each part of a dataset has its own generator, so changing
 * nTrain leaves the test set and the teacher unchanged (and vice versa).
 */
export const SUB_TRAIN = 1;
export const SUB_TEST = 2;
export const SUB_TEACHER = 3;

export function dataRng(seed: number, sub: number): Rng {
  return new Rng(seed, STREAM_DATA, sub);
}

/** A split of n points with zeroed features and targets. */
export function emptySplit(n: number, inputDim: number, targetDim: number): DataSplit {
  return { n, x: new Float32Array(n * inputDim), y: new Float32Array(n * targetDim) };
}
