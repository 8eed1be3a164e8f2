/**
 * What one chart shows: the group's metrics for every run (one line each), the axis ranges, and
 * the read-out under the pointer. Pure (no React, no DOM) so it is tested directly; the lines
 * are drawn from each series' min/max envelope (envelope.ts).
 */
import type { MetricGroup } from './metricGroups';
import { metricLabel } from './metricGroups';
import type { MetricStore } from './series';

export interface LineSpec {
  key: string;
  run: number;
  metric: string;
  color: string;
  dash?: string;
  name: string;
}

export interface ChartView {
  lines: LineSpec[];
  /** The last logged step over the lines (the x axis runs from 0 to it); 0 when there are none. */
  xMax: number;
  /** y range of the finite (and, on a log axis, positive) values; null when there are none. */
  yMin: number | null;
  yMax: number | null;
  /** The group's bounds (accuracies: [0, 1]): the y axis never extends past them. */
  bounds?: [number, number];
}

/** The lines of a chart: per run, per metric of the group that has data, in that order. */
export function chartLines(
  group: MetricGroup,
  runs: readonly { label: string; color: string; hidden?: boolean }[],
  store: MetricStore,
): LineSpec[] {
  const lines: LineSpec[] = [];
  const multi = group.metrics.length > 1;
  runs.forEach((run, r) => {
    if (run.hidden) return; // hidden from the legend: no line, no say in the axis range
    for (const m of group.metrics) {
      const s = store.get(r, m.name);
      if (!s || s.steps.length === 0) continue;
      lines.push({
        key: `r${r}:${m.name}`,
        run: r,
        metric: m.name,
        color: run.color,
        dash: m.dash,
        name: multi ? `${run.label} · ${metricLabel(m.name)}` : run.label,
      });
    }
  });
  return lines;
}

/** Lines and axis ranges; O(lines x envelope buckets), independent of the series length. */
export function chartView(
  group: MetricGroup,
  runs: readonly { label: string; color: string; hidden?: boolean; diverged?: boolean }[],
  store: MetricStore,
  log: boolean,
): ChartView {
  const lines = chartLines(group, runs, store);
  let xMax = 0;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const l of lines) {
    const s = store.get(l.run, l.metric);
    const env = store.envelope(l.run, l.metric);
    if (!s || !env) continue;
    xMax = Math.max(xMax, s.steps[s.steps.length - 1]);
    // a diverged run's stability line (2/η of a blown-up step) would squash everyone's axis
    if (runs[l.run]?.diverged && l.metric.endsWith('_threshold')) continue;
    const e = env.extent(s.values, log);
    if (e) {
      if (e[0] < yMin) yMin = e[0];
      if (e[1] > yMax) yMax = e[1];
    }
  }
  return {
    lines,
    xMax,
    yMin: Number.isFinite(yMin) ? yMin : null,
    yMax: Number.isFinite(yMax) ? yMax : null,
    bounds: group.bounds,
  };
}

/** A y domain with a little headroom; on a log axis whole decades around the data. */
export function yDomain(
  yMin: number | null,
  yMax: number | null,
  log: boolean,
  bounds?: [number, number],
): [number, number] | undefined {
  const d = paddedDomain(yMin, yMax, log);
  if (!d || !bounds) return d;
  const lo = Math.max(d[0], log && !(bounds[0] > 0) ? d[0] : bounds[0]);
  const hi = Math.min(d[1], bounds[1]);
  return hi > lo ? [lo, hi] : d;
}

function paddedDomain(yMin: number | null, yMax: number | null, log: boolean): [number, number] | undefined {
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

/** Index of the entry of ascending `steps` (first n) nearest to `target`; -1 when n is 0. */
export function nearestIndex(steps: readonly number[], n: number, target: number): number {
  if (n <= 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && target - steps[lo - 1] <= steps[lo] - target) return lo - 1;
  return lo;
}

export interface HoverItem {
  key: string;
  name: string;
  color: string;
  value: number;
}

export interface Hover {
  step: number;
  items: HoverItem[];
}

/**
 * The read-out at `target` (a step under the pointer): the logged step nearest to it over all
 * lines (up to `xMax`), and every line's value logged at exactly that step, at full resolution.
 */
export function hoverAt(lines: readonly LineSpec[], store: MetricStore, target: number, xMax: number): Hover | null {
  let best = -1;
  for (const l of lines) {
    const s = store.get(l.run, l.metric);
    if (!s) continue;
    const n = countUpTo(s.steps, xMax);
    const i = nearestIndex(s.steps, n, target);
    if (i < 0) continue;
    const step = s.steps[i];
    if (
      best < 0 ||
      Math.abs(step - target) < Math.abs(best - target) ||
      (step < best && best - target === target - step)
    )
      best = step;
  }
  if (best < 0) return null;
  const items: HoverItem[] = [];
  for (const l of lines) {
    const s = store.get(l.run, l.metric);
    if (!s) continue;
    const i = nearestIndex(s.steps, countUpTo(s.steps, xMax), best);
    if (i >= 0 && s.steps[i] === best) items.push({ key: l.key, name: l.name, color: l.color, value: s.values[i] });
  }
  return { step: best, items };
}

/**
 * The logged step next to `step` over all lines (dir 1: the first one after it, -1: the last one
 * before it), up to `xMax`; null when there is none (for moving the read-out with the keyboard).
 */
export function adjacentStep(
  lines: readonly LineSpec[],
  store: MetricStore,
  step: number,
  dir: 1 | -1,
  xMax: number,
): number | null {
  let best: number | null = null;
  for (const l of lines) {
    const s = store.get(l.run, l.metric);
    if (!s) continue;
    const n = countUpTo(s.steps, xMax);
    if (dir > 0) {
      const i = countUpTo(s.steps, step); // first index with a step > `step`
      if (i < n && (best === null || s.steps[i] < best)) best = s.steps[i];
    } else {
      const i = countUpTo(s.steps, step - 1e-9) - 1; // last index with a step < `step`
      if (i >= 0 && i < n && (best === null || s.steps[i] > best)) best = s.steps[i];
    }
  }
  return best;
}

/** How many of ascending `steps` are <= x. */
export function countUpTo(steps: readonly number[], x: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
