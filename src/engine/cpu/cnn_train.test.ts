/**
 * Whole convolutional models through the losses (the mean-loss gradient of lossAndGrad, routed by
 * layout.cnn through cpu/mlp.ts) against float64 central differences (h = 1e-6, rtol 1e-5,
 * atol 1e-8), and the unchanged CPU trainer training a CNN and a patch CNN.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment, ModelConfig } from '../../schema/types';
import { defaultDataConfig } from '../data/defaults';
import { buildCnnSpec, buildPatchCnnSpec, cnnLayout } from '../model/cnn_spec';
import { mlpLayout } from '../model/layout';
import { experimentLayout } from '../model/shape';
import { describeGradCheck, gradCheck } from './gradcheck';
import { accumulateGrad, backward, batchLosses, forward, lossAndGrad, meanLoss } from './mlp';
import { clippedBatchGrad, ghostNorms } from './per_example';
import { randomArray, randomTargets, uniformRng } from './testing';
import { run, testExperiment } from '../../test_fixtures';
import { CpuTrainer } from './trainer';

describe('whole models: mean-loss gradient against finite differences', () => {
  it('cnn: conv(s2,p1) -> maxpool(3, s2) -> conv(2x3) -> avgpool -> dense -> cross-entropy', () => {
    const rnd = uniformRng(1);
    const spec = buildCnnSpec(
      {
        kind: 'cnn',
        activation: 'tanh',
        initScale: 1,
        bias: true,
        layers: [
          { type: 'conv2d', channels: 3, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
          { type: 'maxpool', size: [3, 3], stride: [2, 2] },
          { type: 'conv2d', channels: 4, kernel: [2, 3], stride: [1, 2], padding: [1, 0] },
          { type: 'avgpool', size: [2, 1], stride: [1, 1] },
          { type: 'flatten' },
          { type: 'dense', units: 5 },
        ],
      },
      [2, 7, 9],
      3,
    );
    const layout = cnnLayout(spec);
    const points = 6;
    const x = randomArray(points * 2 * 7 * 9, rnd, -1, 1);
    const { y, nClasses } = randomTargets(points, 'cross-entropy', 3, rnd);
    const params = randomArray(layout.paramCount, rnd, -0.7, 0.7);
    const idx = [3, 0, 5, 5, 1];
    const model = { activation: 'tanh' as const };
    const res = lossAndGrad(params, layout, model, 'cross-entropy', x, y, idx, nClasses);
    const f = (th: Float64Array) => meanLoss(th, layout, model, 'cross-entropy', x, y, idx, nClasses);
    expect(res.loss).toBeCloseTo(f(params), 14);
    const r = gradCheck(f, res.grad, params);
    expect(r.ok, describeGradCheck(r)).toBe(true);
  });

  for (const act of ['relu', 'gelu'] as const)
    it(`cnn with ${act}, no bias, stride-2 conv and mse regression`, () => {
      const rnd = uniformRng(2);
      const spec = buildCnnSpec(
        {
          kind: 'cnn',
          activation: act,
          initScale: 1,
          bias: false,
          layers: [{ type: 'conv2d', channels: 2, kernel: [3, 2], stride: [2, 2], padding: [1, 1] }],
        },
        [1, 5, 5],
        2,
      );
      const layout = cnnLayout(spec);
      const x = randomArray(4 * 25, rnd, -1, 1);
      const y = randomArray(4 * 2, rnd);
      const params = randomArray(layout.paramCount, rnd, -1, 1);
      const idx = [0, 1, 2, 3];
      const res = lossAndGrad(params, layout, { activation: act }, 'mse', x, y, idx, 0);
      const r = gradCheck((th) => meanLoss(th, layout, { activation: act }, 'mse', x, y, idx, 0), res.grad, params);
      expect(r.ok, describeGradCheck(r)).toBe(true);
    });

  for (const loss of ['logistic', 'hinge'] as const)
    it(`patch-cnn (relu2) through ${loss}`, () => {
      const rnd = uniformRng(3);
      const spec = buildPatchCnnSpec({ kind: 'patch-cnn', filters: 3, activation: 'relu2', initScale: 1 }, 5 * 4, 4, 1);
      const layout = cnnLayout(spec);
      const x = randomArray(8 * 20, rnd, -1, 1);
      const { y, nClasses } = randomTargets(8, loss, 1, rnd);
      const params = randomArray(layout.paramCount, rnd, -0.5, 0.5);
      const idx = [0, 1, 2, 3, 4, 5, 6, 7];
      const model = { activation: 'relu2' as const };
      const res = lossAndGrad(params, layout, model, loss, x, y, idx, nClasses);
      const r = gradCheck((th) => meanLoss(th, layout, model, loss, x, y, idx, nClasses), res.grad, params);
      expect(r.ok, describeGradCheck(r)).toBe(true);
    });
});

describe('convolutional layouts: gradient accumulation and per-example clipping', () => {
  it('accumulateGrad over [from, to) sums to the whole batch', () => {
    const rnd = uniformRng(4);
    const spec = buildCnnSpec(
      {
        kind: 'cnn',
        activation: 'tanh',
        initScale: 1,
        bias: true,
        layers: [{ type: 'conv2d', channels: 2, kernel: [2, 2], stride: [1, 1], padding: [0, 0] }],
      },
      [1, 3, 3],
      2,
    );
    const layout = cnnLayout(spec);
    const x = randomArray(5 * 9, rnd);
    const { y, nClasses } = randomTargets(5, 'cross-entropy', 2, rnd);
    const params = randomArray(layout.paramCount, rnd);
    const fwd = forward(params, layout, 'tanh', x, 5);
    const bl = batchLosses(fwd, layout, 'cross-entropy', y, undefined, nClasses, 1);
    const deltas = backward(params, layout, 'tanh', fwd, bl.dz);
    const all = new Float64Array(layout.paramCount);
    accumulateGrad(layout, fwd, deltas, all);
    const parts = new Float64Array(layout.paramCount);
    accumulateGrad(layout, fwd, deltas, parts, 0, 2);
    accumulateGrad(layout, fwd, deltas, parts, 2, 5);
    for (let k = 0; k < all.length; k++) expect(parts[k]).toBeCloseTo(all[k], 13);
  });

  it('per-example clipping refuses convolutional layouts with a clear error', () => {
    const spec = buildPatchCnnSpec({ kind: 'patch-cnn', filters: 1, activation: 'relu2', initScale: 1 }, 4, 2, 1);
    const layout = cnnLayout(spec);
    const args = [
      new Float64Array(4),
      layout,
      { activation: 'relu2' as const },
      'logistic',
      new Float64Array(4),
      [1],
      [0],
      2,
    ] as const;
    expect(() => ghostNorms(...args)).toThrow(/model\.kind: per-example gradient clipping .* only "mlp"/);
    expect(() => clippedBatchGrad(...args, 1)).toThrow(/only "mlp" models, got "patch-cnn"/);
    // MLP layouts are unaffected.
    expect(() =>
      ghostNorms(new Float64Array(9), mlpLayout([2, 3]), { activation: 'relu' }, 'cross-entropy', [0, 0], [1], [0], 3),
    ).not.toThrow();
  });
});

function baseExperiment(model: ModelConfig, over: Partial<Experiment>): Experiment {
  return testExperiment({
    seed: 5,
    data: { ...defaultDataConfig('images'), nTrain: 64, nTest: 32, size: 8, channels: 1, nClasses: 3, noise: 0.1 },
    model,
    steps: 30,
    runs: [run('sgd', { name: 'sgd', lr: 0.1, momentum: 0.9 })],
    ...over,
  });
}

describe('the CPU trainer trains convolutional models unchanged', () => {
  it('cnn on 8x8 images: conv 4 k3 p1, maxpool 2, dense 8; the train loss falls', async () => {
    const e = baseExperiment(
      {
        kind: 'cnn',
        activation: 'relu',
        initScale: 1,
        bias: true,
        layers: [
          { type: 'conv2d', channels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
          { type: 'maxpool', size: [2, 2], stride: [2, 2] },
          { type: 'dense', units: 8 },
        ],
      },
      {},
    );
    const t = CpuTrainer.create(e);
    expect(t.layout.cnn?.inShape).toEqual([1, 8, 8]);
    expect(t.layout.paramCount).toBe(4 * 9 + 4 + 64 * 8 + 8 + 8 * 3 + 3);
    const rows = await t.advance(e.steps);
    const loss = rows.filter((r) => r.metric === 'train_loss');
    expect(loss[0].step).toBe(0);
    expect(loss.at(-1)!.step).toBe(30);
    expect(loss.at(-1)!.value).toBeLessThan(0.5 * loss[0].value);
    expect(rows.filter((r) => r.metric === 'train_acc').at(-1)!.value).toBeGreaterThan(0.8);
    expect(rows.every((r) => Number.isFinite(r.value))).toBe(true);
  });

  it('patch-cnn on feature-noise data with logistic loss; the train loss falls', async () => {
    const data = { ...defaultDataConfig('feature-noise'), nTrain: 64, nTest: 64, patchDim: 8, numPatches: 3 };
    const e = baseExperiment(
      { kind: 'patch-cnn', filters: 4, activation: 'relu2', initScale: 1 },
      {
        data,
        loss: 'logistic',
        batchSize: 'full',
        runs: [{ label: 'gd', optimizer: { name: 'sgd', lr: 0.5 }, schedule: { name: 'constant' } }],
      },
    );
    const layout = experimentLayout(e, { inputDim: 24, nClasses: 2, targetDim: 1 });
    expect(layout.paramCount).toBe(2 * 4 * 8);
    const t = CpuTrainer.create(e);
    const rows = await t.advance(e.steps);
    const loss = rows.filter((r) => r.metric === 'train_loss');
    expect(loss.at(-1)!.value).toBeLessThan(0.5 * loss[0].value);
  });
});
