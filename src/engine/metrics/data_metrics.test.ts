import { describe, expect, it } from 'vitest';
import type { LmsData } from '../../schema/types';
import { generateDataset } from '../data/index';
import { defaultDataConfig } from '../data/defaults';
import { mlpLayout } from '../model/layout';
import { evalSet } from '../cpu/mlp';
import { groupLosses, randomizedCoords, randomizeCoords, sRandomizedAcc } from './data_metrics';

const lin = { activation: 'linear' as const };

/** Cross-entropy linear model [D -> 2] whose logit difference is `w . x` (weights [out, in] then bias). */
function linearClassifier(
  D: number,
  w: ArrayLike<number>,
): { params: Float64Array; layout: ReturnType<typeof mlpLayout> } {
  const layout = mlpLayout([D, 2]);
  const params = new Float64Array(layout.paramCount);
  for (let i = 0; i < D; i++) {
    params[i] = -w[i] / 2; // class 0 row
    params[D + i] = w[i] / 2; // class 1 row
  }
  return { params, layout };
}

const cfg: LmsData = { ...defaultDataConfig('lms'), nTrain: 10, nTest: 4000, dim: 8, slabs: 5 };
const SD5 = 5 * Math.sqrt(0.25 / cfg.nTest);

describe('S-randomized accuracy (slab data)', () => {
  it('a model using only the linear coordinate: ~50% when it is randomized, 100% when the complex ones are', () => {
    const ds = generateDataset(cfg, 21);
    const w = new Float64Array(8);
    w[0] = 10;
    const { params, layout } = linearClassifier(8, w);
    expect(evalSet(params, layout, lin, 'cross-entropy', ds.test, 2).acc).toBe(1);
    expect(sRandomizedAcc(params, layout, lin, 'cross-entropy', ds, [], 1)).toBe(1);
    const accLin = sRandomizedAcc(params, layout, lin, 'cross-entropy', ds, 'linear', 1);
    expect(Math.abs(accLin - 0.5)).toBeLessThan(SD5);
    expect(sRandomizedAcc(params, layout, lin, 'cross-entropy', ds, 'complex', 1)).toBe(1);
    expect(sRandomizedAcc(params, layout, lin, 'cross-entropy', ds, 'slab', 1)).toBe(1);
    // Seeded: same seed, same value; the logistic head agrees.
    expect(sRandomizedAcc(params, layout, lin, 'cross-entropy', ds, 'linear', 1)).toBe(accLin);
    const logLayout = mlpLayout([8, 1]);
    const logParams = new Float64Array(logLayout.paramCount);
    logParams[0] = 1;
    expect(sRandomizedAcc(logParams, logLayout, lin, 'logistic', ds, 'linear', 1)).toBe(accLin);
  });

  it('un-rotates, permutes and re-rotates on rotated data (linCoord moved too)', () => {
    const rcfg = { ...cfg, dim: 6, linCoord: 3, randomRotation: true };
    const ds = generateDataset(rcfg, 22);
    const R = ds.meta.rotation!;
    const D = 6;
    // The linear coordinate in stored coordinates: x_raw[3] = sum_j x_j R[3, j].
    const w = Array.from({ length: D }, (_, j) => 10 * R[3 * D + j]);
    const { params, layout } = linearClassifier(D, w);
    expect(evalSet(params, layout, lin, 'cross-entropy', ds.test, 2).acc).toBeGreaterThan(0.999);
    expect(Math.abs(sRandomizedAcc(params, layout, lin, 'cross-entropy', ds, 'linear', 2) - 0.5)).toBeLessThan(SD5);
    expect(sRandomizedAcc(params, layout, lin, 'cross-entropy', ds, 'complex', 2)).toBeGreaterThan(0.999);
  });

  it('names the coordinates of each choice and permutes exactly the chosen ones', () => {
    const ds = generateDataset({ ...defaultDataConfig('lsn'), dim: 4, nTrain: 5, nTest: 50 }, 3);
    expect(randomizedCoords(ds, 'linear')).toEqual([0]);
    expect(randomizedCoords(ds, 'slab')).toEqual([1]);
    expect(randomizedCoords(ds, 'complex')).toEqual([1, 2, 3]);
    const perm = Array.from({ length: 50 }, (_, i) => (i + 7) % 50);
    const x = randomizeCoords(ds.test.x, 50, 4, [1, 3], perm);
    for (let k = 0; k < 50; k++) {
      expect(x[k * 4]).toBe(ds.test.x[k * 4]);
      expect(x[k * 4 + 1]).toBe(ds.test.x[perm[k] * 4 + 1]);
      expect(x[k * 4 + 2]).toBe(ds.test.x[k * 4 + 2]);
      expect(x[k * 4 + 3]).toBe(ds.test.x[perm[k] * 4 + 3]);
    }
  });

  it('gives specific errors', () => {
    const circle = generateDataset(defaultDataConfig('circle'), 1);
    const { params, layout } = linearClassifier(2, [1, 0]);
    expect(() => sRandomizedAcc(params, layout, lin, 'cross-entropy', circle, 'linear', 1)).toThrow(
      /data kind "circle" has no linear\/slab coordinates/,
    );
    const ds = generateDataset({ ...cfg, dim: 2, nTest: 5 }, 1);
    const m = linearClassifier(2, [1, 0]);
    expect(() => sRandomizedAcc(m.params, m.layout, lin, 'cross-entropy', ds, [2], 1)).toThrow(/indices in \[0, 2\)/);
    expect(() => groupLosses(m.params, m.layout, lin, 'cross-entropy', ds)).toThrow(/no groups/);
  });
});

describe('group losses (opposing signals)', () => {
  it('mean loss over x0 > 0 and x0 < 0 train points; a positive weight on x0 helps one group and hurts the other', () => {
    const ocfg = { ...defaultDataConfig('opposing-signals'), nTrain: 800, dim: 3, outlierFraction: 0.2, alpha: 2 };
    const ds = generateDataset(ocfg, 5);
    const D = 4;
    const layout = mlpLayout([D, 1]);
    const params = new Float64Array(layout.paramCount);
    params[0] = 1.5; // weight on x0
    params[1] = 0.7; // weight on x1
    const g = groupLosses(params, layout, lin, 'logistic', ds);
    // Hand computation: logistic loss softplus(-s z), s = 2y - 1.
    const want = [0, 0];
    const cnt = [0, 0];
    for (let k = 0; k < ds.train.n; k++) {
      const grp = ds.meta.group![k];
      if (grp === 0) continue;
      let z = 0;
      for (let i = 0; i < D; i++) z += params[i] * ds.train.x[k * D + i];
      const s = 2 * ds.train.y[k] - 1;
      const j = grp > 0 ? 0 : 1;
      want[j] += Math.log1p(Math.exp(-s * z));
      cnt[j]++;
    }
    expect(cnt[0] + cnt[1]).toBe(160);
    expect(g.pos).toBeCloseTo(want[0] / cnt[0], 10);
    expect(g.neg).toBeCloseTo(want[1] / cnt[1], 10);
    expect(g.neg).toBeGreaterThan(g.pos + 1);
    const none = generateDataset({ ...ocfg, outlierFraction: 0 }, 5);
    const g0 = groupLosses(params, layout, lin, 'logistic', none);
    expect([g0.pos, g0.neg]).toEqual([NaN, NaN]);
  });
});
