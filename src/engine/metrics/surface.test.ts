import { describe, expect, it } from 'vitest';
import {
  autoRadius,
  checkSurfaceOptions,
  lossGridCpu,
  orientUnit,
  PathRing,
  pathCapacity,
  planeBasis,
  projectPath,
  surfaceCoords,
  valleyFloor,
} from './surface';
import { CpuTrainer } from '../cpu/trainer';
import type { Experiment } from '../../schema/types';
import { edgeOfStabilityGd } from '../../test_fixtures';
import type { LossSurface } from '../trainer';
import { denseMatrix, fdHvp } from './curvature_cpu';
import { symEig } from './linalg';
import { curvatureOracle } from './sharpness_trajectory_testing';

/** Signs of a - floor over the last `n` path points before the centre: +1 / -1 per iterate. */
export function sidesOfFloor(s: LossSurface, n: number): number[] {
  const floor = valleyFloor(s);
  return s.path.slice(-n - 1, -1).map((p) => Math.sign(p.a - floor));
}

describe('surface helpers', () => {
  it('checks the options, naming the field', () => {
    expect(() => checkSurfaceOptions({ points: 24, radius: 1 })).toThrow(/surface points: expected an odd integer/);
    expect(() => checkSurfaceOptions({ points: 1, radius: 1 })).toThrow(/surface points/);
    expect(() => checkSurfaceOptions({ points: 43, radius: 1 })).toThrow(/surface points/);
    expect(() => checkSurfaceOptions({ points: 25, radius: -1 })).toThrow(/surface radius: expected a positive/);
    expect(() => checkSurfaceOptions({ points: 25, radius: NaN })).toThrow(/surface radius/);
    expect(() => checkSurfaceOptions({ points: 25, radius: 'auto' })).not.toThrow();
    expect(() => pathCapacity(0, 1, 10)).toThrow(/trackPath length/);
    expect(pathCapacity(300, 2, 10)).toBe(300);
    expect(pathCapacity(300, 4, 8_000_000)).toBe(2); // memory cap, never below 2
  });

  it('orients unit vectors by their largest component and makes the plane orthonormal', () => {
    const close = (v: Float64Array, w: number[]) => w.forEach((x, i) => expect(v[i]).toBeCloseTo(x, 15));
    close(orientUnit([0, -3, 4]), [0, -0.6, 0.8]);
    close(orientUnit([0, 3, -4]), [0, -0.6, 0.8]);
    expect(() => orientUnit([0, 0])).toThrow(/zero or not finite/);
    const [e1, e2] = planeBasis([1, 1e-6, 0], [1e-6, -2, 0]);
    const dot = e1.reduce((a, x, i) => a + x * e2[i], 0);
    expect(Math.abs(dot)).toBeLessThan(1e-15);
    expect(e2[1]).toBeGreaterThan(0.99); // its largest component, -2, is made positive
  });

  it('has exact centre coordinates and an automatic radius that fits the recent path', () => {
    const c = surfaceCoords(5, 2);
    expect(c).toEqual([-2, -1, 0, 1, 2]);
    const path = [
      { step: 0, a: 100, b: 0, off: 0 }, // old and far: left out of the fit
      ...Array.from({ length: 32 }, (_, i) => ({ step: i + 1, a: i % 2 ? 0.1 : -0.2, b: 0.05, off: 0 })),
    ];
    expect(autoRadius(path, 4, 1e-6)).toBeCloseTo(0.3, 12);
    expect(autoRadius([], 2, 1)).toBeCloseTo(1, 12); // sqrt(2 L / λ1)
    expect(autoRadius([], 0, 0)).toBeGreaterThan(0);
  });

  it('projects iterates onto the plane with their distance off it', () => {
    const theta = [1, 1, 1];
    const e1 = Float64Array.from([1, 0, 0]);
    const e2 = Float64Array.from([0, 1, 0]);
    const p = projectPath(theta, e1, e2, [{ step: 3, params: [3, 0, 5] }]);
    expect(p).toEqual([{ step: 3, a: 2, b: -1, off: 4 }]);
    expect(() => projectPath(theta, e1, e2, [{ step: 1, params: [1] }])).toThrow(/length 1, expected 3/);
  });

  it('keeps the last `capacity` iterates, oldest first', () => {
    const ring = new PathRing(3);
    for (let s = 0; s < 5; s++) ring.push(s, [s]);
    ring.push(4, [40]); // the same step again replaces it
    expect(ring.list().map((x) => [x.step, x.params[0]])).toEqual([
      [2, 2],
      [3, 3],
      [4, 40],
    ]);
  });

  it('grids a quadratic exactly and finds its valley floor', () => {
    // L(x) = 0.5 (3 (x0 - 0.3)^2 + x1^2): along e1 the floor is at a = 0.3 from the origin
    const loss = (x: Float64Array) => 0.5 * (3 * (x[0] - 0.3) ** 2 + x[1] ** 2);
    const coords = surfaceCoords(9, 1);
    const g = lossGridCpu(loss, [0, 0], [1, 0], [0, 1], coords);
    coords.forEach((b, j) =>
      coords.forEach((a, i) => expect(g[j * 9 + i]).toBeCloseTo(loss(Float64Array.from([a, b])), 14)),
    );
    expect(valleyFloor({ coords, loss: g })).toBeCloseTo(0.3, 12); // a parabola is fitted exactly
  });
});

describe('CpuTrainer.surface2d', () => {
  it('finds the top two eigenpairs of the dense Hessian and grids the loss through the current point', async () => {
    // a small net (P = 122) so that the dense Hessian's eigensolver is quick
    const base = edgeOfStabilityGd(60);
    const exp: Experiment = {
      ...base,
      data: { ...base.data, nTrain: 40 } as Experiment['data'],
      model: { ...base.model, hidden: [8, 8] } as Experiment['model'],
    };
    const t = CpuTrainer.create(exp);
    t.trackPath([0], 300);
    await t.advance(60);
    const s = await t.surface2d(0, { points: 7, radius: 0.05 });
    const { grad, loss } = curvatureOracle(exp); // the whole training set: nTrain < the subset cap
    const theta = t.getParams64(0);
    const P = theta.length;
    const exact = symEig(denseMatrix(fdHvp(grad, theta, 1e-5), P), P).values;
    console.log(
      `surface λ1 ${s.lambda[0]} (exact ${exact[0]}), λ2 ${s.lambda[1]} (exact ${exact[1]}), ${s.hvps} products`,
    );
    expect(Math.abs(s.lambda[0] - exact[0]) / exact[0]).toBeLessThan(1e-4);
    expect(Math.abs(s.lambda[1] - exact[1]) / exact[1]).toBeLessThan(1e-4);
    expect(s.hvps).toBeLessThanOrEqual(32);
    expect(s.loss[3 * 7 + 3]).toBeCloseTo(loss(theta), 14); // the centre is the current point
    // along e1 the grid's curvature is λ1: second difference over the centre row
    const h = s.coords[1] - s.coords[0];
    const d2 = (s.loss[3 * 7 + 2] - 2 * s.loss[3 * 7 + 3] + s.loss[3 * 7 + 4]) / (h * h);
    expect(Math.abs(d2 - s.lambda[0]) / s.lambda[0]).toBeLessThan(0.05);
    expect(s.path.length).toBe(61);
    expect(s.path[60]).toEqual({ step: 60, a: 0, b: 0, off: 0 });
    expect(s.path[0].step).toBe(0);
  });

  it('shows full-batch GD at the edge of stability bouncing across the valley floor along e1', async () => {
    const t = CpuTrainer.create(edgeOfStabilityGd(400));
    t.trackPath([0], 300);
    await t.advance(400);
    const s = await t.surface2d(0, { points: 25, radius: 'auto' });
    console.log(
      `step 400: λ1 ${s.lambda[0].toFixed(3)} (2/η = 6.667), floor ${valleyFloor(s).toExponential(2)}, ` +
        `radius ${s.radius.toExponential(2)}, last a: ${s.path
          .slice(-9)
          .map((p) => p.a.toExponential(1))
          .join(' ')}`,
    );
    expect(Math.abs(s.lambda[0] - 2 / 0.3) / (2 / 0.3)).toBeLessThan(0.1); // at the edge
    const sides = sidesOfFloor(s, 12);
    for (let i = 1; i < sides.length; i++) expect(sides[i] * sides[i - 1]).toBe(-1);
    // the bounce lies along e1: its across-valley span dwarfs the drift along e2
    const last = s.path.slice(-13, -1);
    const span = (f: (p: (typeof last)[0]) => number) => Math.max(...last.map(f)) - Math.min(...last.map(f));
    expect(span((p) => p.a)).toBeGreaterThan(5 * span((p) => p.b));
    expect(s.radius).toBeGreaterThanOrEqual(1.5 * Math.max(...last.map((p) => Math.abs(p.a))) - 1e-15);
  });

  it('refuses bad runs and options, and a new trackPath replaces the tracked set', async () => {
    const t = CpuTrainer.create(edgeOfStabilityGd(10));
    await expect(t.surface2d(3, { points: 5, radius: 1 })).rejects.toThrow(/run: expected an index in 0..0, got 3/);
    await expect(t.surface2d(0, { points: 4, radius: 1 })).rejects.toThrow(/surface points/);
    expect(() => t.trackPath([1], 10)).toThrow(/trackPath runs: expected run indices in 0..0, got 1/);
    t.trackPath([0], 5);
    await t.advance(10);
    expect((await t.surface2d(0, { points: 3, radius: 0.1 })).path.map((p) => p.step)).toEqual([6, 7, 8, 9, 10]);
    t.trackPath([], 5);
    await t.advance(0);
    expect((await t.surface2d(0, { points: 3, radius: 0.1 })).path).toEqual([]);
  });
});
