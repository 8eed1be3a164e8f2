import { describe, expect, it } from 'vitest';
import { linearTicks, logTicks, makeScale, niceDomain, preserveEnd, roundStep } from './ticks';

describe('ticks', () => {
  it('puts linear ticks on round numbers inside the axis, never at the data minimum', () => {
    expect(roundStep(0.17)).toBe(0.2);
    expect(roundStep(0.3)).toBe(0.25);
    expect(roundStep(37.5, true)).toBe(50);
    expect(roundStep(0.133)).toBe(0.1);
    expect(roundStep(0.3, true)).toBe(1);
    expect(roundStep(2.2, true)).toBe(2);
    expect(roundStep(3, true)).toBe(5); // no 2.5 on a whole-number axis
    expect(linearTicks(0, 150, 5, true)).toEqual([0, 50, 100, 150]);
    expect(linearTicks(0, 600, 5, true)).toEqual([0, 200, 400, 600]);
    expect(linearTicks(0, 590, 5, true)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(linearTicks(0.352, 1.03)).toEqual([0.4, 0.6, 0.8, 1]);
    expect(linearTicks(0.437, 0.97)).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(linearTicks(0, 1, 5, true)).toEqual([0, 1]);
    expect(linearTicks(-1, 1)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(linearTicks(2, 2)).toEqual([2]);
    expect(linearTicks(NaN, 2)).toEqual([]);
    // a tiny span far from zero: round at its own scale
    expect(linearTicks(1.00001, 1.00004)).toEqual([1.00001, 1.000015, 1.00002, 1.000025, 1.00003, 1.000035, 1.00004]);
    expect(linearTicks(3e-9, 9e-9)).toEqual([3e-9, 4e-9, 5e-9, 6e-9, 7e-9, 8e-9, 9e-9]);
  });

  it('on many ranges: 2 to 10 ticks, inside the range, evenly spaced by 1, 2, 2.5 or 5 times a power of ten', () => {
    for (let i = 0; i < 2000; i++) {
      const a = (Math.sin(i * 12.9898) * 43758.5453) % 1;
      const b = (Math.sin(i * 78.233) * 12345.6789) % 1;
      const scale = Math.pow(10, Math.round(b * 12) - 6);
      const lo = a * scale * 7;
      const hi = lo + Math.abs(b) * scale * 3 + scale * 1e-3;
      const t = linearTicks(lo, hi);
      expect(t.length, `${lo}..${hi}`).toBeGreaterThanOrEqual(2);
      expect(t.length, `${lo}..${hi}`).toBeLessThanOrEqual(10);
      expect(t[0]).toBeGreaterThanOrEqual(lo);
      expect(t[t.length - 1]).toBeLessThanOrEqual(hi);
      const step = t[1] - t[0];
      const mant = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
      expect(
        [1, 2, 2.5, 5].some((m) => Math.abs(mant - m) < 1e-6),
        `step ${step}`,
      ).toBe(true);
      for (const v of t)
        expect(Math.abs(v / step - Math.round(v / step)), `${v} on a multiple of ${step}`).toBeLessThan(1e-6);
    }
  });

  it('widens a domain to nice steps, so it stays while values move inside it', () => {
    expect(niceDomain(0.352, 1.03)).toEqual([0.2, 1.2]);
    expect(niceDomain(0.41, 0.47)).toEqual([0.405, 0.48]); // steps of 0.015, as recharts chose
    expect(niceDomain(0.412, 0.468)).toEqual(niceDomain(0.413, 0.466));
    expect(niceDomain(3, 3)).toEqual([2.7, 3.3]);
    expect(niceDomain(-7, 12)).toEqual([-10, 15]);
    expect(niceDomain(NaN, 1)).toEqual([0, 1]);
  });

  it('puts log ticks on powers of ten, with 2..9 times them over few decades', () => {
    expect(logTicks(0.01, 1)).toEqual([
      0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
    ]);
    expect(logTicks(1e-8, 1e2)).toEqual([1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2]);
    expect(logTicks(0, 1)).toEqual([]);
  });

  it('maps and inverts linear and log scales, with NaN for values a log axis cannot show', () => {
    const lin = makeScale([0, 100], 50, 450, false);
    expect(lin.map(25)).toBe(150);
    expect(lin.invert(150)).toBe(25);
    const log = makeScale([0.01, 10], 166, 6, true); // y axes grow upwards
    expect(log.map(0.01)).toBe(166);
    expect(log.map(10)).toBe(6);
    expect(log.map(0.1)).toBeCloseTo(166 - 160 / 3, 10);
    expect(log.invert(6)).toBeCloseTo(10, 10);
    expect(log.map(0)).toBeNaN();
    expect(makeScale([3, 3], 0, 10, false).map(3)).toBe(5);
  });

  it('drops overlapping labels from the low end and keeps the last one', () => {
    // x axis: positions grow with the index
    const xs = [0, 10, 20, 100];
    expect(
      preserveEnd(
        4,
        (i) => xs[i],
        () => 8,
      ),
    ).toEqual([true, false, true, true]);
    // y axis: positions shrink as values grow
    const ys = [160, 150, 100, 6];
    expect(
      preserveEnd(
        4,
        (i) => ys[i],
        () => 12,
      ),
    ).toEqual([false, true, true, true]);
  });
});
