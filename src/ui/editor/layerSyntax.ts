/**
 * A compact text form of a CNN's layer list for the model editor, e.g.
 *   conv 8 k3 p1, maxpool 2, conv 16 k3x5 s2, flatten, dense 32
 * Layers are separated by commas. Sizes are one number (a square) or HxW:
 * - conv C kK [sS] [pP]   conv2d with C channels, kernel K, stride S (default 1), padding P (default 0)
 * - maxpool K [sS], avgpool K [sS]   window K, stride S (default K)
 * - flatten
 * - dense U               U units
 * Parsing checks the syntax and whole numbers only; limits and shapes are the validator's job.
 */
import type { CnnLayer } from '../../experiment/types';

export type LayerParse = { ok: true; layers: CnnLayer[] } | { ok: false; index: number; message: string };

type Pair = [number, number];

function pair(text: string, min: number): Pair | string {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text);
  if (!m) return `expected a whole number or HxW such as 3x5, got "${text}"`;
  const h = Number(m[1]);
  const w = m[2] === undefined ? h : Number(m[2]);
  if (h < min || w < min) return `expected sizes of at least ${min}, got "${text}"`;
  return [h, w];
}

function showPair([h, w]: Pair): string {
  return h === w ? String(h) : `${h}x${w}`;
}

/** Options such as k3, s2, p1x0 after the first word(s); each letter at most once. */
function options(words: string[], allowed: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const w of words) {
    const key = w[0];
    if (!allowed.includes(key) || w.length < 2)
      return `unexpected "${w}"; expected ${allowed
        .split('')
        .map((k) => `${k}N`)
        .join(', ')}`;
    if (out[key] !== undefined) return `"${key}" is given twice`;
    out[key] = w.slice(1);
  }
  return out;
}

function parseOne(text: string): CnnLayer | string {
  const words = text.trim().toLowerCase().split(/\s+/);
  const [type, ...rest] = words;
  switch (type) {
    case 'conv':
    case 'conv2d': {
      const channels = Number(rest[0]);
      if (!Number.isInteger(channels) || channels < 1)
        return `expected "conv C kK" with C channels (a whole number), e.g. "conv 8 k3 p1"`;
      const o = options(rest.slice(1), 'ksp');
      if (typeof o === 'string') return o;
      if (o.k === undefined) return `a conv layer needs a kernel size, e.g. "conv ${channels} k3"`;
      const kernel = pair(o.k, 1);
      const stride = o.s === undefined ? ([1, 1] as Pair) : pair(o.s, 1);
      const padding = o.p === undefined ? ([0, 0] as Pair) : pair(o.p, 0);
      for (const v of [kernel, stride, padding]) if (typeof v === 'string') return v;
      return { type: 'conv2d', channels, kernel: kernel as Pair, stride: stride as Pair, padding: padding as Pair };
    }
    case 'maxpool':
    case 'avgpool': {
      if (rest.length === 0) return `a ${type} layer needs a window size, e.g. "${type} 2"`;
      const size = pair(rest[0], 1);
      if (typeof size === 'string') return size;
      const o = options(rest.slice(1), 's');
      if (typeof o === 'string') return o;
      const stride = o.s === undefined ? size : pair(o.s, 1);
      if (typeof stride === 'string') return stride;
      return { type, size, stride };
    }
    case 'flatten':
      if (rest.length > 0) return `"flatten" takes no options, got "${rest.join(' ')}"`;
      return { type: 'flatten' };
    case 'dense': {
      const units = Number(rest[0]);
      if (rest.length !== 1 || !Number.isInteger(units) || units < 1)
        return `expected "dense U" with U units (a whole number), e.g. "dense 32"`;
      return { type: 'dense', units };
    }
    default:
      return `unknown layer "${type}"; expected conv, maxpool, avgpool, flatten or dense`;
  }
}

/** The layers of a text; on the first problem, its 0-based layer index and what is wrong. */
export function parseLayers(text: string): LayerParse {
  if (text.trim() === '') return { ok: true, layers: [] };
  const parts = text.split(',');
  const layers: CnnLayer[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].trim() === '') return { ok: false, index: i, message: 'empty layer (two commas in a row?)' };
    const l = parseOne(parts[i]);
    if (typeof l === 'string') return { ok: false, index: i, message: l };
    layers.push(l);
  }
  return { ok: true, layers };
}

/** The canonical text of a layer list (defaults left out); parseLayers(formatLayers(l)) equals l. */
export function formatLayers(layers: readonly CnnLayer[]): string {
  return layers
    .map((l) => {
      switch (l.type) {
        case 'conv2d': {
          let s = `conv ${l.channels} k${showPair(l.kernel)}`;
          if (l.stride[0] !== 1 || l.stride[1] !== 1) s += ` s${showPair(l.stride)}`;
          if (l.padding[0] !== 0 || l.padding[1] !== 0) s += ` p${showPair(l.padding)}`;
          return s;
        }
        case 'maxpool':
        case 'avgpool': {
          const same = l.stride[0] === l.size[0] && l.stride[1] === l.size[1];
          return `${l.type} ${showPair(l.size)}${same ? '' : ` s${showPair(l.stride)}`}`;
        }
        case 'flatten':
          return 'flatten';
        case 'dense':
          return `dense ${l.units}`;
      }
    })
    .join(', ');
}

/** "layer 2 (conv 8 k9): ..." for a validation error at model.layers[1]..., else the path and message. */
export function describeLayerError(path: string, message: string, layers: readonly CnnLayer[]): string {
  const m = /^model\.layers\[(\d+)\](?:\.(.*))?$/.exec(path);
  if (!m) return `${path}: ${message}`;
  const i = Number(m[1]);
  const layer = layers[i] ? ` (${formatLayers([layers[i]])})` : '';
  return `layer ${i + 1}${layer}${m[2] ? `, ${m[2]}` : ''}: ${message}`;
}
