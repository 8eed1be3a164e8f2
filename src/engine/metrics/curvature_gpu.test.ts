/**
 * GPU curvature probes against exact answers: a linear model with mse loss (Hessian built from the
 * data) and a small tanh network (Hessian from float64 finite differences of the CPU gradient),
 * each reduced by the Jacobi eigen-solver in linalg.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../schema/types';
import { testGpu } from '../webgpu/testing';
import { GpuTrainer } from '../webgpu/trainer';
import { generateDataset } from '../data/index';
import { experimentLayout } from '../model/shape';
import { initParams } from '../model/init';
import { symEig } from './linalg';
import { denseMatrix, fdHvp } from './curvature_cpu';
import { mlpCurvatureOracles } from './curvature_rows_cpu';
import { mlp, run, testExperiment } from '../../test_fixtures';

async function step0(exp: Experiment) {
  const { gpu, pipelines } = await testGpu();
  const t = await GpuTrainer.create(exp, { gpu, pipelines });
  const rows = await t.advance(0);
  t.dispose();
  const get = (m: string) => rows.find((r) => r.metric === m && r.step === 0)?.value;
  return { sharpness: get('sharpness'), trace: get('hessian_trace'), fro: get('hessian_fro') };
}

describe('GPU curvature', () => {
  it('linear model, mse: sharpness within 1% and Hutchinson trace within 5% of the exact Hessian', async () => {
    const exp = testExperiment({
      data: {
        kind: 'teacher-student',
        nTrain: 50,
        nTest: 0,
        inputDim: 6,
        outputDim: 2,
        teacherHidden: [],
        teacherActivation: 'linear',
        noise: 0.1,
      },
      model: mlp({ hidden: [] }),
      loss: 'mse',
      steps: 10,
      batchSize: 'full',
      runs: [run('gd', { name: 'sgd', lr: 0.01 })],
      metrics: {
        every: 10,
        evalSubset: 0,
        sharpness: { every: 10, iters: 60, tol: 1e-6, subset: 50 },
        trace: { every: 10, samples: 400, subset: 50 },
      },
    });
    const ds = generateDataset(exp.data, exp.seed);
    const layout = experimentLayout(exp, ds);
    // Exact Hessian of 0.5 * mean_i ||W x_i + b - t_i||^2: for each output j, (1/n) sum_i [x_i; 1][x_i; 1]^T.
    const P = layout.paramCount;
    const d = ds.inputDim;
    const k = 2;
    const H = new Float64Array(P * P);
    const ly = layout.layers[0];
    const index = (j: number, c: number) => (c < d ? ly.weightOffset + j * d + c : ly.biasOffset + j);
    for (let j = 0; j < k; j++)
      for (let a = 0; a <= d; a++)
        for (let b = 0; b <= d; b++) {
          let s = 0;
          for (let i = 0; i < ds.train.n; i++) {
            const xa = a < d ? ds.train.x[i * d + a] : 1;
            const xb = b < d ? ds.train.x[i * d + b] : 1;
            s += xa * xb;
          }
          H[index(j, a) * P + index(j, b)] = s / ds.train.n;
        }
    const eig = symEig(H, P);
    const lmax = Math.max(...eig.values);
    let tr = 0;
    for (let i = 0; i < P; i++) tr += H[i * P + i];
    const got = await step0(exp);
    console.log(`linear mse: sharpness gpu ${got.sharpness} exact ${lmax}; trace gpu ${got.trace} exact ${tr}`);
    expect(Math.abs(got.sharpness! - lmax) / lmax).toBeLessThan(0.01);
    expect(Math.abs(got.trace! - tr) / tr).toBeLessThan(0.05);
    const fro = Math.sqrt(H.reduce((a, v) => a + v * v, 0));
    expect(Math.abs(got.fro! - fro) / fro).toBeLessThan(0.1);
  });

  it('tanh network, cross-entropy: sharpness matches the float64 finite-difference Hessian within 1%', async () => {
    const exp = testExperiment({
      seed: 5,
      data: { kind: 'gauss', nTrain: 40, nTest: 0, nClasses: 3, separation: 2, noise: 0.8 },
      model: mlp({ hidden: [5], activation: 'tanh', initScale: 1.5 }),
      steps: 10,
      batchSize: 'full',
      runs: [run('gd', { name: 'sgd', lr: 0.01 })],
      metrics: { every: 10, evalSubset: 0, sharpness: { every: 10, iters: 200, tol: 1e-7, subset: 40 } },
    });
    const ds = generateDataset(exp.data, exp.seed);
    const layout = experimentLayout(exp, ds);
    const theta = Float64Array.from(initParams(layout, exp.model, exp.seed));
    const { grad } = mlpCurvatureOracles({
      layout,
      activation: 'tanh',
      loss: 'cross-entropy',
      x: ds.train.x,
      y: ds.train.y,
      nClasses: ds.nClasses,
      subset: 40,
    });
    const H = denseMatrix(fdHvp(grad, theta), layout.paramCount);
    const lmax = Math.max(...symEig(H, layout.paramCount).values);
    const got = await step0(exp);
    console.log(`tanh ce: sharpness gpu ${got.sharpness} float64 ${lmax}`);
    expect(Math.abs(got.sharpness! - lmax) / Math.abs(lmax)).toBeLessThan(0.01);
  });
});

describe('GPU loss slice', () => {
  it('along the update direction matches the float64 loss at the same points', async () => {
    const { gpu, pipelines } = await testGpu();
    const exp: Experiment = {
      version: 1,
      seed: 9,
      data: { kind: 'circle', nTrain: 60, nTest: 0, noise: 0.1 },
      model: { kind: 'mlp', hidden: [7], activation: 'tanh', initScale: 1, bias: true },
      loss: 'cross-entropy',
      steps: 5,
      batchSize: 'full',
      varySeedPerRun: false,
      runs: [{ label: 'gd', optimizer: { name: 'sgd', lr: 0.5 }, schedule: { name: 'constant' } }],
      metrics: { every: 5, evalSubset: 0, sharpness: { every: 5, iters: 10, subset: 60 } },
    };
    const t = await GpuTrainer.create(exp, { gpu, pipelines });
    await t.advance(5);
    const slice = await t.lossSlice(0, { direction: 'update', points: 5, radius: 0.5 });
    const eig = await t.lossSlice(0, { direction: 'eigen', points: 3, radius: 0.1 });
    const theta = Float64Array.from(await t.getParams(0));
    t.dispose();
    const ds = generateDataset(exp.data, exp.seed);
    const layout = experimentLayout(exp, ds);
    const { loss } = mlpCurvatureOracles({
      layout,
      activation: 'tanh',
      loss: 'cross-entropy',
      x: ds.train.x,
      y: ds.train.y,
      nClasses: 2,
      subset: 60,
    });
    expect(slice.map((p) => p.alpha)).toEqual([-0.5, -0.25, 0, 0.25, 0.5]);
    expect(slice[2].loss).toBeCloseTo(loss(theta), 4);
    expect(eig).toHaveLength(3);
    expect(eig[1].loss).toBeCloseTo(loss(theta), 4);
    // Along the top eigenvector the loss curves upward on both sides at this scale.
    expect(eig[0].loss + eig[2].loss - 2 * eig[1].loss).toBeGreaterThan(0);
  });
});
