import { describe, expect, it } from 'vitest';
import type { DataConfig } from '../schema/types';
import { dataShape } from '../engine/data/shape';
import { defaultExperiment } from './defaults';
import { formatErrors, parseExperiment } from './validate';
import { dataConfigProblems, defaultDataConfig } from '../engine/data/defaults';
import { generateDataset } from '../engine/data/index';

const KINDS = ['lms', 'ms57', 'lsn', 'opposing-signals', 'images', 'csv'] as const;

function parseData(data: Record<string, unknown>): string[] {
  const r = parseExperiment({ ...defaultExperiment(), data });
  return r.ok ? [] : formatErrors(r.errors);
}

describe("the papers' data kinds: defaults, generation and validation", () => {
  it('defaults are valid, generate, and match the predicted shape', () => {
    for (const kind of KINDS) {
      const cfg = defaultDataConfig(kind) as DataConfig;
      expect(dataConfigProblems(cfg), kind).toEqual([]);
      const ds = generateDataset(cfg, 1);
      expect(ds.meta.kind).toBe(kind);
      expect({ inputDim: ds.inputDim, nClasses: ds.nClasses, targetDim: ds.targetDim }, kind).toEqual(dataShape(cfg));
      expect([ds.train.n, ds.test.n]).toEqual([cfg.nTrain, cfg.nTest]);
      expect(parseData({ kind }), kind).toEqual([]);
    }
  });

  it('round-trips a full default config through the experiment validator', () => {
    for (const kind of KINDS) {
      const data = defaultDataConfig(kind);
      const r = parseExperiment({ ...defaultExperiment(), data });
      expect(r.ok && r.value.data, kind).toEqual(data);
    }
  });

  it('reports cross-field problems with the field path', () => {
    expect(parseData({ kind: 'lms', slabs: 4 })).toEqual(['data.slabs: expected 3, 5 or 7, got 4']);
    expect(parseData({ kind: 'lms', slabs: 7, slabMargin: 0.2 })).toEqual([
      'data.slabMargin: expected below 1/6 for 7-slab coordinates (room for the slabs), got 0.2',
    ]);
    expect(parseData({ kind: 'ms57', slabMargin: 0.17 })[0]).toMatch(/^data.slabMargin: expected below 1\/6/);
    expect(parseData({ kind: 'lsn', dim: 5, linCoord: 5 })).toEqual([
      'data.linCoord: expected an index below dim = 5, got 5',
    ]);
    expect(parseData({ kind: 'lms', dim: 300, randomRotation: true })).toEqual([
      'data.dim: 300 exceeds the limit of 256 with randomRotation; reduce dim',
    ]);
    expect(parseData({ kind: 'lms', randomRotation: 'yes' })).toEqual([
      'data.randomRotation: expected true or false, got "yes"',
    ]);
    expect(parseData({ kind: 'images', nClasses: 7 })[0]).toMatch(/^data.nClasses: /);
    expect(parseData({ kind: 'opposing-signals', outlierFraction: 2 })[0]).toMatch(/^data.outlierFraction: /);
  });

  it('validates csv text, label column and task with row/column errors', () => {
    expect(parseData({ kind: 'csv', text: 'a,b,label\n1,x,p\n2,3,q\n', nTrain: 1, nTest: 1 })).toEqual([
      'data.text: row 1, column "b": expected a number, got "x"',
    ]);
    expect(parseData({ kind: 'csv', labelColumn: 'nope' })[0]).toMatch(/^data.labelColumn: no column named "nope"/);
    expect(parseData({ kind: 'csv', task: 'ranking' })[0]).toMatch(/^data.task: /);
    expect(parseData({ kind: 'csv', text: 5 })).toEqual(['data.text: expected a string, got 5']);
    expect(parseData({ kind: 'csv', nTrain: 60 })).toEqual([
      'data.nTrain: nTrain + nTest = 76 exceeds the 64 rows of the CSV',
    ]);
    const ok = parseExperiment({
      ...defaultExperiment(),
      data: { kind: 'csv', text: 'x,t\n1,0.5\n2,1.5\n3,2.5\n', labelColumn: 't', nTrain: 2, nTest: 1 },
      loss: 'mse',
    });
    expect(ok.ok ? dataShape(ok.value.data) : formatErrors(ok.errors)).toEqual({
      inputDim: 1,
      nClasses: 0,
      targetDim: 1,
    });
  });
});
