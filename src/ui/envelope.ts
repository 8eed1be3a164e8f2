/**
 * An append-only min/max summary of one logged series, kept up to date as points arrive, so a
 * chart draws a bounded number of points however long the series grows.
 *
 * The series is cut into buckets of `size` consecutive points; per bucket the envelope keeps the
 * index of the smallest and largest finite value and of the smallest positive value (for log
 * axes). When the bucket count reaches `maxBuckets`, neighbouring buckets merge and `size`
 * doubles, so there are always between maxBuckets/2 and maxBuckets buckets (once the series is
 * that long) and each point costs O(1) amortised. Drawing a bucket's minimum and maximum keeps
 * every oscillation and spike visible: with at least two buckets per pixel column the drawn
 * envelope is the same as drawing every point.
 */

/** Buckets per series: 512 to 1024 buckets, 2 points each, i.e. about 2x the width of a wide chart. */
export const ENVELOPE_BUCKETS = 1024;

export class Envelope {
  /** Points per bucket (a power of two). */
  size = 1;
  /** Points summarised. */
  count = 0;
  /** Buckets in use. */
  buckets = 0;
  readonly mins: Int32Array;
  readonly maxs: Int32Array;
  /** Smallest positive value's index (-1: none in the bucket). */
  readonly pos: Int32Array;

  constructor(readonly maxBuckets = ENVELOPE_BUCKETS) {
    if (maxBuckets < 2 || maxBuckets % 2 !== 0) throw new Error(`maxBuckets must be even and >= 2, got ${maxBuckets}`);
    this.mins = new Int32Array(maxBuckets);
    this.maxs = new Int32Array(maxBuckets);
    this.pos = new Int32Array(maxBuckets);
  }

  /** values[count] was just appended. */
  push(values: ArrayLike<number>): void {
    const i = this.count++;
    let b = Math.floor(i / this.size);
    if (b >= this.buckets) {
      if (b >= this.maxBuckets) {
        this.halve(values);
        b = Math.floor(i / this.size);
      }
      this.mins[b] = this.maxs[b] = this.pos[b] = -1;
      this.buckets = b + 1;
    }
    this.take(b, i, values);
  }

  /** The last value was replaced in place: summarise its bucket again. */
  replaceLast(values: ArrayLike<number>): void {
    if (this.count === 0) return;
    const b = this.buckets - 1;
    this.mins[b] = this.maxs[b] = this.pos[b] = -1;
    for (let i = b * this.size; i < this.count; i++) this.take(b, i, values);
  }

  /**
   * Indices to draw, ascending, into `out` (grown when needed); returns [out, length]. Per bucket
   * its minimum and maximum (on a log axis: the smallest positive value and the maximum when it
   * is positive), then the last point. At most 2 * buckets + 1 indices.
   */
  picks(values: ArrayLike<number>, log: boolean, out: Int32Array): [Int32Array, number] {
    if (out.length < 2 * this.buckets + 1) out = new Int32Array(2 * this.maxBuckets + 1);
    let n = 0;
    const lows = log ? this.pos : this.mins;
    for (let b = 0; b < this.buckets; b++) {
      const lo = lows[b];
      if (lo < 0) continue;
      const hi = this.maxs[b];
      const a = lo < hi ? lo : hi;
      const c = lo < hi ? hi : lo;
      out[n++] = a;
      if (c !== a) out[n++] = c;
    }
    const last = this.count - 1;
    if (last >= 0 && (n === 0 || out[n - 1] < last)) {
      const v = values[last];
      if (Number.isFinite(v) && (!log || v > 0)) out[n++] = last;
    }
    return [out, n];
  }

  /** Smallest and largest finite value (on a log axis: positive value), or null when there is none. */
  extent(values: ArrayLike<number>, log: boolean): [number, number] | null {
    let lo = Infinity;
    let hi = -Infinity;
    const lows = log ? this.pos : this.mins;
    for (let b = 0; b < this.buckets; b++) {
      const i = lows[b];
      if (i < 0) continue;
      const v = values[i];
      if (v < lo) lo = v;
      const w = values[this.maxs[b]];
      if (w > hi) hi = w;
    }
    return lo <= hi ? [lo, hi] : null;
  }

  private take(b: number, i: number, values: ArrayLike<number>): void {
    const v = values[i];
    if (!Number.isFinite(v)) return;
    if (this.mins[b] < 0 || v < values[this.mins[b]]) this.mins[b] = i;
    if (this.maxs[b] < 0 || v > values[this.maxs[b]]) this.maxs[b] = i;
    if (v > 0 && (this.pos[b] < 0 || v < values[this.pos[b]])) this.pos[b] = i;
  }

  private halve(values: ArrayLike<number>): void {
    const half = this.buckets / 2;
    for (let j = 0; j < half; j++) {
      this.mins[j] = pick(this.mins[2 * j], this.mins[2 * j + 1], values, true);
      this.maxs[j] = pick(this.maxs[2 * j], this.maxs[2 * j + 1], values, false);
      this.pos[j] = pick(this.pos[2 * j], this.pos[2 * j + 1], values, true);
    }
    this.buckets = half;
    this.size *= 2;
  }
}

function pick(a: number, b: number, values: ArrayLike<number>, smaller: boolean): number {
  if (a < 0) return b;
  if (b < 0) return a;
  return (smaller ? values[b] < values[a] : values[b] > values[a]) ? b : a;
}
