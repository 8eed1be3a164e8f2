/** Export formats: metrics as CSV (the CLI's long format) or JSON, and the experiment as JSON. */
import type { Experiment } from '../experiment/types';
import type { MetricRow } from '../engine/trainer';

/** `run,step,metric,value`, the same header and layout as the CLI's metrics.csv. */
export function metricsCsv(rows: readonly MetricRow[]): string {
  const lines = ['run,step,metric,value'];
  for (const r of rows) lines.push(`${r.run},${r.step},${csvField(r.metric)},${numberText(r.value)}`);
  return lines.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Shortest text that parses back to the same float64; NaN and infinities as words. */
function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return String(v);
}

export interface MetricsJson {
  format: 'optimizer-playground-metrics';
  version: 1;
  experiment: Experiment;
  backend: string;
  adapter: string;
  runs: {
    index: number;
    label: string;
    divergedAtStep: number | null;
    metrics: Record<string, { step: number[]; value: (number | null)[] }>;
  }[];
}

/** Per run, per metric: steps and values (null for non-finite values, which JSON cannot hold). */
export function metricsJson(
  exp: Experiment,
  rows: readonly MetricRow[],
  info: { backend: string; adapter: string; diverged: Record<number, number> },
): MetricsJson {
  const runs: MetricsJson['runs'] = exp.runs.map((r, index) => ({
    index,
    label: r.label,
    divergedAtStep: info.diverged[index] ?? null,
    metrics: {},
  }));
  for (const row of rows) {
    const run = runs[row.run];
    if (!run) continue;
    const m = (run.metrics[row.metric] ??= { step: [], value: [] });
    m.step.push(row.step);
    m.value.push(Number.isFinite(row.value) ? row.value : null);
  }
  return {
    format: 'optimizer-playground-metrics',
    version: 1,
    experiment: exp,
    backend: info.backend,
    adapter: info.adapter,
    runs,
  };
}

export function experimentJson(exp: Experiment): string {
  return JSON.stringify(exp, null, 2) + '\n';
}
