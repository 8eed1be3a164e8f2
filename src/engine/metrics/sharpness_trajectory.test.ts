/**
 * `sharpness` and `sharpness_2` of the CPU trainer against the exact top eigenvalues at every
 * logged step of a real training trajectory, with the default sharpness settings (iters 20, tol
 * 1e-3, the whole training set; k = 1 and k = 2): a tanh MLP trained by full-batch GD to the edge
 * of stability (exact Hessian: float64 central differences of the float64 gradient over the same
 * points, then Householder + bisection), and a linear model with squared loss whose Hessian is
 * known. Bar: within 1e-4 relative at every step. The GPU's counterpart:
 * sharpness_trajectory_gpu.test.ts. Figures: docs/metrics.md.
 */
import { describe, expect, it } from 'vitest';
import { createCpuTrainer } from '../cpu/trainer';
import { runSeed } from '../hyper';
import type { Experiment } from '../../schema/types';
import { sharpness } from './curvature_cpu';
import { matrixWithSpectrum, testRng } from './testing_models';
import { symEig } from './linalg';
import { sharpnessBudget } from './sharpness_budget';
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

const CPU_BAR = 1e-4;

/** The trainer's estimates replayed with the same calls and warm starts (so their product counts are known): mean products per estimate. */
function replayProducts(exp: Experiment, pts: TrajectoryPoint[]): number {
  const { grad } = curvatureOracle(exp);
  const m = exp.metrics;
  const tol = m.sharpness?.tol ?? 1e-3;
  const seed = runSeed(exp.seed, 0, exp.varySeedPerRun);
  let warm: Float64Array | undefined;
  let products = 0;
  for (const p of pts) {
    const iters = sharpnessBudget(m, exp.steps, p.step, 'sharpness');
    const k = m.sharpness?.k ?? 1;
    const r = sharpness(grad, p.theta, { iters, tol, warm, seed, step: p.step, k });
    warm = k > 1 ? r.span : r.vector;
    // The replay is the trainer's own computation: identical values.
    expect(r.value, `step ${p.step}`).toBe(p.got[0]);
    products += r.iterations;
  }
  return products / pts.length;
}

async function cpuTrajectories(exps: Experiment[], exact: (theta: Float64Array) => number[]) {
  const trainers = await Promise.all(exps.map(async (exp) => ({ t: await createCpuTrainer(exp), exp })));
  const pts = await walkTrajectories(trainers, exact);
  for (const { t } of trainers) t.dispose();
  return pts;
}

function checkBar(label: string, exp: Experiment, pts: TrajectoryPoint[], bar: number): void {
  const stats = report(label, pts);
  console.log(`${label}: ${replayProducts(exp, pts).toFixed(2)} products per estimate (mean)`);
  for (const p of pts) {
    p.got.forEach((g, j) => {
      const rel = Math.abs(g - p.exact[j]) / Math.abs(p.exact[j]);
      expect(rel, `${label} lambda${j + 1} at step ${p.step}: ${g} vs exact ${p.exact[j]}`).toBeLessThanOrEqual(bar);
    });
  }
  expect(stats.length).toBe(pts[0].got.length);
}

describe('exact top eigenvalues (Householder + bisection)', () => {
  it('match cyclic Jacobi on a 40 x 40 matrix with a clustered top', () => {
    const rnd = testRng(11);
    const spectrum = Array.from({ length: 40 }, (_, i) => (i < 3 ? 5 - 1e-6 * i : 4 * rnd() - 2));
    const A = matrixWithSpectrum(spectrum, rnd);
    const want = symEig(A, 40).values;
    const got = topEigenvaluesExact(A, 40, 4);
    got.forEach((g, j) => expect(Math.abs(g - want[j])).toBeLessThan(1e-12));
  });
});

describe('sharpness along a training trajectory (CPU trainer, default settings)', () => {
  it(`tanh MLP at the edge of stability: lambda1 (k = 1, 2) and lambda2 within ${CPU_BAR} of exact at every step`, async () => {
    const exps = [tanhEosExperiment(1), tanhEosExperiment(2)];
    const { grad } = curvatureOracle(exps[0]);
    const [k1, k2] = await cpuTrajectories(exps, (theta) => fdHessianTop(grad, theta, 3));
    // The trajectory is at the edge of stability: lambda_1 passes 2/lr and hovers near it at the end.
    const edge = 2 / TANH_LR;
    const l1 = k1.map((p) => p.exact[0]);
    expect(Math.max(...l1)).toBeGreaterThan(edge);
    const tail = l1.slice(Math.floor(0.7 * l1.length)).sort((a, b) => a - b);
    expect(Math.abs(tail[Math.floor(tail.length / 2)] - edge) / edge).toBeLessThan(0.05);
    console.log(`tanh exact lambda1..3 at the last step: ${k1[k1.length - 1].exact.map((x) => x.toFixed(4))}`);
    checkBar('cpu tanh k=1', exps[0], k1, CPU_BAR);
    checkBar('cpu tanh k=2', exps[1], k2, CPU_BAR);
  });

  it(`linear model, mse, known Hessian: lambda1 (k = 1, 2) and lambda2 within ${CPU_BAR} at every step`, async () => {
    const probe = linearExperiment(1, 1);
    const { ds } = curvatureOracle(probe);
    const H = linearHessian(ds);
    const exact = topEigenvaluesExact(H, ds.inputDim + 1, 3);
    // GD near its stability limit 2/lambda_1: the iterates oscillate along the top eigenvector.
    const lr = 1.9 / exact[0];
    const exps = [linearExperiment(1, lr), linearExperiment(2, lr)];
    const [k1, k2] = await cpuTrajectories(exps, () => exact);
    console.log(`linear exact lambda1..3: ${exact.map((x) => x.toFixed(6))}`);
    checkBar('cpu linear k=1', exps[0], k1, CPU_BAR);
    checkBar('cpu linear k=2', exps[1], k2, CPU_BAR);
  });

  it('k = 2 after a resume: the checkpoint keeps the top-k warm start, so the rows equal the uninterrupted run', async () => {
    const exp = tanhEosExperiment(2, 60);
    const [a, b] = await resumeRows((resume) => createCpuTrainer(exp, { resume }), exp, 30);
    expect(a.length).toBe(6);
    expect(b).toEqual(a);
  });
});
