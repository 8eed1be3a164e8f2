/**
 * Export formats: metrics as CSV (the CLI's long format) or JSON, the experiment as JSON, run
 * weights as JSON (the CLI's --save-weights format) and a chart (canvas or SVG) as a PNG.
 */
import type { Experiment } from '../experiment/types';
import type { MetricRow, ParamVector } from '../engine/trainer';
import { weightsJson as sharedWeightsJson, type WeightsFile } from '../engine/model/weights';
export type { WeightsFile };
import type { ParamLayout } from '../engine/model/layout';
import { chartExporter } from './charts/chartCanvas';

/** `run,step,metric,value`, the same header and layout as the CLI's metrics.csv. */
export function metricsCsv(rows: readonly MetricRow[]): string {
  const lines = ['run,step,metric,value'];
  for (const r of rows) lines.push(`${r.run},${r.step},${csvField(r.metric)},${numberText(r.value)}`);
  return lines.join('\n') + '\n';
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Shortest text that parses back to the same float64; NaN and infinities as words. */
function numberText(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return String(v);
}

export interface MetricsJson {
  format: 'optimizer-playground-metrics';
  version: 1;
  experiment: Experiment;
  backend: string;
  adapter: string;
  runs: {
    index: number;
    label: string;
    divergedAtStep: number | null;
    metrics: Record<string, { step: number[]; value: (number | null)[] }>;
  }[];
}

/** Per run, per metric: steps and values (null for non-finite values, which JSON cannot hold). */
export function metricsJson(
  exp: Experiment,
  rows: readonly MetricRow[],
  info: { backend: string; adapter: string; diverged: Record<number, number> },
): MetricsJson {
  const runs: MetricsJson['runs'] = exp.runs.map((r, index) => ({
    index,
    label: r.label,
    divergedAtStep: info.diverged[index] ?? null,
    metrics: {},
  }));
  for (const row of rows) {
    const run = runs[row.run];
    if (!run) continue;
    const m = (run.metrics[row.metric] ??= { step: [], value: [] });
    m.step.push(row.step);
    m.value.push(Number.isFinite(row.value) ? row.value : null);
  }
  return {
    format: 'optimizer-playground-metrics',
    version: 1,
    experiment: exp,
    backend: info.backend,
    adapter: info.adapter,
    runs,
  };
}

export function experimentJson(exp: Experiment): string {
  return JSON.stringify(exp, null, 2) + '\n';
}

/** One run's parameters as named tensors, dense weights [out, in] row-major then bias [out]; non-finite values as null. */
export function weightsJson(layout: ParamLayout, params: ParamVector): WeightsFile {
  return sharedWeightsJson(layout, params, 'the worker sent');
}

const STYLE_PROPS = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-opacity',
  'stroke-width',
  'stroke-dasharray',
  'font-size',
  'font-family',
  'opacity',
  'visibility',
] as const;

/**
 * A standalone copy of an on-page SVG: computed styles (CSS variables, theme colours) written
 * onto each element as attributes, explicit size and a background rectangle. DOM only.
 */
export function standaloneSvg(svg: SVGSVGElement, background: string): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...Array.from(svg.querySelectorAll('*'))];
  const dst = [clone, ...Array.from(clone.querySelectorAll('*'))];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    const out = dst[i];
    for (const p of STYLE_PROPS) {
      const v = cs.getPropertyValue(p);
      if (v) out.setAttribute(p, v);
    }
    out.removeAttribute('class');
  });
  const { width, height } = svg.getBoundingClientRect();
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(Math.round(width)));
  clone.setAttribute('height', String(Math.round(height)));
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', background);
  clone.insertBefore(bg, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

export interface PngCaption {
  /** Drawn above the chart. */
  title?: string;
  /** Colour swatches with labels, drawn under the title. */
  legend?: readonly { label: string; color: string }[];
}

/**
 * A PNG of `width` x `height` CSS pixels at `scale`: the background, an optional title and legend
 * band on top, then `draw` below the band. DOM only.
 */
async function captionedPng(
  width: number,
  height: number,
  look: { background: string; fg: string; font: string },
  caption: PngCaption,
  scale: number,
  draw: (ctx: CanvasRenderingContext2D, band: number) => void,
): Promise<Blob> {
  const legend = caption.legend ?? [];
  const perRow = Math.max(1, Math.floor(width / 150));
  const band =
    (caption.title ? 22 : 0) + Math.ceil(legend.length / perRow) * 16 + (caption.title || legend.length ? 6 : 0);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round((height + band) * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('PNG export: no 2-D canvas context');
  ctx.scale(scale, scale);
  ctx.fillStyle = look.background;
  ctx.fillRect(0, 0, width, height + band);
  let y = 4;
  if (caption.title) {
    ctx.fillStyle = look.fg;
    ctx.font = `600 14px ${look.font}`;
    ctx.textBaseline = 'top';
    ctx.fillText(caption.title, 8, y);
    y += 22;
  }
  ctx.font = `12px ${look.font}`;
  ctx.textBaseline = 'middle';
  legend.forEach((l, i) => {
    const x = 8 + (i % perRow) * 150;
    const ly = y + Math.floor(i / perRow) * 16 + 6;
    ctx.fillStyle = l.color;
    ctx.fillRect(x, ly - 5, 10, 10);
    ctx.fillStyle = look.fg;
    ctx.fillText(l.label.length > 22 ? `${l.label.slice(0, 21)}…` : l.label, x + 14, ly, 134);
  });
  draw(ctx, band);
  return await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export: the canvas gave no image'))), 'image/png'),
  );
}

function lookOf(el: Element, background: string): { background: string; fg: string; font: string } {
  const cs = getComputedStyle(el);
  return { background, fg: cs.color || '#000000', font: cs.fontFamily || 'sans-serif' };
}

/**
 * Render an on-page SVG into a PNG blob (through a blob: image, which the page CSP allows) at
 * `scale` times its size, with an optional title and legend band on top. DOM only.
 */
export async function svgToPng(
  svg: SVGSVGElement,
  background: string,
  caption: PngCaption = {},
  scale = 2,
): Promise<Blob> {
  const text = standaloneSvg(svg, background);
  const { width, height } = svg.getBoundingClientRect();
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return await captionedPng(width, height, lookOf(svg, background), caption, scale, (ctx, band) =>
      ctx.drawImage(img, 0, band, width, height),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * A metric chart as a PNG blob, with the same caption band as svgToPng: `draw(scale)` gives the
 * chart drawn afresh on a canvas of its CSS size times `scale`. DOM only.
 */
export function chartCanvasToPng(
  el: HTMLCanvasElement,
  draw: (scale: number) => HTMLCanvasElement | null,
  background: string,
  caption: PngCaption = {},
  scale = 2,
): Promise<Blob> {
  const image = draw(scale);
  if (!image) return Promise.reject(new Error('PNG export: this chart has nothing drawn yet'));
  const width = image.width / scale;
  const height = image.height / scale;
  return captionedPng(width, height, lookOf(el, background), caption, scale, (ctx, band) =>
    ctx.drawImage(image, 0, band, width, height),
  );
}

/** Save a blob as a file through a temporary object URL. DOM only. */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The colour behind an element: its own background or its nearest ancestor's that is not transparent. */
export function backgroundOf(el: Element): string {
  for (let e: Element | null = el; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) return c;
  }
  return '#ffffff';
}

/**
 * Download the chart inside `container` as `<name>.png`: a metric chart's canvas
 * (canvas.chart-canvas) or an SVG chart (svg.chart-surface, or a recharts figure's
 * svg.recharts-surface); rejects with a reason when there is nothing drawn yet.
 */
export async function exportChartPng(container: Element, name: string, caption: PngCaption = {}): Promise<void> {
  const canvas = container.querySelector<HTMLCanvasElement>('canvas.chart-canvas');
  const draw = canvas ? chartExporter(canvas) : undefined;
  const svg = container.querySelector<SVGSVGElement>('svg.chart-surface, svg.recharts-surface');
  const bg = backgroundOf(container);
  if (canvas && draw) downloadBlob(`${name}.png`, await chartCanvasToPng(canvas, draw, bg, caption));
  else if (svg) downloadBlob(`${name}.png`, await svgToPng(svg, bg, caption));
  else throw new Error('PNG export: this chart has nothing drawn yet');
}
