import { describe, expect, it } from 'vitest';
import { RUN_COLORS, nextColor, runColor } from './palette';

/** WCAG relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

describe('run colours', () => {
  it('twelve distinct colours, each readable on the light and the dark chart background', () => {
    expect(RUN_COLORS).toHaveLength(12);
    expect(new Set(RUN_COLORS.map((c) => c.toLowerCase())).size).toBe(12);
    for (const c of RUN_COLORS) {
      expect(contrast(c, '#ffffff'), `${c} on white`).toBeGreaterThanOrEqual(2);
      expect(contrast(c, '#1e2125'), `${c} on the dark panel`).toBeGreaterThanOrEqual(2);
    }
    // no two colours nearly the same (RGB distance)
    const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    for (let i = 0; i < RUN_COLORS.length; i++)
      for (let j = i + 1; j < RUN_COLORS.length; j++) {
        const [a, b] = [rgb(RUN_COLORS[i]), rgb(RUN_COLORS[j])];
        expect(
          Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]),
          `${RUN_COLORS[i]} vs ${RUN_COLORS[j]}`,
        ).toBeGreaterThan(50);
      }
  });

  it('hands out unused colours first, so 12 runs never repeat one', () => {
    const used: string[] = [];
    for (let i = 0; i < 12; i++) used.push(nextColor(used));
    expect(new Set(used).size).toBe(12);
    expect(runColor(undefined, 13)).toBe(RUN_COLORS[1]);
  });
});
