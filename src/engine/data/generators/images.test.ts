import { describe, expect, it } from 'vitest';
import type { ImagesData } from '../../../schema/types';
import { generateDataset } from '../index';
import { defaultDataConfig } from '../defaults';

const base: ImagesData = { ...defaultDataConfig('images'), nTrain: 600, nTest: 120, size: 16, nClasses: 6, noise: 0 };

/** Mean over images of class c of (spread of row sums) - (spread of column sums): > 0 for horizontal structure. */
function rowMinusColSpread(x: Float32Array, y: Float32Array, S: number, c: number, channel = 0, C = 1): number {
  let acc = 0;
  let n = 0;
  const P = S * S;
  for (let k = 0; k < y.length; k++) {
    if (y[k] !== c) continue;
    const at = k * C * P + channel * P;
    const rows = new Array(S).fill(0);
    const cols = new Array(S).fill(0);
    for (let r = 0; r < S; r++)
      for (let q = 0; q < S; q++) {
        rows[r] += x[at + r * S + q];
        cols[q] += x[at + r * S + q];
      }
    const spread = (a: number[]) => {
      const m = a.reduce((s, v) => s + v, 0) / S;
      return a.reduce((s, v) => s + (v - m) ** 2, 0);
    };
    acc += spread(rows) - spread(cols);
    n++;
  }
  return acc / n;
}

describe('images generator', () => {
  it('balances classes exactly, has imageShape [C, H, W] and values in [0, 1] without noise', () => {
    const ds = generateDataset(base, 3);
    expect(ds.inputDim).toBe(256);
    expect(ds.meta.imageShape).toEqual([1, 16, 16]);
    const counts = new Array(6).fill(0);
    for (const v of ds.train.y) counts[v]++;
    expect(counts).toEqual(new Array(6).fill(100));
    expect(ds.train.x.every((v) => v >= 0 && v <= 1)).toBe(true);
    // Every clean image has some ink.
    for (let k = 0; k < ds.train.n; k++) {
      let s = 0;
      for (let i = 0; i < 256; i++) s += ds.train.x[k * 256 + i];
      expect(s).toBeGreaterThan(1);
    }
  });

  it('draws horizontal bars as rows and vertical bars as columns', () => {
    const ds = generateDataset(base, 4);
    expect(rowMinusColSpread(ds.train.x, ds.train.y, 16, 0)).toBeGreaterThan(1);
    expect(rowMinusColSpread(ds.train.x, ds.train.y, 16, 1)).toBeLessThan(-1);
  });

  it('lays out channels first, each channel the same shape at its own intensity in [0.5, 1]', () => {
    const ds = generateDataset({ ...base, channels: 3, size: 8, nTrain: 60 }, 5);
    expect(ds.meta.imageShape).toEqual([3, 8, 8]);
    expect(ds.inputDim).toBe(192);
    for (let k = 0; k < ds.train.n; k++) {
      const ch = [0, 1, 2].map((c) => Array.from(ds.train.x.subarray(k * 192 + c * 64, k * 192 + (c + 1) * 64)));
      const peak = ch.map((a) => Math.max(...a));
      for (const p of peak) expect(p).toBeGreaterThan(0.5 * 0.5 - 1e-6);
      const i = ch[0].indexOf(peak[0]);
      // Same shape: channel c = (intensity_c / intensity_0) * channel 0.
      for (let c = 1; c < 3; c++)
        for (let j = 0; j < 64; j++) expect(Math.abs(ch[c][j] - (ch[0][j] * ch[c][i]) / ch[0][i])).toBeLessThan(1e-5);
    }
  });

  it('adds N(0, noise^2) pixel noise and is deterministic per seed', () => {
    const cfg = { ...base, nTrain: 300 };
    const clean = generateDataset(cfg, 7);
    const noisy = generateDataset({ ...cfg, noise: 0.3 }, 7);
    // The noise draws interleave with the shape draws, so clean and noisy differ in shapes: compare means.
    const a = generateDataset({ ...cfg, noise: 0.3 }, 7);
    expect(a.train.x).toEqual(noisy.train.x);
    expect(generateDataset({ ...cfg, noise: 0.3 }, 8).train.x).not.toEqual(noisy.train.x);
    const mClean = clean.train.x.reduce((s, v) => s + v, 0) / clean.train.x.length;
    const mNoisy = noisy.train.x.reduce((s, v) => s + v, 0) / noisy.train.x.length;
    expect(Math.abs(mNoisy - mClean)).toBeLessThan(0.05);
    expect(noisy.train.x.some((v) => v < -0.3)).toBe(true);
  });
});
