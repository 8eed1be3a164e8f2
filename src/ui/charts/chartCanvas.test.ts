import { describe, expect, it } from 'vitest';
import { axisFontPx, chartFrame } from './chartCanvas';

describe('axis text size', () => {
  it('is 11 px at the normal 16 px root font and grows with large-text mode (19 px root)', () => {
    expect(axisFontPx(16)).toBe(11);
    expect(axisFontPx(19)).toBe(13);
    expect(axisFontPx(24)).toBe(17);
    expect(axisFontPx(NaN)).toBe(11);
  });
});

describe('chart frame', () => {
  const view = { lines: [], xMin: 0, xMax: 600, yMin: 0.2, yMax: 0.9 };
  it('titles both axes, the y title saying when the scale is logarithmic', () => {
    const f = chartFrame(view, 400, false, { yTitle: 'loss' })!;
    expect([f.xTitle, f.yTitle]).toEqual(['step', 'loss']);
    expect(chartFrame(view, 400, true, { yTitle: 'loss' })!.yTitle).toBe('loss (log scale)');
  });
  it('runs x over the zoomed range, with round ticks inside it', () => {
    const f = chartFrame({ ...view, xMin: 120, xMax: 380, zoom: [120, 380] }, 400, false)!;
    expect([f.plot.xMin, f.plot.xMax, f.plot.zoomed]).toEqual([120, 380, true]);
    expect(f.plot.x.map(120)).toBeCloseTo(f.plot.area.x, 9);
    expect(f.xTicks.every((t) => t >= 120 && t <= 380 && t % 50 === 0)).toBe(true);
    expect(chartFrame(view, 400, false)!.plot.zoomed).toBe(false);
  });
  it('makes room for larger axis text', () => {
    const normal = chartFrame(view, 400, false, { fontPx: 11 })!.plot.area;
    const large = chartFrame(view, 400, false, { fontPx: 17 })!.plot.area;
    expect(large.x).toBeGreaterThan(normal.x);
    expect(large.height).toBeLessThan(normal.height);
  });
});
