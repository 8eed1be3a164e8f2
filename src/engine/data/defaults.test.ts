import { describe, expect, it } from 'vitest';
import type { DataConfig } from '../../schema/types';
import { DATA_KINDS } from '../../schema/limits';
import { dataShape } from './shape';
import { dataConfigProblems, dataParamSpecs, defaultDataConfig } from './defaults';
import { generateDataset } from './index';

describe('data defaults and parameter specs', () => {
  it('gives every kind defaults that satisfy its specs, and a spec for every numeric default', () => {
    for (const kind of DATA_KINDS) {
      const d = defaultDataConfig(kind);
      expect(d.kind).toBe(kind);
      expect(dataConfigProblems(d), kind).toEqual([]);
      const rec = d as unknown as Record<string, unknown>;
      const numeric = Object.keys(rec)
        .filter((k) => typeof rec[k] === 'number')
        .sort();
      const specs = dataParamSpecs(kind);
      expect(specs.map((s) => s.key).sort(), kind).toEqual(numeric);
      for (const s of specs) {
        expect(s.description.length, `${kind}.${s.key}`).toBeGreaterThan(5);
        expect(s.min, `${kind}.${s.key}`).toBeLessThanOrEqual(s.max);
      }
    }
  });

  it('limits nTrain to 1..100000 and nTest to 0..100000', () => {
    for (const kind of DATA_KINDS) {
      const specs = dataParamSpecs(kind);
      expect(specs.find((s) => s.key === 'nTrain')).toMatchObject({ min: 1, max: 100_000, integer: true });
      expect(specs.find((s) => s.key === 'nTest')).toMatchObject({ min: 0, max: 100_000, integer: true });
    }
  });

  it('generates data of the shape the validator predicts, for every kind', () => {
    for (const kind of DATA_KINDS) {
      const cfg = { ...defaultDataConfig(kind), nTrain: 33, nTest: 7 } as DataConfig;
      const ds = generateDataset(cfg, 3);
      const shape = dataShape(cfg);
      expect({ inputDim: ds.inputDim, nClasses: ds.nClasses, targetDim: ds.targetDim }, kind).toEqual(shape);
      expect(ds.meta.kind).toBe(kind);
      expect([ds.train.n, ds.test.n]).toEqual([33, 7]);
      expect(ds.train.x.length).toBe(33 * shape.inputDim);
      expect(ds.test.y.length).toBe(7 * shape.targetDim);
      expect(ds.train.x.every(Number.isFinite) && ds.train.y.every(Number.isFinite)).toBe(true);
      if (shape.nClasses > 0)
        expect(ds.train.y.every((v) => Number.isInteger(v) && v >= 0 && v < shape.nClasses)).toBe(true);
    }
  });

  it('reports bad parameters with the field and the expected range', () => {
    const fn = defaultDataConfig('feature-noise');
    expect(dataConfigProblems({ ...fn, patchDim: 1 })).toEqual([
      'data.patchDim: expected an integer in [2, 10000], got 1',
    ]);
    expect(dataConfigProblems({ ...fn, strongFraction: 1.5, nTest: -1 })).toEqual([
      'data.nTest: expected an integer in [0, 100000], got -1',
      'data.strongFraction: expected a number in [0, 1], got 1.5',
    ]);
    expect(dataConfigProblems({ ...defaultDataConfig('gauss'), nClasses: 2.5 })[0]).toMatch(
      /^data\.nClasses: expected an integer/,
    );
    expect(dataConfigProblems({ ...defaultDataConfig('teacher-student'), teacherHidden: [4, 0] })).toEqual([
      'data.teacherHidden: expected an array of positive integers, got [4,0]',
    ]);
    expect(dataConfigProblems({ ...defaultDataConfig('circle'), nTrain: 100_001 })[0]).toMatch(
      /data\.nTrain: expected an integer in \[1, 100000\], got 100001/,
    );
    expect(() => generateDataset({ ...fn, noiseStd: Number.NaN }, 1)).toThrow(
      /invalid data config: data.noiseStd: expected a number in \[0, 100\], got NaN/,
    );
    expect(() => dataParamSpecs('nope' as never)).toThrow(/unknown data kind "nope"/);
    expect(() => generateDataset({ kind: 'nope' } as never, 1)).toThrow(/unknown data kind "nope"/);
  });
});
