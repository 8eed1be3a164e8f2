/**
 * Logged metrics, kept per (run, metric) as parallel step/value arrays, and min-max decimation
 * that keeps long series cheap to draw without hiding oscillations or spikes.
 */
import type { MetricRow } from '../engine/trainer';

export interface Series {
  steps: number[];
  values: number[];
}

export class MetricStore {
  private readonly series = new Map<string, Series>();
  /** Metric names in order of first appearance. */
  readonly metrics: string[] = [];
  private readonly metricSet = new Set<string>();
  rowCount = 0;
  lastStep = 0;

  static key(run: number, metric: string): string {
    return `${run}|${metric}`;
  }

  add(rows: readonly MetricRow[]): void {
    for (const r of rows) {
      const k = MetricStore.key(r.run, r.metric);
      let s = this.series.get(k);
      if (!s) {
        s = { steps: [], values: [] };
        this.series.set(k, s);
      }
      const n = s.steps.length;
      if (n > 0 && r.step <= s.steps[n - 1]) {
        // a repeated step replaces the value (the last step may be logged twice)
        if (r.step === s.steps[n - 1]) s.values[n - 1] = r.value;
        continue;
      }
      s.steps.push(r.step);
      s.values.push(r.value);
      if (!this.metricSet.has(r.metric)) {
        this.metricSet.add(r.metric);
        this.metrics.push(r.metric);
      }
      this.rowCount++;
      if (r.step > this.lastStep) this.lastStep = r.step;
    }
  }

  get(run: number, metric: string): Series | undefined {
    return this.series.get(MetricStore.key(run, metric));
  }

  has(metric: string): boolean {
    return this.metricSet.has(metric);
  }

  /** The latest value of a series, if any. */
  last(run: number, metric: string): number | undefined {
    const s = this.get(run, metric);
    return s && s.values.length > 0 ? s.values[s.values.length - 1] : undefined;
  }

  /** Every row, ordered by step, then run, then metric order of appearance. */
  rows(): MetricRow[] {
    const out: MetricRow[] = [];
    for (const [k, s] of this.series) {
      const bar = k.indexOf('|');
      const run = Number(k.slice(0, bar));
      const metric = k.slice(bar + 1);
      for (let i = 0; i < s.steps.length; i++) out.push({ run, step: s.steps[i], metric, value: s.values[i] });
    }
    const order = new Map(this.metrics.map((m, i) => [m, i]));
    return out.sort(
      (a, b) => a.step - b.step || a.run - b.run || (order.get(a.metric) ?? 0) - (order.get(b.metric) ?? 0),
    );
  }
}

/**
 * Indices to draw of a series of n points, at most about maxPoints: the first and last point,
 * and in each of maxPoints/2 equal buckets the minimum and maximum (non-finite values are kept
 * too, so a divergence stays visible). Returns all indices when n <= maxPoints.
 */
export function decimateIndices(values: readonly number[], maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints || maxPoints < 4) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.floor((maxPoints - 2) / 2);
  const out: number[] = [0];
  const size = (n - 2) / buckets;
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor(b * size);
    const hi = Math.min(n - 1, 1 + Math.floor((b + 1) * size));
    let iMin = -1;
    let iMax = -1;
    let bad = -1;
    for (let i = lo; i < hi; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) {
        if (bad < 0) bad = i;
        continue;
      }
      if (iMin < 0 || v < values[iMin]) iMin = i;
      if (iMax < 0 || v > values[iMax]) iMax = i;
    }
    const picks = [iMin, iMax, bad].filter((i) => i >= 0).sort((a, b) => a - b);
    for (const i of picks) if (i !== out[out.length - 1]) out.push(i);
  }
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}
