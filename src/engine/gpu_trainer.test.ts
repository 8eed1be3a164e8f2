/**
 * The WebGPU trainer end to end: agreement with the float64 CPU trainer, population isolation
 * (R runs in one dispatch = each run alone), determinism, and the curvature probes.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment, RunConfig } from '../experiment/types';
import { testGpu } from './gpu/testing';
import { GpuTrainer } from './gpu_trainer';
import { createCpuTrainer } from './cpu/trainer';
import type { MetricRow } from './trainer';

function run(label: string, optimizer: RunConfig['optimizer']): RunConfig {
  return { label, optimizer, schedule: { name: 'constant' } };
}

export function threeRunExperiment(steps = 100): Experiment {
  return {
    version: 1,
    seed: 7,
    data: { kind: 'feature-noise', nTrain: 128, nTest: 128, patchDim: 8, numPatches: 3, weakNorm: 0.3, strongNorm: 2, strongFraction: 0.5, noiseStd: 0.5 },
    model: { kind: 'mlp', hidden: [16], activation: 'relu', initScale: 1, bias: true },
    loss: 'cross-entropy',
    steps,
    batchSize: 16,
    varySeedPerRun: false,
    runs: [
      run('sgd', { name: 'sgd', lr: 0.05 }),
      run('sgd momentum', { name: 'sgd', lr: 0.05, momentum: 0.9 }),
      run('adam', { name: 'adam', lr: 0.01 }),
    ],
    metrics: { every: 10, evalSubset: 0 },
  };
}

async function train(exp: Experiment, backend: 'webgpu' | 'cpu'): Promise<MetricRow[]> {
  if (backend === 'cpu') {
    const t = await createCpuTrainer(exp);
    const rows = await t.advance(exp.steps);
    t.dispose();
    return rows;
  }
  const { gpu, pipelines } = await testGpu();
  const t = await GpuTrainer.create(exp, { gpu, pipelines, stepsPerSubmit: 16 });
  const rows = [...(await t.advance(37)), ...(await t.advance(exp.steps))];
  t.dispose();
  return rows;
}

const value = (rows: MetricRow[], run: number, step: number, metric: string) =>
  rows.find((r) => r.run === run && r.step === step && r.metric === metric)?.value;

describe('GpuTrainer', () => {
  it('matches the CPU trainer: final train_loss within 1e-3 relative for sgd, sgd+momentum, adam', async () => {
    const exp = threeRunExperiment(100);
    const g = await train(exp, 'webgpu');
    const c = await train(exp, 'cpu');
    for (let r = 0; r < 3; r++) {
      const a = value(g, r, 100, 'train_loss')!;
      const b = value(c, r, 100, 'train_loss')!;
      expect(Number.isFinite(a)).toBe(true);
      expect(Math.abs(a - b) / Math.abs(b)).toBeLessThan(1e-3);
      expect(value(g, r, 100, 'train_loss')!).toBeLessThan(value(g, r, 0, 'train_loss')!);
    }
    // Every metric the CPU logs, the GPU logs too (same names at the same steps).
    const key = (x: MetricRow) => `${x.run}/${x.step}/${x.metric}`;
    const gk = new Set(g.map(key));
    for (const row of c) expect(gk.has(key(row)), key(row)).toBe(true);
  });

  it('population isolation: three runs in one dispatch equal each run alone', async () => {
    const exp = threeRunExperiment(30);
    exp.runs = [run('a', { name: 'sgd', lr: 0.05 }), run('b', { name: 'sgd', lr: 0.2, momentum: 0.5 }), run('c', { name: 'sgd', lr: 0.01 })];
    const together = await train(exp, 'webgpu');
    for (let r = 0; r < 3; r++) {
      const alone = await train({ ...exp, runs: [exp.runs[r]] }, 'webgpu');
      for (const row of alone) expect(value(together, r, row.step, row.metric), `${row.metric}@${row.step}`).toBe(row.value);
    }
  });

  it('is deterministic: the same config twice gives identical rows', async () => {
    const exp = threeRunExperiment(20);
    expect(await train(exp, 'webgpu')).toEqual(await train(exp, 'webgpu'));
  });
});
