/**
 * Phase diagrams for sweeps: when the runs differ only in one (or two) numeric optimizer
 * hyperparameters, the final value of a metric against the swept value(s).
 */
import type { HyperValue, RunConfig } from '../../experiment/types';

export interface SweepAxis {
  /** Hyperparameter key; "betas.0" / "betas.1" for one component of a pair. */
  key: string;
  /** Per run, its value. */
  values: number[];
  /** Distinct values, ascending. */
  levels: number[];
  /** Log axis: all positive and spanning at least a factor of 10. */
  log: boolean;
}

function flatten(opt: Record<string, HyperValue | string>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(opt)) {
    if (Array.isArray(v)) v.forEach((x, i) => m.set(`${k}.${i}`, x));
    else m.set(k, v);
  }
  return m;
}

/**
 * The swept axes of a list of runs: one or two numeric hyperparameter keys in which they differ,
 * with the same optimizer and schedule everywhere else; null when the runs are not such a sweep.
 * At least three runs (two runs are already compared by the curves); two axes also need every
 * run at a distinct grid point.
 */
export function sweepAxes(runs: readonly RunConfig[]): SweepAxis[] | null {
  if (runs.length < 3) return null;
  const name = runs[0].optimizer.name;
  const schedule = JSON.stringify(runs[0].schedule ?? null);
  if (runs.some((r) => r.optimizer.name !== name || JSON.stringify(r.schedule ?? null) !== schedule)) return null;
  const flat = runs.map((r) => flatten(r.optimizer));
  const keys = new Set(flat.flatMap((m) => [...m.keys()]));
  const differing: string[] = [];
  for (const k of keys) {
    const vals = flat.map((m) => JSON.stringify(m.get(k) ?? null));
    if (new Set(vals).size > 1) differing.push(k);
  }
  if (differing.length < 1 || differing.length > 2) return null;
  const axes: SweepAxis[] = [];
  for (const key of differing) {
    const values = flat.map((m) => m.get(key));
    if (!values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) return null;
    const levels = [...new Set(values)].sort((a, b) => a - b);
    const log = levels[0] > 0 && levels[levels.length - 1] / levels[0] >= 10;
    axes.push({ key, values, levels, log });
  }
  if (axes.length === 2) {
    const points = new Set(runs.map((_, i) => `${axes[0].values[i]}|${axes[1].values[i]}`));
    if (points.size !== runs.length) return null;
  }
  return axes;
}

/** Final value of a metric per run (the last one logged), undefined where none was logged. */
export function finalValues(
  runs: number,
  last: (run: number, metric: string) => number | undefined,
  metric: string,
): (number | undefined)[] {
  return Array.from({ length: runs }, (_, r) => last(r, metric));
}

/** The metric shown first: test accuracy, else the training loss, else the first logged. */
export function defaultMetric(present: readonly string[]): string | undefined {
  return ['test_acc', 'train_acc', 'test_loss', 'train_loss'].find((m) => present.includes(m)) ?? present[0];
}

export interface HeatCell {
  run: number;
  value: number | undefined;
}

/** 2-D sweep as a grid: rows follow axes[1] levels (descending, top first), columns axes[0]. */
export function heatGrid(axes: readonly SweepAxis[], values: readonly (number | undefined)[]): (HeatCell | null)[][] {
  const [ax, ay] = axes;
  const rows: (HeatCell | null)[][] = ay.levels
    .slice()
    .reverse()
    .map(() => ax.levels.map(() => null));
  values.forEach((value, run) => {
    const c = ax.levels.indexOf(ax.values[run]);
    const r = ay.levels.length - 1 - ay.levels.indexOf(ay.values[run]);
    rows[r][c] = { run, value };
  });
  return rows;
}
