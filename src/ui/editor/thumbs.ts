/**
 * Dataset thumbnails for the data picker: each kind's default data drawn small, in two
 * coordinates that show its structure, coloured by class (or by target, for regression):
 * - 2-D kinds: the inputs themselves;
 * - feature-noise: the strong and the weak feature direction;
 * - slab data (lms, ms57, lsn): the linear coordinate against the first slab coordinate;
 * - opposing signals: the outlier coordinate x0 against x1;
 * - teacher-student and other regressions: the first input against the target;
 * - images: a few sample images (see imageTiles).
 */
import type { Dataset } from '../../engine/data/types';

export interface ThumbPoints {
  /** In [0, 1], y up. */
  x: Float64Array;
  y: Float64Array;
  /** Class index, or the target scaled to [0, 1] for regression. */
  c: Float64Array;
  /** 0 for regression. */
  nClasses: number;
  /** What the axes are, for the tile's tooltip. */
  axes: [string, string];
}

/** At most this many points per thumbnail. */
export const THUMB_POINTS = 160;

function dot(x: Float32Array, row: number, dim: number, dir: Float32Array): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += x[row * dim + j] * dir[j];
  return s;
}

function scaled(v: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of v) {
    if (a < lo) lo = a;
    if (a > hi) hi = a;
  }
  const span = hi - lo || 1;
  return v.map((a) => (a - lo) / span);
}

/** The two coordinates to draw a (non-image) dataset in, and the points. */
export function thumbPoints(ds: Dataset): ThumbPoints {
  const { train, inputDim: dim } = ds;
  const n = Math.min(train.n, THUMB_POINTS);
  const ax = new Float64Array(n);
  const ay = new Float64Array(n);
  const c = new Float64Array(n);
  const m = ds.meta;
  let axes: [string, string] = ['x₀', 'x₁'];
  for (let i = 0; i < n; i++) {
    let a: number;
    let b: number;
    if (m.strongDirection && m.weakDirection) {
      a = dot(train.x, i, dim, m.strongDirection);
      b = dot(train.x, i, dim, m.weakDirection);
      axes = ['strong feature', 'weak feature'];
    } else if (m.linearCoords?.length && m.slabCoords?.length && !m.rotation) {
      a = train.x[i * dim + m.linearCoords[0]];
      b = train.x[i * dim + m.slabCoords[0]];
      axes = ['linear coordinate', 'slab coordinate'];
    } else if (ds.nClasses === 0 || dim < 2) {
      a = train.x[i * dim];
      b = train.y[i * ds.targetDim];
      axes = ['x₀', 'target'];
    } else {
      a = train.x[i * dim];
      b = train.x[i * dim + 1];
    }
    ax[i] = a;
    ay[i] = b;
    c[i] = ds.nClasses === 0 ? train.y[i * ds.targetDim] : train.y[i];
  }
  const x = scaled(ax);
  const y = scaled(ay);
  spreadStacks(x, y);
  return { x, y, c: ds.nClasses === 0 ? scaled(c) : c, nClasses: ds.nClasses, axes };
}

/**
 * Where most points share a handful of positions (feature-noise data projected on its two
 * feature directions), spread each stack into a small disc (a fixed pattern, no randomness) so
 * the thumbnail shows how many points each position holds. Stays inside [0, 1].
 */
export function spreadStacks(x: Float64Array, y: Float64Array): void {
  const key = (i: number) => `${Math.round(x[i] * 50)},${Math.round(y[i] * 50)}`;
  const count = new Map<string, number>();
  for (let i = 0; i < x.length; i++) count.set(key(i), (count.get(key(i)) ?? 0) + 1);
  if (count.size * 4 > x.length) return;
  const seen = new Map<string, number>();
  for (let i = 0; i < x.length; i++) {
    const k = key(i);
    const j = seen.get(k) ?? 0;
    seen.set(k, j + 1);
    // the golden-angle spiral: evenly filled discs of radius up to 0.12
    const r = 0.12 * Math.sqrt(j / Math.max(1, count.get(k)! - 1));
    const a = j * 2.399963;
    // pulled in from the edges first, so no disc is cut at the border
    x[i] = 0.12 + 0.76 * x[i] + r * Math.cos(a);
    y[i] = 0.12 + 0.76 * y[i] + r * Math.sin(a);
  }
}

/**
 * Images: the first image of up to `count` different classes, each as grey levels in [0, 1]
 * (channel 0, row-major) with its side lengths.
 */
export function imageTiles(ds: Dataset, count = 4): { w: number; h: number; pixels: Float64Array }[] {
  const shape = ds.meta.imageShape;
  if (!shape) return [];
  const [, h, w] = shape;
  const seen = new Set<number>();
  const out: { w: number; h: number; pixels: Float64Array }[] = [];
  for (let i = 0; i < ds.train.n && out.length < count; i++) {
    const cls = ds.train.y[i];
    if (seen.has(cls)) continue;
    seen.add(cls);
    const px = new Float64Array(w * h);
    for (let k = 0; k < w * h; k++) px[k] = ds.train.x[i * ds.inputDim + k];
    out.push({ w, h, pixels: scaled(px) });
  }
  return out;
}
