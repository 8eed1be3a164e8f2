import { describe, expect, it } from 'vitest';
import type { FeatureNoiseData } from '../../../schema/types';
import { generateDataset } from '../index';
import { defaultDataConfig } from '../defaults';

const cfg: FeatureNoiseData = {
  ...defaultDataConfig('feature-noise'),
  nTrain: 4000,
  nTest: 3000,
  patchDim: 7,
  numPatches: 4,
  weakNorm: 0.3,
  strongNorm: 2.5,
  strongFraction: 0.7,
  noiseStd: 0.5,
};
const f32 = Math.fround;

/** Element-wise equality (much faster than toEqual on large typed arrays). */
function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const ds = generateDataset(cfg, 11);
const d = cfg.patchDim;
const D = d * cfg.numPatches;

describe('feature-noise generator: the data model', () => {
  it('has the documented shape and meta', () => {
    expect([ds.inputDim, ds.nClasses, ds.targetDim]).toEqual([D, 2, 1]);
    expect(ds.train.x.length).toBe(cfg.nTrain * D);
    expect(ds.test.x.length).toBe(cfg.nTest * D);
    expect(ds.train.y.length).toBe(cfg.nTrain);
    expect(ds.meta.kind).toBe('feature-noise');
    expect(ds.meta.reconstruction).toMatch(/Reconstruction/);
    const weak = ds.meta.weakDirection!;
    const strong = ds.meta.strongDirection!;
    expect(weak.length).toBe(D);
    expect(Array.from(weak).reduce((s, v) => s + v * v, 0)).toBe(1);
    expect(Array.from(strong).reduce((s, v) => s + v * v, 0)).toBe(1);
    expect(weak[0]).toBe(1); // v = e_0 of patch 0
    expect(strong[d + 1]).toBe(1); // u = e_1 of patch 1
    expect(Array.from(weak).reduce((s, v, i) => s + v * strong[i], 0)).toBe(0);
    expect(ds.meta.hasStrong!.length).toBe(cfg.nTrain);
  });

  const dot = (x: Float32Array, k: number, dir: Float32Array) => {
    let s = 0;
    for (let i = 0; i < D; i++) s += x[k * D + i] * dir[i];
    return s;
  };

  it('puts the weak feature, with the right norm and sign, in every train and test point', () => {
    for (const split of [ds.train, ds.test]) {
      let bad = 0;
      for (let k = 0; k < split.n; k++) {
        const y = split.y[k] === 1 ? 1 : -1;
        if (split.y[k] !== 0 && split.y[k] !== 1) bad++;
        // Patch 0 is exactly y * weakNorm * v.
        if (split.x[k * D] !== f32(y * cfg.weakNorm)) bad++;
        for (let i = 1; i < d; i++) if (split.x[k * D + i] !== 0) bad++;
        if (dot(split.x, k, ds.meta.weakDirection!) !== f32(y * cfg.weakNorm)) bad++;
      }
      expect(bad).toBe(0);
    }
  });

  it('puts the strong feature in about strongFraction of train points and none of the test points', () => {
    const has = ds.meta.hasStrong!;
    let count = 0;
    let bad = 0;
    for (let k = 0; k < cfg.nTrain; k++) {
      const y = ds.train.y[k] === 1 ? 1 : -1;
      const s = dot(ds.train.x, k, ds.meta.strongDirection!);
      if (has[k]) {
        count++;
        if (s !== f32(y * cfg.strongNorm)) bad++;
        // Patch 1 is exactly y * strongNorm * u: nothing else in it.
        for (let i = 0; i < d; i++) if (i !== 1 && ds.train.x[k * D + d + i] !== 0) bad++;
      } else if (s !== 0) bad++;
    }
    expect(bad).toBe(0);
    // Binomial(4000, 0.7): sd ~ 29; allow 5 sd.
    const sd = Math.sqrt(cfg.nTrain * cfg.strongFraction * (1 - cfg.strongFraction));
    expect(Math.abs(count - cfg.nTrain * cfg.strongFraction)).toBeLessThan(5 * sd);
    for (let k = 0; k < cfg.nTest; k++) if (dot(ds.test.x, k, ds.meta.strongDirection!) !== 0) bad++;
    expect(bad).toBe(0);
  });

  it('draws noise patches N(0, noiseStd^2) orthogonal to u and v', () => {
    // Noise coordinates: every patch >= 2, and patch 1 when it has no strong feature (all test points).
    const vals: number[] = [];
    let bad = 0;
    const collect = (x: Float32Array, k: number, p: number) => {
      const at = k * D + p * d;
      if (x[at] !== 0 || x[at + 1] !== 0) bad++; // projected orthogonal to v = e_0 and u = e_1
      for (let i = 2; i < d; i++) vals.push(x[at + i]);
    };
    for (let k = 0; k < cfg.nTrain; k++) {
      if (!ds.meta.hasStrong![k]) collect(ds.train.x, k, 1);
      for (let p = 2; p < cfg.numPatches; p++) collect(ds.train.x, k, p);
    }
    for (let k = 0; k < cfg.nTest; k++) for (let p = 1; p < cfg.numPatches; p++) collect(ds.test.x, k, p);
    expect(bad).toBe(0);
    const n = vals.length;
    const mean = vals.reduce((s, v) => s + v, 0) / n;
    const varr = vals.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    const s2 = cfg.noiseStd ** 2;
    expect(Math.abs(mean)).toBeLessThan((5 * cfg.noiseStd) / Math.sqrt(n));
    expect(Math.abs(varr - s2)).toBeLessThan(5 * s2 * Math.sqrt(2 / n));
    // Noise is independent of the label: mean of y * noise is ~0.
    let corr = 0;
    let m = 0;
    for (let k = 0; k < cfg.nTest; k++) {
      const y = ds.test.y[k] === 1 ? 1 : -1;
      for (let i = 2; i < d; i++) {
        corr += y * ds.test.x[k * D + d + i];
        m++;
      }
    }
    expect(Math.abs(corr / m)).toBeLessThan((5 * cfg.noiseStd) / Math.sqrt(m));
  });
});

describe('feature-noise generator: labels, seeds and edge cases', () => {
  it('balances the labels (binomial tolerance)', () => {
    for (const split of [ds.train, ds.test]) {
      const pos = split.y.reduce((s, v) => s + v, 0);
      expect(Math.abs(pos - split.n / 2)).toBeLessThan(5 * Math.sqrt(split.n / 4));
    }
  });

  it('is deterministic for a seed, differs between seeds, and keeps the test set when nTrain changes', () => {
    const again = generateDataset(cfg, 11);
    expect(same(again.train.x, ds.train.x) && same(again.test.x, ds.test.x)).toBe(true);
    expect(same(again.train.y, ds.train.y) && same(again.test.y, ds.test.y)).toBe(true);
    expect(same(again.meta.hasStrong!, ds.meta.hasStrong!)).toBe(true);
    const other = generateDataset(cfg, 12);
    expect(same(other.train.x, ds.train.x)).toBe(false);
    expect(same(other.test.x, ds.test.x)).toBe(false);
    const fewer = generateDataset({ ...cfg, nTrain: 10 }, 11);
    expect(same(fewer.test.x, ds.test.x)).toBe(true);
    expect(same(fewer.train.x, ds.train.x.subarray(0, 10 * D))).toBe(true);
  });

  it('handles strongFraction 0 and 1 and an empty test set', () => {
    const none = generateDataset({ ...cfg, nTrain: 50, strongFraction: 0, nTest: 0 }, 1);
    expect(none.meta.hasStrong!.every((h) => h === 0)).toBe(true);
    expect(none.test.n).toBe(0);
    expect(none.test.x.length).toBe(0);
    const all = generateDataset({ ...cfg, nTrain: 50, strongFraction: 1 }, 1);
    expect(all.meta.hasStrong!.every((h) => h === 1)).toBe(true);
  });
});
