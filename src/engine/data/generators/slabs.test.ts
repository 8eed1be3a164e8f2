import { describe, expect, it } from 'vitest';
import type { LmsData, LsnData, Ms57Data } from '../../../schema/types';
import { generateDataset } from '../index';
import { defaultDataConfig } from '../defaults';
import { P5_CENTER, P7_INNER, P7_NEG_CENTER, slabIntervals } from './slabs';

const EPS = 1e-6; // float32 storage of values in [-2, 2]
const W = 2;
const M = 0.1;

/** Index of the interval of `set` holding |v| (-1 if none). */
function where(v: number, set: [number, number][]): number {
  const a = Math.abs(v);
  return set.findIndex(([lo, hi]) => a >= lo - EPS && a <= hi + EPS);
}

/** |count - n p| within 5 binomial standard deviations. */
function binomialOk(count: number, n: number, p: number): boolean {
  return Math.abs(count - n * p) <= 5 * Math.sqrt(n * p * (1 - p)) + 1e-9;
}

const lmsCfg = (over: Partial<LmsData>): LmsData => ({
  ...defaultDataConfig('lms'),
  nTrain: 6000,
  nTest: 10,
  dim: 4,
  width: W,
  slabMargin: M,
  linearMargin: 0.2,
  ...over,
});

describe('LMS slab generator (docs/data.md)', () => {
  for (const k of [3, 5, 7]) {
    it(`LMS-${k}: slab values lie in their class's slabs with the stated probabilities`, () => {
      const ds = generateDataset(lmsCfg({ slabs: k }), 5);
      expect(ds.meta.linearCoords).toEqual([0]);
      expect(ds.meta.slabCoords).toEqual([1, 2, 3]);
      expect(ds.meta.slabTypes).toEqual([k, k, k]);
      const iv = slabIntervals(k, W, M * W);
      const D = 4;
      let bad = 0;
      const first = [0, 0];
      const count = [0, 0];
      let positive = 0;
      for (let i = 0; i < ds.train.n; i++) {
        const y = ds.train.y[i];
        for (let c = 1; c < D; c++) {
          const v = ds.train.x[i * D + c];
          const at = where(v, y === 1 ? iv.pos : iv.neg);
          if (at < 0) bad++;
          if (where(v, y === 1 ? iv.neg : iv.pos) >= 0) bad++; // slabs of the two classes are disjoint
          count[y]++;
          if (at === 0) first[y]++;
          if (v > 0) positive++;
        }
      }
      expect(bad).toBe(0);
      const pNeg = k === 5 ? P5_CENTER : k === 7 ? P7_NEG_CENTER : 1;
      const pPos = k === 7 ? P7_INNER : 1;
      expect(binomialOk(first[0], count[0], pNeg)).toBe(true);
      expect(binomialOk(first[1], count[1], pPos)).toBe(true);
      expect(binomialOk(positive, count[0] + count[1], 0.5)).toBe(true);
      // The slabs tile [-W, W]: outermost slab ends at W.
      const ends = [...iv.pos, ...iv.neg].map((s) => s[1]);
      expect(Math.max(...ends)).toBeCloseTo(W, 12);
    });
  }

  it('LMS: the linear coordinate has |x| in [margin W, W] and its sign carries the label; labels balanced', () => {
    const cfg = lmsCfg({ slabs: 5 });
    const ds = generateDataset(cfg, 8);
    let bad = 0;
    for (let i = 0; i < ds.train.n; i++) {
      const v = ds.train.x[i * 4];
      if (Math.sign(v) !== 2 * ds.train.y[i] - 1) bad++;
      if (Math.abs(v) < cfg.linearMargin * W - EPS || Math.abs(v) > W + EPS) bad++;
    }
    expect(bad).toBe(0);
    const pos = ds.train.y.reduce((s, v) => s + v, 0);
    expect(binomialOk(pos, ds.train.n, 0.5)).toBe(true);
  });

  it('corrupts exactly round(fraction * n) linear signs and slab values per coordinate', () => {
    const cfg = lmsCfg({ slabs: 7, corruptLinear: 0.15, corruptSlab: 0.2, nTrain: 3001, nTest: 999 });
    const ds = generateDataset(cfg, 3);
    const iv = slabIntervals(7, W, M * W);
    for (const split of [ds.train, ds.test]) {
      let flipped = 0;
      const moved = [0, 0, 0];
      for (let i = 0; i < split.n; i++) {
        const y = split.y[i];
        if (Math.sign(split.x[i * 4]) !== 2 * y - 1) flipped++;
        for (let c = 1; c < 4; c++) if (where(split.x[i * 4 + c], y === 1 ? iv.neg : iv.pos) >= 0) moved[c - 1]++;
      }
      expect(flipped).toBe(Math.round(0.15 * split.n));
      expect(moved).toEqual([1, 2, 3].map(() => Math.round(0.2 * split.n)));
    }
  });

  it('moves the linear coordinate to linCoord', () => {
    const ds = generateDataset(lmsCfg({ slabs: 3, linCoord: 2 }), 4);
    expect(ds.meta.linearCoords).toEqual([2]);
    expect(ds.meta.slabCoords).toEqual([0, 1, 3]);
    let bad = 0;
    for (let i = 0; i < ds.train.n; i++) if (Math.sign(ds.train.x[i * 4 + 2]) !== 2 * ds.train.y[i] - 1) bad++;
    expect(bad).toBe(0);
  });
});

describe('slab generators: random rotation, MS-(5,7), LSN, determinism (docs/data.md)', () => {
  it('random rotation: R is orthonormal, preserves every norm and x R^T recovers the unrotated data', () => {
    const base = lmsCfg({ slabs: 5, dim: 6, nTrain: 300, nTest: 50 });
    const plain = generateDataset(base, 9);
    const rot = generateDataset({ ...base, randomRotation: true }, 9);
    const R = rot.meta.rotation!;
    const D = 6;
    expect(plain.meta.rotation).toBeUndefined();
    for (let i = 0; i < D; i++)
      for (let j = 0; j < D; j++) {
        let s = 0;
        for (let c = 0; c < D; c++) s += R[i * D + c] * R[j * D + c];
        expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-12);
      }
    let worst = 0;
    for (const [a, b] of [
      [plain.train, rot.train],
      [plain.test, rot.test],
    ] as const) {
      expect(Array.from(b.y)).toEqual(Array.from(a.y));
      for (let k = 0; k < a.n; k++) {
        let na = 0;
        let nb = 0;
        for (let c = 0; c < D; c++) {
          na += a.x[k * D + c] ** 2;
          nb += b.x[k * D + c] ** 2;
          let raw = 0;
          for (let j = 0; j < D; j++) raw += b.x[k * D + j] * R[c * D + j];
          worst = Math.max(worst, Math.abs(raw - a.x[k * D + c]));
        }
        worst = Math.max(worst, Math.abs(Math.sqrt(na) - Math.sqrt(nb)));
      }
    }
    expect(worst).toBeLessThan(1e-5);
    // The rotation actually mixes coordinates.
    expect(Array.from(rot.train.x.subarray(0, D))).not.toEqual(Array.from(plain.train.x.subarray(0, D)));
  });

  it('MS-(5,7): coordinate 0 is a 5-slab, the rest 7-slabs, no linear coordinate', () => {
    const cfg: Ms57Data = { ...defaultDataConfig('ms57'), dim: 3, width: W, slabMargin: M, nTrain: 2000, nTest: 5 };
    const ds = generateDataset(cfg, 2);
    expect(ds.meta.linearCoords).toEqual([]);
    expect(ds.meta.slabCoords).toEqual([0, 1, 2]);
    expect(ds.meta.slabTypes).toEqual([5, 7, 7]);
    const i5 = slabIntervals(5, W, M * W);
    const i7 = slabIntervals(7, W, M * W);
    let bad = 0;
    for (let i = 0; i < ds.train.n; i++) {
      const y = ds.train.y[i];
      for (let c = 0; c < 3; c++) {
        const iv = c === 0 ? i5 : i7;
        if (where(ds.train.x[i * 3 + c], y === 1 ? iv.pos : iv.neg) < 0) bad++;
      }
    }
    expect(bad).toBe(0);
  });

  it('LSN: linear + 3-slab + noise coordinates uniform in [0, W) and independent of the label', () => {
    const cfg: LsnData = { ...defaultDataConfig('lsn'), dim: 5, width: W, slabMargin: M, nTrain: 4000, nTest: 5 };
    const ds = generateDataset(cfg, 6);
    expect([ds.meta.linearCoords, ds.meta.slabCoords, ds.meta.slabTypes, ds.meta.noiseCoords]).toEqual([
      [0],
      [1],
      [3],
      [2, 3, 4],
    ]);
    const i3 = slabIntervals(3, W, M * W);
    let bad = 0;
    const noise: number[] = [];
    let corr = 0;
    for (let i = 0; i < ds.train.n; i++) {
      const y = ds.train.y[i];
      if (Math.sign(ds.train.x[i * 5]) !== 2 * y - 1) bad++;
      if (where(ds.train.x[i * 5 + 1], y === 1 ? i3.pos : i3.neg) < 0) bad++;
      for (let c = 2; c < 5; c++) {
        const v = ds.train.x[i * 5 + c];
        if (v < 0 || v >= W) bad++;
        noise.push(v);
        corr += (2 * y - 1) * (v - W / 2);
      }
    }
    expect(bad).toBe(0);
    const n = noise.length;
    const mean = noise.reduce((s, v) => s + v, 0) / n;
    const sd = W / Math.sqrt(12);
    expect(Math.abs(mean - W / 2)).toBeLessThan((5 * sd) / Math.sqrt(n));
    expect(Math.abs(corr / n)).toBeLessThan((5 * sd) / Math.sqrt(n));
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const cfg = lmsCfg({ nTrain: 100, nTest: 20, randomRotation: true });
    const a = generateDataset(cfg, 1);
    expect(generateDataset(cfg, 1).train.x).toEqual(a.train.x);
    expect(generateDataset(cfg, 1).test.y).toEqual(a.test.y);
    expect(generateDataset(cfg, 2).train.x).not.toEqual(a.train.x);
  });
});
