/**
 * CSV import: a header row of column names, then one data row per point; every column except the
 * label column must hold numbers (the features, in column order). Fields may be quoted with "..."
 * ("" inside quotes is a literal quote). Rows are numbered from 1 after the header ("row 1" is the
 * first data row). Limits, checked before the rows are parsed: at most CSV_MAX_BYTES of UTF-8 text
 * and CSV_MAX_ROWS data rows (counted as lines after the header).
 *
 * Task: 'regression' needs numeric labels; 'classification' maps the distinct labels (sorted:
 * numerically if all are numbers, else as strings) to classes 0..C-1; 'auto' is regression when
 * every label is a number and some label is not an integer, else classification.
 */

export const CSV_MAX_BYTES = 5 * 1024 * 1024;
export const CSV_MAX_ROWS = 100_000;
export const CSV_MAX_CLASSES = 1024;
/** At most this many row errors are listed (then a count of the rest). */
const MAX_ERRORS = 20;

export type CsvTask = 'auto' | 'classification' | 'regression';

export interface CsvOptions {
  labelColumn: string;
  task?: CsvTask;
}

export interface CsvTable {
  /** Data rows. */
  n: number;
  /** Feature column names, in input order. */
  columns: string[];
  inputDim: number;
  /** Row-major [n, inputDim]. */
  x: Float32Array;
  /** Class index (classification) or target value (regression), [n]. */
  y: Float32Array;
  regression: boolean;
  /** 0 for regression. */
  nClasses: number;
  /** The label of each class index (classification only). */
  classNames?: string[];
}

export type CsvResult = { ok: true; value: CsvTable } | { ok: false; errors: string[] };

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Finite in float64 but infinite once stored as float32 (the engine's precision). */
const outsideF32 = (v: number): boolean => !Number.isFinite(Math.fround(v));
const F32_RANGE = 'is outside the float32 range (magnitude at most 3.40e+38)';

/** The number a field holds, or undefined (decimal notation only; no hex, no NaN/Infinity). */
export function parseNumber(field: string): number | undefined {
  const t = field.trim();
  if (!NUMBER_RE.test(t)) return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Records of the text, each a list of fields; errors for unterminated quotes. */
function records(text: string, errors: string[]): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    field = '';
    // Skip blank lines (a single empty field).
    if (!(row.length === 1 && row[0].trim() === '')) out.push(row);
    row = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      endRow();
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else field += ch;
    i++;
  }
  if (quoted) errors.push(`row ${Math.max(0, out.length)}: a quoted field is not closed (missing ")`);
  if (field !== '' || row.length) endRow();
  return out;
}

function compareLabels(numeric: boolean) {
  return (a: string, b: string) => (numeric ? parseNumber(a)! - parseNumber(b)! : a < b ? -1 : a > b ? 1 : 0);
}

/** Parse a CSV; errors name the row and column. Never throws. */
export function parseCsv(text: string, opts: CsvOptions): CsvResult {
  const fail = (e: string): CsvResult => ({ ok: false, errors: [e] });
  if (typeof text !== 'string') return fail('text: expected the CSV as a string');
  if (text.length > CSV_MAX_BYTES || utf8Bytes(text) > CSV_MAX_BYTES)
    return fail(`text: the CSV is larger than the limit of ${CSV_MAX_BYTES} bytes (5 MB); use fewer rows`);
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    if (++lines > CSV_MAX_ROWS + 1)
      return fail(`text: the CSV has more than ${CSV_MAX_ROWS} data rows (the limit); use fewer rows`);
  }
  const errors: string[] = [];
  const recs = records(text, errors);
  if (errors.length) return { ok: false, errors };
  if (recs.length === 0) return fail('text: the CSV is empty; expected a header row of column names');
  const header = recs[0].map((h) => h.trim());
  const seen = new Set<string>();
  for (let c = 0; c < header.length; c++) {
    if (header[c] === '') errors.push(`header, column ${c + 1}: empty column name`);
    else if (seen.has(header[c])) errors.push(`header, column ${c + 1}: duplicate column name "${header[c]}"`);
    seen.add(header[c]);
  }
  if (errors.length) return { ok: false, errors };
  const li = header.indexOf(opts.labelColumn);
  if (li < 0)
    return fail(
      `labelColumn: no column named "${opts.labelColumn}"; the columns are ${header.map((h) => `"${h}"`).join(', ')}`,
    );
  if (header.length < 2) return fail('text: expected at least one feature column besides the label column');
  const n = recs.length - 1;
  if (n < 1) return fail('text: expected at least one data row after the header');
  const D = header.length - 1;
  const cols = header.filter((_, c) => c !== li);
  const x = new Float32Array(n * D);
  const labels: string[] = new Array(n);
  let more = 0;
  const add = (e: string) => (errors.length < MAX_ERRORS ? errors.push(e) : more++);
  for (let r = 0; r < n; r++) {
    const rec = recs[r + 1];
    if (rec.length !== header.length) {
      add(`row ${r + 1}: expected ${header.length} fields, got ${rec.length}`);
      continue;
    }
    let j = 0;
    for (let c = 0; c < rec.length; c++) {
      if (c === li) {
        labels[r] = rec[c].trim();
        if (labels[r] === '') add(`row ${r + 1}, column "${header[c]}": empty label`);
        continue;
      }
      const v = parseNumber(rec[c]);
      if (v === undefined) add(`row ${r + 1}, column "${header[c]}": expected a number, got ${JSON.stringify(rec[c])}`);
      else if (outsideF32(v)) add(`row ${r + 1}, column "${header[c]}": ${JSON.stringify(rec[c].trim())} ${F32_RANGE}`);
      else x[r * D + j] = v;
      j++;
    }
  }
  if (more) errors.push(`... and ${more} more errors`);
  if (errors.length) return { ok: false, errors };
  const task = opts.task ?? 'auto';
  const nums = labels.map(parseNumber);
  const allNumeric = nums.every((v) => v !== undefined);
  const regression = task === 'regression' || (task === 'auto' && allNumeric && nums.some((v) => !Number.isInteger(v)));
  const y = new Float32Array(n);
  if (regression) {
    for (let r = 0; r < n; r++) {
      if (nums[r] === undefined)
        add(
          `row ${r + 1}, column "${opts.labelColumn}": expected a number (task is regression), got ${JSON.stringify(labels[r])}`,
        );
      else if (outsideF32(nums[r]!))
        add(`row ${r + 1}, column "${opts.labelColumn}": ${JSON.stringify(labels[r])} ${F32_RANGE}`);
      else y[r] = nums[r]!;
    }
    if (more) errors.push(`... and ${more} more errors`);
    if (errors.length) return { ok: false, errors };
    return { ok: true, value: { n, columns: cols, inputDim: D, x, y, regression: true, nClasses: 0 } };
  }
  const classNames = [...new Set(labels)].sort(compareLabels(allNumeric));
  if (classNames.length < 2)
    return fail(
      `column "${opts.labelColumn}": expected at least 2 distinct labels for classification, got ${classNames.length}`,
    );
  if (classNames.length > CSV_MAX_CLASSES)
    return fail(
      `column "${opts.labelColumn}": ${classNames.length} distinct labels exceed the limit of ${CSV_MAX_CLASSES} classes`,
    );
  const index = new Map(classNames.map((c, i) => [c, i]));
  for (let r = 0; r < n; r++) y[r] = index.get(labels[r])!;
  return {
    ok: true,
    value: { n, columns: cols, inputDim: D, x, y, regression: false, nClasses: classNames.length, classNames },
  };
}

let cache: { text: string; label: string; task: CsvTask; result: CsvResult } | undefined;

/** parseCsv with a one-entry cache (the validator, dataShape and the generator parse the same text). */
export function parseCsvCached(text: string, opts: CsvOptions): CsvResult {
  const task = opts.task ?? 'auto';
  if (cache && cache.text === text && cache.label === opts.labelColumn && cache.task === task) return cache.result;
  const result = parseCsv(text, opts);
  cache = { text, label: opts.labelColumn, task, result };
  return result;
}

/** A small built-in example (64 rows, two features, two classes): the default of the csv kind. */
export function exampleCsv(): string {
  const rows = ['x1,x2,label'];
  for (let i = 0; i < 64; i++) {
    const a = ((i * 37) % 64) / 8 - 3.9375;
    const b = ((i * 23 + 5) % 64) / 8 - 3.9375;
    rows.push(`${a.toFixed(4)},${b.toFixed(4)},${a * b > 0 ? 'same' : 'opposite'}`);
  }
  return rows.join('\n') + '\n';
}
