import { describe, expect, it } from 'vitest';
import { linearTicks, logTicks, makeScale, niceDomain, niceStep, preserveEnd } from './ticks';

describe('ticks', () => {
  it('steps linear ticks from the low end by a nice step and ends on the high end', () => {
    expect(niceStep(42.5, true)).toBe(45);
    expect(niceStep(37.5, true)).toBe(40);
    expect(niceStep(0.1695, false)).toBe(0.2);
    expect(niceStep(3, false)).toBe(3);
    expect(linearTicks(0, 150, 5, true)).toEqual([0, 40, 80, 120, 150]);
    expect(linearTicks(0, 170, 5, true)).toEqual([0, 45, 90, 135, 170]);
    expect(linearTicks(0.352, 1.03)).toEqual([0.352, 0.552, 0.752, 0.952, 1.03]);
    expect(linearTicks(0, 1, 5, true)).toEqual([0, 1]);
    expect(linearTicks(2, 2)).toEqual([2]);
    expect(linearTicks(NaN, 2)).toEqual([]);
    for (let i = 1; i < 50; i++) {
      const t = linearTicks(-i * 0.37, i * 1.3);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(6);
      expect(t[0]).toBeCloseTo(-i * 0.37, 12);
      expect(t[t.length - 1]).toBe(i * 1.3);
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
