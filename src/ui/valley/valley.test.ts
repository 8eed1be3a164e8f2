import { describe, expect, it } from 'vitest';
import type { LossSurface, PathPoint } from '../../engine/trainer';
import {
  contourLevels,
  contourSegments,
  e1Zigzag,
  gridToPixel,
  heatmapPixels,
  logGrid,
  logRange,
  pathDots,
  rampLut,
  toPixel,
  valleyLabel,
} from './valley';

/** A surface on an n x n grid of half-width r with loss f(a, b) (a along e1, b along e2). */
function surface(f: (a: number, b: number) => number, n = 5, r = 1, path: PathPoint[] = []): LossSurface {
  const coords = Array.from({ length: n }, (_, i) => -r + (2 * r * i) / (n - 1));
  const loss = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) loss[j * n + i] = f(coords[i], coords[j]);
  return { run: 0, step: 40, lambda: [20, 5], hvps: 8, radius: r, coords, loss, path };
}

const bowl = (a: number, b: number) => 0.01 + 0.5 * (20 * a * a + 5 * b * b);

function rgb(px: Uint8ClampedArray, w: number, x: number, y: number): number[] {
  const p = 4 * (y * w + x);
  return [px[p], px[p + 1], px[p + 2], px[p + 3]];
}

describe('valley drawing helpers', () => {
  it('the heatmap is darkest at the bowl’s bottom, brightest at a corner; e2 points up', () => {
    const lut = rampLut();
    const w = 41;
    const px = heatmapPixels(surface(bowl), w, w, lut);
    const dark = [lut[0], lut[1], lut[2], 255];
    const bright = [lut[765], lut[766], lut[767], 255];
    expect(rgb(px, w, 20, 20)).toEqual(dark);
    expect(rgb(px, w, 0, 0)).not.toEqual(dark);
    // loss rising with b: the top row (b = +r) is the bright end, the bottom row the dark one
    const tilt = heatmapPixels(
      surface((_a, b) => Math.exp(b)),
      w,
      w,
      lut,
    );
    expect(rgb(tilt, w, 20, 0)).toEqual(bright);
    expect(rgb(tilt, w, 20, w - 1)).toEqual(dark);
    // every pixel opaque, more than a few colours
    const colours = new Set<string>();
    for (let k = 0; k < w * w; k++) colours.add(rgb(px, w, k % w, Math.floor(k / w)).join());
    expect(colours.size).toBeGreaterThan(20);
    expect(Array.from({ length: w * w }, (_, k) => px[4 * k + 3]).every((a) => a === 255)).toBe(true);
  });

  it('log range over finite losses only; a non-finite loss draws as the top colour', () => {
    const s = surface((a) => (a > 0.9 ? Infinity : 10 ** a));
    expect(logRange(s.loss)).toEqual({ lo: -1, hi: 0.5 });
    expect(logRange([NaN, Infinity])).toBeNull();
    const lut = rampLut();
    const px = heatmapPixels(s, 5, 5, lut);
    expect(rgb(px, 5, 4, 2)).toEqual([lut[765], lut[766], lut[767], 255]);
    expect(Array.from(logGrid(s)).filter(Number.isNaN)).toHaveLength(5);
  });

  it('contours: a plane gives one straight line per row of cells, a bowl closed ellipses', () => {
    const n = 5;
    const plane = Float64Array.from({ length: n * n }, (_, k) => k % n); // value = column index
    const segs = contourSegments(plane, n, 1.5);
    expect(segs).toHaveLength(n - 1);
    for (const [x0, , x1] of segs) expect([x0, x1]).toEqual([1.5, 1.5]);
    expect(contourSegments(plane, n, 10)).toEqual([]);

    // a round bowl: every crossing lies close to the circle of its level
    const m = 21;
    const c = (m - 1) / 2;
    const round = Float64Array.from(
      { length: m * m },
      (_, k) => (((k % m) - c) ** 2 + (Math.floor(k / m) - c) ** 2) / c ** 2,
    );
    const ring = contourSegments(round, m, 0.27);
    expect(ring.length).toBeGreaterThan(16);
    for (const [x0, y0, x1, y1] of ring) {
      for (const [x, y] of [
        [x0, y0],
        [x1, y1],
      ])
        expect(Math.hypot(x - c, y - c) / c).toBeCloseTo(0.52, 1);
    }
    // each endpoint is shared by exactly two segments: the ring is closed
    const ends = new Map<string, number>();
    for (const [x0, y0, x1, y1] of ring)
      for (const key of [`${x0.toFixed(6)},${y0.toFixed(6)}`, `${x1.toFixed(6)},${y1.toFixed(6)}`])
        ends.set(key, (ends.get(key) ?? 0) + 1);
    expect([...ends.values()].every((k) => k === 2)).toBe(true);
    expect(contourLevels({ lo: 0, hi: 4 }, 3)).toEqual([1, 2, 3]);
    expect(contourLevels({ lo: 1, hi: 1 }, 3)).toEqual([]);
  });

  it('plane coordinates and grid indices map to pixels with e1 to the right and e2 up', () => {
    expect(toPixel(0, 0, 2, 100, 80)).toEqual([50, 40]);
    expect(toPixel(2, 2, 2, 100, 80)).toEqual([100, 0]);
    expect(toPixel(-2, -2, 2, 100, 80)).toEqual([0, 80]);
    expect(gridToPixel(0, 0, 5, 100, 80)).toEqual([0, 80]);
    expect(gridToPixel(4, 4, 5, 100, 80)).toEqual([100, 0]);
  });

  it('the path fades from old to new and ends at the centre', () => {
    const path: PathPoint[] = [
      { step: 37, a: -0.5, b: 0.2, off: 0 },
      { step: 38, a: 0.5, b: 0.1, off: 0 },
      { step: 39, a: -0.5, b: 0.05, off: 0 },
      { step: 40, a: 0, b: 0, off: 0 },
    ];
    const dots = pathDots(path, 1, 100, 100);
    expect(dots.map((d) => d.step)).toEqual([37, 38, 39, 40]);
    expect(dots[0].alpha).toBeCloseTo(0.15, 12);
    expect(dots[3]).toEqual({ x: 50, y: 50, step: 40, alpha: 1 });
    for (let k = 1; k < 4; k++) expect(dots[k].alpha).toBeGreaterThan(dots[k - 1].alpha);
    expect(dots[0].x).toBeCloseTo(25, 12);
    expect(dots[0].y).toBeCloseTo(40, 12);
  });

  it('zigzag along e1: 1 for a period-2 bounce, 0 for a slide, null for too short a path', () => {
    const bounce = Array.from({ length: 12 }, (_, k) => ({ step: k, a: k % 2 ? 0.3 : -0.3, b: -k * 0.01, off: 0 }));
    expect(e1Zigzag(bounce)).toBe(1);
    const slide = Array.from({ length: 12 }, (_, k) => ({ step: k, a: -1 + k * 0.1, b: 0, off: 0 }));
    expect(e1Zigzag(slide)).toBe(0);
    expect(e1Zigzag(slide.slice(0, 3))).toBeNull();
  });

  it('the screen-reader label gives λ1, λ2, the radius, the path length and the loss range', () => {
    const path = Array.from({ length: 8 }, (_, k) => ({ step: 33 + k, a: k % 2 ? 0.3 : -0.3, b: 0, off: 0 }));
    const label = valleyLabel(surface(bowl, 5, 1, path), 'GD η=0.1');
    expect(label).toBe(
      'Loss around GD η=0.1 at step 40 on the plane of the top two Hessian eigenvectors: λ1 = 20, λ2 = 5, ' +
        'radius 1; path of 8 points; the step along e1 reverses 100% of the time; loss from 0.01 to 12.51',
    );
  });
});
