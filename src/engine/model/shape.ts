/** The network's parameter layout for an experiment and its dataset (every model kind). */
import type { Experiment } from '../../schema/types';
import { mlpParamCount, networkOutputs } from '../../schema/limits';
import type { Dataset } from '../data/types';
import { dataShape } from '../data/shape';
import { mlpLayout, type ParamLayout } from './layout';
import { buildCnnSpec, buildPatchCnnSpec, cnnInputShape, cnnLayout, type CnnSpec, type Shape3 } from './cnn_spec';

/**
 * What a layout needs to know about the data: its dimensions and, for images, the image shape.
 * A generated Dataset fits; so does engine/data/shape.ts dataShape() (no meta: the image shape
 * then comes from the images data config).
 */
export type LayoutData = Pick<Dataset, 'nClasses' | 'targetDim' | 'inputDim'> & {
  meta?: Pick<Dataset['meta'], 'imageShape'>;
};

/** Output units: classes for cross-entropy and classification mse; 1 for logistic/hinge; targetDim for regression. */
export function outputDim(loss: Experiment['loss'], ds: Pick<Dataset, 'nClasses' | 'targetDim'>): number {
  if (ds.nClasses === 0) return ds.targetDim;
  if (loss === 'logistic' || loss === 'hinge') return 1;
  return ds.nClasses;
}

/** [channels, height, width] of one input of images data (from the dataset, else from the config). */
function imageShapeOf(data: Experiment['data'], ds: LayoutData): Shape3 | undefined {
  if (ds.meta?.imageShape) return [...ds.meta.imageShape];
  if (data.kind === 'images') return [data.channels, data.size, data.size];
  return undefined;
}

/**
 * The op list of a "cnn" or "patch-cnn" experiment. Throws an Error whose message starts with the
 * config field at fault (the validator reports the same problems first).
 */
export function experimentCnnSpec(exp: Pick<Experiment, 'data' | 'model' | 'loss'>, ds: LayoutData): CnnSpec {
  const m = exp.model;
  const outDim = outputDim(exp.loss, ds);
  if (m.kind === 'cnn') return buildCnnSpec(m, cnnInputShape(m, ds.inputDim, imageShapeOf(exp.data, ds)), outDim);
  if (m.kind === 'patch-cnn') {
    const patchDim = m.patchDim ?? (exp.data.kind === 'feature-noise' ? exp.data.patchDim : undefined);
    if (patchDim === undefined)
      throw new Error(
        `model.patchDim: required for ${exp.data.kind} data (only feature-noise data supplies its own patchDim)`,
      );
    // The patch CNN has one output: "mse" on 2-class data is then the binary squared loss.
    return buildPatchCnnSpec(m, ds.inputDim, patchDim, exp.loss === 'mse' && ds.nClasses === 2 ? 1 : outDim);
  }
  throw new Error(`model.kind: "${m.kind}" is not a convolutional model`);
}

export function experimentLayout(exp: Pick<Experiment, 'data' | 'model' | 'loss'>, ds: LayoutData): ParamLayout {
  const m = exp.model;
  if (m.kind === 'mlp') return mlpLayout([ds.inputDim, ...m.hidden, outputDim(exp.loss, ds)], m.bias);
  return cnnLayout(experimentCnnSpec(exp, ds));
}

/**
 * Parameters per run of a (valid) experiment, every model kind (the layout experimentLayout builds, from
 * the data shape alone, without generating the data).
 */
export function paramsPerRun(exp: Pick<Experiment, 'data' | 'model' | 'loss'>): number {
  const shape = dataShape(exp.data);
  const m = exp.model;
  if (m.kind === 'mlp') return mlpParamCount([shape.inputDim, ...m.hidden, networkOutputs(exp.loss, shape)], m.bias);
  return experimentLayout(exp, shape).paramCount;
}
