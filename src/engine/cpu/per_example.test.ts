/** Per-example gradients, ghost norms and the DP-style clipped mean (docs/optimizers.md, dp-sgd). */
import { describe, expect, it } from 'vitest';
import type { Activation, LossName } from '../../schema/types';
import { mlpLayout } from '../model/layout';
import { describeGradCheck, gradCheck } from './gradcheck';
import { lossAndGrad, meanLoss } from './mlp';
import { CLIP_EPS, clipFactor, clippedBatchGrad, clippedMean, ghostNorms, l2, perExampleGrads } from './per_example';
import { randomArray, randomTargets, uniformRng } from './testing';

function setup(act: Activation, loss: LossName, hidden: number[], bias: boolean, seed: number, regression = false) {
  const rnd = uniformRng(seed);
  const d = 4;
  const outDim = loss === 'logistic' || loss === 'hinge' ? 1 : 3;
  const layout = mlpLayout([d, ...hidden, outDim], bias);
  const points = 13;
  const x = randomArray(points * d, rnd, -2, 2);
  const t = regression
    ? { y: randomArray(points * outDim, rnd), nClasses: 0 }
    : randomTargets(points, loss, outDim, rnd);
  const params = randomArray(layout.paramCount, rnd, -1, 1);
  const idx = [3, 12, 0, 5, 5, 9, 1, 7, 11, 2, 6];
  return { layout, x, y: t.y, nClasses: t.nClasses, params, idx, model: { activation: act } };
}

const CASES: [Activation, LossName, number[], boolean, boolean][] = [
  ['relu', 'cross-entropy', [6, 5], true, false],
  ['tanh', 'logistic', [5], true, false],
  ['gelu', 'mse', [4, 4], false, true],
  ['relu2', 'hinge', [5], false, false],
  ['sigmoid', 'mse', [], true, false],
];

describe('per-example gradient norms: materialised vs ghost norms', () => {
  CASES.forEach(([act, loss, hidden, bias, regression], k) => {
    it(`${act} + ${loss}${regression ? ' (regression)' : ''}, hidden [${hidden}], bias ${bias}`, () => {
      const s = setup(act, loss, hidden, bias, 40 + k, regression);
      const pe = perExampleGrads(s.params, s.layout, s.model, loss, s.x, s.y, s.idx, s.nClasses);
      const ghost = ghostNorms(s.params, s.layout, s.model, loss, s.x, s.y, s.idx, s.nClasses);
      expect(ghost.length).toBe(s.idx.length);
      for (let i = 0; i < s.idx.length; i++) {
        expect(Math.abs(ghost[i] - pe.norms[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, pe.norms[i]));
      }
      // a repeated point has the same gradient
      expect(pe.norms[3]).toBe(pe.norms[4]);
    });
  });
});

describe('per-example gradients', () => {
  it('each g_i matches finite differences of example i alone', () => {
    const s = setup('tanh', 'cross-entropy', [5, 3], true, 50);
    const pe = perExampleGrads(s.params, s.layout, s.model, 'cross-entropy', s.x, s.y, s.idx, s.nClasses);
    for (const i of [0, 4, 10]) {
      const f = (th: Float64Array) =>
        meanLoss(th, s.layout, s.model, 'cross-entropy', s.x, s.y, [s.idx[i]], s.nClasses);
      const r = gradCheck(f, pe.grads[i], s.params);
      expect(r.ok, describeGradCheck(r)).toBe(true);
    }
  });

  it('their mean is the minibatch gradient', () => {
    const s = setup('relu', 'mse', [6], true, 51);
    const pe = perExampleGrads(s.params, s.layout, s.model, 'mse', s.x, s.y, s.idx, s.nClasses);
    const lg = lossAndGrad(s.params, s.layout, s.model, 'mse', s.x, s.y, s.idx, s.nClasses);
    const B = s.idx.length;
    for (let j = 0; j < s.layout.paramCount; j++) {
      let m = 0;
      for (const g of pe.grads) m += g[j] / B;
      expect(Math.abs(m - lg.grad[j])).toBeLessThanOrEqual(1e-14 + 1e-12 * Math.abs(lg.grad[j]));
    }
    expect(pe.losses.reduce((a, b) => a + b, 0) / B).toBeCloseTo(lg.loss, 14);
    expect(pe.correct).toBe(lg.correct);
  });
});

describe('clipped mean', () => {
  const s = setup('tanh', 'cross-entropy', [5], true, 60);
  const pe = perExampleGrads(s.params, s.layout, s.model, 'cross-entropy', s.x, s.y, s.idx, s.nClasses);
  const B = s.idx.length;

  it('equals the definition (1/B) sum_i g_i min(1, C/(||g_i|| + 1e-6))', () => {
    const sorted = Array.from(pe.norms).sort((a, b) => a - b);
    const C = sorted[Math.floor(B / 2)]; // clips about half of the examples
    const cm = clippedMean(pe.grads, C);
    for (let j = 0; j < s.layout.paramCount; j++) {
      let want = 0;
      for (let i = 0; i < B; i++) want += (pe.grads[i][j] * Math.min(1, C / (l2(pe.grads[i]) + CLIP_EPS))) / B;
      expect(cm[j]).toBeCloseTo(want, 15);
    }
    expect(clipFactor(2 * C, C)).toBeCloseTo(C / (2 * C + 1e-6), 15);
    expect(clipFactor(0, C)).toBe(1);
  });

  it('a huge C leaves the minibatch gradient; a tiny C bounds every clipped example by C', () => {
    const lg = lossAndGrad(s.params, s.layout, s.model, 'cross-entropy', s.x, s.y, s.idx, s.nClasses);
    const big = clippedMean(pe.grads, 1e9);
    for (let j = 0; j < big.length; j++) expect(big[j]).toBeCloseTo(lg.grad[j], 14);
    const C = 1e-3;
    const small = clippedMean(pe.grads, C);
    expect(l2(small)).toBeLessThanOrEqual(C);
    for (const g of pe.grads) expect(l2(g) * clipFactor(l2(g), C)).toBeLessThanOrEqual(C);
  });

  it('clippedBatchGrad (streaming) agrees with the materialised path and with lossAndGrad', () => {
    for (const C of [1e-2, 0.3, 1e6]) {
      const cb = clippedBatchGrad(s.params, s.layout, s.model, 'cross-entropy', s.x, s.y, s.idx, s.nClasses, C);
      const want = clippedMean(pe.grads, C);
      const lg = lossAndGrad(s.params, s.layout, s.model, 'cross-entropy', s.x, s.y, s.idx, s.nClasses);
      for (let j = 0; j < want.length; j++) {
        expect(cb.clipped[j]).toBeCloseTo(want[j], 14);
        expect(cb.grad[j]).toBeCloseTo(lg.grad[j], 14);
      }
      expect(cb.loss).toBeCloseTo(lg.loss, 14);
      for (let i = 0; i < B; i++) expect(cb.norms[i]).toBeCloseTo(pe.norms[i], 13);
    }
  });

  it('rejects a non-positive clip norm', () => {
    expect(() => clippedMean(pe.grads, 0)).toThrow(/clipNorm: expected a positive number, got 0/);
    expect(() =>
      clippedBatchGrad(s.params, s.layout, s.model, 'cross-entropy', s.x, s.y, s.idx, s.nClasses, -1),
    ).toThrow(/clipNorm/);
  });
});
