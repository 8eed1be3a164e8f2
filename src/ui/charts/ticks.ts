/**
 * Scales and axis ticks for the charts, computed without the DOM (pure, tested directly).
 *
 * On a linear axis the ticks are round numbers a class can read from the back of the room: the
 * multiples of a step of 1, 2, 2.5 or 5 times a power of ten that fall inside the axis (about
 * `count` of them), never the data's minimum or maximum as such. On a log axis, powers of ten
 * and, over few decades, their multiples 2..9. Labels that would overlap are dropped from the
 * low end first, keeping the last one (recharts' "preserveEnd").
 */

export interface Scale {
  /** Data value -> pixel; NaN for values a log scale cannot show. */
  map(v: number): number;
  /** Pixel -> data value. */
  invert(px: number): number;
  domain: [number, number];
  log: boolean;
}

/** A linear or log scale from `domain` onto the pixel range [r0, r1]. */
export function makeScale(domain: [number, number], r0: number, r1: number, log: boolean): Scale {
  const f = log ? Math.log10 : (v: number) => v;
  const d0 = f(domain[0]);
  const d1 = f(domain[1]);
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const mid = (r0 + r1) / 2;
  return {
    domain,
    log,
    map: (v) => {
      if (log && !(v > 0)) return NaN;
      return k === 0 ? mid : r0 + (f(v) - d0) * k;
    },
    invert: (px) => {
      if (k === 0) return domain[0];
      const t = d0 + (px - r0) / k;
      return log ? Math.pow(10, t) : t;
    },
  };
}

/** Digits before the decimal point of |v| (1 for 0; 0 or less below 1). */
function digitCount(v: number): number {
  return v === 0 ? 1 : Math.floor(Math.log10(Math.abs(v))) + 1;
}

/** Round away float noise (0.1 + 0.2) at 12 significant digits. */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/** The step between ticks for a rough step: a multiple of 0.05 (0.1 for 1..10) of a power of ten. */
export function niceStep(rough: number, integer: boolean): number {
  if (!(rough > 0)) return 0;
  const digits = digitCount(rough);
  const unit = Math.pow(10, digits);
  const scale = digits !== 1 ? 0.05 : 0.1;
  const step = clean(Math.ceil(clean(rough / unit / scale)) * scale * unit);
  return integer ? Math.ceil(step) : step;
}

/**
 * [lo, hi] widened to multiples of the nice step for about `count` ticks (what recharts did for
 * an 'auto' domain): the axis then stays put while the values move inside it.
 */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return niceDomain(lo - pad, hi + pad, count);
  }
  const step = niceStep((hi - lo) / (Math.max(count, 2) - 1), false);
  if (!(step > 0)) return [lo, hi];
  return [clean(Math.floor(clean(lo / step)) * step), clean(Math.ceil(clean(hi / step)) * step)];
}

/** A round step near `rough`: 1, 2, 2.5 or 5 times a power of ten (a whole number when `integer`). */
export function roundStep(rough: number, integer = false): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 0;
  const p = Math.pow(10, Math.floor(Math.log10(rough)));
  const m = rough / p;
  const f = m < 1.5 ? 1 : m < 2.25 ? 2 : m < 3.5 ? 2.5 : m < 7.5 ? 5 : 10;
  const step = clean(f * p);
  if (!integer) return step;
  // whole steps only, and no 2.5 x 10^k below 10 (25 is fine, 2.5 is not a whole number)
  if (step < 1) return 1;
  return Number.isInteger(step) ? step : clean(2 * step); // 2.5 -> 5
}

/**
 * Round ticks inside [lo, hi]: the multiples of a round step (about `count` ticks) that lie in
 * the range. A range too narrow for two multiples gets its two ends.
 */
export function linearTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  if (lo > hi) [lo, hi] = [hi, lo];
  const step = roundStep((hi - lo) / Math.max(count - 1, 1), integer);
  if (!(step > 0)) return [lo, hi];
  const out: number[] = [];
  const first = Math.ceil(clean(lo / step));
  for (let k = first; out.length < 1000; k++) {
    const v = clean(k * step);
    if (v > hi) break;
    out.push(v === 0 ? 0 : v); // no -0
  }
  return out.length >= 2 ? out : [lo, hi];
}

/** Ticks of a log domain (lo > 0): powers of ten, with 2..9 times them when it spans fewer than `count` decades. */
export function logTicks(lo: number, hi: number, count = 5): number[] {
  if (!(lo > 0) || !(hi > 0) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo > hi) [lo, hi] = [hi, lo];
  const i = Math.floor(Math.log10(lo));
  const j = Math.ceil(Math.log10(hi));
  const out: number[] = [];
  if (j - i < count) {
    for (let e = i; e <= j; e++) {
      for (let m = 1; m <= 9; m++) {
        const v = clean(m * Math.pow(10, e));
        if (v >= lo && v <= hi) out.push(v);
      }
    }
  } else {
    const every = Math.ceil((j - i) / count);
    for (let e = Math.ceil(i / every) * every; e <= j; e += every) {
      const v = clean(Math.pow(10, e));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out.length > 0 ? out : [lo, hi];
}

/**
 * Which ticks get a label: walking from the last tick down, a tick is kept when its label
 * (`size(i)` pixels along the axis, centred on `pos(i)`) ends at least `gap` pixels before the
 * previously kept one starts.
 */
export function preserveEnd(n: number, pos: (i: number) => number, size: (i: number) => number, gap = 5): boolean[] {
  const keep = new Array<boolean>(n).fill(false);
  const finite: number[] = [];
  for (let i = 0; i < n; i++) if (Number.isFinite(pos(i))) finite.push(i);
  if (finite.length === 0) return keep;
  // distances are measured along the direction in which positions grow with the index
  const dir = finite.length > 1 && pos(finite[finite.length - 1]) < pos(finite[0]) ? -1 : 1;
  let edge = Infinity;
  for (let k = finite.length - 1; k >= 0; k--) {
    const i = finite[k];
    const p = dir * pos(i);
    const half = size(i) / 2;
    if (edge === Infinity || p + half + gap <= edge) {
      keep[i] = true;
      edge = p - half;
    }
  }
  return keep;
}
