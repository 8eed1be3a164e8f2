/**
 * Standalone SVG files of figures, as text (no DOM): the title, the loaded preset's caption and
 * the legend are laid out above the plot that recharts drew (passed in as serialised SVG), on a
 * light background with the fonts and colours written on the elements, so the file looks the
 * same in any viewer. The 2-D phase diagram (a heatmap, which recharts has no chart for) is
 * written here entirely.
 */
import { fmt } from '../format';
import { viridis } from '../palette';
import { FIGURE_LOOK as L, FIGURE_WIDTH, type FigureHeading, type LegendItem } from './figure';

const SVG_NS = 'http://www.w3.org/2000/svg';
const PAD = 16;
const LEGEND_ROW = 20;
const SWATCH = 26;

/** Text for an XML text node or attribute value: markup characters escaped, characters XML forbids dropped. */
export function escapeXml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- these are exactly the characters XML 1.0 does not allow
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** Rough width of `s` in a sans-serif font of `size` px (no DOM measuring). */
export function textWidth(s: string, size: number): number {
  let w = 0;
  for (const ch of s)
    w += /[ilj.,:;'|!()[\]]/.test(ch) ? 0.3 : /[mwMW@]/.test(ch) ? 0.85 : /[A-Z]/.test(ch) ? 0.66 : 0.55;
  return w * size;
}

/** `s`, cut with an ellipsis to fit `width` px. */
export function fitText(s: string, width: number, size: number): string {
  if (textWidth(s, size) <= width) return s;
  const chars = [...s];
  let n = chars.length;
  while (n > 1 && textWidth(`${chars.slice(0, n).join('')}…`, size) > width) n--;
  return `${chars.slice(0, n).join('').trimEnd()}…`;
}

/** `s` broken at spaces into at most `maxLines` lines of `width` px; the last one cut with an ellipsis. */
export function wrapText(s: string, width: number, size: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  const words = s.trim().split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    const next = line ? `${line} ${words[i]}` : words[i];
    if (!line || textWidth(next, size) <= width) {
      line = next;
      continue;
    }
    if (lines.length === maxLines - 1) return [...lines, fitText(`${line} ${words.slice(i).join(' ')}`, width, size)];
    lines.push(line);
    line = words[i];
  }
  return line ? [...lines, fitText(line, width, size)] : lines;
}

export interface PlacedLegendItem {
  item: LegendItem;
  /** Shown text (long labels cut). */
  text: string;
  x: number;
  /** Middle of the row. */
  y: number;
}

/** Legend items left to right, wrapping into rows of LEGEND_ROW px inside `width`, from `top`. */
export function legendLayout(
  items: readonly LegendItem[],
  width: number,
  top: number,
): { placed: PlacedLegendItem[]; height: number } {
  const placed: PlacedLegendItem[] = [];
  const size = L.fontSize;
  const maxText = Math.min(260, width - 2 * PAD - SWATCH - 6);
  let x = PAD;
  let row = 0;
  for (const item of items) {
    const text = fitText(item.label, maxText, size);
    const w = SWATCH + 6 + textWidth(text, size) + 18;
    if (x > PAD && x + w > width - PAD) {
      row++;
      x = PAD;
    }
    placed.push({ item, text, x, y: top + row * LEGEND_ROW + LEGEND_ROW / 2 });
    x += w;
  }
  return { placed, height: items.length ? (row + 1) * LEGEND_ROW : 0 };
}

function attrs(a: Record<string, string | number | undefined>): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
}

function text(x: number, y: number, s: string, a: Record<string, string | number | undefined> = {}): string {
  return `<text${attrs({ x, y, fill: L.text, 'font-size': L.fontSize, ...a })}>${escapeXml(s)}</text>`;
}

/** The heading (title, preset line, caption) and the legend above a plot `width` px wide; `height` is where the plot starts. */
export function headerSvg(
  fig: FigureHeading,
  legend: readonly LegendItem[],
  width: number,
): { markup: string; height: number } {
  const parts: string[] = [];
  let y = 12 + L.titleSize;
  parts.push(
    text(PAD, y, fitText(fig.title, width - 2 * PAD, L.titleSize), { 'font-size': L.titleSize, 'font-weight': 600 }),
  );
  if (fig.subtitle) {
    y += L.fontSize + 9;
    parts.push(text(PAD, y, fitText(fig.subtitle, width - 2 * PAD, L.fontSize), { fill: L.muted }));
  }
  if (fig.caption)
    for (const line of wrapText(fig.caption, width - 2 * PAD, L.fontSize, 2)) {
      y += L.fontSize + 5;
      parts.push(text(PAD, y, line, { fill: L.muted, 'font-style': 'italic' }));
    }
  y += 10;
  const { placed, height } = legendLayout(legend, width, y);
  if (placed.length) {
    parts.push('<g class="legend">');
    for (const p of placed) {
      const c = p.item.color;
      parts.push(
        `<line${attrs({ x1: p.x, y1: p.y, x2: p.x + SWATCH, y2: p.y, stroke: c, 'stroke-width': 2.5, 'stroke-dasharray': p.item.dash })}/>`,
        text(p.x + SWATCH + 6, p.y, p.text, { 'dominant-baseline': 'central' }),
      );
    }
    parts.push('</g>');
  }
  return { markup: parts.join(''), height: Math.ceil(y + height + 4) };
}

function svgOpen(width: number, height: number, title: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg${attrs({ xmlns: SVG_NS, width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': L.font })}>` +
    `<title>${escapeXml(title)}</title>` +
    `<rect${attrs({ x: 0, y: 0, width, height, fill: L.background })}/>`
  );
}

/**
 * A standalone SVG file: heading and legend, then `plot` (an <svg> element of `plotWidth` x
 * `plotHeight`, as serialised from the page) below them.
 */
export function figureSvg(
  fig: FigureHeading,
  legend: readonly LegendItem[],
  plot: string,
  plotWidth = FIGURE_WIDTH,
  plotHeight = 0,
): string {
  const head = headerSvg(fig, legend, plotWidth);
  const height = head.height + plotHeight + 8;
  // the plot's own XML declaration (if any) cannot appear inside another document
  const body = plot.replace(/^\s*<\?xml[^>]*\?>\s*/, '');
  return `${svgOpen(plotWidth, height, fig.title)}${head.markup}<g${attrs({ transform: `translate(0,${head.height})` })}>${body}</g></svg>\n`;
}

export interface HeatmapInput extends FigureHeading {
  xLabel: string;
  yLabel: string;
  xLevels: readonly number[];
  yLevels: readonly number[];
  /** Rows top first (yLevels descending), columns in xLevels order; null where no run sits. */
  cells: readonly (readonly ({ value: number | undefined } | null)[])[];
}

/** The 2-D phase diagram as a standalone SVG file: one viridis cell per run with its value, a colour bar. */
export function heatmapSvg(h: HeatmapInput): string {
  const width = FIGURE_WIDTH;
  const head = headerSvg(h, [], width);
  const finite = h.cells
    .flat()
    .flatMap((c) => (c && c.value !== undefined && Number.isFinite(c.value) ? [c.value] : []));
  const lo = finite.length ? Math.min(...finite) : 0;
  const hi = finite.length ? Math.max(...finite) : 1;
  const nx = Math.max(1, h.xLevels.length);
  const ny = Math.max(1, h.yLevels.length);
  const left = PAD + 24 + 64;
  const barW = 90;
  const cw = Math.min(90, (width - left - PAD - barW) / nx);
  const ch = Math.min(46, 380 / ny);
  const top = head.height + 8;
  const parts: string[] = [];
  h.cells.forEach((row, i) => {
    const y = top + i * ch;
    parts.push(
      text(left - 8, y + ch / 2, fmt(h.yLevels[ny - 1 - i]), {
        'text-anchor': 'end',
        'dominant-baseline': 'central',
        fill: L.muted,
      }),
    );
    row.forEach((cell, j) => {
      const x = left + j * cw;
      const v = cell?.value;
      const ok = v !== undefined && Number.isFinite(v);
      const t = ok && hi > lo ? (v - lo) / (hi - lo) : 0.5;
      parts.push(
        `<rect${attrs({ x, y, width: cw, height: ch, fill: ok ? viridis(t) : L.background, stroke: L.grid })}/>`,
      );
      if (cell)
        parts.push(
          text(x + cw / 2, y + ch / 2, fmt(v ?? null), {
            'text-anchor': 'middle',
            'dominant-baseline': 'central',
            fill: ok && t <= 0.6 ? '#ffffff' : '#000000',
            'font-size': L.fontSize - 1,
          }),
        );
    });
  });
  const bottom = top + ny * ch;
  h.xLevels.forEach((x, j) =>
    parts.push(text(left + j * cw + cw / 2, bottom + 18, fmt(x), { 'text-anchor': 'middle', fill: L.muted })),
  );
  parts.push(text(left + (nx * cw) / 2, bottom + 42, h.xLabel, { 'text-anchor': 'middle', 'font-weight': 600 }));
  const yMid = top + (ny * ch) / 2;
  parts.push(
    text(PAD + 12, yMid, h.yLabel, {
      'text-anchor': 'middle',
      'font-weight': 600,
      transform: `rotate(-90 ${PAD + 12} ${yMid})`,
    }),
  );
  // the colour bar: low value at the bottom, high at the top
  const bx = left + nx * cw + 28;
  const stops = Array.from({ length: 9 }, (_, k) => `<stop${attrs({ offset: k / 8, 'stop-color': viridis(k / 8) })}/>`);
  parts.push(
    `<defs><linearGradient${attrs({ id: 'phase-ramp', x1: 0, y1: 1, x2: 0, y2: 0 })}>${stops.join('')}</linearGradient></defs>`,
    `<rect${attrs({ x: bx, y: top, width: 14, height: ny * ch, fill: 'url(#phase-ramp)', stroke: L.grid })}/>`,
    text(bx + 20, top + 4, fmt(hi), { 'dominant-baseline': 'hanging', fill: L.muted }),
    text(bx + 20, bottom, fmt(lo), { fill: L.muted }),
  );
  const height = Math.ceil(bottom + 56);
  return `${svgOpen(width, height, h.title)}${head.markup}${parts.join('')}</svg>\n`;
}
