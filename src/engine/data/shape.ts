/**
 * The data shape a (valid) data config implies, computed from the config alone without generating
 * the data (a CSV is parsed, through the parser's cache).
 */
import type { DataConfig } from '../../schema/types';
import type { DataShape } from '../../schema/limits';
import { parseCsvCached } from './csv';

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
