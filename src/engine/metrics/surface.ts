/**
 * The loss surface on the plane of the top two Hessian eigenvectors (Trainer.surface2d), the parts
 * both backends share: option checks, the eigenvectors' sign convention, the grid coordinates, the
 * automatic radius, the projection of recorded iterates onto the plane, and the float64 grid of
 * the CPU backend (the oracle of the GPU's, surface_gpu.ts).
 *
 * The plane through theta is { theta + a e1 + b e2 }, e1 and e2 the unit Ritz vectors of the two
 * most positive Hessian eigenvalues from a fresh Lanczos estimate (SURFACE_LANCZOS). An iterate
 * theta_s is drawn at (a, b) = ((theta_s - theta).e1, (theta_s - theta).e2); `off` says how far it
 * lies from the plane, which the picture cannot show.
 */
import { SURFACE_MAX_POINTS, type LossSurface, type PathPoint, type SurfaceOptions } from '../trainer';
import { fdHvp, type GradOracle, type LossOracle } from './curvature_cpu';
import { lanczosTop } from './lanczos';
import { startProbe } from './probes';

/** The top-2 estimate behind a surface: a whole cold budget and a tighter stop than the logged sharpness. */
export const SURFACE_LANCZOS = { maxIters: 32, tol: 1e-4, k: 2 } as const;
/** Steps of path a trainer keeps at most, whatever trackPath asks. */
export const PATH_MAX_LENGTH = 2000;
/** Floats of recorded iterates a trainer keeps at most (runs x length x paramCount): 64 MiB of f32. */
export const PATH_MAX_FLOATS = 16 * 1024 * 1024;

/** The options checked, with a specific message for the field that is wrong. */
export function checkSurfaceOptions(o: SurfaceOptions): void {
  if (!Number.isInteger(o.points) || o.points < 3 || o.points > SURFACE_MAX_POINTS || o.points % 2 === 0)
    throw new Error(`surface points: expected an odd integer in [3, ${SURFACE_MAX_POINTS}], got ${String(o.points)}`);
  if (o.radius !== 'auto' && !(typeof o.radius === 'number' && o.radius > 0 && Number.isFinite(o.radius)))
    throw new Error(`surface radius: expected a positive finite number or "auto", got ${String(o.radius)}`);
}

/**
 * How many steps of path a trainer keeps for `runs` runs of `paramCount` parameters when asked for
 * `length`: at most PATH_MAX_LENGTH, and at most PATH_MAX_FLOATS floats in all (at least 2).
 */
export function pathCapacity(length: number, runs: number, paramCount: number): number {
  if (!Number.isInteger(length) || length < 1)
    throw new Error(`trackPath length: expected an integer >= 1, got ${String(length)}`);
  const byMemory = Math.floor(PATH_MAX_FLOATS / Math.max(1, runs * paramCount));
  return Math.max(2, Math.min(length, PATH_MAX_LENGTH, byMemory));
}

/** The runs of a trackPath call checked against the trainer's run count, without repeats. */
export function checkTrackedRuns(runs: readonly number[], count: number): number[] {
  for (const r of runs)
    if (!Number.isInteger(r) || r < 0 || r >= count)
      throw new Error(`trackPath runs: expected run indices in 0..${count - 1}, got ${String(r)}`);
  return [...new Set(runs)];
}

/** v / |v| with the sign that makes its largest-magnitude component positive (ties: the first). */
export function orientUnit(v: ArrayLike<number>): Float64Array {
  let n = 0;
  let big = 0;
  for (let i = 0; i < v.length; i++) {
    n += v[i] * v[i];
    if (Math.abs(v[i]) > Math.abs(v[big])) big = i;
  }
  n = Math.sqrt(n);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error('surface: an eigenvector estimate is zero or not finite');
  const s = v[big] < 0 ? -1 / n : 1 / n;
  return Float64Array.from(v, (x) => x * s);
}

/**
 * e1 and e2 as an orthonormal pair: e2 loses its e1 part (the Ritz vectors are orthogonal to
 * round-off already; an f32 basis leaves ~1e-6), then both are oriented by orientUnit.
 */
export function planeBasis(v1: ArrayLike<number>, v2: ArrayLike<number>): [Float64Array, Float64Array] {
  const e1 = orientUnit(v1);
  let d = 0;
  for (let i = 0; i < e1.length; i++) d += e1[i] * v2[i];
  const w = Float64Array.from(v2, (x, i) => x - d * e1[i]);
  return [e1, orientUnit(w)];
}

/** coords[i] = -radius + 2 radius i / (points - 1); the centre index (points - 1) / 2 is exactly 0. */
export function surfaceCoords(points: number, radius: number): number[] {
  const c = (points - 1) / 2;
  return Array.from({ length: points }, (_, i) => (radius * (i - c)) / c);
}

/** Recorded iterates the 'auto' radius fits: the recent bounce, not where training began. */
export const AUTO_RADIUS_RECENT = 32;

/**
 * The 'auto' radius: 1.5 times the farthest |a| or |b| among the last AUTO_RADIUS_RECENT iterates
 * of the path, and at least sqrt(2 L / λ1), where the quadratic model L + λ1 a² / 2 doubles the
 * centre's loss L (L and λ1 floored at 1e-12, so a converged run still gets a finite radius).
 */
export function autoRadius(path: readonly PathPoint[], lambda1: number, centreLoss: number): number {
  let far = 0;
  for (const p of path.slice(-AUTO_RADIUS_RECENT)) far = Math.max(far, Math.abs(p.a), Math.abs(p.b));
  const l = Number.isFinite(centreLoss) ? Math.max(centreLoss, 1e-12) : 1;
  const lam = Number.isFinite(lambda1) ? Math.max(lambda1, 1e-12) : 1;
  return Math.max(1.5 * far, Math.sqrt((2 * l) / lam));
}

/** The iterates (oldest first) as seen from theta on the plane of e1, e2. */
export function projectPath(
  theta: ArrayLike<number>,
  e1: Float64Array,
  e2: Float64Array,
  iterates: readonly { step: number; params: ArrayLike<number> }[],
): PathPoint[] {
  const P = theta.length;
  return iterates.map(({ step, params }) => {
    if (params.length !== P) throw new Error(`surface path: an iterate has length ${params.length}, expected ${P}`);
    let a = 0;
    let b = 0;
    let dd = 0;
    for (let i = 0; i < P; i++) {
      const d = params[i] - theta[i];
      a += d * e1[i];
      b += d * e2[i];
      dd += d * d;
    }
    return { step, a, b, off: Math.sqrt(Math.max(0, dd - a * a - b * b)) };
  });
}

/** loss[j * points + i] = L(theta + coords[i] e1 + coords[j] e2), in float64 (the GPU grid's oracle). */
export function lossGridCpu(
  loss: LossOracle,
  theta: ArrayLike<number>,
  e1: ArrayLike<number>,
  e2: ArrayLike<number>,
  coords: readonly number[],
): Float64Array {
  const P = theta.length;
  if (e1.length !== P || e2.length !== P)
    throw new Error(`surface grid: directions have lengths ${e1.length}, ${e2.length}, expected ${P}`);
  const n = coords.length;
  const out = new Float64Array(n * n);
  const x = new Float64Array(P);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < P; q++) x[q] = theta[q] + coords[i] * e1[q] + coords[j] * e2[q];
      out[j * n + i] = loss(x);
    }
  return out;
}

/** A recorded path: the last `capacity` (step, parameters) pairs, oldest first (the CPU backend's record). */
export class PathRing {
  private items: { step: number; params: Float64Array }[] = [];
  constructor(readonly capacity: number) {}

  /** Record a copy of the parameters after `step` (a repeated step replaces the earlier record). */
  push(step: number, params: ArrayLike<number>): void {
    if (this.items.length > 0 && this.items[this.items.length - 1].step === step) this.items.pop();
    this.items.push({ step, params: Float64Array.from(params) });
    if (this.items.length > this.capacity) this.items.shift();
  }

  list(): readonly { step: number; params: Float64Array }[] {
    return this.items;
  }
}

/**
 * The whole surface on the CPU backend, in float64: the top-2 Lanczos estimate at theta from the
 * run's start probe at this step (the GPU draws the same one), the grid, the projected path.
 */
export function surfaceCpu(
  o: {
    run: number;
    step: number;
    seed: number;
    theta: Float64Array;
    grad: GradOracle;
    loss: LossOracle;
    iterates: readonly { step: number; params: ArrayLike<number> }[];
  },
  opts: SurfaceOptions,
): LossSurface {
  checkSurfaceOptions(opts);
  const P = o.theta.length;
  const r = lanczosTop(fdHvp(o.grad, o.theta), P, {
    ...SURFACE_LANCZOS,
    probe: () => startProbe(o.seed, o.step, P),
  });
  if (r.values.length < 2 || !r.values.every(Number.isFinite))
    throw new Error(`surface: run ${o.run} has no two finite Hessian eigenvalues at step ${o.step} (P = ${P})`);
  const [e1, e2] = planeBasis(r.vectors[0], r.vectors[1]);
  const path = projectPath(o.theta, e1, e2, o.iterates);
  const radius = opts.radius === 'auto' ? autoRadius(path, r.values[0], o.loss(o.theta)) : opts.radius;
  const coords = surfaceCoords(opts.points, radius);
  return {
    run: o.run,
    step: o.step,
    lambda: [r.values[0], r.values[1]],
    hvps: r.hvps,
    radius,
    coords,
    loss: lossGridCpu(o.loss, o.theta, e1, e2, coords),
    path,
  };
}

/**
 * Where the valley floor crosses the e1 axis: the minimiser along the centre row (b = 0) of the
 * grid, by the parabola through its lowest point and that point's neighbours (the lowest point
 * itself at either end of the row).
 */
export function valleyFloor(s: Pick<LossSurface, 'coords' | 'loss'>): number {
  const n = s.coords.length;
  const c = (n - 1) / 2;
  const row = (i: number) => s.loss[c * n + i];
  let m = 0;
  for (let i = 1; i < n; i++) if (row(i) < row(m)) m = i;
  if (m === 0 || m === n - 1) return s.coords[m];
  const [l, z, r] = [row(m - 1), row(m), row(m + 1)];
  const curv = l - 2 * z + r;
  const h = s.coords[m + 1] - s.coords[m];
  return curv > 0 ? s.coords[m] + (h * (l - r)) / (2 * curv) : s.coords[m];
}
