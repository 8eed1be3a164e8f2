/**
 * The loss valley seen from above, as numbers a canvas can draw: the loss grid on the plane of
 * a run's top two Hessian eigenvectors (LossSurface) turned into pixels on a perceptual ramp
 * over log-loss, contour lines of that log-loss by marching squares, the recorded path mapped
 * to pixels (oldest faintest), and the text a screen reader gets. Pure; ValleyPanel draws.
 *
 * Orientation: e1 runs left to right, e2 bottom to top; the centre of the image is the run's
 * current parameters.
 */
import type { LossSurface, PathPoint } from '../../engine/trainer';
import { fmt } from '../format';
import { viridis } from '../palette';

/** log10 of a loss, floored so that a zero loss stays finite; non-finite stays NaN. */
export function logLoss(v: number): number {
  return Number.isFinite(v) ? Math.log10(Math.max(v, 1e-12)) : NaN;
}

export interface LogRange {
  /** Lowest and highest finite log10(loss) on the grid (lo === hi on a flat grid). */
  lo: number;
  hi: number;
}

/** The grid's finite log-loss range, or null when no value is finite. */
export function logRange(loss: ArrayLike<number>): LogRange | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < loss.length; k++) {
    const v = logLoss(loss[k]);
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? { lo, hi } : null;
}

/** The ramp (palette.ts viridis) as 256 RGB triples: index 0 lowest loss (dark), 255 highest. */
export function rampLut(): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const n = parseInt(viridis(i / 255).slice(1), 16);
    lut[3 * i] = (n >> 16) & 255;
    lut[3 * i + 1] = (n >> 8) & 255;
    lut[3 * i + 2] = n & 255;
  }
  return lut;
}

/** Bilinear interpolation of a points x points grid (row j along e2) at fractional indices. */
function sample(grid: ArrayLike<number>, n: number, fi: number, fj: number): number {
  const i0 = Math.min(n - 2, Math.max(0, Math.floor(fi)));
  const j0 = Math.min(n - 2, Math.max(0, Math.floor(fj)));
  const u = Math.min(1, Math.max(0, fi - i0));
  const v = Math.min(1, Math.max(0, fj - j0));
  const g = (i: number, j: number) => grid[j * n + i];
  return (1 - v) * ((1 - u) * g(i0, j0) + u * g(i0 + 1, j0)) + v * ((1 - u) * g(i0, j0 + 1) + u * g(i0 + 1, j0 + 1));
}

/** The surface's log-loss per grid point, row j along e2 (NaN where the loss is not finite). */
export function logGrid(s: LossSurface): Float64Array {
  return Float64Array.from(s.loss, logLoss);
}

/**
 * RGBA pixels (row 0 at the top: the largest e2; the corner pixels are the grid's corners) of the
 * log-loss, bilinear between grid points,
 * coloured by `lut` from lo (index 0) to hi (255). Where the loss is not finite: the top colour.
 */
export function heatmapPixels(
  s: LossSurface,
  width: number,
  height: number,
  lut: Uint8ClampedArray = rampLut(),
): Uint8ClampedArray<ArrayBuffer> {
  const n = s.coords.length;
  const grid = logGrid(s);
  const range = logRange(s.loss) ?? { lo: 0, hi: 1 };
  const span = range.hi - range.lo;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const fj = height > 1 ? (1 - y / (height - 1)) * (n - 1) : (n - 1) / 2;
    for (let x = 0; x < width; x++) {
      const fi = width > 1 ? (x / (width - 1)) * (n - 1) : (n - 1) / 2;
      const v = sample(grid, n, fi, fj);
      const t = Number.isNaN(v) ? 1 : span > 0 ? (v - range.lo) / span : 0.5;
      const k = 3 * Math.round(Math.min(1, Math.max(0, t)) * 255);
      const p = 4 * (y * width + x);
      out[p] = lut[k];
      out[p + 1] = lut[k + 1];
      out[p + 2] = lut[k + 2];
      out[p + 3] = 255;
    }
  }
  return out;
}

/** `count` log-loss levels evenly inside (lo, hi), excluding both ends. */
export function contourLevels(range: LogRange, count: number): number[] {
  const span = range.hi - range.lo;
  if (!(span > 0) || count < 1) return [];
  return Array.from({ length: count }, (_, k) => range.lo + (span * (k + 1)) / (count + 1));
}

/** A contour segment in grid-index units: x along e1 (column i), y along e2 (row j). */
export type Segment = [x0: number, y0: number, x1: number, y1: number];

/**
 * Marching squares: the segments where the bilinear grid crosses `level`. Cells with a
 * non-finite corner are skipped; the two saddle cases take the cell-centre value to decide.
 */
export function contourSegments(grid: ArrayLike<number>, n: number, level: number): Segment[] {
  const out: Segment[] = [];
  const at = (i: number, j: number) => grid[j * n + i];
  for (let j = 0; j < n - 1; j++) {
    for (let i = 0; i < n - 1; i++) {
      // corners counter-clockwise from the bottom left
      const c = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
      if (c.some((v) => !Number.isFinite(v))) continue;
      const xy: [number, number][] = [
        [i, j],
        [i + 1, j],
        [i + 1, j + 1],
        [i, j + 1],
      ];
      // crossing points on the edges k -> k+1 whose ends lie on opposite sides of the level
      const cross: [number, number][] = [];
      for (let k = 0; k < 4; k++) {
        const a = c[k];
        const b = c[(k + 1) % 4];
        if (a < level !== b < level) {
          const t = (level - a) / (b - a);
          const [x0, y0] = xy[k];
          const [x1, y1] = xy[(k + 1) % 4];
          cross.push([x0 + t * (x1 - x0), y0 + t * (y1 - y0)]);
        }
      }
      if (cross.length === 2) out.push([...cross[0], ...cross[1]]);
      else if (cross.length === 4) {
        // saddle: pair the crossings so that the centre's side stays connected
        const centreLow = (c[0] + c[1] + c[2] + c[3]) / 4 < level;
        const firstLow = c[0] < level;
        if (centreLow === firstLow) {
          out.push([...cross[0], ...cross[1]], [...cross[2], ...cross[3]]);
        } else {
          out.push([...cross[3], ...cross[0]], [...cross[1], ...cross[2]]);
        }
      }
    }
  }
  return out;
}

/** Pixel position of plane coordinates (a along e1, b along e2) in a width x height image of half-width `radius`. */
export function toPixel(a: number, b: number, radius: number, width: number, height: number): [number, number] {
  return [((a + radius) / (2 * radius)) * width, ((radius - b) / (2 * radius)) * height];
}

/** Grid-index units (as contourSegments gives them) to pixels: index 0 at the image's edge, n-1 at the other. */
export function gridToPixel(x: number, y: number, n: number, width: number, height: number): [number, number] {
  return [(x / (n - 1)) * width, (1 - y / (n - 1)) * height];
}

export interface PathDot {
  x: number;
  y: number;
  step: number;
  /** Opacity, from 0.15 (the oldest) to 1 (the newest), quadratic in the age so that the last steps stand out. */
  alpha: number;
}

/** The path, oldest first, in pixels with its fading opacity. */
export function pathDots(path: readonly PathPoint[], radius: number, width: number, height: number): PathDot[] {
  const n = path.length;
  return path.map((p, k) => {
    const [x, y] = toPixel(p.a, p.b, radius, width, height);
    return { x, y, step: p.step, alpha: n <= 1 ? 1 : 0.15 + 0.85 * (k / (n - 1)) ** 2 };
  });
}

/**
 * How often the path's movement along e1 reverses from one step to the next (0..1): near 1 when
 * GD bounces across the sharpest direction (a period-2 zigzag), near 0 when it slides one way.
 * Null with fewer than 3 moves.
 */
export function e1Zigzag(path: readonly PathPoint[]): number | null {
  const moves: number[] = [];
  for (let k = 1; k < path.length; k++) {
    const d = path[k].a - path[k - 1].a;
    if (d !== 0) moves.push(Math.sign(d));
  }
  if (moves.length < 3) return null;
  let flips = 0;
  for (let k = 1; k < moves.length; k++) if (moves[k] !== moves[k - 1]) flips++;
  return flips / (moves.length - 1);
}

/** The canvas's text for screen readers: run, step, λ1, λ2, the radius, the path and its loss range. */
export function valleyLabel(s: LossSurface, runLabel: string): string {
  const range = logRange(s.loss);
  const loss = range ? `; loss from ${fmt(10 ** range.lo)} to ${fmt(10 ** range.hi)}` : '';
  const zz = e1Zigzag(s.path);
  const bounce = zz === null ? '' : `; the step along e1 reverses ${Math.round(zz * 100)}% of the time`;
  return (
    `Loss around ${runLabel} at step ${s.step} on the plane of the top two Hessian eigenvectors: ` +
    `λ1 = ${fmt(s.lambda[0])}, λ2 = ${fmt(s.lambda[1])}, radius ${fmt(s.radius)}; ` +
    `path of ${s.path.length} point${s.path.length === 1 ? '' : 's'}${bounce}${loss}`
  );
}
