/**
 * The CLI's file formats (README.md, "Headless CLI"): metrics.csv rows, weight files,
 * data.json, and a JSON printer that keeps number arrays on one line.
 */
import type { MetricRow, ParamVector } from '../engine/trainer';
import { weightsJson as sharedWeightsJson, type WeightsFile } from '../engine/model/weights';
export type { WeightsFile };
import type { ParamLayout } from '../engine/model/layout';
import type { Dataset, DataSplit } from '../engine/data/types';

export const METRICS_HEADER = 'run,step,metric,value';

/** A CSV number: shortest round-trip decimal; nan, inf and -inf for the non-finite values. */
export function csvNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRows(rows: readonly MetricRow[]): string {
  let out = '';
  for (const r of rows) out += `${r.run},${r.step},${csvField(r.metric)},${csvNumber(r.value)}\n`;
  return out;
}

/** Parses metrics.csv text back into rows (header checked); throws with the line number on bad input. */
export function parseMetricsCsv(text: string): MetricRow[] {
  const lines = text.split(/\r?\n/);
  if (lines[0] !== METRICS_HEADER)
    throw new Error(`line 1: expected the header "${METRICS_HEADER}", got "${lines[0].slice(0, 60)}"`);
  const rows: MetricRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const parts = line.split(',');
    if (parts.length !== 4)
      throw new Error(`line ${i + 1}: expected 4 fields (run,step,metric,value), got ${parts.length}`);
    const [run, step, metric, value] = parts;
    const v = value === 'nan' ? NaN : value === 'inf' ? Infinity : value === '-inf' ? -Infinity : Number(value);
    if (!/^\d+$/.test(run) || !/^\d+$/.test(step) || (Number.isNaN(v) && value !== 'nan')) {
      throw new Error(`line ${i + 1}: cannot read "${line.slice(0, 80)}"`);
    }
    rows.push({ run: Number(run), step: Number(step), metric, value: v });
  }
  return rows;
}

/** One run's parameters as named tensors (dense weights [out, in] row-major, then bias [out]). */
export function weightsJson(layout: ParamLayout, params: ParamVector): WeightsFile {
  return sharedWeightsJson(layout, params, 'the trainer returned');
}

export interface DataFile {
  train: { x: number[][]; y: (number | number[])[] };
  test: { x: number[][]; y: (number | number[])[] };
}

/**
 * The dataset as nested arrays. y holds class indices (integers) for classification, numbers
 * for 1-D regression, and arrays for multi-output regression.
 */
export function dataJson(ds: Dataset): DataFile {
  const split = (s: DataSplit) => {
    const x: number[][] = [];
    const y: (number | number[])[] = [];
    for (let i = 0; i < s.n; i++) {
      x.push(Array.from(s.x.subarray(i * ds.inputDim, (i + 1) * ds.inputDim)));
      const t = s.y.subarray(i * ds.targetDim, (i + 1) * ds.targetDim);
      y.push(ds.targetDim === 1 ? t[0] : Array.from(t));
    }
    return { x, y };
  };
  return { train: split(ds.train), test: split(ds.test) };
}

/**
 * JSON with 2-space indentation, except that arrays of numbers (and arrays of such arrays'
 * rows) stay on one line each, so weight and factor lists do not take a line per number.
 */
export function prettyJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
}
