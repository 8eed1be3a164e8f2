/** The network's widths for an experiment and its dataset. */
import type { Experiment } from '../../experiment/types';
import type { Dataset } from '../data/types';
import { mlpLayout, type ParamLayout } from './layout';

/** Output units: classes for cross-entropy and classification mse; 1 for logistic/hinge; targetDim for regression. */
export function outputDim(loss: Experiment['loss'], ds: Pick<Dataset, 'nClasses' | 'targetDim'>): number {
  if (ds.nClasses === 0) return ds.targetDim;
  if (loss === 'logistic' || loss === 'hinge') return 1;
  return ds.nClasses;
}

export function experimentLayout(
  exp: Experiment,
  ds: Pick<Dataset, 'nClasses' | 'targetDim' | 'inputDim'>,
): ParamLayout {
  return mlpLayout([ds.inputDim, ...exp.model.hidden, outputDim(exp.loss, ds)], exp.model.bias);
}
