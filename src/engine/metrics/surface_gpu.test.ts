/**
 * The loss surface on WebGPU: the grid kernel against the float64 CPU grid (MLP and CNN, sizes off
 * the workgroup size, chunked and not), the path recorder against the parameters read step by step,
 * and the whole surface2d against the CPU backend's, with GD at the edge of stability bouncing
 * across the valley floor.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../webgpu/testing';
import { GpuTrainer } from '../webgpu/trainer';
import { storageBuffer } from '../webgpu/buffers';
import type { Experiment } from '../../schema/types';
import { edgeOfStabilityGd, mlp, run, smallCnn, testExperiment, threeRunExperiment } from '../../test_fixtures';
import { generateDataset } from '../data';
import { experimentLayout } from '../model/shape';
import { mlpCurvatureOracles } from './curvature_rows_cpu';
import { lossGridGpu } from './surface_gpu';
import { lossGridCpu, surfaceCoords, surfaceCpu, valleyFloor } from './surface';
import { randomVec, testRng } from './testing_models';
import type { PointsModel } from './slice_gpu';
import { initOutputs } from '../cpu/output_scale';
import type { OutputCentre } from '../cpu/mlp';
import { curvatureOracle } from './sharpness_trajectory_testing';

/**
 * The experiment's training set on the device and its float64 loss oracle over `subset` points;
 * with `alpha`, the output centred on F(w0, x) of a random w0 and scaled by alpha (model.outputScale).
 */
async function models(exp: Experiment, subset: number, alpha?: number) {
  const { device } = await testGpu();
  const ds = generateDataset(exp.data, exp.seed);
  const layout = experimentLayout(exp, ds);
  const bufs = [ds.train.x, ds.train.y, ds.test.x, ds.test.y].map((a) =>
    storageBuffer(device, Float32Array.from(a.length ? a : [0])),
  );
  let centre: OutputCentre | undefined;
  if (alpha !== undefined) {
    const w0 = randomVec(layout.paramCount, testRng(11), 0.5);
    centre = { alpha, f0: initOutputs(w0, layout, exp.model.activation, ds.train.x, ds.train.n) };
    bufs.push(storageBuffer(device, Float32Array.from(centre.f0)));
  }
  const m: PointsModel = {
    layout,
    activation: exp.model.activation,
    loss: exp.loss,
    subset,
    data: {
      xTrain: bufs[0],
      yTrain: bufs[1],
      xTest: bufs[2],
      yTest: bufs[3],
      nTrain: ds.train.n,
      nTest: ds.test.n,
      nClasses: ds.nClasses,
      targetDim: ds.targetDim,
    },
    outputCentre: centre ? { alpha: centre.alpha, train: bufs[4], test: bufs[4] } : undefined,
  };
  const { loss } = mlpCurvatureOracles({
    layout,
    activation: exp.model.activation,
    loss: exp.loss,
    x: ds.train.x,
    y: ds.train.y,
    nClasses: ds.nClasses,
    subset,
    centre,
  });
  return { m, loss, P: layout.paramCount, release: () => bufs.forEach((b) => b.destroy()) };
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-6));
  return worst;
};

describe('lossGridGpu', () => {
  // name, experiment, curvature subset, grid points per axis, points per chunk, output scale
  const cases: [string, Experiment, number, number, number | undefined, number | undefined][] = [
    ['tanh MLP, 7 x 7, one chunk', edgeOfStabilityGd(1), 100, 7, undefined, undefined],
    ['tanh MLP, 9 x 9 in chunks of 10', edgeOfStabilityGd(1), 37, 9, 10, undefined],
    ['tanh MLP, output scale 2, 5 x 5 in chunks of 6', edgeOfStabilityGd(1), 37, 5, 6, 2],
    [
      'CNN, 5 x 5 in chunks of 7',
      testExperiment({
        data: { kind: 'images', nTrain: 24, nTest: 8, size: 7, channels: 2, nClasses: 3, noise: 0.2 },
        model: smallCnn(),
      }),
      24,
      5,
      7,
      undefined,
    ],
    ['ReLU MLP, cross-entropy, 3 x 3', testExperiment({ model: mlp({ hidden: [13] }) }), 50, 3, 4, undefined],
  ];
  it.each(cases)('matches the float64 CPU grid within 1e-4: %s', async (_name, exp, subset, n, chunk, alpha) => {
    const { device, pipelines } = await testGpu();
    const { m, loss, P, release } = await models(exp, subset, alpha);
    try {
      const rnd = testRng(P);
      const theta = Float64Array.from(Float32Array.from(randomVec(P, rnd, 0.5)));
      const e1 = randomVec(P, rnd, 1 / Math.sqrt(P));
      const e2 = randomVec(P, rnd, 1 / Math.sqrt(P));
      const coords = surfaceCoords(n, 0.8);
      const g = await lossGridGpu(device, pipelines, m, theta, e1, e2, coords, chunk);
      const c = lossGridCpu(loss, theta, e1, e2, coords);
      const err = relErr(g, c);
      console.log(`${_name}: P = ${P}, ${n * n} points, worst relative difference ${err.toExponential(2)}`);
      expect(g.length).toBe(n * n);
      expect(err).toBeLessThan(1e-4);
      expect(new Set(Array.from(g)).size).toBeGreaterThan(n); // a surface, not one value repeated
    } finally {
      release();
    }
  });
});

describe('GpuTrainer.trackPath', () => {
  it('records every step of the tracked runs across submits and ring wrap-around: the parameters read step by step', async () => {
    const { gpu, pipelines } = await testGpu();
    const exp = threeRunExperiment(40); // sgd, momentum, adam: two populations
    const t = await GpuTrainer.create(exp, { gpu, pipelines, stepsPerSubmit: 7 });
    try {
      await t.advance(3);
      t.trackPath([0, 2], 10);
      const seen = new Map<number, Float32Array[]>([
        [0, [await t.getParams(0)]],
        [2, [await t.getParams(2)]],
      ]);
      for (let s = 0; s < 17; s++) {
        await t.advance(s % 3 === 0 ? 1 : 2);
        for (const r of [0, 2]) seen.get(r)!.push(await t.getParams(r));
      }
      const steps = [3];
      for (let s = 0; s < 17; s++) steps.push(steps[steps.length - 1] + (s % 3 === 0 ? 1 : 2));
      expect(t.step).toBe(31);
      const surf = await t.surface2d(2, { points: 3, radius: 0.1 });
      expect(surf.path.map((p) => p.step)).toEqual(Array.from({ length: 10 }, (_, i) => 22 + i));
      // the recorded parameters themselves: the path of run 0 projected by the same plane equals
      // the projection of the parameters read at each step
      const byStep = (r: number, step: number) => {
        const k = steps.indexOf(step);
        return k >= 0 ? seen.get(r)![k] : undefined;
      };
      const centre = byStep(2, 31)!;
      for (const p of surf.path) {
        const th = byStep(2, p.step);
        if (!th) continue; // steps in the middle of an advance(2) were not read one by one
        let dd = 0;
        for (let i = 0; i < th.length; i++) dd += (th[i] - centre[i]) ** 2;
        expect(Math.abs(p.a ** 2 + p.b ** 2 + p.off ** 2 - dd)).toBeLessThan(1e-12 + 1e-9 * dd);
      }
      expect(surf.path[surf.path.length - 1]).toEqual({ step: 31, a: 0, b: 0, off: 0 });
      const run1 = await t.surface2d(1, { points: 3, radius: 0.1 });
      expect(run1.path).toEqual([]); // not tracked
    } finally {
      t.dispose();
    }
  });
});

describe('GpuTrainer.surface2d', () => {
  it('equals the float64 surface at the GPU’s own parameters, and shows GD at the edge of stability bouncing across the valley', async () => {
    const { gpu, pipelines } = await testGpu();
    const exp = edgeOfStabilityGd(400);
    const g = await GpuTrainer.create(exp, { gpu, pipelines });
    try {
      g.trackPath([0], 300);
      await g.advance(400);
      const sg = await g.surface2d(0, { points: 25, radius: 'auto' });
      // The oracle: the CPU computation on the same inputs (GD at the edge of stability amplifies
      // f32 rounding, so the two backends' own trajectories part after a few hundred steps).
      const { grad, loss } = curvatureOracle(exp);
      const theta = Float64Array.from(await g.getParams(0));
      const sc = surfaceCpu(
        { run: 0, step: 400, seed: exp.seed, theta, grad, loss, iterates: [] },
        { points: 25, radius: sg.radius },
      );
      const lam = sg.lambda.map((v, i) => Math.abs(v - sc.lambda[i]) / sc.lambda[i]);
      const grid = relErr(sg.loss, sc.loss);
      console.log(
        `step 400: λ GPU ${sg.lambda.map((v) => v.toFixed(5))} CPU ${sc.lambda.map((v) => v.toFixed(5))} ` +
          `(relative ${lam.map((v) => v.toExponential(1))}), ${sg.hvps} / ${sc.hvps} products, ` +
          `radius ${sg.radius.toExponential(3)}, floor ${valleyFloor(sg).toExponential(3)} / ` +
          `${valleyFloor(sc).toExponential(3)}, grid worst relative ${grid.toExponential(2)}`,
      );
      expect(Math.max(...lam)).toBeLessThan(1e-3);
      expect(grid).toBeLessThan(1e-4);
      expect(Math.abs(valleyFloor(sg) - valleyFloor(sc))).toBeLessThan(1e-3 * sg.radius);
      expect(sg.path.length).toBe(300);
      expect(Math.abs(sg.lambda[0] - 2 / 0.3) / (2 / 0.3)).toBeLessThan(0.1); // at the edge
      const f = valleyFloor(sg);
      const sides = sg.path.slice(-13, -1).map((p) => Math.sign(p.a - f));
      for (let i = 1; i < sides.length; i++) expect(sides[i] * sides[i - 1]).toBe(-1);
    } finally {
      g.dispose();
    }
  });

  it('names what is wrong', async () => {
    const { gpu, pipelines } = await testGpu();
    const t = await GpuTrainer.create(testExperiment({ runs: [run('sgd', { name: 'sgd', lr: 0.1 })] }), {
      gpu,
      pipelines,
    });
    try {
      await expect(t.surface2d(2, { points: 5, radius: 1 })).rejects.toThrow(/run: expected an index in 0..0, got 2/);
      await expect(t.surface2d(0, { points: 6, radius: 1 })).rejects.toThrow(/surface points: expected an odd integer/);
      expect(() => t.trackPath([0], 0)).toThrow(/trackPath length/);
    } finally {
      t.dispose();
    }
  });
});
