/**
 * Figures for export and for the charts that are not redrawn at frame rate: what a figure shows
 * (series or bars, axis titles, ticks, legend, title and the loaded preset's caption), computed
 * without React or the DOM so it is tested directly. The figures are drawn by recharts
 * (figurePlots.tsx, loaded on demand) and framed as a standalone SVG file by figureSvg.ts.
 */
import { ZOOM_RAW_MAX, chartView, indexRange, yDomain } from '../chartData';
import { axisTitle, metricLabel, type MetricGroup } from '../metricGroups';
import type { MetricStore } from '../series';
import { linearTicks, logTicks, niceDomain } from '../charts/ticks';
import type { SweepAxis } from '../phase/phase';

/** The light look of every exported figure (a file is read on paper or a slide, not in the page's theme). */
export const FIGURE_LOOK = {
  background: '#ffffff',
  text: '#1a1a1a',
  muted: '#4a4a4a',
  grid: '#e3e3e3',
  axis: '#4a4a4a',
  font: 'Helvetica, Arial, sans-serif',
  /** Tick labels, legend and caption. */
  fontSize: 13,
  titleSize: 17,
} as const;

export const FIGURE_WIDTH = 760;
export const PLOT_HEIGHT = 380;

/** Colours and font of a plot: the print look for files, the theme's CSS variables on the page. */
export interface PlotLook {
  text: string;
  muted: string;
  grid: string;
  axis: string;
  dotFill: string;
  font?: string;
  fontSize: number;
}

export const PRINT_LOOK: PlotLook = {
  text: FIGURE_LOOK.text,
  muted: FIGURE_LOOK.muted,
  grid: FIGURE_LOOK.grid,
  axis: FIGURE_LOOK.axis,
  dotFill: FIGURE_LOOK.background,
  font: FIGURE_LOOK.font,
  fontSize: FIGURE_LOOK.fontSize,
};

/** The page's look at an axis font size (charts/chartCanvas.ts axisFontPx: it grows with large text). */
export function pageLook(fontSize: number): PlotLook {
  return {
    text: 'var(--fg)',
    muted: 'var(--muted)',
    grid: 'var(--grid)',
    axis: 'var(--muted)',
    dotFill: 'var(--panel)',
    fontSize,
  };
}

/** Height of a bar figure's plot: a row per bar. */
export function barPlotHeight(fig: { bars: readonly unknown[] }): number {
  return 24 + Math.max(1, fig.bars.length) * 30 + 48;
}

export interface FigureRun {
  label: string;
  color: string;
  hidden?: boolean;
  diverged?: boolean;
}

export interface FigurePoint {
  x: number;
  y: number;
}

export interface FigureSeries {
  key: string;
  /** Name in read-outs ("run · metric" when the group has several metrics). */
  name: string;
  color: string;
  /** SVG dash pattern; solid when absent. */
  dash?: string;
  points: FigurePoint[];
  /** Draw a dot at every point (a handful of points: the phase diagram). */
  dots?: boolean;
}

export interface LegendItem {
  label: string;
  color: string;
  dash?: string;
}

/** Title lines above the plot. */
export interface FigureHeading {
  title: string;
  /** The loaded preset: "Preset: title (paper)". */
  subtitle?: string;
  /** The preset's one-line caption (what to look for). */
  caption?: string;
}

export interface Axis {
  label: string;
  log: boolean;
  domain: [number, number];
  ticks: number[];
}

export interface LineFigure extends FigureHeading {
  kind: 'line';
  x: Axis;
  y: Axis;
  series: FigureSeries[];
  legend: LegendItem[];
  markers: { x: number; label: string }[];
}

export interface FigureBar {
  key: string;
  label: string;
  color: string;
  /** null: nothing finite to show (not logged yet, or diverged). */
  value: number | null;
}

export interface BarFigure extends FigureHeading {
  kind: 'bar';
  /** The value axis (horizontal bars, one per run). */
  value: Axis;
  /** Title of the category axis. */
  categoryLabel: string;
  bars: FigureBar[];
}

export type Figure = LineFigure | BarFigure;

/** What a loaded preset adds above a figure. */
export interface PresetHeading {
  title: string;
  paper: string;
  /** One sentence: the effect to look for (the caption when present). */
  lookFor?: string;
  summary: string;
}

/** The first sentence of a text (up to its first ". " or the end). */
export function firstSentence(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  const m = /^(.+?[.!?])(\s|$)/.exec(t);
  return m ? m[1] : t;
}

export function presetHeading(preset: PresetHeading | null | undefined): Pick<FigureHeading, 'subtitle' | 'caption'> {
  if (!preset) return {};
  return {
    subtitle: `Preset: ${preset.title} (${preset.paper})`,
    caption: preset.lookFor?.trim() || firstSentence(preset.summary),
  };
}

/**
 * A metric chart as a figure: the same lines as the canvas chart (hidden runs left out, a
 * diverged run's stability line kept out of the y range), each drawn from the series' min/max
 * envelope (zoomed in: every logged point of the range, as the canvas does), the same axis
 * ranges and round ticks; x runs to `xEnd` (the experiment's length), or over the zoomed steps.
 */
export function metricFigure(o: {
  group: MetricGroup;
  runs: readonly FigureRun[];
  store: MetricStore;
  log: boolean;
  xEnd: number;
  /** The charts' zoomed step range, if any. */
  zoom?: readonly [number, number] | null;
  markers?: readonly { step: number; label: string }[];
  preset?: PresetHeading | null;
}): LineFigure {
  const { group, runs, store, log } = o;
  const zoom = o.zoom ?? null;
  const view = chartView(group, runs, store, log, zoom);
  const x0 = zoom ? zoom[0] : 0;
  const x1 = zoom ? Math.max(zoom[1], x0 + 1) : Math.max(1, view.xMax, o.xEnd);
  const yd: [number, number] = yDomain(view.yMin, view.yMax, log, view.bounds) ?? (log ? [1, 10] : [0, 1]);
  let scratch: Int32Array = new Int32Array(0);
  const series: FigureSeries[] = [];
  for (const l of view.lines) {
    const s = store.get(l.run, l.metric);
    const env = store.envelope(l.run, l.metric);
    if (!s || !env) continue;
    const points: FigurePoint[] = [];
    const take = (i: number) => {
      const y = s.values[i];
      if (Number.isFinite(y) && (!log || y > 0)) points.push({ x: s.steps[i], y });
    };
    // zoomed: the points of the range and one neighbour each side (the line runs to the edges)
    const [i0, i1] = zoom ? indexRange(s.steps, x0, x1) : [0, s.steps.length];
    if (zoom && i1 - i0 <= ZOOM_RAW_MAX) for (let i = i0; i < i1; i++) take(i);
    else {
      const [idx, n] = env.picks(s.values, log, scratch);
      scratch = idx;
      for (let k = 0; k < n; k++) if (idx[k] >= i0 && idx[k] < i1) take(idx[k]);
    }
    series.push({ key: l.key, name: l.name, color: l.color, dash: l.dash, points });
  }
  // the legend: every run with a line (its colour), then the line styles when metrics differ by dash
  const legend: LegendItem[] = [];
  const shownRuns = [...new Set(view.lines.map((l) => l.run))];
  for (const r of shownRuns) {
    const run = runs[r];
    legend.push({ label: run.diverged ? `${run.label} (diverged)` : run.label, color: run.color });
  }
  const metrics = group.metrics.filter((m) => view.lines.some((l) => l.metric === m.name));
  if (metrics.length > 1 || metrics.some((m) => m.dash))
    for (const m of metrics) legend.push({ label: metricLabel(m.name), color: FIGURE_LOOK.muted, dash: m.dash ?? '' });
  return {
    kind: 'line',
    title: group.title,
    ...presetHeading(o.preset),
    x: { label: 'step', log: false, domain: [x0, x1], ticks: linearTicks(x0, x1, 6, true) },
    y: {
      // the canvas chart's y title: what is measured, with its unit
      label: `${axisTitle(group)}${log ? ' (log scale)' : ''}`,
      log,
      domain: yd,
      ticks: log ? logTicks(yd[0], yd[1]) : linearTicks(yd[0], yd[1], 6),
    },
    series,
    legend,
    markers: (o.markers ?? []).filter((m) => m.step >= x0 && m.step <= x1).map((m) => ({ x: m.step, label: m.label })),
  };
}

/** The 1-D phase diagram: the final value of `metric` per swept value, points joined by a line. */
export function phaseFigure(o: {
  axis: SweepAxis;
  values: readonly (number | undefined)[];
  metric: string;
  title: string;
  color: string;
  preset?: PresetHeading | null;
}): LineFigure {
  const { axis } = o;
  const points = axis.values
    .map((x, r) => ({ x, y: o.values[r] }))
    .filter((p): p is FigurePoint => p.y !== undefined && Number.isFinite(p.y) && (!axis.log || p.x > 0))
    .sort((a, b) => a.x - b.x);
  const xs = axis.levels.filter((v) => !axis.log || v > 0);
  const xd: [number, number] = xs.length ? [xs[0], xs[xs.length - 1]] : [0, 1];
  if (xd[0] === xd[1]) xd[1] = xd[0] + 1;
  const ys = points.map((p) => p.y);
  // a nice domain around the values: the axis stays while the values move inside it
  const yd = ys.length ? niceDomain(Math.min(...ys), Math.max(...ys)) : ([0, 1] as [number, number]);
  return {
    kind: 'line',
    title: o.title,
    ...presetHeading(o.preset),
    x: {
      label: axis.log ? `${axis.key} (log scale)` : axis.key,
      log: axis.log,
      domain: xd,
      ticks: axis.log ? logTicks(xd[0], xd[1]) : linearTicks(xd[0], xd[1], 6),
    },
    y: { label: `${metricLabel(o.metric)} (final)`, log: false, domain: yd, ticks: linearTicks(yd[0], yd[1], 6) },
    series: [{ key: 'final', name: 'final', color: o.color, points, dots: true }],
    legend: [],
    markers: [],
  };
}

/** The metric a run summary shows first: test loss, else test accuracy, else the training loss or accuracy, else the first. */
export function summaryMetric(present: readonly string[]): string | undefined {
  return ['test_loss', 'test_acc', 'train_loss', 'train_acc'].find((m) => present.includes(m)) ?? present[0];
}

/** Per visible run, the final value of `metric` as a bar; the value axis starts at zero. */
export function summaryFigure(o: {
  runs: readonly FigureRun[];
  last: (run: number, metric: string) => number | undefined;
  metric: string;
  preset?: PresetHeading | null;
}): BarFigure {
  const bars: FigureBar[] = [];
  o.runs.forEach((run, r) => {
    if (run.hidden) return;
    const v = o.last(r, o.metric);
    bars.push({
      key: `r${r}`,
      label: run.diverged ? `${run.label} (diverged)` : run.label,
      color: run.color,
      value: v !== undefined && Number.isFinite(v) ? v : null,
    });
  });
  const vals = bars.flatMap((b) => (b.value === null ? [] : [b.value]));
  const lo = Math.min(0, ...vals);
  const hi = Math.max(0, ...vals);
  const domain = vals.length && hi > lo ? niceDomain(lo, hi, 6) : ([0, 1] as [number, number]);
  const label = metricLabel(o.metric);
  return {
    kind: 'bar',
    title: `Final value per run: ${label}`,
    ...presetHeading(o.preset),
    value: { label: `${label} (final)`, log: false, domain, ticks: linearTicks(domain[0], domain[1], 6) },
    categoryLabel: 'run',
    bars,
  };
}

/** The runs as the charts see them: colour, label, hidden from the charts, diverged. */
export function figureRuns(
  runs: readonly { label: string; color?: string }[],
  colorOf: (color: string | undefined, index: number) => string,
  hidden: readonly number[],
  diverged: Record<number, number>,
): FigureRun[] {
  return runs.map((r, i) => ({
    label: r.label,
    color: colorOf(r.color, i),
    hidden: hidden.includes(i),
    diverged: diverged[i] !== undefined,
  }));
}
