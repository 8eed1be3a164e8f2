/**
 * Size limits, checked by the validator before anything is allocated, and the network shape an
 * experiment implies (computed from the config alone, without generating the data).
 */
import type { DataConfig, DataKind, Experiment } from './types';
import { parseCsvCached } from '../engine/data/csv';
import { experimentLayout } from '../engine/model/shape';

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
  /** Power-iteration iterations and Hutchinson samples per measurement. */
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

/** Input dimension, classes and target size of a (valid) data config. */
export function dataShape(data: DataConfig): DataShape {
  switch (data.kind) {
    case 'feature-noise':
      return { inputDim: data.patchDim * data.numPatches, nClasses: 2, targetDim: 1 };
    case 'circle':
    case 'xor':
      return { inputDim: 2, nClasses: 2, targetDim: 1 };
    case 'gauss':
    case 'spiral':
      return { inputDim: 2, nClasses: data.nClasses, targetDim: 1 };
    case 'teacher-student':
      return { inputDim: data.inputDim, nClasses: 0, targetDim: data.outputDim };
    case 'lms':
    case 'ms57':
    case 'lsn':
      return { inputDim: data.dim, nClasses: 2, targetDim: 1 };
    case 'opposing-signals':
      return { inputDim: data.dim + 1, nClasses: 2, targetDim: 1 };
    case 'images':
      return { inputDim: data.channels * data.size * data.size, nClasses: data.nClasses, targetDim: 1 };
    case 'csv': {
      // A valid config parses (the validator checked it); an invalid one reports shape 0.
      const r = parseCsvCached(data.text, { labelColumn: data.labelColumn, task: data.task });
      return r.ok
        ? { inputDim: r.value.inputDim, nClasses: r.value.nClasses, targetDim: 1 }
        : { inputDim: 0, nClasses: 0, targetDim: 1 };
    }
  }
}

/** Output units of the network (same rule as engine/model/shape.ts). */
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

/**
 * Parameters per run of a (valid) experiment, every model kind (the same layout the engine builds,
 * engine/model/shape.ts, from the data shape alone).
 */
export function paramsPerRun(exp: Pick<Experiment, 'data' | 'model' | 'loss'>): number {
  const shape = dataShape(exp.data);
  const m = exp.model;
  if (m.kind === 'mlp') return mlpParamCount([shape.inputDim, ...m.hidden, networkOutputs(exp.loss, shape)], m.bias);
  return experimentLayout(exp, shape).paramCount;
}
