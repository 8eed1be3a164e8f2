/**
 * The decision-boundary heatmap of one run on 2-D data: the model evaluated (float64, CPU
 * forward) on a res x res grid over the training points' bounding box, turned into colours.
 *
 * Value per cell: for one output (logistic, hinge, 1-D regression) sigmoid(z) for classification
 * and z itself for regression; for C >= 2 outputs, softmax, the argmax class and its probability.
 * Colours are colour-blind safe: two classes on a blue-white-orange diverging ramp (Okabe-Ito
 * blue #0072B2 and vermillion #D55E00), more classes as Okabe-Ito class colours faded towards
 * white as the probability falls.
 */
import type { Activation } from '../../experiment/types';
import { forward } from '../../engine/cpu/mlp';
import type { ParamLayout } from '../../engine/model/layout';
import { OKABE_ITO } from '../palette';

export interface Extent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface BoundaryGrid {
  res: number;
  extent: Extent;
  /** Row-major [res, res], row 0 at the top (largest y). */
  cls: Uint8Array;
  /** Binary: probability of class 1; C classes: probability of the argmax class; regression: z. */
  value: Float64Array;
  /** 'binary', 'multi' or 'regression'. */
  mode: 'binary' | 'multi' | 'regression';
}

/** The bounding box of 2-D points [n, 2], widened by `margin` of its size on each side. */
export function extentOf(x: ArrayLike<number>, n: number, margin = 0.1): Extent {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = x[2 * i];
    const b = x[2 * i + 1];
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    x0 = Math.min(x0, a);
    x1 = Math.max(x1, a);
    y0 = Math.min(y0, b);
    y1 = Math.max(y1, b);
  }
  if (!(x1 >= x0)) return { x0: -1, x1: 1, y0: -1, y1: 1 };
  const dx = Math.max(x1 - x0, 1e-6) * margin;
  const dy = Math.max(y1 - y0, 1e-6) * margin;
  return { x0: x0 - dx, x1: x1 + dx, y0: y0 - dy, y1: y1 + dy };
}

/** Cell centres, row-major, row 0 at the top. */
export function gridPoints(extent: Extent, res: number): Float64Array {
  const pts = new Float64Array(res * res * 2);
  for (let r = 0; r < res; r++) {
    const y = extent.y1 - ((r + 0.5) / res) * (extent.y1 - extent.y0);
    for (let c = 0; c < res; c++) {
      const k = r * res + c;
      pts[2 * k] = extent.x0 + ((c + 0.5) / res) * (extent.x1 - extent.x0);
      pts[2 * k + 1] = y;
    }
  }
  return pts;
}

export function boundaryGrid(
  params: ArrayLike<number>,
  layout: ParamLayout,
  activation: Activation,
  extent: Extent,
  res: number,
  regression: boolean,
): BoundaryGrid {
  if (layout.widths[0] !== 2)
    throw new Error(`decision boundary: the model input must be 2-D, got ${layout.widths[0]}`);
  const n = res * res;
  const { logits } = forward(params, layout, activation, gridPoints(extent, res), n);
  const out = layout.widths[layout.widths.length - 1];
  const cls = new Uint8Array(n);
  const value = new Float64Array(n);
  const mode = regression ? 'regression' : out === 1 || out === 2 ? 'binary' : 'multi';
  for (let i = 0; i < n; i++) {
    if (out === 1) {
      const z = logits[i];
      value[i] = regression ? z : 1 / (1 + Math.exp(-z));
      cls[i] = z > 0 ? 1 : 0;
      continue;
    }
    let m = -Infinity;
    let arg = 0;
    for (let k = 0; k < out; k++) {
      const z = logits[i * out + k];
      if (z > m) {
        m = z;
        arg = k;
      }
    }
    let sum = 0;
    for (let k = 0; k < out; k++) sum += Math.exp(logits[i * out + k] - m);
    cls[i] = arg;
    value[i] = mode === 'binary' ? Math.exp(logits[i * out + 1] - m) / sum : 1 / sum;
  }
  return { res, extent, cls, value, mode };
}

function rgb(h: string): [number, number, number] {
  const v = parseInt(h.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const BLUE = rgb(OKABE_ITO[0]);
const ORANGE = rgb(OKABE_ITO[1]);
const WHITE: [number, number, number] = [255, 255, 255];

function mix(a: readonly number[], b: readonly number[], t: number): [number, number, number] {
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t)) as [number, number, number];
}

/** Colour of class k (binary: 0 blue, 1 orange). */
export function classColor(k: number, nClasses: number): string {
  if (nClasses <= 2) return k === 0 ? OKABE_ITO[0] : OKABE_ITO[1];
  return OKABE_ITO[k % OKABE_ITO.length];
}

/** RGBA pixels [res, res, 4] for a canvas ImageData. */
export function gridColors(g: BoundaryGrid): Uint8ClampedArray<ArrayBuffer> {
  const px = new Uint8ClampedArray(g.res * g.res * 4);
  let lo = Infinity;
  let hi = -Infinity;
  if (g.mode === 'regression')
    for (const v of g.value)
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
  for (let i = 0; i < g.res * g.res; i++) {
    let c: [number, number, number];
    const v = g.value[i];
    if (!Number.isFinite(v)) c = [128, 128, 128];
    else if (g.mode === 'multi') {
      const nC = Math.max(3, g.cls[i] + 1);
      const base = rgb(classColor(g.cls[i], nC));
      // Probability 1/C (no preference) is white; 1 is the full class colour.
      c = mix(WHITE, base, Math.min(1, Math.max(0, v)) * 0.75);
    } else {
      const p = g.mode === 'regression' ? (hi > lo ? (v - lo) / (hi - lo) : 0.5) : v;
      c = p < 0.5 ? mix(WHITE, BLUE, (0.5 - p) * 2 * 0.75) : mix(WHITE, ORANGE, (p - 0.5) * 2 * 0.75);
    }
    px.set([c[0], c[1], c[2], 255], i * 4);
  }
  return px;
}
