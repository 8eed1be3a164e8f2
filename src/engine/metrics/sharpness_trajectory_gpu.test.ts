/**
 * `sharpness` and `sharpness_2` of the WebGPU trainer (float32 Lanczos on float32 finite-difference
 * products) against the exact top eigenvalues at every logged step, at the GPU's own float32
 * parameters, on the trajectories of sharpness_trajectory.test.ts (a tanh MLP at the edge of
 * stability, exact Hessian from float64 finite differences; a linear model with its known Hessian),
 * default sharpness settings with k = 1 and k = 2. Bar: within 1e-3 relative at every step. Real
 * WebGPU (SwiftShader in Node); without an adapter the test fails. Figures: docs/metrics.md.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../schema/types';
import { testGpu } from '../webgpu/testing';
import { GpuTrainer } from '../webgpu/trainer';
import {
  TANH_LR,
  curvatureOracle,
  fdHessianTop,
  linearExperiment,
  linearHessian,
  report,
  tanhEosExperiment,
  topEigenvaluesExact,
  resumeRows,
  walkTrajectories,
  type TrajectoryPoint,
} from './sharpness_trajectory_testing';

const GPU_BAR = 1e-3;

async function gpuTrajectories(exps: Experiment[], exact: (theta: Float64Array) => number[]) {
  const { gpu, pipelines } = await testGpu();
  console.log(`sharpness trajectory (webgpu): adapter ${gpu.adapterDescription}`);
  const trainers = [];
  for (const exp of exps) trainers.push({ t: await GpuTrainer.create(exp, { gpu, pipelines }), exp });
  const pts = await walkTrajectories(trainers, exact);
  for (const { t } of trainers) t.dispose();
  return pts;
}

function checkBar(label: string, pts: TrajectoryPoint[]): void {
  report(label, pts);
  for (const p of pts) {
    p.got.forEach((g, j) => {
      const rel = Math.abs(g - p.exact[j]) / Math.abs(p.exact[j]);
      expect(rel, `${label} lambda${j + 1} at step ${p.step}: ${g} vs exact ${p.exact[j]}`).toBeLessThanOrEqual(
        GPU_BAR,
      );
    });
  }
}

describe('sharpness along a training trajectory (WebGPU trainer, default settings)', () => {
  it(`tanh MLP at the edge of stability: lambda1 (k = 1, 2) and lambda2 within ${GPU_BAR} of exact at every step`, async () => {
    // 300 steps (the CPU test walks 400): the hover starts at ~220; SwiftShader makes each step dear.
    const exps = [tanhEosExperiment(1, 300), tanhEosExperiment(2, 300)];
    const { grad } = curvatureOracle(exps[0]);
    const [k1, k2] = await gpuTrajectories(exps, (theta) => fdHessianTop(grad, theta, 3));
    // The float32 trajectory is at the edge of stability too: lambda_1 passes 2/lr and ends near it.
    const edge = 2 / TANH_LR;
    const l1 = k1.map((p) => p.exact[0]);
    expect(Math.max(...l1)).toBeGreaterThan(edge);
    const tail = l1.slice(Math.floor(0.7 * l1.length)).sort((a, b) => a - b);
    expect(Math.abs(tail[Math.floor(tail.length / 2)] - edge) / edge).toBeLessThan(0.05);
    checkBar('webgpu tanh k=1', k1);
    checkBar('webgpu tanh k=2', k2);
  });

  it(`linear model, mse, known Hessian: lambda1 (k = 1, 2) and lambda2 within ${GPU_BAR} at every step`, async () => {
    const { ds } = curvatureOracle(linearExperiment(1, 1));
    const exact = topEigenvaluesExact(linearHessian(ds), ds.inputDim + 1, 3);
    const lr = 1.9 / exact[0];
    const [k1, k2] = await gpuTrajectories([linearExperiment(1, lr), linearExperiment(2, lr)], () => exact);
    checkBar('webgpu linear k=1', k1);
    checkBar('webgpu linear k=2', k2);
  });

  it('k = 2 after a resume: the checkpoint keeps the top-k warm start (lz-warm), so the rows are bit-identical', async () => {
    const { gpu, pipelines } = await testGpu();
    const exp = tanhEosExperiment(2, 60);
    const [a, b] = await resumeRows((resume) => GpuTrainer.create(exp, { gpu, pipelines, resume }), exp, 30);
    expect(a.length).toBe(6);
    expect(b).toEqual(a);
  });
});
