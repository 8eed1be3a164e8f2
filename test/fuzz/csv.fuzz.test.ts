/**
 * CSV import against hostile input (issue 8): random texts, mutated valid tables and csv data
 * configs through parseExperiment never throw; they give a dataset (finite values, the shape the
 * text describes) or specific errors that name the row and column (or the field); oversized texts
 * are refused before a single record is parsed. Fixed seeds; a failure prints the shrunk input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CSV_MAX_BYTES,
  CSV_MAX_ROWS,
  exampleCsv,
  parseCsv,
  type CsvResult,
  type CsvTask,
} from '../../src/engine/data/csv';
import { generateDataset } from '../../src/engine/data/index';
import { parseExperiment } from '../../src/experiment/validate';
import { defaultExperiment } from '../../src/experiment/defaults';
import type { Experiment } from '../../src/schema/types';
import { expectContract, expectNoPollution, prototypeSnapshot } from './helpers';

const RUNS = 10_000;

/** Every error of parseCsv starts by saying where: a row (and column), the header, a column or a field. */
const ERROR_WHERE =
  /^(row (\d+)(, column "[^]*")?: |header, column \d+: |column "[^]*": |text: |labelColumn: |\.\.\. and \d+ more errors$)/;

function lines(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

/** The parseCsv contract: a well-formed table, or located, non-empty error messages. */
function expectCsvContract(text: string, res: CsvResult): void {
  if (res.ok) {
    const t = res.value;
    expect(t.n).toBeGreaterThanOrEqual(1);
    expect(t.inputDim).toBeGreaterThanOrEqual(1);
    expect(t.columns).toHaveLength(t.inputDim);
    expect(t.x).toHaveLength(t.n * t.inputDim);
    expect(t.y).toHaveLength(t.n);
    // Only finite float32 values come out of the parser (decimal literals inside the float32 range;
    // labels are class indices).
    for (const v of t.x) if (!Number.isFinite(v)) throw new Error(`a non-finite feature from ${JSON.stringify(text)}`);
    if (t.regression) {
      expect(t.nClasses).toBe(0);
      for (const v of t.y) if (!Number.isFinite(v)) throw new Error(`a non-finite target from ${JSON.stringify(text)}`);
    } else {
      expect(t.nClasses).toBeGreaterThanOrEqual(2);
      expect(new Set(t.classNames).size).toBe(t.nClasses);
      for (const v of t.y) if (!(Number.isInteger(v) && v >= 0 && v < t.nClasses)) throw new Error(`class ${v}`);
    }
    return;
  }
  expect(res.errors.length).toBeGreaterThan(0);
  const maxRow = lines(text);
  for (const e of res.errors) {
    expect(typeof e).toBe('string');
    const m = ERROR_WHERE.exec(e);
    if (!m) throw new Error(`an error that does not say where: ${JSON.stringify(e)}`);
    if (m[2] !== undefined) expect(Number(m[2])).toBeLessThanOrEqual(maxRow);
    expect(e.length).toBeLessThan(2000);
  }
}

// ---- generators ------------------------------------------------------------------------------------

const TOKENS = [
  ',',
  ',',
  ',',
  '"',
  '""',
  '\n',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '\t',
  '0',
  '1',
  '7',
  '-',
  '+',
  '.',
  'e',
  'E',
  '3.25',
  '-0.5',
  '1e3',
  '1e39',
  '-1e-45',
  '1e400',
  'NaN',
  'Infinity',
  '0x10',
  'label',
  'x1',
  'a',
  'é',
  '😀',
  '\u0000',
  '\ufeff',
  '__proto__',
  'constructor',
  '""""',
  '"a,b"',
  '"\n"',
];
const token = fc.constantFrom(...TOKENS);
const tokenText = fc.array(token, { maxLength: 80 }).map((t) => t.join(''));
const anyText = fc.oneof(tokenText, fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }));
const labelColumn = fc.oneof(
  fc.constantFrom('label', 'x1', 'y', 'a', '', '__proto__', 'constructor', 'toString'),
  fc.string({ maxLength: 6 }),
);
const task = fc.constantFrom<CsvTask | undefined>('auto', 'classification', 'regression', undefined);

/** A valid CSV (and what it holds): D features, one label column at any position, quoting, CRLF, blank lines. */
const validTable = fc
  .record({
    D: fc.integer({ min: 1, max: 5 }),
    n: fc.integer({ min: 2, max: 30 }),
    labelAt: fc.nat(5),
    classes: fc.integer({ min: 2, max: 4 }),
    numericLabels: fc.boolean(),
    crlf: fc.boolean(),
    quote: fc.boolean(),
    seed: fc.integer(),
  })
  .map((c) => {
    let s = c.seed >>> 0 || 1;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    const at = c.labelAt % (c.D + 1);
    const names = Array.from({ length: c.D }, (_, j) => `f${j}`);
    const header = [...names];
    header.splice(at, 0, 'label');
    const q = (f: string) => (c.quote ? `"${f.replace(/"/g, '""')}"` : f);
    const rows = [header.map(q).join(',')];
    for (let i = 0; i < c.n; i++) {
      const vals = names.map(() => (rnd() * 100).toFixed(3));
      const k = i % c.classes;
      const fields = [...vals];
      fields.splice(at, 0, c.numericLabels ? String(k) : `class ${k}`);
      rows.push(fields.map(q).join(','));
      if (i === 3) rows.push('');
    }
    return rows.join(c.crlf ? '\r\n' : '\n') + (c.seed % 2 ? '\n' : '');
  });

type TextMutation =
  | { kind: 'insert'; at: number; what: string }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'replace'; at: number; what: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'dupLine'; line: number }
  | { kind: 'dropLine'; line: number }
  | { kind: 'swapLines'; a: number; b: number };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), what: fc.oneof(token, fc.string({ maxLength: 4 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), what: token }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dupLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('dropLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
);

function applyMutation(text: string, m: TextMutation): string {
  const at = (x: number) => (text.length === 0 ? 0 : x % (text.length + 1));
  const ls = text.split('\n');
  const li = (x: number) => x % ls.length;
  switch (m.kind) {
    case 'insert':
      return text.slice(0, at(m.at)) + m.what + text.slice(at(m.at));
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.len);
    case 'replace':
      return text.slice(0, at(m.at)) + m.what + text.slice(at(m.at) + 1);
    case 'truncate':
      return text.slice(0, at(m.at));
    case 'dupLine':
      ls.splice(li(m.line), 0, ls[li(m.line)]);
      return ls.join('\n');
    case 'dropLine':
      ls.splice(li(m.line), 1);
      return ls.join('\n');
    case 'swapLines': {
      const [a, b] = [li(m.a), li(m.b)];
      [ls[a], ls[b]] = [ls[b], ls[a]];
      return ls.join('\n');
    }
  }
}

const mutatedText = fc
  .tuple(fc.oneof(validTable, fc.constant(exampleCsv())), fc.array(textMutation, { minLength: 1, maxLength: 4 }))
  .map(([text, muts]) => muts.reduce(applyMutation, text));

function csvExperiment(data: Record<string, unknown>): Record<string, unknown> {
  const e = defaultExperiment() as unknown as Record<string, unknown>;
  e.data = data;
  e.loss = 'cross-entropy';
  e.steps = 10;
  e.metrics = { every: 5, evalSubset: 0 };
  return e;
}

// ---- tests -----------------------------------------------------------------------------------------

describe('CSV fuzz', () => {
  const before = prototypeSnapshot();

  it('the generated valid tables parse to the values they hold', () => {
    fc.assert(
      fc.property(validTable, (text) => {
        const r = parseCsv(text, { labelColumn: 'label' });
        if (!r.ok) throw new Error(r.errors.join('; '));
        const body = text.split(/\r?\n/).filter((l) => l !== '');
        expect(r.value.n).toBe(body.length - 1);
        const first = body[1].split(',').map((f) => f.replace(/"/g, ''));
        const header = body[0].split(',').map((f) => f.replace(/"/g, ''));
        const feats = first.filter((_, c) => header[c] !== 'label').map((f) => Math.fround(Number(f)));
        expect(Array.from(r.value.x.subarray(0, r.value.inputDim))).toEqual(feats);
      }),
      { numRuns: 500, seed: 8101 },
    );
  });

  it(`${RUNS} random texts (quotes, CR/LF, NUL, BOM, emoji, NaN/Infinity, 1e400): a table or located errors`, () => {
    fc.assert(
      fc.property(anyText, labelColumn, task, (text, label, t) => {
        expectCsvContract(text, parseCsv(text, { labelColumn: label, task: t }));
      }),
      { numRuns: RUNS, seed: 8102 },
    );
    expectNoPollution(before);
  });

  it(`${RUNS} mutated valid tables (inserted quotes/commas/newlines, deleted or swapped lines, truncation)`, () => {
    let ok = 0;
    fc.assert(
      fc.property(mutatedText, task, (text, t) => {
        const r = parseCsv(text, { labelColumn: 'label', task: t });
        expectCsvContract(text, r);
        if (r.ok) ok++;
      }),
      { numRuns: RUNS, seed: 8103 },
    );
    // Both outcomes are exercised (most mutations break a row; many are harmless).
    expect(ok).toBeGreaterThan(RUNS / 20);
    expect(ok).toBeLessThan(RUNS - RUNS / 20);
    expectNoPollution(before);
  });

  it(`${RUNS} csv data configs through parseExperiment: a config whose dataset generates, or {path, message} errors`, () => {
    let ok = 0;
    const data = fc.record({
      kind: fc.constant('csv'),
      text: fc.oneof(mutatedText, anyText, validTable),
      labelColumn: fc.oneof(fc.constant('label'), labelColumn, fc.integer(), fc.constant(null)),
      task: fc.oneof(task, fc.constant('bogus'), fc.constant(1)),
      nTrain: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.constant(0), fc.constant(-1), fc.constant(1e9)),
      nTest: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constant(1.5), fc.constant('4')),
    });
    fc.assert(
      fc.property(data, (d) => {
        const res = parseExperiment(csvExperiment(d));
        expectContract(res);
        for (const e of res.ok ? [] : res.errors) expect(e.path).not.toBe('');
        if (!res.ok) return;
        ok++;
        const exp = res.value as Experiment;
        const ds = generateDataset(exp.data, exp.seed);
        expect(ds.train.n).toBe(exp.data.nTrain);
        expect(ds.test.n).toBe(exp.data.nTest);
        for (const v of ds.train.x) if (!Number.isFinite(v)) throw new Error('a non-finite feature in the dataset');
      }),
      { numRuns: RUNS, seed: 8104 },
    );
    expect(ok).toBeGreaterThan(0);
    expectNoPollution(before);
  });

  it('a feature or target outside the float32 range is refused with its row and column', () => {
    // The engine stores data in float32: 1e39 would become Infinity and every run would diverge.
    const r = parseCsv('a,y\n1,0\n1e39,1\n', { labelColumn: 'y' });
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/^row 2, column "a": .*float32/)]);
    const t = parseCsv('a,y\n1,0.5\n2,-1e39\n', { labelColumn: 'y', task: 'regression' });
    expect(t.ok ? [] : t.errors).toEqual([expect.stringMatching(/^row 2, column "y": .*float32/)]);
  });
});

describe('oversized CSV is refused before parsing', () => {
  // Each text starts with an unclosed quote: had the records been parsed, that error would show.
  it(`more than ${CSV_MAX_BYTES} bytes of text`, () => {
    const text = '"' + 'a'.repeat(CSV_MAX_BYTES);
    expect(parseCsv(text, { labelColumn: 'label' })).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^text: the CSV is larger than the limit of 5242880 bytes/)],
    });
  });

  it('fewer characters than the limit but more UTF-8 bytes (two-byte characters)', () => {
    const text = '"' + 'é'.repeat(CSV_MAX_BYTES / 2);
    expect(text.length).toBeLessThanOrEqual(CSV_MAX_BYTES);
    const r = parseCsv(text, { labelColumn: 'label' });
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/larger than the limit/)]);
  });

  it(`more than ${CSV_MAX_ROWS} rows`, () => {
    const text = '"x,label\n' + '1,a\n'.repeat(CSV_MAX_ROWS + 1);
    const r = parseCsv(text, { labelColumn: 'label' });
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/^text: the CSV has more than 100000 data rows/)]);
  });

  it('parseExperiment refuses an oversized csv text at data.text', () => {
    const res = parseExperiment(
      csvExperiment({ kind: 'csv', text: '"' + 'a'.repeat(CSV_MAX_BYTES), labelColumn: 'label', task: 'auto' }),
    );
    expect(res.ok ? [] : res.errors).toEqual([
      { path: 'data.text', message: expect.stringMatching(/larger than the limit of 5242880 bytes/) },
    ]);
  });
});
