import { describe, expect, it } from 'vitest';
import { mlpLayout } from '../../engine/model/layout';
import { boundaryGrid, extentOf, gridColors, gridPoints } from './boundary';

describe('decision boundary grid', () => {
  it('spans the points with a margin and puts row 0 at the top', () => {
    const e = extentOf([0, 0, 10, 5], 2, 0.1);
    expect(e).toEqual({ x0: -1, x1: 11, y0: -0.5, y1: 5.5 });
    const p = gridPoints({ x0: 0, x1: 2, y0: 0, y1: 2 }, 2);
    expect(Array.from(p)).toEqual([0.5, 1.5, 1.5, 1.5, 0.5, 0.5, 1.5, 0.5]);
  });

  it('a linear logistic model z = x - 0.3: class 1 exactly right of x = 0.3, sigmoid values', () => {
    const layout = mlpLayout([2, 1]);
    const params = [1, 0, -0.3]; // W [1, 2], b [1]
    const ext = { x0: -1, x1: 1, y0: -1, y1: 1 };
    const g = boundaryGrid(params, layout, 'relu', ext, 20, false);
    expect(g.mode).toBe('binary');
    const pts = gridPoints(ext, 20);
    for (let i = 0; i < 400; i++) {
      const x = pts[2 * i];
      expect(g.cls[i]).toBe(x > 0.3 ? 1 : 0);
      expect(g.value[i]).toBeCloseTo(1 / (1 + Math.exp(-(x - 0.3))), 12);
    }
    const px = gridColors(g);
    expect(px).toHaveLength(400 * 4);
    // Left edge bluish (b > r), right edge orange (r > b).
    expect(px[2]).toBeGreaterThan(px[0]);
    expect(px[19 * 4]).toBeGreaterThan(px[19 * 4 + 2]);
  });

  it('three classes with a hidden layer: argmax class and its softmax probability', () => {
    const layout = mlpLayout([2, 2, 3]);
    // hidden = relu(identity x); logits = [h0, h1, 0.5]
    const params = [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0.5];
    const g = boundaryGrid(params, layout, 'relu', { x0: -2, x1: 2, y0: -2, y1: 2 }, 8, false);
    expect(g.mode).toBe('multi');
    const pts = gridPoints(g.extent, 8);
    for (let i = 0; i < 64; i++) {
      const z = [Math.max(0, pts[2 * i]), Math.max(0, pts[2 * i + 1]), 0.5];
      const m = Math.max(...z);
      expect(g.cls[i]).toBe(z.indexOf(m));
      const s = z.reduce((a, v) => a + Math.exp(v - m), 0);
      expect(g.value[i]).toBeCloseTo(1 / s, 12);
    }
  });

  it('rejects a model whose input is not 2-D', () => {
    expect(() => boundaryGrid([0, 0, 0, 0], mlpLayout([3, 1]), 'relu', extentOf([], 0), 4, false)).toThrow(
      /input must be 2-D, got 3/,
    );
  });
});
