/**
 * One metric chart drawn on a single canvas: dashed grid, the lines (from each series' min/max
 * envelope, envelope.ts), then the x and y axes with tick marks and labels, laid out as the
 * recharts version of these charts was (same margins, axis widths, font size, colours from the
 * theme's CSS variables). Redrawing touches no DOM: no style, layout or SVG work per update.
 */
import { yDomain, type ChartView, type LineSpec } from '../chartData';
import type { MetricStore } from '../series';
import { linearTicks, logTicks, makeScale, preserveEnd, type Scale } from './ticks';
import { drawLines, drawMarkers, type ChartMarker } from './chartLines';

export type { ChartMarker } from './chartLines';

export interface PlotArea {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const CHART_HEIGHT = 204;
export const CHART_MARGIN: Margin = { top: 6, right: 12, bottom: 4, left: 4 };
export const Y_AXIS_WIDTH = 52;
export const X_AXIS_HEIGHT = 30;
export const AXIS_FONT_PX = 11;
const TICK = 6;
/** The height a y label takes when thinning them (what recharts measured for 11px text). */
export const LABEL_HEIGHT = 14;

/** The plot area inside a chart of `width` x `height` with these margins and y-axis width. */
export function plotArea(
  width: number,
  height: number,
  margin: Margin,
  yAxisWidth: number,
  xAxisHeight = X_AXIS_HEIGHT,
): PlotArea {
  const x = margin.left + yAxisWidth;
  const y = margin.top;
  return {
    x,
    y,
    width: Math.max(1, width - x - margin.right),
    height: Math.max(1, height - y - margin.bottom - xAxisHeight),
  };
}

/** What the axes show. */
export interface Plot {
  area: PlotArea;
  x: Scale;
  y: Scale;
  /** The start of the x axis (0, or where a zoom starts). */
  xMin: number;
  /** The end of the x axis; points logged after it are drawn with the next frame. */
  xMax: number;
  /** Zoomed in: every point of the range is drawn (when there are not too many). */
  zoomed: boolean;
}

export interface Frame {
  plot: Plot;
  xTicks: number[];
  yTicks: number[];
  /** Axis titles: x ("step") under the tick labels, y (with the scale) along the left edge. */
  xTitle: string;
  yTitle: string;
}

/** Axis titles and the axis font size (large-text mode enlarges it, and the space it takes). */
export interface FrameText {
  xTitle?: string;
  yTitle?: string;
  fontPx?: number;
}

/**
 * Axes of a chart `width` pixels wide showing `view`: x from `view.xMin` (0 unless zoomed) to
 * `view.xMax`, y around the data, room for the axis titles.
 */
export function chartFrame(view: ChartView, width: number, log: boolean, text: FrameText = {}): Frame | null {
  if (width <= 0) return null;
  const fontPx = text.fontPx ?? AXIS_FONT_PX;
  const grow = fontPx / AXIS_FONT_PX;
  const titleRoom = Math.round(fontPx * 1.3) + 2;
  const area = plotArea(
    width,
    CHART_HEIGHT,
    { ...CHART_MARGIN, left: CHART_MARGIN.left + titleRoom },
    Math.round(Y_AXIS_WIDTH * grow),
    Math.round(X_AXIS_HEIGHT * grow) + titleRoom - 6,
  );
  const xMin = Math.max(0, view.xMin);
  const xMax = Math.max(xMin + 1, view.xMax);
  const yd: [number, number] = yDomain(view.yMin, view.yMax, log, view.bounds) ?? (log ? [1, 10] : [0, 1]);
  return {
    plot: {
      area,
      x: makeScale([xMin, xMax], area.x, area.x + area.width, false),
      y: makeScale(yd, area.y + area.height, area.y, log),
      xMin,
      xMax,
      zoomed: view.zoom !== undefined,
    },
    xTicks: linearTicks(xMin, xMax, 5, true),
    yTicks: log ? logTicks(yd[0], yd[1]) : linearTicks(yd[0], yd[1]),
    xTitle: text.xTitle ?? 'step',
    yTitle: text.yTitle ? `${text.yTitle}${log ? ' (log scale)' : ''}` : '',
  };
}

/** Theme colours and font, read from the page's CSS. */
export interface ChartStyle {
  grid: string;
  axis: string;
  font: string;
  /** The axis font's size in CSS pixels. */
  fontPx: number;
  /** The height a y label takes when thinning them: grows with the font. */
  labelHeight: number;
}

/** Axis font size in CSS pixels for a root font size: 11 px at the normal 16 px, scaled with large text. */
export function axisFontPx(rootFontPx: number): number {
  return Number.isFinite(rootFontPx) && rootFontPx > 0 ? Math.round((AXIS_FONT_PX * rootFontPx) / 16) : AXIS_FONT_PX;
}

export function chartStyle(el: Element): ChartStyle {
  const cs = getComputedStyle(el);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  // large-text mode enlarges the root font: the axis labels follow it
  const px = axisFontPx(parseFloat(getComputedStyle(document.documentElement).fontSize));
  return {
    grid: v('--grid', '#e4e4e0'),
    axis: v('--muted', '#5b5b5b'),
    font: `${px}px ${cs.fontFamily || 'sans-serif'}`,
    fontPx: px,
    labelHeight: Math.round((LABEL_HEIGHT * px) / AXIS_FONT_PX),
  };
}

export type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** The chart's size in CSS pixels for a frame. */
export function frameSize(frame: Frame): { width: number; height: number } {
  return { width: frame.plot.area.x + frame.plot.area.width + CHART_MARGIN.right, height: CHART_HEIGHT };
}

/** Size a canvas (or offscreen canvas) for the frame at `scale` device pixels per CSS pixel. */
export function sizeCanvas(canvas: { width: number; height: number }, frame: Frame, scale: number): void {
  const { width, height } = frameSize(frame);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
}

/**
 * Clear the canvas and draw the whole chart, `scale` device pixels per CSS pixel (the canvas
 * sized with sizeCanvas); `frame` null only clears it.
 */
export function drawChart(
  ctx: Ctx2D,
  frame: Frame | null,
  lines: readonly LineSpec[],
  store: MetricStore,
  log: boolean,
  style: ChartStyle,
  format: (v: number) => string,
  scale: number,
  markers: readonly ChartMarker[] = [],
): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  if (!frame) return;
  const { plot, xTicks, yTicks } = frame;
  const { area } = plot;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  const bottom = area.y + area.height;
  const right = area.x + area.width;
  // Ticks whose labels would overlap are dropped (marks and grid lines too), keeping the last.
  ctx.font = style.font;
  const xLabels = xTicks.map(format);
  const yLabels = yTicks.map(format);
  const xAll = xTicks.map((t) => plot.x.map(t));
  const yAll = yTicks.map((t) => plot.y.map(t));
  const inX = (px: number) => Number.isFinite(px) && px >= area.x - 0.5 && px <= right + 0.5;
  const inY = (py: number) => Number.isFinite(py) && py >= area.y - 0.5 && py <= bottom + 0.5;
  const keepX = preserveEnd(
    xAll.length,
    (i) => (inX(xAll[i]) ? xAll[i] : NaN),
    (i) => ctx.measureText(xLabels[i]).width,
  );
  const keepY = preserveEnd(
    yAll.length,
    (i) => (inY(yAll[i]) ? yAll[i] : NaN),
    () => style.labelHeight,
  );
  const xs = xAll.map((px, i) => (keepX[i] ? px : NaN));
  const ys = yAll.map((py, i) => (keepY[i] ? py : NaN));

  // grid
  ctx.lineWidth = 1;
  ctx.strokeStyle = style.grid;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  for (const py of ys)
    if (inY(py)) {
      ctx.moveTo(area.x, py);
      ctx.lineTo(right, py);
    }
  for (const px of xs)
    if (inX(px)) {
      ctx.moveTo(px, area.y);
      ctx.lineTo(px, bottom);
    }
  ctx.stroke();

  drawLines(ctx, plot, lines, store, log);
  drawMarkers(ctx, plot, markers, style);

  // axes and tick marks
  ctx.setLineDash([]);
  ctx.lineWidth = 1;
  ctx.strokeStyle = style.axis;
  ctx.beginPath();
  ctx.moveTo(area.x, bottom);
  ctx.lineTo(right, bottom);
  ctx.moveTo(area.x, area.y);
  ctx.lineTo(area.x, bottom);
  for (const px of xs)
    if (inX(px)) {
      ctx.moveTo(px, bottom);
      ctx.lineTo(px, bottom + TICK);
    }
  for (const py of ys)
    if (inY(py)) {
      ctx.moveTo(area.x - TICK, py);
      ctx.lineTo(area.x, py);
    }
  ctx.stroke();

  // labels
  ctx.fillStyle = style.axis;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const canvasRight = right + CHART_MARGIN.right;
  xs.forEach((px, i) => {
    if (!inX(px)) return;
    // keep the last label ("3000") inside the canvas instead of cut at its edge
    const half = ctx.measureText(xLabels[i]).width / 2;
    ctx.fillText(xLabels[i], Math.min(px, canvasRight - half - 1), bottom + TICK + 2);
  });
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ys.forEach((py, i) => {
    if (inY(py)) ctx.fillText(yLabels[i], area.x - TICK - 2, py);
  });

  // axis titles: x centred under its tick labels, y along the left edge (read bottom to top)
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(frame.xTitle, area.x + area.width / 2, CHART_HEIGHT - 1);
  if (frame.yTitle) {
    ctx.save();
    ctx.translate(2, area.y + area.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'top';
    ctx.fillText(frame.yTitle, 0, 0, area.height);
    ctx.restore();
  }
}

/** Per on-page chart canvas: draws the chart afresh at a given scale (for PNG export). */
const exporters = new WeakMap<Element, (scale: number) => HTMLCanvasElement | null>();

export function setChartExporter(el: Element, draw: ((scale: number) => HTMLCanvasElement | null) | null): void {
  if (draw) exporters.set(el, draw);
  else exporters.delete(el);
}

export function chartExporter(el: Element): ((scale: number) => HTMLCanvasElement | null) | undefined {
  return exporters.get(el);
}
