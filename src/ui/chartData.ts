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
  /** The x axis's start: 0, or the zoomed range's start. */
  xMin: number;
  /**
   * The last logged step over the lines (the x axis runs from 0 to it), or the zoomed range's
   * end; 0 when there are none.
   */
  xMax: number;
  /** Set when zoomed: the x range shown. */
  zoom?: [number, number];
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

/** Above this many points in a zoomed range, the envelope's picks stand in for the points. */
export const ZOOM_RAW_MAX = 8192;

/**
 * Lines and axis ranges; O(lines x envelope buckets), independent of the series length. With
 * `zoom` (a step range) the y range fits the points inside it (every point when there are at
 * most ZOOM_RAW_MAX of them per line, else the envelope's picks).
 */
export function chartView(
  group: MetricGroup,
  runs: readonly { label: string; color: string; hidden?: boolean; diverged?: boolean }[],
  store: MetricStore,
  log: boolean,
  zoom?: readonly [number, number] | null,
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
    const e = zoom ? zoomedExtent(s, env, zoom, log) : env.extent(s.values, log);
    if (e) {
      if (e[0] < yMin) yMin = e[0];
      if (e[1] > yMax) yMax = e[1];
    }
  }
  return {
    lines,
    xMin: zoom ? zoom[0] : 0,
    xMax: zoom ? zoom[1] : xMax,
    ...(zoom ? { zoom: [zoom[0], zoom[1]] as [number, number] } : {}),
    yMin: Number.isFinite(yMin) ? yMin : null,
    yMax: Number.isFinite(yMax) ? yMax : null,
    bounds: group.bounds,
  };
}

/**
 * Indices [i0, i1) of the points of ascending `steps` inside [x0, x1], widened by one point on
 * each side (so a zoomed line runs to the plot's edges).
 */
export function indexRange(steps: readonly number[], x0: number, x1: number): [number, number] {
  const i0 = Math.max(0, countUpTo(steps, x0 - 1e-9) - 1);
  const i1 = Math.min(steps.length, countUpTo(steps, x1) + 1);
  return [i0, Math.max(i0, i1)];
}

/** Smallest and largest finite (on a log axis: positive) value among values[i0..i1). */
export function rangeExtent(values: ArrayLike<number>, i0: number, i1: number, log: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = i0; i < i1; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

let picksScratch: Int32Array = new Int32Array(0);

function zoomedExtent(
  s: { steps: number[]; values: number[] },
  env: { picks(values: ArrayLike<number>, log: boolean, out: Int32Array): [Int32Array, number] },
  zoom: readonly [number, number],
  log: boolean,
): [number, number] | null {
  // only the points inside the range count here (not the neighbours that run the line to the edge)
  const i0 = countUpTo(s.steps, zoom[0] - 1e-9);
  const i1 = countUpTo(s.steps, zoom[1]);
  if (i1 - i0 <= ZOOM_RAW_MAX) return rangeExtent(s.values, i0, i1, log);
  const [idx, n] = env.picks(s.values, log, picksScratch);
  picksScratch = idx;
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    if (i < i0 || i >= i1) continue;
    const v = s.values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
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
  /** The run and metric of the line (for a read-out grouped by run). */
  run?: number;
  metric?: string;
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
    if (i >= 0 && s.steps[i] === best)
      items.push({ key: l.key, name: l.name, color: l.color, value: s.values[i], run: l.run, metric: l.metric });
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

/** One row per run: its colour, its label and the values of the chart's metrics in order. */
export interface TooltipRow {
  key: string;
  label: string;
  color: string;
  values: (number | undefined)[];
}

/**
 * A compact read-out for a chart with several metrics per run (train, test, minibatch loss):
 * one row per run instead of one per line, the columns in the chart's metric order. Null when
 * the items are not per run and metric, or there is one metric only.
 */
export function tooltipRows(
  items: readonly HoverItem[],
  metrics: readonly string[],
  runLabel: (run: number) => string,
): TooltipRow[] | null {
  if (metrics.length < 2 || items.some((it) => it.run === undefined || it.metric === undefined)) return null;
  const rows = new Map<number, TooltipRow>();
  for (const it of items) {
    const run = it.run!;
    let row = rows.get(run);
    if (!row) {
      row = { key: `r${run}`, label: runLabel(run), color: it.color, values: metrics.map(() => undefined) };
      rows.set(run, row);
    }
    const col = metrics.indexOf(it.metric!);
    if (col >= 0) row.values[col] = it.value;
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
}
