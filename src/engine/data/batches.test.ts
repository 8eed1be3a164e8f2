import { describe, expect, it } from 'vitest';
import { batchIndices, epochKey, permuteIndex } from './batches';
import { rngU32, STREAM_BATCH } from './prng';

function perm(n: number, key: number): number[] {
  return Array.from({ length: n }, (_, i) => permuteIndex(i, n, key));
}

describe('permuteIndex', () => {
  it('is a permutation of [0, n) for sizes on and off powers of two', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 31, 100, 1000, 1023, 1024, 1025, 65_537]) {
      for (const key of [0, 1, 0xdeadbeef]) {
        const p = perm(n, key);
        const seen = new Uint8Array(n);
        for (const v of p) if (v >= 0 && v < n && Number.isInteger(v)) seen[v]++;
        expect(
          seen.every((c) => c === 1),
          `n=${n} key=${key}`,
        ).toBe(true);
      }
    }
  });

  it('depends on the key and looks random', () => {
    const n = 1000;
    const a = perm(n, 1);
    const b = perm(n, 2);
    let same = 0;
    let fixed = 0;
    let ascents = 0;
    for (let i = 0; i < n; i++) {
      if (a[i] === b[i]) same++;
      if (a[i] === i) fixed++;
      if (i > 0 && a[i] > a[i - 1]) ascents++;
    }
    // Random permutations: about 1 coincidence / fixed point; ascents ~ (n-1)/2 with sd ~ sqrt(n/12).
    expect(same).toBeLessThan(8);
    expect(fixed).toBeLessThan(8);
    expect(Math.abs(ascents - (n - 1) / 2)).toBeLessThan(5 * Math.sqrt(n / 12));
  });

  it('sends a given position to every value about equally often over keys', () => {
    const n = 10;
    const keys = 20_000;
    const counts = new Array(n).fill(0);
    const counts7 = new Array(n).fill(0);
    for (let k = 0; k < keys; k++) {
      counts[permuteIndex(0, n, rngU32(1, STREAM_BATCH, k))]++;
      counts7[permuteIndex(7, n, rngU32(1, STREAM_BATCH, k))]++;
    }
    // Binomial(20000, 0.1): sd ~ 42.4; allow 5 sd.
    for (const c of [...counts, ...counts7]) expect(Math.abs(c - keys / n)).toBeLessThan(5 * 42.4);
  });
});

describe('batchIndices', () => {
  it('follows the documented formula (epochs, batches, remainder dropped)', () => {
    const n = 103;
    const B = 10;
    const nb = 10;
    const out = new Uint32Array(B);
    for (const t of [0, 1, 9, 10, 11, 25, 999]) {
      batchIndices(5, t, n, B, out);
      const key = rngU32(5, STREAM_BATCH, Math.floor(t / nb));
      expect(epochKey(5, Math.floor(t / nb))).toBe(key);
      for (let j = 0; j < B; j++) expect(out[j]).toBe(permuteIndex((t % nb) * B + j, n, key));
    }
  });

  it('visits distinct points within an epoch and reshuffles between epochs', () => {
    const n = 103;
    const B = 10;
    const out = new Uint32Array(B);
    const epochs: number[][] = [];
    for (let e = 0; e < 3; e++) {
      const seen = new Set<number>();
      const order: number[] = [];
      for (let k = 0; k < 10; k++) {
        batchIndices(77, e * 10 + k, n, B, out);
        for (const v of out) {
          expect(v).toBeLessThan(n);
          seen.add(v);
          order.push(v);
        }
      }
      expect(seen.size).toBe(100);
      epochs.push(order);
    }
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[1]).not.toEqual(epochs[2]);
  });

  it('differs between seeds and repeats for one seed', () => {
    const a = batchIndices(1, 4, 500, 32, new Uint32Array(32));
    const b = batchIndices(2, 4, 500, 32, new Uint32Array(32));
    expect(Array.from(batchIndices(1, 4, 500, 32, new Uint32Array(32)))).toEqual(Array.from(a));
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('uses every point once per step in order for a full batch', () => {
    const out = batchIndices(9, 123, 37, 37, new Uint32Array(37));
    expect(Array.from(out)).toEqual(Array.from({ length: 37 }, (_, i) => i));
  });

  it('handles B = 1 and B > n/2 (one batch per epoch)', () => {
    const one = new Uint32Array(1);
    const seen = new Set<number>();
    for (let t = 0; t < 13; t++) seen.add(batchIndices(3, t, 13, 1, one)[0]);
    expect(seen.size).toBe(13);
    const big = new Uint32Array(8);
    batchIndices(3, 0, 13, 8, big);
    const first = Array.from(big);
    batchIndices(3, 1, 13, 8, big);
    expect(new Set(first).size).toBe(8);
    expect(Array.from(big)).not.toEqual(first);
  });

  it('rejects bad sizes with a specific message', () => {
    expect(() => batchIndices(1, 0, 10, 11, new Uint32Array(11))).toThrow(
      /batch size must be an integer in \[1, n = 10\], got 11/,
    );
    expect(() => batchIndices(1, 0, 10, 0, new Uint32Array(1))).toThrow(/batch size/);
    expect(() => batchIndices(1, 0, 0, 1, new Uint32Array(1))).toThrow(/n must be an integer >= 1/);
    expect(() => batchIndices(1, -1, 10, 2, new Uint32Array(2))).toThrow(/step must be an integer >= 0/);
    expect(() => batchIndices(1, 0, 10, 4, new Uint32Array(2))).toThrow(/holds 2 indices, needs 4/);
  });
});
