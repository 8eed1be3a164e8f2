/**
 * Counter-based PRNG, bit-identical to shaders/prng.wgsl (u32 arithmetic through Math.imul and
 * `>>> 0`). A draw is a pure function of (seed, stream, counter), so any kernel thread or CPU loop
 * can compute draw k without state. Uniform, normal and Rademacher values are derived from the
 * same bits on both sides: uniforms and signs are exactly equal to the GPU's f32 values; normals
 * are float64 here and f32 there (same inputs, different rounding).
 *
 * `Rng` is a sequential float64 generator for the CPU-side data generators, built on the same hash.
 */

/** Named streams: independent sequences for the users of one seed (same values in prng.wgsl). */
export const STREAM_INIT = 1;
export const STREAM_BATCH = 2;
export const STREAM_DATA = 3;
export const STREAM_DP_NOISE = 4;
export const STREAM_PROBE = 5;
export const STREAM_MASK = 6;

/** lowbias32 (Chris Wellons' hash-prospector): a bijective 32-bit integer finaliser. */
export function hash32(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Draw `counter` of `stream` under `seed`, as a u32. For fixed (seed, stream) it is a bijection of counter. */
export function rngU32(seed: number, stream: number, counter: number): number {
  const a = hash32((seed ^ 0x9e3779b9) >>> 0);
  const b = hash32((a ^ (((stream >>> 0) + 0x85ebca6b) >>> 0)) >>> 0);
  const c = hash32((b ^ counter) >>> 0);
  return hash32((c + 0xc2b2ae35) >>> 0);
}

const INV24 = 1 / 16777216;

/** Uniform in [0, 1): the top 24 bits of the draw over 2^24 (exactly the GPU's f32 value). */
export function rngUniform(seed: number, stream: number, counter: number): number {
  return (rngU32(seed, stream, counter) >>> 8) * INV24;
}

/**
 * Standard normal by Box-Muller: u1 = (top 24 bits + 1) / 2^24 in (0, 1], u2 = top 24 bits of
 * hash32(draw ^ 0x2545f491) / 2^24; z = sqrt(-2 ln u1) cos(2 pi u2). The GPU evaluates ln and cos
 * by series in f32 and agrees to about 1e-6.
 */
export function rngNormal(seed: number, stream: number, counter: number): number {
  const x = rngU32(seed, stream, counter);
  const y = hash32((x ^ 0x2545f491) >>> 0);
  const u1 = ((x >>> 8) + 1) * INV24;
  const u2 = (y >>> 8) * INV24;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** +1 or -1 from the top bit of the draw. */
export function rngRademacher(seed: number, stream: number, counter: number): number {
  return rngU32(seed, stream, counter) >>> 31 ? 1 : -1;
}

const TWO_POW_26 = 67108864;
const INV53 = 1 / 9007199254740992;

/**
 * Sequential float64 generator: draw k is rngU32(key, hi, lo) with (hi, lo) a 64-bit counter and
 * key = rngU32(seed, stream, sub). Different `sub` values give independent generators for the
 * parts of one dataset (train points, test points, teacher weights), so changing one part's size
 * leaves the others unchanged.
 */
export class Rng {
  private readonly key: number;
  private hi = 0;
  private lo = 0;
  private spare: number | undefined;

  constructor(seed: number, stream: number, sub = 0) {
    this.key = rngU32(seed >>> 0, stream >>> 0, sub >>> 0);
  }

  /** The next raw u32. */
  u32(): number {
    const v = rngU32(this.key, this.hi, this.lo);
    this.lo = (this.lo + 1) >>> 0;
    if (this.lo === 0) this.hi = (this.hi + 1) >>> 0;
    return v;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.u32() >>> 5;
    const b = this.u32() >>> 6;
    return (a * TWO_POW_26 + b) * INV53;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = 2 * Math.PI * u2;
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** Integer uniform in [0, n), n >= 1. */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`Rng.int: n must be >= 1, got ${n}`);
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Fisher-Yates shuffle in place; returns `a`. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
