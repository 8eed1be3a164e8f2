/** The model section for every kind, and the model checks that need the data (validate_cnn.ts). */
import { describe, expect, it } from 'vitest';
import { parseExperiment } from './validate';
import { defaultExperiment } from './defaults';
import { paramsPerRun } from './limits';
import { defaultModelOf } from './validate_cnn';
import type { Experiment } from './types';
import { experimentLayout } from '../engine/model/shape';
import { dataShape } from './limits';

const run = { optimizer: { name: 'sgd', lr: 0.1 } };
const images = { kind: 'images', nTrain: 32, nTest: 16, size: 8, channels: 2, nClasses: 3, noise: 0.1 };
const featureNoise = { kind: 'feature-noise', nTrain: 32, nTest: 16, patchDim: 6, numPatches: 3 };

function parse(over: Record<string, unknown>) {
  return parseExperiment({ ...defaultExperiment(), runs: [run], ...over });
}

function ok(over: Record<string, unknown>): Experiment {
  const res = parse(over);
  expect(res.ok, res.ok ? '' : JSON.stringify(res.errors)).toBe(true);
  return (res as { value: Experiment }).value;
}

function expectError(over: Record<string, unknown>, path: string, ...fragments: string[]): void {
  const res = parse(over);
  expect(res.ok).toBe(false);
  if (res.ok) return;
  const hit = res.errors.find((e) => e.path === path);
  expect(hit, `no error at ${path}; got ${JSON.stringify(res.errors)}`).toBeDefined();
  for (const f of fragments) expect(hit!.message).toContain(f);
}

const conv = (extra: Record<string, unknown> = {}) => ({ type: 'conv2d', channels: 4, kernel: 3, ...extra });

describe('model kinds', () => {
  it('mlp is unchanged: same output, outputScale optional and passed through', () => {
    const def = defaultExperiment();
    expect(ok({}).model).toEqual(def.model);
    expect(ok({ model: { hidden: [4] } }).model).toEqual({ ...def.model, hidden: [4] });
    expect(ok({ model: { kind: 'mlp', outputScale: 10 } }).model).toEqual({ ...def.model, outputScale: 10 });
    expect('outputScale' in ok({ model: { kind: 'mlp' } }).model).toBe(false);
  });

  it('outputScale is checked on every kind', () => {
    for (const model of [{ kind: 'mlp' }, { kind: 'cnn' }, { kind: 'patch-cnn' }]) {
      expectError(
        { data: featureNoise, loss: 'logistic', model: { ...model, outputScale: 0 } },
        'model.outputScale',
        '>= 0.0001',
      );
      expectError(
        { data: featureNoise, loss: 'logistic', model: { ...model, outputScale: 1e5 } },
        'model.outputScale',
        '<= 10000',
      );
      expectError({ data: featureNoise, loss: 'logistic', model: { ...model, outputScale: NaN } }, 'model.outputScale');
    }
    expect(ok({ data: images, model: { kind: 'cnn', outputScale: 0.5 } }).model.outputScale).toBe(0.5);
  });

  it('an unknown kind is reported with a suggestion', () => {
    expectError({ model: { kind: 'cnnn' } }, 'model.kind', 'did you mean "cnn"?', 'mlp, cnn, patch-cnn');
  });

  it('cnn: sizes as numbers become pairs; stride defaults to 1 (conv) or the size (pool); padding to 0', () => {
    const m = ok({
      data: images,
      model: {
        kind: 'cnn',
        layers: [
          conv({ padding: 1 }),
          { type: 'maxpool', size: 2 },
          { type: 'avgpool', size: [2, 1], stride: [1, 1] },
          conv({ kernel: [1, 3], stride: [1, 2] }),
          { type: 'flatten' },
          { type: 'dense', units: 8 },
        ],
      },
    }).model;
    expect(m).toEqual({
      kind: 'cnn',
      activation: 'relu',
      initScale: 1,
      bias: true,
      layers: [
        { type: 'conv2d', channels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
        { type: 'maxpool', size: [2, 2], stride: [2, 2] },
        { type: 'avgpool', size: [2, 1], stride: [1, 1] },
        { type: 'conv2d', channels: 4, kernel: [1, 3], stride: [1, 2], padding: [0, 0] },
        { type: 'flatten' },
        { type: 'dense', units: 8 },
      ],
    });
    // Re-validating the output gives the same model.
    expect(ok({ data: images, model: m }).model).toEqual(m);
  });

  it('cnn defaults (kind only) and patch-cnn defaults', () => {
    expect(ok({ data: images, model: { kind: 'cnn' } }).model).toEqual(defaultModelOf('cnn'));
    expect(ok({ data: featureNoise, loss: 'logistic', model: { kind: 'patch-cnn' } }).model).toEqual(
      defaultModelOf('patch-cnn'),
    );
  });

  it('per-kind unknown keys', () => {
    expectError({ data: images, model: { kind: 'cnn', hidden: [4] } }, 'model.hidden', 'unknown field', 'layers');
    expectError({ data: featureNoise, model: { kind: 'patch-cnn', bias: true } }, 'model.bias', 'unknown field');
    expectError({ model: { kind: 'mlp', layers: [] } }, 'model.layers', 'unknown field');
    expectError(
      { data: images, model: { kind: 'cnn', layers: [conv({ units: 3 })] } },
      'model.layers[0].units',
      'unknown field',
    );
  });

  it('layer errors name the layer and the field', () => {
    const bad = (layers: unknown[], path: string, ...f: string[]) =>
      expectError({ data: images, model: { kind: 'cnn', layers } }, path, ...f);
    bad([conv(), conv({ kernel: 0 })], 'model.layers[1].kernel', 'expected an integer >= 1', 'got 0');
    bad([conv({ kernel: [3, 2.5] })], 'model.layers[0].kernel[1]', 'got 2.5');
    bad([conv({ kernel: [3, 3, 3] })], 'model.layers[0].kernel', '[height, width] pair');
    bad([conv({ kernel: 33 })], 'model.layers[0].kernel', '<= 32');
    bad([conv({ padding: 3 })], 'model.layers[0].padding', 'smaller than the kernel height 3', 'at most 2');
    bad([conv({ kernel: [3, 1], padding: [1, 1] })], 'model.layers[0].padding', 'kernel width 1');
    bad([conv({ padding: -1 })], 'model.layers[0].padding', '>= 0');
    bad([conv({ channels: 2000 })], 'model.layers[0].channels', '<= 1024');
    bad([{ type: 'conv2d', kernel: 3 }], 'model.layers[0].channels', 'required', '"channels": 8');
    bad([{ type: 'maxpool' }], 'model.layers[0].size', 'required');
    bad([{ type: 'dense' }], 'model.layers[0].units', 'required');
    bad([{ type: 'dense', units: 0 }], 'model.layers[0].units', '>= 1');
    bad([{ type: 'maxpol', size: 2 }], 'model.layers[0].type', 'did you mean "maxpool"?');
    bad(['conv'], 'model.layers[0]', 'expected a layer object');
    bad([{ type: 'dense', units: 4 }, conv()], 'model.layers[1].type', 'cannot follow the dense layer model.layers[0]');
    bad(new Array(17).fill({ type: 'flatten' }), 'model.layers', 'limit of 16');
    expectError(
      { data: images, model: { kind: 'cnn', layers: 'conv' } },
      'model.layers',
      'expected an array of layers',
    );
  });

  it('patch-cnn fields', () => {
    const p = (model: Record<string, unknown>, path: string, ...f: string[]) =>
      expectError({ data: featureNoise, loss: 'logistic', model: { kind: 'patch-cnn', ...model } }, path, ...f);
    p({ filters: 0 }, 'model.filters', '>= 1');
    p({ filters: 5000 }, 'model.filters', '<= 4096');
    p({ patchDim: 1.5 }, 'model.patchDim', 'integer');
    p({ activation: 'relu3' }, 'model.activation', 'did you mean');
  });
});

describe('model checks against the data', () => {
  it('images data: the input shape comes from the data; the layout matches the engine', () => {
    const e = ok({
      data: images,
      model: { kind: 'cnn', layers: [conv({ padding: 1 }), { type: 'maxpool', size: 2 }] },
    });
    const layout = experimentLayout(e, dataShape(e.data));
    expect(layout.cnn?.inShape).toEqual([2, 8, 8]);
    // conv 4x2x3x3 + 4, then dense 4*4*4 -> 3 outputs
    expect(paramsPerRun(e)).toBe(4 * 2 * 9 + 4 + 64 * 3 + 3);
    expect(layout.paramCount).toBe(paramsPerRun(e));
  });

  it('inputShape must hold the data', () => {
    expectError(
      { data: images, model: { kind: 'cnn', inputShape: [1, 8, 8], layers: [] } },
      'model.inputShape',
      'holds 64 values but the images data has 128 inputs',
    );
    expect(ok({ data: images, model: { kind: 'cnn', inputShape: [1, 16, 8], layers: [conv()] } }).model).toBeTruthy();
    expectError(
      { data: images, model: { kind: 'cnn', inputShape: [1, 8] } },
      'model.inputShape',
      '[channels, height, width]',
    );
  });

  it('spatial sizes must not collapse', () => {
    // 8 -> conv k3 -> 6 -> pool 2 -> 3 -> pool 2 -> 1 -> conv k3 does not fit
    expectError(
      {
        data: images,
        model: { kind: 'cnn', layers: [conv(), { type: 'maxpool', size: 2 }, { type: 'maxpool', size: 2 }, conv()] },
      },
      'model.layers[3].kernel',
      'kernel height 3 does not fit',
      'input height 1',
    );
    expectError(
      { data: images, model: { kind: 'cnn', layers: [{ type: 'avgpool', size: [1, 9] }] } },
      'model.layers[0].size',
      'window width 9',
    );
    // Non-image data is [1, 1, D]: a 3x3 kernel has no height to slide over.
    expectError(
      { data: { kind: 'circle' }, model: { kind: 'cnn', layers: [conv()] } },
      'model.layers[0].kernel',
      'height',
    );
    expect(ok({ data: { kind: 'xor' }, model: { kind: 'cnn', layers: [conv({ kernel: [1, 2] })] } }).model.kind).toBe(
      'cnn',
    );
  });

  it('a layer may not output more than a million values per example', () => {
    const big = { ...images, size: 64, channels: 1, nTrain: 2, nTest: 1 };
    expectError(
      { data: big, model: { kind: 'cnn', layers: [conv({ channels: 256, padding: 1 })] } },
      'model.layers[0]',
      '256 x 64 x 64 = 1,048,576 values',
      'fewer channels',
    );
  });

  it('patch-cnn: patchDim from feature-noise data, or required and dividing the input', () => {
    const e = ok({ data: featureNoise, loss: 'logistic', model: { kind: 'patch-cnn', filters: 3 } });
    expect(paramsPerRun(e)).toBe(2 * 3 * 6);
    expect(ok({ data: featureNoise, loss: 'hinge', model: { kind: 'patch-cnn', patchDim: 9 } }).model).toBeTruthy();
    expectError(
      { data: featureNoise, loss: 'logistic', model: { kind: 'patch-cnn', patchDim: 4 } },
      'model.patchDim',
      '4 does not divide the input dimension 18',
    );
    expectError(
      { data: { kind: 'lms', dim: 10 }, loss: 'logistic', model: { kind: 'patch-cnn' } },
      'model.patchDim',
      'required for lms data',
    );
    expect(
      ok({ data: { kind: 'lms', dim: 10 }, loss: 'logistic', model: { kind: 'patch-cnn', patchDim: 5 } }),
    ).toBeTruthy();
  });

  it('patch-cnn needs logistic, hinge or mse (the binary squared loss, 2-class data only)', () => {
    expectError(
      { data: featureNoise, loss: 'cross-entropy', model: { kind: 'patch-cnn' } },
      'loss',
      'one output',
      '"logistic", "hinge" or "mse"',
      'got "cross-entropy"',
    );
    const e = ok({ data: featureNoise, loss: 'mse', model: { kind: 'patch-cnn', filters: 3 } });
    expect(e.loss).toBe('mse');
    // One output unit: 2m filters of patchDim 6, nothing else.
    expect(paramsPerRun(e)).toBe(2 * 3 * 6);
    expect(experimentLayout(e, dataShape(e.data)).widths).toEqual([18, 1]);
    expectError(
      {
        data: { kind: 'gauss', nClasses: 3, nTrain: 32, nTest: 16 },
        loss: 'mse',
        model: { kind: 'patch-cnn', patchDim: 1 },
      },
      'loss',
      'needs 2-class data',
      'has 3 classes',
    );
    expectError(
      {
        data: { kind: 'teacher-student', inputDim: 4, outputDim: 1, nTrain: 32, nTest: 16 },
        loss: 'mse',
        model: { kind: 'patch-cnn', patchDim: 2 },
      },
      'loss',
      'needs 2-class data',
      'is regression',
    );
  });

  it('mse keeps one output per class on every other kind (no single-output mse there)', () => {
    const mlp = ok({ data: featureNoise, loss: 'mse', model: { kind: 'mlp', hidden: [4] } });
    expect(experimentLayout(mlp, dataShape(mlp.data)).widths).toEqual([18, 4, 2]);
    const cnn = ok({
      data: { ...images, nClasses: 2 },
      loss: 'mse',
      model: { kind: 'cnn', layers: [conv(), { type: 'dense', units: 3 }] },
    });
    expect(experimentLayout(cnn, dataShape(cnn.data)).cnn!.outDim).toBe(2);
  });

  it('DP optimizers are refused for convolutional models, allowed for MLPs', () => {
    const runs = [run, { optimizer: { name: 'dp-sgd', lr: 0.1 } }, { optimizer: { name: 'dice-sgd', lr: 0.1 } }];
    for (const model of [{ kind: 'cnn', layers: [] }, { kind: 'patch-cnn' }]) {
      const data = model.kind === 'cnn' ? images : featureNoise;
      const loss = model.kind === 'cnn' ? 'cross-entropy' : 'logistic';
      expectError(
        { data, loss, model, runs },
        'runs[1].optimizer.name',
        '"dp-sgd" clips per-example gradients',
        'only "mlp"',
      );
      expectError({ data, loss, model, runs }, 'runs[2].optimizer.name', '"dice-sgd"');
    }
    expect(ok({ runs }).runs).toHaveLength(3);
  });

  it('the parameter limit names the cnn fields to reduce', () => {
    const big = { ...images, size: 64, channels: 1 };
    expectError(
      {
        data: big,
        model: { kind: 'cnn', layers: [conv({ channels: 16, padding: 1 }), { type: 'dense', units: 4096 }] },
      },
      'model',
      'exceeds the limit',
      'channels and units of model.layers',
    );
  });
});
