/**
 * Run colours: the first six are the colour-blind-safe Okabe-Ito palette (Okabe & Ito 2008)
 * without black and without its yellow (#F0E442, contrast 1.3:1 on white: invisible on the light
 * theme); six more from ColorBrewer's Dark2 and matplotlib's tab10 make twelve that stay distinct
 * and keep at least 2:1 contrast on both themes' chart backgrounds (tested). Sweeps use a viridis
 * ramp (perceptually uniform, readable with colour-vision deficiencies).
 */
export const RUN_COLORS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#7570B3',
  '#A6761D',
  '#E7298A',
  '#7F7F7F',
  '#66A61E',
  '#8C564B',
] as const;
/** The first six run colours (Okabe-Ito). */
export const OKABE_ITO = RUN_COLORS.slice(0, 6);

/** The first palette colour not in `used`, else cycle by count. */
export function nextColor(used: readonly (string | undefined)[]): string {
  const taken = new Set(used.filter((c): c is string => !!c).map((c) => c.toLowerCase()));
  const free = RUN_COLORS.find((c) => !taken.has(c.toLowerCase()));
  return free ?? RUN_COLORS[used.length % RUN_COLORS.length];
}

// viridis at 9 stops (matplotlib's colormap, sampled), interpolated linearly in RGB.
const VIRIDIS = ['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725'];

function hexToRgb(h: string): [number, number, number] {
  const n = parseInt(h.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** viridis(t), t in [0, 1] (clamped), as #rrggbb. Stops at 0.9 to skip the pale yellow end. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * 0.9 * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = hexToRgb(VIRIDIS[i]);
  const b = hexToRgb(VIRIDIS[i + 1]);
  const c = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** The colour a run is drawn in. */
export function runColor(color: string | undefined, index: number): string {
  return color ?? RUN_COLORS[index % RUN_COLORS.length];
}
