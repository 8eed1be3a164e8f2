import { describe, expect, it } from 'vitest';
import { generateDataset } from '../../engine/data';
import { defaultDataConfig } from '../../engine/data/defaults';
import { DATA_KINDS } from '../../experiment/limits';
import { THUMB_POINTS, imageTiles, spreadStacks, thumbPoints } from './thumbs';

describe('dataset thumbnails', () => {
  it('draw every kind in [0, 1] with a colour per point', () => {
    for (const kind of DATA_KINDS) {
      const ds = generateDataset(defaultDataConfig(kind), 1);
      if (kind === 'images') {
        const tiles = imageTiles(ds);
        expect(tiles.length, kind).toBeGreaterThan(1);
        for (const t of tiles) {
          expect(t.pixels.length).toBe(t.w * t.h);
          expect(Math.min(...t.pixels)).toBe(0);
          expect(Math.max(...t.pixels)).toBe(1);
        }
        continue;
      }
      const p = thumbPoints(ds);
      expect(p.x.length, kind).toBe(Math.min(ds.train.n, THUMB_POINTS));
      for (const v of [...p.x, ...p.y]) expect(v >= 0 && v <= 1, kind).toBe(true);
      expect(Math.max(...p.x), kind).toBeGreaterThan(0.85);
      expect(Math.min(...p.y), kind).toBeLessThan(0.15);
    }
  });

  it('uses the inputs for 2-D data and the feature directions for feature-noise data', () => {
    const ds = generateDataset(defaultDataConfig('circle'), 3);
    const p = thumbPoints(ds);
    expect(p.axes).toEqual(['x₀', 'x₁']);
    // order along each axis is the inputs' order
    const i = ds.train.x[0] < ds.train.x[2] ? [0, 1] : [1, 0];
    expect(p.x[i[0]] <= p.x[i[1]]).toBe(true);
    expect([...p.c.slice(0, 5)]).toEqual([...ds.train.y.slice(0, 5)]);
    expect(thumbPoints(generateDataset(defaultDataConfig('feature-noise'), 1)).axes).toEqual([
      'strong feature',
      'weak feature',
    ]);
    expect(thumbPoints(generateDataset(defaultDataConfig('teacher-student'), 1)).axes).toEqual(['x₀', 'target']);
  });

  it('spreads points stacked on a few positions into small discs, and leaves spread data alone', () => {
    const x = new Float64Array(40).map((_, i) => (i % 2 ? 1 : 0));
    const y = new Float64Array(40).map((_, i) => (i % 4 < 2 ? 0 : 1));
    spreadStacks(x, y);
    const distinct = new Set([...x].map((v, i) => `${v},${y[i]}`));
    expect(distinct.size).toBe(40);
    for (const v of [...x, ...y]) expect(v >= 0 && v <= 1).toBe(true);
    const u = new Float64Array([0, 0.25, 0.5, 0.75, 1]);
    const w = u.slice();
    spreadStacks(u, w);
    expect([...u]).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
