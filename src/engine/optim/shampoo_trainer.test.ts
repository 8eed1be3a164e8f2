/**
 * Shampoo in the trainers. Checkpoints: its internal state (the factors and their inverse roots)
 * resumes a run at step 20, between two root refreshes (every 8 and 6 steps, so steps 21..23 use the
 * roots of steps 16 and 18), with steps 21..40 as the uninterrupted run logs them: bit-identical
 * GPU -> GPU, equal CPU -> CPU, within the parity tolerance across backends (the CPU's state.extra
 * and the GPU's internal buffers share names and layout). A CNN: conv weights as matrices.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../schema/types';
import { featureNoiseData, mlp, run, smallCnn, testExperiment } from '../../test_fixtures';
import type { Checkpoint } from '../checkpoint';
import { createTrainer } from '../create';
import type { MetricRow, Trainer } from '../trainer';
import { testGpu } from '../webgpu/testing';
import { shampooLayout } from './shampoo_cpu';
import { mlpLayout } from '../model/layout';

function experiment(): Experiment {
  return testExperiment({
    seed: 5,
    data: featureNoiseData({ nTrain: 96, nTest: 64, patchDim: 6 }),
    model: mlp({ hidden: [12] }),
    steps: 40,
    varySeedPerRun: true,
    runs: [
      run('shampoo f8', { name: 'shampoo', lr: 0.01, preconditionFrequency: 8 }),
      run('shampoo f3 ema', {
        name: 'shampoo',
        lr: 0.01,
        preconditionFrequency: 3,
        beta2: 0.95,
        adagradGrafting: true,
      }),
    ],
    metrics: { every: 5, evalSubset: 0 },
  });
}

const gpu = async (exp: Experiment, resume?: Checkpoint): Promise<Trainer> => {
  const { gpu: handle, pipelines } = await testGpu();
  return createTrainer(exp, { backend: 'webgpu', gpu: handle, pipelines, stepsPerSubmit: 16, resume });
};
const cpu = (exp: Experiment, resume?: Checkpoint): Promise<Trainer> => createTrainer(exp, { backend: 'cpu', resume });

async function twice(make: (e: Experiment, ck?: Checkpoint) => Promise<Trainer>, exp: Experiment) {
  const t = await make(exp);
  await t.advance(20);
  const ck = await t.checkpoint!();
  const rows = await t.advance(20);
  t.dispose();
  return { ck, rows };
}

async function resumed(make: (e: Experiment, ck?: Checkpoint) => Promise<Trainer>, exp: Experiment, ck: Checkpoint) {
  const t = await make(exp, ck);
  const rows = await t.advance(20);
  t.dispose();
  return rows;
}

const losses = (rows: MetricRow[]) =>
  rows
    .filter((r) => r.metric === 'train_loss' || r.metric === 'test_loss')
    .map((r) => `${r.run}/${r.step}/${r.metric}=${r.value}`);

describe('shampoo checkpoints', () => {
  it('hold factors and roots under the same names and sizes on both backends, and resume exactly', async () => {
    const exp = experiment();
    const g = await twice(gpu, exp);
    const c = await twice(cpu, exp);
    // Input 18 (the feature-noise data), hidden 12, 2 classes: L and R of [12, 18] and [2, 12].
    const floats = shampooLayout(mlpLayout([18, 12, 2]).tensors).floats;
    expect(floats).toBe(144 + 324 + 4 + 144);
    for (const ck of [g.ck, c.ck])
      for (const r of ck.runs) {
        expect(Object.keys(r.state).sort()).toEqual(['factors', 'roots', 'slot0', 'slot1']);
        expect(r.state.factors).toHaveLength(floats);
        expect(r.state.roots).toHaveLength(floats);
      }
    expect(await resumed(gpu, exp, g.ck)).toEqual(g.rows);
    expect(await resumed(cpu, exp, c.ck)).toEqual(c.rows);
    const near = (a: MetricRow[], b: MetricRow[]) => {
      const want = new Map(b.map((r) => [`${r.run}/${r.step}/${r.metric}`, r.value]));
      let worst = 0;
      for (const r of a.filter((x) => x.metric === 'train_loss' || x.metric === 'test_loss')) {
        const w = want.get(`${r.run}/${r.step}/${r.metric}`)!;
        worst = Math.max(worst, Math.abs(r.value - w) / Math.max(1e-3, Math.abs(w)));
      }
      return worst;
    };
    const gToC = near(await resumed(cpu, exp, g.ck), g.rows);
    const cToG = near(await resumed(gpu, exp, c.ck), c.rows);
    console.log(
      `[shampoo] resume across backends: GPU->CPU ${gToC.toExponential(2)}, CPU->GPU ${cToG.toExponential(2)}`,
    );
    expect(gToC).toBeLessThan(1e-3);
    expect(cToG).toBeLessThan(1e-3);
    expect(losses(g.rows).length).toBeGreaterThan(0);
  });
});

describe('shampoo on a CNN', () => {
  it('conv weights [out, in, kh, kw] as [out, in kh kw] matrices: the WebGPU trainer within 1e-3 of the CPU trainer', async () => {
    const exp = testExperiment({
      seed: 5,
      data: { kind: 'images', nTrain: 64, nTest: 32, size: 7, channels: 2, nClasses: 3, noise: 0.2 },
      model: smallCnn(),
      steps: 20,
      runs: [
        run('shampoo', { name: 'shampoo', lr: 0.01, preconditionFrequency: 3 }),
        run('shampoo ema', { name: 'shampoo', lr: 0.02, preconditionFrequency: 5, beta2: 0.9, weightDecay: 0.1 }),
      ],
      metrics: { every: 5, evalSubset: 0 },
    });
    const g = await gpu(exp);
    const a = await g.advance(20);
    g.dispose();
    const c = await cpu(exp);
    const b = await c.advance(20);
    c.dispose();
    const want = new Map(b.map((r) => [`${r.run}/${r.step}/${r.metric}`, r.value]));
    let worst = 0;
    let n = 0;
    for (const r of a.filter((x) => ['train_loss', 'test_loss', 'weight_norm'].includes(x.metric))) {
      const w = want.get(`${r.run}/${r.step}/${r.metric}`)!;
      worst = Math.max(worst, Math.abs(r.value - w) / (1e-3 + Math.abs(w)));
      n++;
    }
    console.log(`[shampoo] CNN, 20 steps: worst relative difference ${worst.toExponential(2)} over ${n} values`);
    expect(n).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-3);
  });
});
