/**
 * Convolutional models end to end: the WebGPU trainer (model/cnn_gpu.ts inside populations,
 * curvature probes and loss slices) against the float64 CPU trainer (cpu/cnn.ts), for a "cnn" on
 * synthetic images and the "patch-cnn" on feature-noise data.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../schema/types';
import { testGpu } from './testing';
import { GpuTrainer } from './trainer';
import { createCpuTrainer } from '../cpu/trainer';
import type { MetricRow } from '../trainer';
import { featureNoiseData, run, smallCnn, testExperiment } from '../../test_fixtures';

// Configs in the validated form (layer sizes as [height, width], varySeedPerRun set); the
// hyperparameters left out take the registry's defaults, as they would after validation.
const imagesCnn = (): Experiment =>
  testExperiment({
    seed: 5,
    data: { kind: 'images', nTrain: 96, nTest: 48, size: 7, channels: 2, nClasses: 3, noise: 0.2 },
    model: smallCnn(),
    steps: 30,
    runs: [run('sgd', { name: 'sgd', lr: 0.1 }), run('adam', { name: 'adam', lr: 0.01 })],
    metrics: { every: 10, evalSubset: 0, sharpness: { every: 15, iters: 3, subset: 32 } },
  });

const patchCnn = (): Experiment =>
  testExperiment({
    seed: 2,
    data: featureNoiseData({ nTrain: 64, nTest: 64, patchDim: 6, noiseStd: 0.3 }),
    model: { kind: 'patch-cnn', filters: 4, activation: 'relu2', initScale: 0.3 },
    loss: 'logistic',
    steps: 30,
    batchSize: 'full',
    runs: [run('small lr', { name: 'sgd', lr: 0.2 }), run('large lr', { name: 'sgd', lr: 2 })],
  });

async function both(exp: Experiment): Promise<{ gpu: MetricRow[]; cpu: MetricRow[] }> {
  const c = await createCpuTrainer(exp);
  const cpu = await c.advance(exp.steps);
  c.dispose();
  const { gpu: handle, pipelines } = await testGpu();
  const g = await GpuTrainer.create(exp, { gpu: handle, pipelines, stepsPerSubmit: 8 });
  const gpu = [...(await g.advance(13)), ...(await g.advance(exp.steps))];
  g.dispose();
  return { gpu, cpu };
}

const key = (r: MetricRow) => `${r.run}/${r.step}/${r.metric}`;

function expectParity(gpu: MetricRow[], cpu: MetricRow[], metrics: string[], rel: number): void {
  expect(new Set(gpu.map(key))).toEqual(new Set(cpu.map(key)));
  const g = new Map(gpu.map((r) => [key(r), r.value]));
  let worst = 0;
  for (const r of cpu) {
    if (!metrics.includes(r.metric)) continue;
    const v = g.get(key(r))!;
    const err = Math.abs(v - r.value) / (1e-3 + Math.abs(r.value));
    worst = Math.max(worst, err);
    expect(err, `${key(r)}: gpu ${v} vs cpu ${r.value}`).toBeLessThan(rel);
  }
  console.log(`[cnn parity] worst relative difference over ${metrics.join(', ')}: ${worst.toExponential(2)}`);
}

describe('convolutional models: WebGPU trainer vs float64 CPU trainer', () => {
  it('a CNN on images (conv, maxpool, strided non-square conv, dense): same rows, losses within 1e-3', async () => {
    const exp = imagesCnn();
    const { gpu, cpu } = await both(exp);
    expectParity(gpu, cpu, ['batch_loss', 'train_loss', 'test_loss', 'weight_norm', 'grad_norm'], 1e-3);
    // Sharpness is a power iteration with finite-difference HVPs: looser, but it must agree.
    expectParity(gpu, cpu, ['sharpness'], 5e-2);
    const last = cpu.filter((r) => r.step === exp.steps && r.metric === 'train_loss');
    const first = cpu.filter((r) => r.step === 0 && r.metric === 'train_loss');
    for (const r of last) expect(r.value).toBeLessThan(first.find((f) => f.run === r.run)!.value);
  });

  it('the patch CNN: same rows incl. patch-space weak/strong alignment, within 1e-3', async () => {
    const exp = patchCnn();
    const { gpu, cpu } = await both(exp);
    expect(cpu.some((r) => r.metric === 'weak_alignment')).toBe(true);
    expectParity(
      gpu,
      cpu,
      ['batch_loss', 'train_loss', 'test_loss', 'weak_feature_acc', 'weak_alignment', 'strong_alignment'],
      1e-3,
    );
  });

  it('the patch CNN with the binary squared loss (mse, one output), plain and centred: same rows, within 1e-3', async () => {
    for (const outputScale of [undefined, 4]) {
      const exp = patchCnn();
      exp.loss = 'mse';
      exp.runs = [run('small lr', { name: 'sgd', lr: 0.1 }), run('large lr', { name: 'sgd', lr: 1 })];
      exp.metrics.sharpness = { every: 15, iters: 3 };
      const e: Experiment = { ...exp, model: { ...exp.model, ...(outputScale ? { outputScale } : {}) } };
      const { gpu, cpu } = await both(e);
      expect(cpu.some((r) => r.metric === 'weak_feature_acc')).toBe(true);
      // 0.5 (f - y)^2 with y = +-1: near 0.5 at a small init; exactly 0.5 / alpha^2 when centred (f = 0).
      const loss0 = cpu.find((r) => r.step === 0 && r.metric === 'train_loss')!.value;
      if (outputScale) expect(loss0).toBeCloseTo(0.5 / outputScale ** 2, 10);
      else expect(Math.abs(loss0 - 0.5)).toBeLessThan(0.3);
      expectParity(gpu, cpu, ['batch_loss', 'train_loss', 'test_loss', 'weak_alignment', 'grad_norm'], 1e-3);
      expectParity(gpu, cpu, ['sharpness'], 5e-2);
      // Accuracies: centred outputs are exactly 0 at step 0 on the CPU and within float32 rounding of
      // 0 on the GPU, so z > 0 is a coin toss there; compare from step 1 on (every step uncentred).
      const from = outputScale ? 1 : 0;
      const later = (rows: MetricRow[]) => rows.filter((r) => r.step >= from);
      expectParity(later(gpu), later(cpu), ['train_acc', 'weak_feature_acc'], 1e-3);
    }
  });

  it('a loss slice through a CNN on the GPU matches the CPU trainer', async () => {
    const exp = imagesCnn();
    exp.steps = 10;
    const { gpu: handle, pipelines } = await testGpu();
    const g = await GpuTrainer.create(exp, { gpu: handle, pipelines });
    const c = await createCpuTrainer(exp);
    await g.advance(10);
    await c.advance(10);
    const o = { direction: 'update' as const, points: 5, radius: 0.5 };
    const gs = await g.lossSlice!(1, o);
    const cs = await c.lossSlice!(1, o);
    g.dispose();
    c.dispose();
    gs.forEach((p, k) => {
      expect(p.alpha).toBeCloseTo(cs[k].alpha, 6);
      expect(Math.abs(p.loss - cs[k].loss) / Math.abs(cs[k].loss)).toBeLessThan(1e-3);
    });
  });
});
