/**
 * "Import metrics CSV": reads a `run,step,metric,value` file (what the exported PyTorch script
 * and `npm run cli -- run` write) so its runs can be drawn next to the page's. Every line is
 * checked; the first bad one is reported with its number, the field and what was expected.
 * Metric names are restricted to plain identifiers, so nothing from the file is markup.
 */
import type { MetricRow } from '../engine/trainer';
import { MetricStore } from './series';

export const METRICS_HEADER = 'run,step,metric,value';
/** The largest file the page reads. */
export const MAX_METRICS_BYTES = 32 * 1024 * 1024;
/** The most runs a file may hold. */
export const MAX_IMPORTED_RUNS = 64;

const WHOLE = /^\d{1,9}$/;
const METRIC = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity };

export interface ParsedMetrics {
  /** The run indices of the file, ascending. */
  runs: number[];
  /** Rows by run, each series ordered by step. */
  rows: MetricRow[];
}

export class MetricsCsvError extends Error {}

/** A value as the file spells it: a decimal number, or nan / inf / -inf (any case, as Python and we write them). */
function parseValue(s: string): number | undefined {
  const key = s.toLowerCase();
  if (key in SPECIAL) return SPECIAL[key];
  return NUMBER.test(s) ? Number(s) : undefined;
}

/** Shown in an error: the start of a line, as plain text. */
const quote = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);

export function parseMetricsCsvText(text: string): ParsedMetrics {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0)
    throw new MetricsCsvError('the file is empty; expected the header line "run,step,metric,value"');
  if (lines[0].trim() !== METRICS_HEADER)
    throw new MetricsCsvError(`line 1: expected the header "${METRICS_HEADER}", got ${quote(lines[0])}`);
  const rows: MetricRow[] = [];
  const runs = new Set<number>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const at = `line ${i + 1}`;
    if (line.trim() === '') throw new MetricsCsvError(`${at}: empty line; expected run,step,metric,value`);
    const f = line.split(',').map((s) => s.trim());
    if (f.length !== 4)
      throw new MetricsCsvError(
        `${at}: expected 4 comma-separated fields (run,step,metric,value), got ${f.length}: ${quote(line)}`,
      );
    const [run, step, metric, value] = f;
    if (!WHOLE.test(run)) throw new MetricsCsvError(`${at}: run: expected a whole number ≥ 0, got ${quote(run)}`);
    if (!WHOLE.test(step)) throw new MetricsCsvError(`${at}: step: expected a whole number ≥ 0, got ${quote(step)}`);
    if (!METRIC.test(metric))
      throw new MetricsCsvError(
        `${at}: metric: expected a name of letters, digits, "_", "." or "-" (as train_loss), got ${quote(metric)}`,
      );
    const v = parseValue(value);
    if (v === undefined)
      throw new MetricsCsvError(`${at}: value: expected a number (or nan, inf, -inf), got ${quote(value)}`);
    const r = Number(run);
    runs.add(r);
    if (runs.size > MAX_IMPORTED_RUNS)
      throw new MetricsCsvError(`${at}: more than ${MAX_IMPORTED_RUNS} runs in one file`);
    rows.push({ run: r, step: Number(step), metric, value: v });
  }
  if (rows.length === 0) throw new MetricsCsvError('the file has a header but no rows');
  rows.sort((a, b) => a.run - b.run || a.step - b.step); // stable: a metric's repeated step keeps its last value
  return { runs: [...runs].sort((a, b) => a - b), rows };
}

/** Imported runs as the charts show them: after the page's runs, labelled "torch: ...". */
export interface ImportedMetrics {
  /** The file name, for the panel. */
  file: string;
  /** Per imported run: its label and its index in the file. */
  runs: { label: string; fileRun: number }[];
  /** Rows with `run` the index into `runs`. */
  rows: MetricRow[];
}

/** The imported runs of `parsed`, labelled after the page's run with the same index where there is one. */
export function importedMetrics(file: string, parsed: ParsedMetrics, pageLabels: readonly string[]): ImportedMetrics {
  const index = new Map(parsed.runs.map((r, j) => [r, j]));
  return {
    file,
    runs: parsed.runs.map((r) => ({ label: `torch: ${pageLabels[r] ?? `run ${r}`}`, fileRun: r })),
    rows: parsed.rows.map((row) => ({ ...row, run: index.get(row.run)! })),
  };
}

/**
 * A metric store with the page's rows (runs below `pageRuns`) of `live`, if any, and the imported
 * runs after them, at pageRuns + j.
 */
export function storeWithImported(
  live: MetricStore | null,
  pageRuns: number,
  imported: ImportedMetrics | null,
): MetricStore {
  const store = new MetricStore();
  if (live) store.add(live.rows().filter((r) => r.run < pageRuns));
  if (imported) store.add(imported.rows.map((r) => ({ ...r, run: pageRuns + r.run })));
  return store;
}
