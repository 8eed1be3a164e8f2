/**
 * What a chart draws inside its plot area: the lines (from each series' min/max envelope, or
 * every point of a zoomed range) and the markers of the moments a preset's claims were seen.
 */
import { ZOOM_RAW_MAX, indexRange, type LineSpec } from '../chartData';
import type { MetricStore } from '../series';
import type { ChartStyle, Ctx2D, Plot } from './chartCanvas';

const LINE_WIDTH = 1.6;
const DOT_RADIUS = 4;

function dashArray(dash: string | undefined): number[] {
  if (!dash) return [];
  return dash
    .split(/[\s,]+/)
    .map(Number)
    .filter((v) => Number.isFinite(v) && v >= 0);
}

let scratch: Int32Array = new Int32Array(0);

/** Every line of the chart, clipped to the plot area; a series of one point is a dot. */
export function drawLines(ctx: Ctx2D, plot: Plot, lines: readonly LineSpec[], store: MetricStore, log: boolean): void {
  const { area } = plot;
  ctx.save();
  ctx.beginPath();
  ctx.rect(area.x - 1, area.y - 1, area.width + 2, area.height + 2);
  ctx.clip();
  ctx.lineWidth = LINE_WIDTH;
  ctx.lineJoin = 'round';
  for (const l of lines) {
    const s = store.get(l.run, l.metric);
    const env = store.envelope(l.run, l.metric);
    if (!s || !env) continue;
    let idx: Int32Array;
    let from = 0;
    let n: number;
    const [i0, i1] = plot.zoomed ? indexRange(s.steps, plot.xMin, plot.xMax) : [0, 0];
    if (plot.zoomed && i1 - i0 <= ZOOM_RAW_MAX) {
      // zoomed in: every logged point of the range (with its neighbours, to run to the edges)
      if (scratch.length < i1 - i0) scratch = new Int32Array(Math.max(i1 - i0, 2 * ENVELOPE_PICKS));
      for (let k = 0; k < i1 - i0; k++) scratch[k] = i0 + k;
      idx = scratch;
      n = i1 - i0;
    } else {
      [idx, n] = env.picks(s.values, log, scratch);
      scratch = idx;
      if (plot.zoomed) from = firstPickAtOrAfter(idx, n, i0);
    }
    ctx.beginPath();
    let points = 0;
    let first: [number, number] = [0, 0];
    for (let k = from; k < n; k++) {
      const i = idx[k];
      const step = s.steps[i];
      if (step > plot.xMax) break;
      const px = plot.x.map(step);
      const py = plot.y.map(s.values[i]);
      if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
      if (points > 0) ctx.lineTo(px, py);
      else {
        ctx.moveTo(px, py);
        first = [px, py];
      }
      points++;
    }
    if (points === 0) continue;
    if (points === 1) {
      // a metric logged once (e.g. the time to fit): a dot, since a line of one point is invisible
      ctx.beginPath();
      ctx.arc(first[0], first[1], DOT_RADIUS, 0, 2 * Math.PI);
      ctx.fillStyle = l.color;
      ctx.fill();
      continue;
    }
    ctx.strokeStyle = l.color;
    ctx.setLineDash(dashArray(l.dash));
    ctx.stroke();
  }
  ctx.restore();
}

/** Room for the envelope's picks (2 per bucket and the last point). */
const ENVELOPE_PICKS = 2049;

/** The first k with idx[k] >= i (idx ascending). */
function firstPickAtOrAfter(idx: Int32Array, n: number, i: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (idx[mid] < i) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

/** A moment to point at: a vertical line at `step` with a short label at its top. */
export interface ChartMarker {
  step: number;
  label: string;
}

export function drawMarkers(ctx: Ctx2D, plot: Plot, markers: readonly ChartMarker[], style: ChartStyle): void {
  const { area } = plot;
  ctx.save();
  ctx.strokeStyle = style.axis;
  ctx.fillStyle = style.axis;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([4, 3]);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.font = style.font;
  for (const m of markers) {
    const px = plot.x.map(m.step);
    if (!Number.isFinite(px) || px < area.x - 0.5 || px > area.x + area.width + 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(px, area.y);
    ctx.lineTo(px, area.y + area.height);
    ctx.stroke();
    const w = ctx.measureText(m.label).width;
    ctx.fillText(m.label, px + 3 + w > area.x + area.width ? px - 3 - w : px + 3, area.y + 2);
  }
  ctx.restore();
}
