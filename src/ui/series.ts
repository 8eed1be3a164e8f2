/**
 * Logged metrics, kept per (run, metric) as parallel step/value arrays appended in place, each
 * with an incrementally maintained min/max envelope (envelope.ts) that charts draw from.
 */
import type { MetricRow } from '../engine/trainer';
import { Envelope } from './envelope';

export interface Series {
  steps: number[];
  values: number[];
}

export class MetricStore {
  private readonly series = new Map<string, Series>();
  private readonly envelopes = new Map<string, Envelope>();
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
      let env = this.envelopes.get(k);
      if (!s || !env) {
        s = { steps: [], values: [] };
        env = new Envelope();
        this.series.set(k, s);
        this.envelopes.set(k, env);
      }
      const n = s.steps.length;
      if (n > 0 && r.step <= s.steps[n - 1]) {
        // a repeated step replaces the value (the last step may be logged twice)
        if (r.step === s.steps[n - 1]) {
          s.values[n - 1] = r.value;
          env.replaceLast(s.values);
        }
        continue;
      }
      s.steps.push(r.step);
      s.values.push(r.value);
      env.push(s.values);
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

  /** The min/max envelope of a series (what charts draw). */
  envelope(run: number, metric: string): Envelope | undefined {
    return this.envelopes.get(MetricStore.key(run, metric));
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
