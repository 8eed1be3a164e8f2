/**
 * Size limits, checked by the validator before anything is allocated, the list of data kinds, and
 * the pure arithmetic of a network's size. The shape an experiment implies (which needs the CSV
 * parser and the model layouts) is engine/data/shape.ts dataShape and engine/model/shape.ts
 * paramsPerRun.
 */
import type { DataKind, Experiment } from './types';

export const LIMITS = {
  runs: 256,
  hiddenWidth: 4096,
  hiddenLayers: 16,
  /** Convolutional models: layers of model.layers, channels of a conv2d layer, kernel/pool/stride size per axis. */
  cnnLayers: 16,
  cnnChannels: 1024,
  cnnKernel: 32,
  /** Patch CNN: m, filters per output sign. */
  patchFilters: 4096,
  steps: 1_000_000,
  /** Parameters per run times runs. */
  totalParams: 50_000_000,
  points: 100_000,
  inputDim: 100_000,
  outputDim: 4096,
  classes: 1024,
  labelLength: 200,
  /** Lanczos products (the cap of metrics.sharpness.iters) and Hutchinson samples per measurement. */
  curvatureIters: 1000,
} as const;

/** Every data kind, in the order the UI and `cli list` show them. */
export const DATA_KINDS = [
  'feature-noise',
  'circle',
  'xor',
  'gauss',
  'spiral',
  'teacher-student',
  'lms',
  'ms57',
  'lsn',
  'opposing-signals',
  'images',
  'csv',
] as const satisfies readonly DataKind[];

// Compile-time check that DATA_KINDS names every kind of the DataConfig union.
type MissingKind = Exclude<DataKind, (typeof DATA_KINDS)[number]>;
const _allKinds: MissingKind extends never ? true : never = true;
void _allKinds;

export interface DataShape {
  inputDim: number;
  /** Classes; 0 for regression. */
  nClasses: number;
  /** 1 for classification, the output dimension for regression. */
  targetDim: number;
}

/** Output units of the network (same rule as engine/model/shape.ts outputDim). */
export function networkOutputs(loss: Experiment['loss'], shape: DataShape): number {
  if (shape.nClasses === 0) return shape.targetDim;
  if (loss === 'logistic' || loss === 'hinge') return 1;
  return shape.nClasses;
}

/** Floats per run of an MLP with these widths [in, ...hidden, out]. */
export function mlpParamCount(widths: readonly number[], bias: boolean): number {
  let n = 0;
  for (let l = 0; l + 1 < widths.length; l++) n += widths[l] * widths[l + 1] + (bias ? widths[l + 1] : 0);
  return n;
}
