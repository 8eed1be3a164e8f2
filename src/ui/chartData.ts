/**
 * Rows for one chart: the group's metrics for every run, decimated, merged on the step axis.
 * Pure (no React) so it is tested directly.
 */
import type { MetricGroup } from './metricGroups';
import { metricLabel } from './metricGroups';
import { decimateIndices, type MetricStore } from './series';

export interface LineSpec {
  key: string;
  run: number;
  metric: string;
  color: string;
  dash?: string;
  name: string;
}

export interface ChartData {
  rows: Record<string, number | null>[];
  lines: LineSpec[];
  /** y range of the finite (and, on a log axis, positive) values; null when there are none. */
  yMin: number | null;
  yMax: number | null;
}

export const MAX_POINTS_PER_LINE = 400;

export function buildChart(
  group: MetricGroup,
  runs: readonly { label: string; color: string }[],
  store: MetricStore,
  opts: { log: boolean; maxPoints?: number },
): ChartData {
  const byStep = new Map<number, Record<string, number | null>>();
  const lines: LineSpec[] = [];
  let yMin = Infinity;
  let yMax = -Infinity;
  const multi = group.metrics.length > 1;
  runs.forEach((run, r) => {
    for (const m of group.metrics) {
      const s = store.get(r, m.name);
      if (!s || s.steps.length === 0) continue;
      const key = `r${r}:${m.name}`;
      lines.push({
        key,
        run: r,
        metric: m.name,
        color: run.color,
        dash: m.dash,
        name: multi ? `${run.label} · ${metricLabel(m.name)}` : run.label,
      });
      for (const i of decimateIndices(s.values, opts.maxPoints ?? MAX_POINTS_PER_LINE)) {
        const step = s.steps[i];
        let v: number | null = s.values[i];
        if (!Number.isFinite(v) || (opts.log && v <= 0)) v = null;
        else {
          if (v < yMin) yMin = v;
          if (v > yMax) yMax = v;
        }
        let row = byStep.get(step);
        if (!row) {
          row = { step };
          byStep.set(step, row);
        }
        row[key] = v;
      }
    }
  });
  const rows = [...byStep.values()].sort((a, b) => (a.step as number) - (b.step as number));
  return { rows, lines, yMin: Number.isFinite(yMin) ? yMin : null, yMax: Number.isFinite(yMax) ? yMax : null };
}

/** A y domain with a little headroom; on a log axis whole decades around the data. */
export function yDomain(yMin: number | null, yMax: number | null, log: boolean): [number, number] | undefined {
  if (yMin === null || yMax === null) return undefined;
  if (log) {
    const lo = Math.pow(10, Math.floor(Math.log10(yMin)));
    let hi = Math.pow(10, Math.ceil(Math.log10(yMax)));
    if (hi <= lo) hi = lo * 10;
    return [lo, hi];
  }
  if (yMin === yMax) {
    const pad = Math.abs(yMin) * 0.1 || 1;
    return [yMin - pad, yMax + pad];
  }
  const pad = (yMax - yMin) * 0.05;
  return [yMin >= 0 && yMin - pad < 0 ? 0 : yMin - pad, yMax + pad];
}
