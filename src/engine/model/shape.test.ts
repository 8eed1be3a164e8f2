/** experimentLayout for every model kind (model/shape.ts). */
import { describe, expect, it } from 'vitest';
import type { CnnModel, Experiment, PatchCnnModel } from '../../schema/types';
import { dataShape } from '../data/shape';
import { generateDataset } from '../data';
import { defaultDataConfig } from '../data/defaults';
import { mlpLayout } from './layout';
import { experimentCnnSpec, experimentLayout, outputDim } from './shape';

const cnn = (layers: CnnModel['layers'], extra: Partial<CnnModel> = {}): CnnModel => ({
  kind: 'cnn',
  layers,
  activation: 'relu',
  initScale: 1,
  bias: true,
  ...extra,
});
const patch = (extra: Partial<PatchCnnModel> = {}): PatchCnnModel => ({
  kind: 'patch-cnn',
  filters: 3,
  activation: 'relu2',
  initScale: 1,
  ...extra,
});

function exp(data: Experiment['data'], model: Experiment['model'], loss: Experiment['loss']) {
  return { data, model, loss };
}

describe('experimentLayout', () => {
  it('mlp: unchanged', () => {
    const e = exp(
      { kind: 'circle', nTrain: 8, nTest: 8, noise: 0 },
      { kind: 'mlp', hidden: [5], activation: 'relu', initScale: 1, bias: false },
      'cross-entropy',
    );
    expect(experimentLayout(e, dataShape(e.data))).toEqual(mlpLayout([2, 5, 2], false));
    expect(experimentLayout(e, dataShape(e.data)).cnn).toBeUndefined();
  });

  it('cnn on images: the input shape comes from the dataset meta or, without it, from the data config', () => {
    const data = { ...defaultDataConfig('images'), size: 6, channels: 2, nClasses: 3, nTrain: 4, nTest: 2 } as const;
    const e = exp(
      data,
      cnn([{ type: 'conv2d', channels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1] }]),
      'cross-entropy',
    );
    const ds = generateDataset(data, 1);
    expect(ds.meta.imageShape).toEqual([2, 6, 6]);
    const fromDs = experimentLayout(e, ds);
    const fromConfig = experimentLayout(e, dataShape(data));
    expect(fromDs).toEqual(fromConfig);
    expect(fromDs.cnn?.inShape).toEqual([2, 6, 6]);
    expect(fromDs.widths).toEqual([72, 3]);
    expect(fromDs.layers.map((l) => [l.inDim, l.outDim])).toEqual([
      [2 * 9, 4],
      [4 * 36, 3],
    ]);
    expect(fromDs.tensors.map((t) => [t.name, t.shape])).toEqual([
      ['layers.0.weight', [4, 2, 3, 3]],
      ['layers.0.bias', [4]],
      ['layers.1.weight', [3, 144]],
      ['layers.1.bias', [3]],
    ]);
    expect(fromDs.paramCount).toBe(4 * 18 + 4 + 144 * 3 + 3);
  });

  it('cnn: an explicit inputShape wins; other data is [1, 1, D]', () => {
    const data = { ...defaultDataConfig('lms'), dim: 6 } as Experiment['data'];
    const e = exp(data, cnn([]), 'logistic');
    expect(experimentLayout(e, dataShape(data)).cnn?.inShape).toEqual([1, 1, 6]);
    const shaped = exp(data, cnn([], { inputShape: [1, 2, 3] }), 'logistic');
    expect(experimentLayout(shaped, dataShape(data)).cnn?.inShape).toEqual([1, 2, 3]);
    const wrong = exp(data, cnn([], { inputShape: [1, 2, 2] }), 'logistic');
    expect(() => experimentLayout(wrong, dataShape(data))).toThrow(
      /model\.inputShape: .* holds 4 values but the data has 6/,
    );
  });

  it('patch-cnn: patchDim from feature-noise data, else from the model, else an error', () => {
    const fn = { ...defaultDataConfig('feature-noise'), patchDim: 5, numPatches: 4 } as Experiment['data'];
    const l = experimentLayout(exp(fn, patch(), 'logistic'), dataShape(fn));
    expect(l.cnn?.kind).toBe('patch-cnn');
    expect(l.paramCount).toBe(2 * 3 * 5);
    expect(l.tensors).toEqual([
      { name: 'filters.weight', offset: 0, size: 30, shape: [6, 1, 1, 5], layer: 0, kind: 'weight' },
    ]);
    expect(experimentCnnSpec(exp(fn, patch({ patchDim: 10 }), 'logistic'), dataShape(fn)).ops[2]).toEqual({
      op: 'patch-head',
      filters: 3,
      positions: 2,
    });
    const lms = { ...defaultDataConfig('lms'), dim: 6 } as Experiment['data'];
    expect(() => experimentLayout(exp(lms, patch(), 'logistic'), dataShape(lms))).toThrow(
      /model\.patchDim: required for lms data/,
    );
    expect(experimentLayout(exp(lms, patch({ patchDim: 3 }), 'hinge'), dataShape(lms)).paramCount).toBe(18);
    expect(() => experimentLayout(exp(fn, patch(), 'cross-entropy'), dataShape(fn))).toThrow(
      /use loss "logistic", "hinge" or "mse" on 2-class data/,
    );
  });

  it('outputDim', () => {
    expect(outputDim('logistic', { nClasses: 2, targetDim: 1 })).toBe(1);
    expect(outputDim('cross-entropy', { nClasses: 4, targetDim: 1 })).toBe(4);
    expect(outputDim('mse', { nClasses: 0, targetDim: 3 })).toBe(3);
  });
});
