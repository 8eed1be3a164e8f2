import { describe, expect, it } from 'vitest';
import { Envelope } from './envelope';

function build(values: number[], maxBuckets = 64): Envelope {
  const env = new Envelope(maxBuckets);
  const grown: number[] = [];
  for (const v of values) {
    grown.push(v);
    env.push(grown);
  }
  return env;
}

function picked(env: Envelope, values: number[], log = false): number[] {
  const [idx, n] = env.picks(values, log, new Int32Array(0));
  return Array.from(idx.subarray(0, n));
}

describe('Envelope', () => {
  it('keeps every point of a short series', () => {
    const values = [3, 1, 2];
    const env = build(values);
    expect(picked(env, values)).toEqual([0, 1, 2]);
    expect(env.extent(values, false)).toEqual([1, 3]);
  });

  it('bounds the points of a long series and keeps the ends, spikes and the exact range', () => {
    const n = 100_000;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i / 7) + (i % 2 ? 0.3 : -0.3));
    values[43_210] = 50;
    values[777] = -50;
    values[90_000] = NaN;
    const env = build(values, 64);
    expect(env.buckets).toBeGreaterThanOrEqual(32);
    expect(env.buckets).toBeLessThanOrEqual(64);
    const idx = picked(env, values);
    expect(idx.length).toBeLessThanOrEqual(2 * 64 + 1);
    expect(idx[idx.length - 1]).toBe(n - 1);
    expect(idx).toContain(43_210);
    expect(idx).toContain(777);
    expect(idx).not.toContain(90_000); // non-finite values are not drawn
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
    expect(env.extent(values, false)).toEqual([-50, 50]);
    // every bucket's extremes are the true extremes of its points
    for (let b = 0; b < env.buckets; b++) {
      const lo = b * env.size;
      const slice = values.slice(lo, Math.min(n, lo + env.size)).filter(Number.isFinite);
      expect(values[env.mins[b]]).toBe(Math.min(...slice));
      expect(values[env.maxs[b]]).toBe(Math.max(...slice));
    }
  });

  it('keeps the oscillation envelope of a period-2 series at any length', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? 1 : 3));
    const env = build(values, 64);
    const kept = picked(env, values).map((i) => values[i]);
    expect(kept.filter((v) => v === 1).length).toBeGreaterThanOrEqual(env.buckets);
    expect(kept.filter((v) => v === 3).length).toBeGreaterThanOrEqual(env.buckets);
  });

  it('on a log axis keeps the smallest positive value and skips buckets without one', () => {
    const values = [0.5, -1, 0, 2, -3, -4, 1e-3, 5];
    const env = build(values, 4); // 4 buckets of 2 points; the third has no positive value
    expect(env.size).toBe(2);
    expect(env.extent(values, true)).toEqual([1e-3, 5]);
    expect(env.extent(values, false)).toEqual([-4, 5]);
    const idx = picked(env, values, true);
    expect(idx.every((i) => values[i] > 0)).toBe(true);
    expect(idx).toEqual([0, 3, 6, 7]);
    expect(build([-1, 0], 4).extent([-1, 0], true)).toBeNull();
  });

  it('summarises the last bucket again when its value is replaced', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const env = build(values, 4);
    values[8] = -20;
    env.replaceLast(values);
    expect(env.extent(values, false)).toEqual([-20, 8]);
  });

  it('rejects an odd bucket count', () => {
    expect(() => new Envelope(3)).toThrow(/even/);
  });
});
