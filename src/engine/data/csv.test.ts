import { describe, expect, it } from 'vitest';
import { CSV_MAX_BYTES, CSV_MAX_ROWS, exampleCsv, parseCsv, parseNumber } from './csv';
import { generateDataset } from './index';
import { defaultDataConfig } from './defaults';

const IRIS = `sepal_length,petal_width,species
5.1,0.2,setosa
7.0,1.4,versicolor
6.3,2.5,virginica
4.9,0.2,setosa
`;

function errors(text: string, labelColumn: string, task?: 'auto' | 'classification' | 'regression'): string[] {
  const r = parseCsv(text, { labelColumn, task });
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

describe('parseCsv', () => {
  it('parses numeric features and string labels into sorted classes', () => {
    const r = parseCsv(IRIS, { labelColumn: 'species' });
    if (!r.ok) throw new Error(r.errors.join('; '));
    const t = r.value;
    expect([t.n, t.inputDim, t.nClasses, t.regression]).toEqual([4, 2, 3, false]);
    expect(t.columns).toEqual(['sepal_length', 'petal_width']);
    expect(t.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(t.y)).toEqual([0, 1, 2, 0]);
    expect(Array.from(t.x)).toEqual([5.1, 0.2, 7.0, 1.4, 6.3, 2.5, 4.9, 0.2].map(Math.fround));
  });

  it('takes the label from any column, handles quotes, CRLF, blank lines and a missing final newline', () => {
    const text = 'y,"a, b",c\r\n1,"2",3\r\n\r\n0,4,"5"';
    const r = parseCsv(text, { labelColumn: 'y' });
    if (!r.ok) throw new Error(r.errors.join('; '));
    expect(r.value.columns).toEqual(['a, b', 'c']);
    expect(Array.from(r.value.x)).toEqual([2, 3, 4, 5]);
    // Integer labels: classification, classes sorted numerically.
    expect(r.value.classNames).toEqual(['0', '1']);
    expect(Array.from(r.value.y)).toEqual([1, 0]);
  });

  it('chooses regression for non-integer numeric labels (auto) and when asked', () => {
    const r = parseCsv('x,t\n1,0.5\n2,1.5\n', { labelColumn: 't' });
    expect(r.ok && r.value.regression && r.value.nClasses === 0 && Array.from(r.value.y)).toEqual([0.5, 1.5]);
    const r2 = parseCsv('x,t\n1,1\n2,3\n', { labelColumn: 't', task: 'regression' });
    expect(r2.ok && r2.value.regression).toBe(true);
    const r3 = parseCsv('x,t\n1,0.5\n2,1.5\n', { labelColumn: 't', task: 'classification' });
    expect(r3.ok && r3.value.nClasses).toBe(2);
  });

  it('names the row and column of a bad number', () => {
    const text = IRIS.replace('6.3,2.5', '6.3,abc');
    expect(errors(text, 'species')).toEqual(['row 3, column "petal_width": expected a number, got "abc"']);
    expect(errors('a,b,y\n1,,x\n1,0x10,z\n', 'y')).toEqual([
      'row 1, column "b": expected a number, got ""',
      'row 2, column "b": expected a number, got "0x10"',
    ]);
    expect(errors('a,y\nNaN,1\nInfinity,2\n', 'y')).toHaveLength(2);
  });

  it('refuses numbers that are finite in float64 but overflow float32', () => {
    expect(errors('a,y\n1e39,1\n1,2\n', 'y')).toEqual([
      'row 1, column "a": "1e39" is outside the float32 range (magnitude at most 3.40e+38)',
    ]);
    expect(errors('a,y\n1,-4e38\n1,2.5\n', 'y')).toEqual([
      'row 1, column "y": "-4e38" is outside the float32 range (magnitude at most 3.40e+38)',
    ]);
  });

  it('reports wrong field counts, empty labels, missing label column, bad headers, non-numeric regression labels', () => {
    expect(errors('a,b,y\n1,2,x\n1,2\n', 'y')).toEqual(['row 2: expected 3 fields, got 2']);
    expect(errors('a,y\n1,\n2,b\n', 'y')).toEqual(['row 1, column "y": empty label']);
    expect(errors(IRIS, 'label')).toEqual([
      'labelColumn: no column named "label"; the columns are "sepal_length", "petal_width", "species"',
    ]);
    expect(errors('a,a,y\n1,2,3\n', 'y')).toEqual(['header, column 2: duplicate column name "a"']);
    expect(errors('a,,y\n1,2,3\n', 'y')).toEqual(['header, column 2: empty column name']);
    expect(errors(IRIS, 'species', 'regression')[0]).toBe(
      'row 1, column "species": expected a number (task is regression), got "setosa"',
    );
    expect(errors('a,y\n1,x\n2,x\n', 'y')[0]).toMatch(/column "y": expected at least 2 distinct labels/);
    expect(errors('', 'y')[0]).toMatch(/empty/);
    expect(errors('a,y\n', 'y')[0]).toMatch(/at least one data row/);
    expect(errors('y\n1\n', 'y')[0]).toMatch(/at least one feature column/);
    expect(errors('a,y\n"1,2\n', 'y')[0]).toMatch(/quoted field is not closed/);
  });

  it('caps the number of listed errors', () => {
    const rows = ['a,y'];
    for (let i = 0; i < 50; i++) rows.push(`bad,${i % 2}`);
    const e = errors(rows.join('\n'), 'y');
    expect(e).toHaveLength(21);
    expect(e[20]).toBe('... and 30 more errors');
  });

  it('refuses more than 5 MB or more than 100000 rows before parsing them', () => {
    const big = 'a,y\n' + 'x'.repeat(CSV_MAX_BYTES);
    expect(errors(big, 'y')).toEqual([
      `text: the CSV is larger than the limit of ${CSV_MAX_BYTES} bytes (5 MB); use fewer rows`,
    ]);
    // Multi-byte characters count as their UTF-8 bytes.
    expect(errors('a,y\n' + 'é'.repeat(CSV_MAX_BYTES / 2), 'y')[0]).toMatch(/larger than the limit/);
    // Rows full of garbage: refused on the count, so no per-field errors.
    const many = 'a,y\n' + 'z,z\n'.repeat(CSV_MAX_ROWS + 1);
    expect(errors(many, 'y')).toEqual([
      `text: the CSV has more than ${CSV_MAX_ROWS} data rows (the limit); use fewer rows`,
    ]);
    const ok = 'a,y\n' + '1,0\n2,1\n'.repeat(CSV_MAX_ROWS / 2);
    expect(parseCsv(ok, { labelColumn: 'y' }).ok).toBe(true);
  });

  it('parseNumber accepts decimal notation only', () => {
    expect(['1', '-2.5', '+.5', '1e3', ' 3 ', '4.'].map(parseNumber)).toEqual([1, -2.5, 0.5, 1000, 3, 4]);
    expect(['', 'abc', '0x1', 'NaN', '1e', '--1', '1,2'].map(parseNumber)).toEqual(new Array(7).fill(undefined));
  });
});

describe('csv data kind', () => {
  it('splits the shuffled rows into nTest test rows then nTrain train rows, deterministically', () => {
    const cfg = { ...defaultDataConfig('csv'), nTrain: 40, nTest: 20 };
    const ds = generateDataset(cfg, 3);
    expect([ds.inputDim, ds.nClasses, ds.train.n, ds.test.n]).toEqual([2, 2, 40, 20]);
    expect(ds.meta.classNames).toEqual(['opposite', 'same']);
    const r = parseCsv(exampleCsv(), { labelColumn: 'label' });
    if (!r.ok) throw new Error('example csv');
    // Every generated row is a distinct row of the table.
    const key = (x: ArrayLike<number>, i: number, y: number) => `${x[2 * i]},${x[2 * i + 1]},${y}`;
    const table = new Set(Array.from({ length: r.value.n }, (_, i) => key(r.value.x, i, r.value.y[i])));
    const seen = new Set<string>();
    for (const s of [ds.train, ds.test]) for (let i = 0; i < s.n; i++) seen.add(key(s.x, i, s.y[i]));
    expect(seen.size).toBe(60);
    for (const k of seen) expect(table.has(k)).toBe(true);
    expect(generateDataset(cfg, 3).train.x).toEqual(ds.train.x);
    expect(generateDataset(cfg, 4).train.x).not.toEqual(ds.train.x);
    expect(() => generateDataset({ ...cfg, nTrain: 60 }, 1)).toThrow(/nTrain \+ nTest = 80 exceeds the 64 rows/);
    expect(() => generateDataset({ ...cfg, text: 'a,label\nq,1\n' }, 1)).toThrow(
      /data.text: row 1, column "a": expected a number, got "q"/,
    );
  });
});
