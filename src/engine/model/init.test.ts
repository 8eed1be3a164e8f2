/** initParams: the shared initialisation of both backends. */
import { describe, expect, it } from 'vitest';
import { rngNormal, STREAM_INIT } from '../data/prng';
import { initParams } from './init';
import { mlpLayout } from './layout';

describe('initParams', () => {
  const layout = mlpLayout([40, 300, 3]);

  it('weight at offset o is initScale/sqrt(fanIn) * rngNormal(seed, STREAM_INIT, o); biases are 0', () => {
    const p = initParams(layout, { initScale: 1.5 }, 7);
    expect(p.length).toBe(layout.paramCount);
    for (const o of [0, 1, 11999, layout.layers[1].weightOffset, layout.layers[1].weightOffset + 899]) {
      const fanIn = o < layout.layers[1].weightOffset ? 40 : 300;
      expect(p[o]).toBe(Math.fround((1.5 / Math.sqrt(fanIn)) * rngNormal(7, STREAM_INIT, o)));
    }
    for (const l of layout.layers) for (let j = 0; j < l.outDim; j++) expect(p[l.biasOffset + j]).toBe(0);
  });

  it('has the intended spread per layer', () => {
    const p = initParams(layout, { initScale: 2 }, 3);
    const l0 = layout.layers[0];
    let s2 = 0;
    let s1 = 0;
    const n = l0.inDim * l0.outDim;
    for (let o = 0; o < n; o++) {
      s1 += p[o];
      s2 += p[o] * p[o];
    }
    const std = Math.sqrt(s2 / n - (s1 / n) ** 2);
    // 12000 draws: the sample std is within a few percent of 2/sqrt(40)
    expect(std / (2 / Math.sqrt(40))).toBeGreaterThan(0.97);
    expect(std / (2 / Math.sqrt(40))).toBeLessThan(1.03);
  });

  it('is a pure function of the seed', () => {
    const a = initParams(layout, { initScale: 1 }, 11);
    expect(initParams(layout, { initScale: 1 }, 11)).toEqual(a);
    const b = initParams(layout, { initScale: 1 }, 12);
    expect(b).not.toEqual(a);
    expect(initParams(layout, { initScale: 0 }, 11).every((v) => v === 0)).toBe(true);
  });

  it('rejects a bad initScale', () => {
    expect(() => initParams(layout, { initScale: -1 }, 1)).toThrow(
      /model.initScale: expected a finite number >= 0, got -1/,
    );
    expect(() => initParams(layout, { initScale: NaN }, 1)).toThrow(/model.initScale/);
  });
});
