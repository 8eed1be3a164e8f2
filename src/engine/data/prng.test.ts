import { describe, expect, it } from 'vitest';
import prngWgsl from '../../../shaders/prng.wgsl?raw';
import * as prng from './prng';
import {
  hash32,
  Rng,
  rngNormal,
  rngRademacher,
  rngU32,
  rngUniform,
  STREAM_BATCH,
  STREAM_DATA,
  STREAM_PROBE,
} from './prng';

function meanVar(xs: ArrayLike<number>): [number, number] {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return [m, v / (xs.length - 1)];
}

describe('counter PRNG', () => {
  it('pins its values (URLs must reproduce across versions)', () => {
    expect(hash32(0)).toBe(0);
    expect([hash32(1), hash32(0xffffffff), hash32(123456789)]).toEqual(PINNED.hash);
    expect([rngU32(0, 0, 0), rngU32(7, STREAM_BATCH, 3), rngU32(0xffffffff, STREAM_PROBE, 0xffffffff)]).toEqual(
      PINNED.u32,
    );
  });

  it('wraps inputs modulo 2^32 like the GPU', () => {
    expect(rngU32(7 + 2 ** 32, 2, 5)).toBe(rngU32(7, 2, 5));
    expect(rngU32(7, 2, 5 + 2 ** 32)).toBe(rngU32(7, 2, 5));
    expect(rngU32(-1, 2, 5)).toBe(rngU32(0xffffffff, 2, 5));
  });

  it('is a bijection of the counter for a fixed seed and stream', () => {
    const seen = new Set<number>();
    for (let c = 0; c < 100_000; c++) seen.add(rngU32(11, STREAM_DATA, c));
    expect(seen.size).toBe(100_000);
  });

  it('gives unrelated sequences for neighbouring seeds and streams', () => {
    const n = 20_000;
    const bitsA = new Float64Array(n);
    const bitsB = new Float64Array(n);
    const bitsC = new Float64Array(n);
    for (let c = 0; c < n; c++) {
      bitsA[c] = rngUniform(1, 1, c);
      bitsB[c] = rngUniform(2, 1, c);
      bitsC[c] = rngUniform(1, 2, c);
    }
    const corr = (a: Float64Array, b: Float64Array) => {
      const [ma, va] = meanVar(a);
      const [mb, vb] = meanVar(b);
      let s = 0;
      for (let i = 0; i < a.length; i++) s += (a[i] - ma) * (b[i] - mb);
      return s / (a.length - 1) / Math.sqrt(va * vb);
    };
    // |corr| of independent samples is ~N(0, 1/n): 5 sigma = 0.035.
    expect(Math.abs(corr(bitsA, bitsB))).toBeLessThan(0.035);
    expect(Math.abs(corr(bitsA, bitsC))).toBeLessThan(0.035);
    // Lag-1 autocorrelation within a stream.
    expect(Math.abs(corr(bitsA.subarray(1), bitsA.subarray(0, n - 1) as Float64Array))).toBeLessThan(0.035);
  });

  it('has uniform bits (each bit set about half the time)', () => {
    const n = 40_000;
    const ones = new Array(32).fill(0);
    for (let c = 0; c < n; c++) {
      const x = rngU32(5, 1, c);
      for (let b = 0; b < 32; b++) ones[b] += (x >>> b) & 1;
    }
    // Binomial(n, 1/2): sd = 100; allow 5 sd.
    for (const k of ones) expect(Math.abs(k - n / 2)).toBeLessThan(500);
  });

  it('draws uniforms in [0, 1) on the 2^-24 grid, with the right moments', () => {
    const n = 100_000;
    const u = new Float64Array(n);
    let bad = 0;
    for (let c = 0; c < n; c++) {
      u[c] = rngUniform(3, STREAM_DATA, c);
      if (!(u[c] >= 0 && u[c] < 1) || !Number.isInteger(u[c] * 2 ** 24)) bad++;
    }
    expect(bad).toBe(0);
    const [m, v] = meanVar(u);
    expect(Math.abs(m - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(v - 1 / 12)).toBeLessThan(0.002);
  });

  it('draws standard normals (moments and tail frequency)', () => {
    const n = 100_000;
    const z = new Float64Array(n);
    let tail = 0;
    for (let c = 0; c < n; c++) {
      z[c] = rngNormal(9, STREAM_DATA, c);
      if (Math.abs(z[c]) > 1.96) tail++;
    }
    expect(z.every(Number.isFinite)).toBe(true);
    const [m, v] = meanVar(z);
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    // P(|z| > 1.96) = 0.05; binomial sd = sqrt(n * 0.05 * 0.95) ~ 69.
    expect(Math.abs(tail - 0.05 * n)).toBeLessThan(5 * 69);
  });

  it('draws Rademacher signs, balanced', () => {
    let s = 0;
    let bad = 0;
    for (let c = 0; c < 100_000; c++) {
      const r = rngRademacher(4, STREAM_PROBE, c);
      if (r !== 1 && r !== -1) bad++;
      s += r;
    }
    expect(bad).toBe(0);
    expect(Math.abs(s)).toBeLessThan(5 * Math.sqrt(100_000));
  });

  it('declares the same stream ids in TS and WGSL', () => {
    const names = [
      'STREAM_INIT',
      'STREAM_BATCH',
      'STREAM_DATA',
      'STREAM_DP_NOISE',
      'STREAM_PROBE',
      'STREAM_MASK',
    ] as const;
    const ids = new Set<number>();
    for (const name of names) {
      const m = new RegExp(`const ${name}: u32 = (\\d+)u;`).exec(prngWgsl);
      expect(m, name).not.toBeNull();
      expect(Number(m![1]), name).toBe(prng[name]);
      ids.add(prng[name]);
    }
    expect(ids.size).toBe(names.length);
  });
});

describe('Rng (sequential float64)', () => {
  it('is deterministic per (seed, stream, sub) and differs otherwise', () => {
    const seq = (r: Rng) => Array.from({ length: 8 }, () => r.uniform());
    expect(seq(new Rng(1, STREAM_DATA))).toEqual(seq(new Rng(1, STREAM_DATA)));
    expect(seq(new Rng(1, STREAM_DATA))).not.toEqual(seq(new Rng(2, STREAM_DATA)));
    expect(seq(new Rng(1, STREAM_DATA, 0))).not.toEqual(seq(new Rng(1, STREAM_DATA, 1)));
    expect(seq(new Rng(1, STREAM_DATA))).not.toEqual(seq(new Rng(1, STREAM_BATCH)));
  });

  it('draws uniforms with 53 bits, normals with unit variance, ints in range', () => {
    const r = new Rng(42, STREAM_DATA);
    const n = 50_000;
    const u = new Float64Array(n);
    const z = new Float64Array(n);
    let fine = 0;
    for (let i = 0; i < n; i++) {
      u[i] = r.uniform();
      z[i] = r.normal();
      if (!Number.isInteger(u[i] * 2 ** 24)) fine++;
    }
    expect(fine).toBeGreaterThan(n * 0.99);
    const [mu, vu] = meanVar(u);
    expect(Math.abs(mu - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(vu - 1 / 12)).toBeLessThan(0.003);
    const [mz, vz] = meanVar(z);
    expect(Math.abs(mz)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(vz - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.int(7)]++;
    // Binomial(70000, 1/7): sd ~ 92.6.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(5 * 93);
    expect(() => r.int(0)).toThrow(/n must be >= 1/);
  });

  it('shuffles into a permutation', () => {
    const a = Uint32Array.from({ length: 1000 }, (_, i) => i);
    new Rng(3, STREAM_DATA).shuffle(a);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    let moved = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== i) moved++;
    expect(moved).toBeGreaterThan(950);
    const b = [1, 2, 3, 4, 5];
    expect(new Rng(1, 1).shuffle(b)).toBe(b);
  });
});

// Cross-checked against an independent Python implementation of the same formulas.
const PINNED = { hash: [1753845952, 1734902346, 2834422664], u32: [1639718543, 3833430457, 1770872671] };
