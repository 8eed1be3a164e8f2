import { describe, expect, it } from 'vitest';
import { METRICS_HEADER, csvNumber, csvRows, dataJson, parseMetricsCsv, prettyJson, weightsJson } from './output';
import { mlpLayout } from '../engine/model/layout';
import type { Dataset } from '../engine/data/types';

describe('CLI output formats', () => {
  it('writes and reads metrics rows, including non-finite values', () => {
    const rows = [
      { run: 0, step: 0, metric: 'train_loss', value: 0.6931471805599453 },
      { run: 1, step: 10, metric: 'grad_norm', value: 1e-12 },
      { run: 1, step: 20, metric: 'batch_loss', value: NaN },
      { run: 2, step: 20, metric: 'sharpness', value: Infinity },
      { run: 2, step: 20, metric: 'lr', value: -Infinity },
    ];
    const text = `${METRICS_HEADER}\n${csvRows(rows)}`;
    expect(text.split('\n')[1]).toBe('0,0,train_loss,0.6931471805599453');
    expect(text).toContain('1,20,batch_loss,nan\n');
    expect(text).toContain('2,20,sharpness,inf\n');
    expect(parseMetricsCsv(text)).toEqual(rows);
    expect(csvNumber(0.1)).toBe('0.1');
    expect(() => parseMetricsCsv('a,b\n')).toThrow(/line 1: expected the header/);
    expect(() => parseMetricsCsv(`${METRICS_HEADER}\n0,1,x\n`)).toThrow(/line 2: expected 4 fields/);
    expect(() => parseMetricsCsv(`${METRICS_HEADER}\n0,1,x,abc\n`)).toThrow(/line 2: cannot read/);
  });

  it('names weight tensors per the layout, [out, in] row-major', () => {
    const layout = mlpLayout([3, 2, 1]);
    const params = Float32Array.from({ length: layout.paramCount }, (_, i) => i);
    const w = weightsJson(layout, params);
    expect(w.layers.map((l) => [l.name, l.shape])).toEqual([
      ['layers.0.weight', [2, 3]],
      ['layers.0.bias', [2]],
      ['layers.1.weight', [1, 2]],
      ['layers.1.bias', [1]],
    ]);
    expect(w.layers[0].values).toEqual([0, 1, 2, 3, 4, 5]);
    expect(w.layers[1].values).toEqual([6, 7]);
    expect(w.layers[3].values).toEqual([10]);
    params[0] = NaN;
    expect(weightsJson(layout, params).layers[0].values[0]).toBeNull();
    expect(() => weightsJson(layout, new Float32Array(3))).toThrow(/returned 3 parameters; the layout expects 11/);
  });

  it('writes datasets as nested arrays', () => {
    const ds: Dataset = {
      inputDim: 2,
      nClasses: 2,
      targetDim: 1,
      train: { n: 2, x: Float32Array.from([1, 2, 3, 4]), y: Float32Array.from([0, 1]) },
      test: { n: 1, x: Float32Array.from([5, 6]), y: Float32Array.from([1]) },
      meta: { kind: 'circle' },
    };
    expect(dataJson(ds)).toEqual({
      train: {
        x: [
          [1, 2],
          [3, 4],
        ],
        y: [0, 1],
      },
      test: { x: [[5, 6]], y: [1] },
    });
    const reg: Dataset = {
      ...ds,
      nClasses: 0,
      targetDim: 2,
      train: { n: 1, x: Float32Array.from([1, 2]), y: Float32Array.from([0.5, -1]) },
      test: { n: 0, x: new Float32Array(), y: new Float32Array() },
    };
    expect(dataJson(reg)).toEqual({ train: { x: [[1, 2]], y: [[0.5, -1]] }, test: { x: [], y: [] } });
  });

  it('pretty-prints JSON with number arrays on one line', () => {
    const v = {
      a: [1, 2, 3],
      b: {
        c: 'x',
        d: [
          [1, 2],
          [3, 4],
        ],
        e: [],
      },
      f: NaN,
      g: undefined,
    };
    const text = prettyJson(v);
    expect(JSON.parse(text)).toEqual({
      a: [1, 2, 3],
      b: {
        c: 'x',
        d: [
          [1, 2],
          [3, 4],
        ],
        e: [],
      },
      f: null,
    });
    expect(text).toContain('"a": [1,2,3]');
  });
});
