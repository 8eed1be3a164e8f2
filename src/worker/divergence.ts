/**
 * What to show with "diverged at step N": the run's last finite sharpness measurement up to N and
 * the optimizer's stability line at that step (2/eta for GD; the `sharpness_threshold` row), since
 * a sharpness above the line usually explains the blow-up. Pure; used by the worker for its
 * 'diverged' message and usable by the UI on the rows it holds.
 */
import type { MetricRow } from '../engine/trainer';

export interface DivergenceSummary {
  /** The step at which the run diverged. */
  step: number;
  /** The last finite `sharpness` logged at or before `step`, and the step it was logged at. */
  lastSharpness?: number;
  sharpnessStep?: number;
  /** `sharpness_threshold` logged at sharpnessStep (2/eta for GD), when the optimizer has one. */
  threshold?: number;
}

/**
 * The last finite sharpness (and its threshold) per run, kept up to date from row batches in step
 * order. The session feeds it what it posts; a diverged run logs nothing after its divergence step.
 */
export class SharpnessTracker {
  private readonly last = new Map<number, { step: number; value: number; threshold?: number }>();
  /** Thresholds seen per (run, step), for a sharpness row that arrives after its threshold. */
  private readonly thresholds = new Map<string, number>();

  add(rows: Iterable<MetricRow>): void {
    for (const r of rows) {
      if (!Number.isFinite(r.value)) continue;
      if (r.metric === 'sharpness_threshold') {
        this.thresholds.set(`${r.run}|${r.step}`, r.value);
        const cur = this.last.get(r.run);
        if (cur && cur.step === r.step) cur.threshold = r.value;
      } else if (r.metric === 'sharpness') {
        const cur = this.last.get(r.run);
        if (cur && cur.step > r.step) continue;
        this.last.set(r.run, { step: r.step, value: r.value, threshold: this.thresholds.get(`${r.run}|${r.step}`) });
      }
    }
  }

  clear(): void {
    this.last.clear();
    this.thresholds.clear();
  }

  /** The summary of `run` diverging at `step` (only measurements up to `step` count). */
  summary(run: number, step: number): DivergenceSummary {
    const s = this.last.get(run);
    if (!s || s.step > step) return { step };
    return { step, lastSharpness: s.value, sharpnessStep: s.step, threshold: s.threshold };
  }
}

/** The divergence summary of `run` at `step` from any set of rows (e.g. the UI's metric store rows). */
export function divergenceSummary(rows: Iterable<MetricRow>, run: number, step: number): DivergenceSummary {
  const t = new SharpnessTracker();
  const mine: MetricRow[] = [];
  for (const r of rows) if (r.run === run && r.step <= step) mine.push(r);
  mine.sort((a, b) => a.step - b.step);
  t.add(mine);
  return t.summary(run, step);
}

/** One line for a banner: "diverged at step 120 (last sharpness 45.2 at step 100, above 2/eta = 40)". */
export function divergenceText(s: DivergenceSummary): string {
  const head = `diverged at step ${s.step}`;
  if (s.lastSharpness === undefined) return head;
  const v = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
  const line =
    s.threshold === undefined
      ? ''
      : `, ${s.lastSharpness > s.threshold ? 'above' : 'below'} the stability threshold ${v(s.threshold)}`;
  return `${head} (last sharpness ${v(s.lastSharpness)} at step ${s.sharpnessStep}${line})`;
}
