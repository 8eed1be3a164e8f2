import { describe, expect, it } from 'vitest';
import type { OpposingSignalsData } from '../../../schema/types';
import { generateDataset } from '../index';
import { defaultDataConfig } from '../defaults';

const cfg: OpposingSignalsData = {
  ...defaultDataConfig('opposing-signals'),
  nTrain: 4001,
  nTest: 1500,
  dim: 4,
  alpha: 6,
  outlierFraction: 0.1,
  signal: 1.5,
  noiseStd: 0.7,
  outlierClass: 1,
};

describe('opposing-signals generator (a reconstruction, docs/data.md)', () => {
  const ds = generateDataset(cfg, 13);
  const D = cfg.dim + 1;

  it('has shape dim + 1, two classes, a reconstruction note and one group per train point', () => {
    expect([ds.inputDim, ds.nClasses, ds.targetDim]).toEqual([5, 2, 1]);
    expect(ds.meta.reconstruction).toMatch(/Reconstruction/);
    expect(ds.meta.group!.length).toBe(cfg.nTrain);
  });

  it('has exactly round(p n) outliers with x0 = +-alpha in fair halves, matching meta.group, all of outlierClass', () => {
    const g = ds.meta.group!;
    let nOut = 0;
    let nPos = 0;
    let bad = 0;
    for (let k = 0; k < ds.train.n; k++) {
      const x0 = ds.train.x[k * D];
      const want = g[k] === 0 ? 0 : g[k] * cfg.alpha;
      if (x0 !== want) bad++;
      if (g[k] !== 0) {
        nOut++;
        if (g[k] === 1) nPos++;
        if (ds.train.y[k] !== cfg.outlierClass) bad++;
        if (Math.abs(ds.train.x[k * D + 1]) !== cfg.signal) bad++;
      }
    }
    expect(bad).toBe(0);
    expect(nOut).toBe(Math.round(cfg.outlierFraction * cfg.nTrain));
    expect(Math.abs(nPos - nOut / 2)).toBeLessThan(5 * Math.sqrt(nOut / 4));
    let testOut = 0;
    for (let k = 0; k < ds.test.n; k++) if (ds.test.x[k * D] !== 0) testOut++;
    expect(testOut).toBe(Math.round(cfg.outlierFraction * cfg.nTest));
  });

  it('clean points: x1 = (2y - 1) signal, balanced labels; outliers: x1 sign independent of the label', () => {
    const g = ds.meta.group!;
    let bad = 0;
    let pos = 0;
    let clean = 0;
    let agree = 0;
    let nOut = 0;
    for (let k = 0; k < ds.train.n; k++) {
      const y = ds.train.y[k];
      const x1 = ds.train.x[k * D + 1];
      if (g[k] === 0) {
        clean++;
        pos += y;
        if (x1 !== Math.fround((2 * y - 1) * cfg.signal)) bad++;
      } else {
        nOut++;
        if (x1 > 0) agree++;
      }
    }
    expect(bad).toBe(0);
    expect(Math.abs(pos - clean / 2)).toBeLessThan(5 * Math.sqrt(clean / 4));
    expect(Math.abs(agree - nOut / 2)).toBeLessThan(5 * Math.sqrt(nOut / 4));
  });

  it('noise coordinates are N(0, noiseStd^2)', () => {
    const v: number[] = [];
    for (let k = 0; k < ds.train.n; k++) for (let i = 2; i < D; i++) v.push(ds.train.x[k * D + i]);
    const n = v.length;
    const m = v.reduce((s, a) => s + a, 0) / n;
    const s2 = v.reduce((s, a) => s + (a - m) ** 2, 0) / (n - 1);
    expect(Math.abs(m)).toBeLessThan((5 * cfg.noiseStd) / Math.sqrt(n));
    expect(Math.abs(s2 - cfg.noiseStd ** 2)).toBeLessThan(5 * cfg.noiseStd ** 2 * Math.sqrt(2 / n));
  });

  it('outlierClass 0 puts both groups in class 0; fraction 0 has no outliers; deterministic per seed', () => {
    const zero = generateDataset({ ...cfg, outlierClass: 0, nTrain: 500 }, 1);
    for (let k = 0; k < 500; k++) if (zero.meta.group![k] !== 0) expect(zero.train.y[k]).toBe(0);
    const none = generateDataset({ ...cfg, outlierFraction: 0, nTrain: 200 }, 1);
    expect(none.meta.group!.every((g) => g === 0)).toBe(true);
    expect(generateDataset(cfg, 13).train.x).toEqual(ds.train.x);
    expect(generateDataset(cfg, 14).train.x).not.toEqual(ds.train.x);
  });
});
