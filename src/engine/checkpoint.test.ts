/**
 * Checkpoints and resume (issue 8): train 40 steps; checkpoint at step 20; a fresh trainer resumed
 * from it logs steps 21..40 equal to the uninterrupted run: bit-identical GPU -> GPU, exactly equal
 * CPU -> CPU, within the GPU/CPU parity tolerance (1e-3 relative on the losses) across backends.
 * Optimizers with per-parameter state (adam, sgd momentum, adabelief), internal state (sgd-sai's
 * per-tensor gsnr, frozen at step 1) and per-step noise (dp-sgd, keyed by seed and step).
 */
import { describe, expect, it } from 'vitest';
import type { Experiment, RunConfig } from '../schema/types';
import { testGpu } from './webgpu/testing';
import { GpuTrainer } from './webgpu/trainer';
import { CpuTrainer } from './cpu/trainer';
import { createTrainer } from './create';
import { CheckpointError, type Checkpoint } from './checkpoint';
import type { MetricRow, Trainer } from './trainer';
import { featureNoiseData, mlp, run as fixtureRun, testExperiment } from '../test_fixtures';

const run = (label: string, optimizer: RunConfig['optimizer']): RunConfig =>
  fixtureRun(label, optimizer, { name: 'cosine', warmup: 3 });

function experiment(): Experiment {
  return testExperiment({
    seed: 11,
    data: featureNoiseData({ nTrain: 96, nTest: 64, patchDim: 6 }),
    model: mlp({ hidden: [12] }),
    steps: 40,
    varySeedPerRun: true,
    runs: [
      run('adam', { name: 'adam', lr: 0.01 }),
      run('sgd momentum', { name: 'sgd', lr: 0.05, momentum: 0.9 }),
      run('sgd-sai', { name: 'sgd-sai', lr: 0.01 }),
      run('adabelief', { name: 'adabelief', lr: 0.01 }),
      run('sgd nesterov', { name: 'sgd', lr: 0.05, momentum: 0.5, nesterov: true }),
      run('dp-sgd', { name: 'dp-sgd', lr: 0.1, clipNorm: 1, noiseMultiplier: 0.5 }),
    ],
    metrics: { every: 5, evalSubset: 0 },
  });
}

async function gpu(exp: Experiment, resume?: Checkpoint): Promise<Trainer> {
  const { gpu: handle, pipelines } = await testGpu();
  return createTrainer(exp, { backend: 'webgpu', gpu: handle, pipelines, stepsPerSubmit: 16, resume });
}

async function cpu(exp: Experiment, resume?: Checkpoint): Promise<Trainer> {
  return createTrainer(exp, { backend: 'cpu', resume });
}

/** Rows of steps 21..40 and the final parameters of an uninterrupted run, plus its checkpoint at 20. */
async function uninterrupted(make: (e: Experiment) => Promise<Trainer>, exp: Experiment) {
  const t = await make(exp);
  await t.advance(20);
  // Taken without waiting: the state is captured now, while the next steps are already queued.
  const pending = t.checkpoint!();
  const rows = await t.advance(20);
  const ck = await pending;
  const params = await Promise.all(exp.runs.map((_, r) => t.getParams(r)));
  t.dispose();
  return { rows, ck, params };
}

async function resumed(make: (e: Experiment, ck: Checkpoint) => Promise<Trainer>, exp: Experiment, ck: Checkpoint) {
  const t = await make(exp, ck);
  expect(t.step).toBe(20);
  const rows = await t.advance(100);
  expect(t.step).toBe(40);
  const params = await Promise.all(exp.runs.map((_, r) => t.getParams(r)));
  t.dispose();
  return { rows, params };
}

const key = (r: MetricRow) => `${r.run}/${r.step}/${r.metric}`;

function expectClose(got: MetricRow[], want: MetricRow[], metrics: string[], rel: number): void {
  const byKey = new Map(got.map((r) => [key(r), r.value]));
  let n = 0;
  for (const w of want) {
    if (!metrics.includes(w.metric)) continue;
    const v = byKey.get(key(w));
    expect(v, key(w)).toBeDefined();
    expect(Math.abs(v! - w.value), `${key(w)}: ${v} vs ${w.value}`).toBeLessThanOrEqual(
      rel * Math.max(1e-3, Math.abs(w.value)),
    );
    n++;
  }
  expect(n).toBeGreaterThan(0);
}

describe('checkpoint and resume', () => {
  it('the checkpoint holds the step, every run, each state slot and sgd-sai gsnr (per tensor), on both backends', async () => {
    const exp = experiment();
    for (const make of [gpu, cpu]) {
      const t = await make(exp);
      await t.advance(20);
      const ck = await t.checkpoint!();
      t.dispose();
      expect(ck.step).toBe(20);
      expect(ck.runs).toHaveLength(exp.runs.length);
      expect(Object.keys(ck.runs[0].state).sort()).toEqual(['slot0', 'slot1', 'slot2']); // adam m, v, vmax
      expect(Object.keys(ck.runs[1].state)).toEqual(['slot0']); // momentum buffer
      expect(Object.keys(ck.runs[2].state).sort()).toEqual(['gsnr', 'slot0']);
      expect(ck.runs[2].state.gsnr).toHaveLength(4); // two dense layers: weight and bias each
      expect(Array.from(ck.runs[2].state.gsnr).every((v) => Number.isFinite(v) && v > 0)).toBe(true);
      expect(Object.keys(ck.runs[5].state)).toEqual([]); // dp-sgd: no state (noise is keyed by step)
      for (const r of ck.runs) expect(r.divergedAt).toBeNull();
    }
  });

  it('GPU -> GPU: steps 21..40 bit-identical to the uninterrupted run', async () => {
    const exp = experiment();
    const a = await uninterrupted(gpu, exp);
    const b = await resumed(gpu, exp, a.ck);
    expect(b.rows).toEqual(a.rows);
    expect(b.params.map((p) => Array.from(p))).toEqual(a.params.map((p) => Array.from(p)));
  });

  it('CPU -> CPU: steps 21..40 exactly equal to the uninterrupted run', async () => {
    const exp = experiment();
    const a = await uninterrupted(cpu, exp);
    const b = await resumed(cpu, exp, a.ck);
    expect(b.rows).toEqual(a.rows);
    expect(b.params).toEqual(a.params);
  });

  it('sharpness and precond_sharpness after a resume: the first estimate is warm as in the uninterrupted run', async () => {
    // Estimates at 0, 10, .., 40: sharpness is cold at 0, precond_sharpness at 10; both warm (8 products) after the resume.
    const base = experiment();
    const exp: Experiment = {
      ...base,
      runs: base.runs.slice(0, 2),
      metrics: { every: 5, evalSubset: 0, sharpness: { every: 10, iters: 20, tol: 1e-3, subset: 48 } },
    };
    const cpuA = await uninterrupted(cpu, exp);
    expect(cpuA.rows.some((r) => r.metric === 'precond_sharpness')).toBe(true);
    expect((await resumed(cpu, exp, cpuA.ck)).rows).toEqual(cpuA.rows);
    const gpuA = await uninterrupted(gpu, exp);
    expect((await resumed(gpu, exp, gpuA.ck)).rows).toEqual(gpuA.rows);
    expectClose(gpuA.rows, cpuA.rows, ['sharpness', 'precond_sharpness'], 2e-2);
  });

  it('GPU -> CPU and CPU -> GPU: steps 21..40 within the parity tolerance of the uninterrupted run', async () => {
    const exp = experiment();
    const g = await uninterrupted(gpu, exp);
    const c = await uninterrupted(cpu, exp);
    const losses = ['train_loss', 'test_loss', 'batch_loss'];
    const gpuToCpu = await resumed(cpu, exp, g.ck);
    expectClose(gpuToCpu.rows, g.rows, losses, 1e-3);
    const cpuToGpu = await resumed(gpu, exp, c.ck);
    expectClose(cpuToGpu.rows, c.rows, losses, 1e-3);
    // The same metric rows either way.
    expect(new Set(gpuToCpu.rows.map(key))).toEqual(new Set(c.rows.map(key)));
  });

  it('a diverged run stays diverged and frozen after a resume on either backend', async () => {
    const exp = experiment();
    exp.runs = [exp.runs[1], { ...run('boom', { name: 'sgd', lr: 1e6 }), schedule: { name: 'constant' } }];
    const t = await gpu(exp);
    await t.advance(20);
    const d = t.divergedAt()[1];
    expect(d).not.toBeNull();
    const ck = await t.checkpoint!();
    expect(ck.runs[1].divergedAt).toBe(d);
    const frozen = await t.getParams(1);
    t.dispose();
    for (const make of [gpu, cpu]) {
      const r = await make(exp, ck);
      expect(r.divergedAt()).toEqual([null, d]);
      const rows = await r.advance(20);
      expect(rows.filter((x) => x.run === 1)).toEqual([]);
      expect(Array.from(await r.getParams(1))).toEqual(Array.from(frozen));
      r.dispose();
    }
  });

  it('refuses a checkpoint of another experiment or shape with a specific error', async () => {
    const exp = experiment();
    const t = CpuTrainer.create(exp);
    await t.advance(5);
    const ck = await t.checkpoint();
    const other = { ...exp, seed: 12 };
    expect(() => CpuTrainer.create(other, { resume: ck })).toThrow(CheckpointError);
    expect(() => CpuTrainer.create(other, { resume: ck })).toThrow(/another experiment/);
    const { gpu: handle, pipelines } = await testGpu();
    await expect(GpuTrainer.create(other, { gpu: handle, pipelines, resume: ck })).rejects.toThrow(
      /another experiment/,
    );
    const broken: Checkpoint = { ...ck, runs: ck.runs.map((r) => ({ ...r, state: {} })) };
    expect(() => CpuTrainer.create(exp, { resume: broken })).toThrow(/runs\[0\] has no optimizer state "slot0"/);
  });
});
