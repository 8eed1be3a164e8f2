/**
 * The drawing of one metric chart: one canvas (grid, lines, axes, labels: chartCanvas.ts) and a
 * hover layer for the read-out. Following the metrics touches no DOM, only the canvas. Where the
 * browser can, the canvas hands its drawing to an OffscreenCanvas (still drawn on this thread):
 * its frames reach the compositor directly, so a redraw costs no main-thread commit of the
 * canvas bitmap (measured: 5-9 ms per changed canvas per frame on the software GPU).
 *
 * New metrics reach a chart through the shared frame queue, at most every REDRAW_MS
 * (HIDDEN_REDRAW_MS while scrolled out of view); the queue spreads the charts over frames.
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { chartView, type LineSpec } from '../chartData';
import { tick } from '../format';
import { axisTitle, type MetricGroup } from '../metricGroups';
import { appStoreApi, usePlayground } from '../store/store';
import { useWidth } from './Axes';
import {
  CHART_HEIGHT,
  chartFrame,
  chartStyle,
  drawChart,
  setChartExporter,
  sizeCanvas,
  type ChartMarker,
  type ChartStyle,
  type Ctx2D,
  type Plot,
} from './chartCanvas';
import { chartQueue, exclusive, spaced, type Job } from './frameQueue';
import { ChartHover, type HoverHandle } from './ChartHover';

const NO_MARKERS: readonly ChartMarker[] = [];
export const REDRAW_MS = 200;
export const HIDDEN_REDRAW_MS = 2000;

export function ChartPlot({
  group,
  runs,
  log,
  markers = NO_MARKERS,
}: {
  group: MetricGroup;
  runs: readonly { label: string; color: string; hidden?: boolean; diverged?: boolean }[];
  log: boolean;
  /** Moments to point at (a preset's claim seen at step N). */
  markers?: readonly ChartMarker[];
}) {
  const store = usePlayground((s) => s.metrics);
  const theme = usePlayground((s) => s.theme);
  const large = usePlayground((s) => s.largeFont);
  // every chart's x axis runs over the whole experiment: one shared range, the same step under the same pixel
  const steps = usePlayground((s) => s.applied.steps);
  const zoom = usePlayground((s) => s.xZoom);
  const metricNames = useMemo(() => group.metrics.map((m) => m.name), [group]);
  const runLabel = useCallback((r: number) => runs[r]?.label ?? `run ${r + 1}`, [runs]);
  const [box, width] = useWidth<HTMLDivElement>();
  const lines = useRef<readonly LineSpec[]>([]);
  const plot = useRef<Plot | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const surface = useRef<{ el: HTMLCanvasElement; ctx: Ctx2D } | null>(null);
  const style = useRef<{ theme: string; style: ChartStyle } | null>(null);
  const hover = useRef<HoverHandle>(null);
  const visible = useRef(true);
  const lastDraw = useRef(0);
  const drawn = useRef(false);

  // One redraw from the current metrics: lines, axes, canvas, read-out.
  const job: Job = useCallback(() => {
    const el = canvas.current;
    if (!el) return;
    if (surface.current?.el !== el) {
      const target = typeof el.transferControlToOffscreen === 'function' ? el.transferControlToOffscreen() : el;
      const ctx = target.getContext('2d') as Ctx2D | null;
      surface.current = ctx ? { el, ctx } : null;
    }
    const ctx = surface.current?.ctx;
    if (!ctx) return;
    lastDraw.current = performance.now();
    const look = `${theme}|${large}`;
    if (style.current?.theme !== look) style.current = { theme: look, style: chartStyle(el) };
    const view = chartView(group, runs, store, log, zoom);
    const frame = chartFrame({ ...view, xMax: zoom ? view.xMax : Math.max(view.xMax, steps) }, width, log, {
      yTitle: axisTitle(group),
      fontPx: style.current.style.fontPx,
    });
    lines.current = view.lines;
    plot.current = frame?.plot ?? null;
    const scale = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    if (frame) sizeCanvas(ctx.canvas, frame, scale);
    drawChart(ctx, frame, view.lines, store, log, style.current.style, tick, scale, markers);
    hover.current?.refresh();
    // the PNG export draws the same chart afresh at its own scale
    const drawn = style.current.style;
    setChartExporter(el, (s) => {
      if (!frame) return null;
      const out = document.createElement('canvas');
      sizeCanvas(out, frame, s);
      const c = out.getContext('2d');
      if (!c) return null;
      drawChart(c, frame, view.lines, store, log, drawn, tick, s, markers);
      return out;
    });
  }, [group, runs, store, log, width, theme, large, markers, steps, zoom]);

  // Changes of props, width or theme redraw through the queue, so edits that touch every chart
  // do not add up in one task.
  useLayoutEffect(() => {
    if (width <= 0) return;
    const queue = chartQueue();
    if (drawn.current) {
      queue.request(job);
      return;
    }
    // the first drawing (which also creates the canvas's backing store) in a frame of its own
    drawn.current = true;
    const first = exclusive(() => job());
    queue.request(first);
    return () => queue.cancel(first);
  }, [job, width]);

  useEffect(() => {
    const runs = spaced(
      chartQueue(),
      job,
      () => lastDraw.current + (visible.current ? REDRAW_MS : HIDDEN_REDRAW_MS) - performance.now(),
    );
    const unsubscribe = appStoreApi().subscribe((s, prev) => {
      if (s.metricsVersion !== prev.metricsVersion && s.metrics === store) runs.request();
    });
    let io: IntersectionObserver | undefined;
    if (typeof IntersectionObserver === 'function' && box.current) {
      io = new IntersectionObserver((entries) => {
        const was = visible.current;
        visible.current = entries.some((e) => e.isIntersecting);
        if (visible.current && !was) runs.now();
      });
      io.observe(box.current);
    }
    return () => {
      unsubscribe();
      io?.disconnect();
      runs.cancel();
    };
  }, [job, store, box]);

  return (
    <div ref={box} className="chart-plot" style={{ height: CHART_HEIGHT }}>
      <canvas
        ref={canvas}
        className="chart-canvas chart-surface"
        role="img"
        aria-label={`${group.title} chart`}
        style={{ width: '100%', height: CHART_HEIGHT }}
      />
      <ChartHover
        ref={hover}
        plot={plot}
        lines={lines}
        store={store}
        log={log}
        metrics={metricNames}
        runLabel={runLabel}
      />
    </div>
  );
}
