/**
 * GPU-vs-CPU parity of the optimizers whose gradient is not taken at the parameters (SAM's second
 * gradient at theta + e, Schedule-Free's gradient at y): the optimizer-only harness cannot take
 * gradients, so these run whole trainers, WebGPU (SwiftShader here) against the float64 CPU
 * trainer, 100 minibatch steps of one experiment that mixes them with plain SGD and Adam.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../../schema/types';
import { featureNoiseData, mlp, run, testExperiment } from '../../test_fixtures';
import { CpuTrainer } from '../cpu/trainer';
import { GpuTrainer } from '../webgpu/trainer';
import { testGpu } from '../webgpu/testing';
import type { MetricRow } from '../trainer';
import { PARITY_TOL } from './parity_cases';

const STEPS = 100;

/** 24 inputs, 13 hidden units, 2 outputs: 353 parameters per run (not a multiple of 64). */
function mixed(): Experiment {
  return testExperiment({
    seed: 11,
    data: featureNoiseData(),
    model: mlp({ hidden: [13], activation: 'tanh' }),
    steps: STEPS,
    batchSize: 16,
    varySeedPerRun: true,
    metrics: { every: 25, evalSubset: 0 },
    runs: [
      run('sam', { name: 'sam', lr: 0.05, momentum: 0.9, rho: 0.05 }),
      run('asam', { name: 'sam', lr: 0.05, rho: 0.5, adaptive: true, weightDecay: 1e-3 }),
      run('sam-adam', { name: 'sam-adam', lr: 0.01, rho: 0.1 }),
      run('sam-adam ams', { name: 'sam-adam', lr: 0.005, rho: 0.02, amsgrad: true, adaptive: true }),
      run('sf-sgd', { name: 'sf-sgd', lr: 0.5, momentum: 0.9 }),
      run('sf-sgd warm', { name: 'sf-sgd', lr: 1, momentum: 0.8, warmupSteps: 20, weightDecay: 1e-3, r: 1 }),
      run('sf-adamw', { name: 'sf-adamw', lr: 0.01 }),
      run('sf-adamw warm', { name: 'sf-adamw', lr: 0.02, betas: [0.8, 0.99], warmupSteps: 10, weightLrPower: 1 }),
      run('sgd', { name: 'sgd', lr: 0.05 }),
      run('adam', { name: 'adam', lr: 0.01 }),
    ],
  });
}

interface Trained {
  rows: MetricRow[];
  params: ArrayLike<number>[];
}

const results: { gpu?: Trained; cpu?: Trained } = {};

beforeAll(async () => {
  const exp = mixed();
  const cpu = CpuTrainer.create(exp);
  results.cpu = { rows: await cpu.advance(STEPS), params: exp.runs.map((_, r) => cpu.getParams64(r)) };
  const { gpu, pipelines } = await testGpu();
  const t = await GpuTrainer.create(exp, { gpu, pipelines, stepsPerSubmit: 16 });
  const rows = [...(await t.advance(37)), ...(await t.advance(STEPS))];
  const params: Float32Array[] = [];
  for (let r = 0; r < exp.runs.length; r++) params.push(await t.getParams(r));
  t.dispose();
  results.gpu = { rows, params };
}, 300_000);

/** max |gpu - cpu| / (1 + |cpu|) over run r's final parameters. */
function paramDiff(r: number): number {
  const g = results.gpu!.params[r];
  const c = results.cpu!.params[r];
  let worst = 0;
  for (let i = 0; i < c.length; i++) worst = Math.max(worst, Math.abs(g[i] - c[i]) / (1 + Math.abs(c[i])));
  return worst;
}

/** Every logged row of run r: the largest relative difference of the losses. */
function lossDiff(r: number): number {
  let worst = 0;
  for (const c of results.cpu!.rows.filter((x) => x.run === r && x.metric.endsWith('loss'))) {
    const g = results.gpu!.rows.find((x) => x.run === r && x.step === c.step && x.metric === c.metric);
    expect(g, `${c.metric}@${c.step}`).toBeDefined();
    worst = Math.max(worst, Math.abs(g!.value - c.value) / (1 + Math.abs(c.value)));
  }
  return worst;
}

function check(name: string, runs: number[]): void {
  for (const r of runs) {
    const p = paramDiff(r);
    const l = lossDiff(r);
    console.log(`${name} run ${r}: params ${p.toExponential(2)}, losses ${l.toExponential(2)}`);
    expect(p).toBeLessThan(PARITY_TOL);
    expect(l).toBeLessThan(PARITY_TOL);
    // It trained: the last train loss is below the first.
    const loss = results.cpu!.rows.filter((x) => x.run === r && x.metric === 'train_loss');
    expect(loss[loss.length - 1].value).toBeLessThan(loss[0].value);
  }
}

describe('optimizers with a gradient point: WebGPU against the CPU trainer, 100 steps, mixed population', () => {
  it('sam: SAM and ASAM (SGD base) within PARITY_TOL', () => check('sam', [0, 1]));
  it('sam-adam: SAM and ASAM (Adam base, with AMSGrad) within PARITY_TOL', () => check('sam-adam', [2, 3]));
  it('sf-sgd: with and without warm-up and weighting within PARITY_TOL', () => check('sf-sgd', [4, 5]));
  it('sf-adamw: with and without warm-up within PARITY_TOL', () => check('sf-adamw', [6, 7]));
  it('the plain runs beside them are unaffected (sgd, adam)', () => check('plain', [8, 9]));
  it('grad_norm and batch_loss are those at the parameters for SAM (as logged by both backends)', () => {
    for (const metric of ['grad_norm', 'batch_loss'])
      for (const c of results.cpu!.rows.filter((x) => x.run === 0 && x.metric === metric && x.step > 0)) {
        const g = results.gpu!.rows.find((x) => x.run === 0 && x.step === c.step && x.metric === metric)!;
        expect(Math.abs(g.value - c.value) / (1 + Math.abs(c.value)), `${metric}@${c.step}`).toBeLessThan(1e-4);
      }
  });
});
