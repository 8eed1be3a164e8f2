/**
 * Every backward rule of the CPU MLP against float64 central differences (h = 1e-6, rtol 1e-5,
 * atol 1e-8), and proof that the checker rejects wrong gradients.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, LOSSES, type Activation, type LossName } from '../../schema/types';
import { mlpLayout } from '../model/layout';
import { ACTIVATION_FNS, type ActivationFns } from './activations';
import { exampleLoss } from './losses';
import { describeGradCheck, derivCheck, gradCheck } from './gradcheck';
import { lossAndGrad, meanLoss } from './mlp';
import { randomArray, randomTargets, uniformRng } from './testing';

/** Points away from relu/relu2's kink at 0, where a central difference straddles it. */
function zs(seed: number, n = 64): Float64Array {
  const rnd = uniformRng(seed);
  return randomArray(n, rnd, -4, 4).map((z) => (Math.abs(z) < 1e-3 ? z + 0.1 : z));
}

describe('activations', () => {
  for (const act of ACTIVATIONS) {
    it(`${act}: derivative matches finite differences`, () => {
      const { f, df } = ACTIVATION_FNS[act];
      const r = derivCheck(f, df, zs(11));
      expect(r.ok, describeGradCheck(r)).toBe(true);
    });
  }

  it('values at known points', () => {
    const A = ACTIVATION_FNS;
    expect(A.relu.f(-2)).toBe(0);
    expect(A.relu.df(0)).toBe(0);
    expect(A.relu2.f(3)).toBe(9);
    expect(A.relu2.df(3)).toBe(6);
    expect(A.relu2.f(-3)).toBe(0);
    expect(A.sigmoid.f(0)).toBe(0.5);
    expect(A.sigmoid.f(-800)).toBeGreaterThanOrEqual(0);
    expect(A.sigmoid.f(800)).toBe(1);
    expect(A.tanh.f(1)).toBeCloseTo(0.7615941559557649, 15);
    // GELU tanh approximation: 0.5 (1 + tanh(sqrt(2/pi) * 1.044715)) = 0.8411919906082768
    expect(A.gelu.f(1)).toBeCloseTo(0.8411919906082768, 14);
    expect(A.gelu.f(0)).toBe(0);
    expect(A.linear.f(-1.5)).toBe(-1.5);
  });
});

describe('losses: dl/dz against finite differences', () => {
  const cases: { loss: LossName; outDim: number; nClasses: number }[] = [
    { loss: 'cross-entropy', outDim: 4, nClasses: 4 },
    { loss: 'logistic', outDim: 1, nClasses: 2 },
    { loss: 'hinge', outDim: 1, nClasses: 2 },
    { loss: 'mse', outDim: 3, nClasses: 3 },
    { loss: 'mse', outDim: 3, nClasses: 0 },
  ];
  for (const c of cases) {
    it(`${c.loss} (${c.nClasses === 0 ? 'regression' : `${c.nClasses} classes`})`, () => {
      const rnd = uniformRng(5);
      for (let trial = 0; trial < 20; trial++) {
        const z = randomArray(c.outDim, rnd, -3, 3);
        const y = c.nClasses === 0 ? randomArray(c.outDim, rnd) : Float64Array.of(Math.floor(rnd() * c.nClasses));
        // keep hinge away from its kink at y z = 1
        if (c.loss === 'hinge' && Math.abs(1 - (2 * y[0] - 1) * z[0]) < 1e-3) z[0] += 0.1;
        const dz = new Float64Array(c.outDim);
        exampleLoss(c.loss, z, 0, c.outDim, y, 0, c.nClasses, dz);
        const r = gradCheck((zz) => exampleLoss(c.loss, zz, 0, c.outDim, y, 0, c.nClasses), dz, z);
        expect(r.ok, describeGradCheck(r)).toBe(true);
      }
    });
  }

  it('stable at extreme logits', () => {
    const ce = (z: number[], c: number) => exampleLoss('cross-entropy', z, 0, z.length, [c], 0, z.length);
    expect(ce([1000, 0], 0)).toBeCloseTo(0, 12);
    expect(ce([0, 1000], 0)).toBeCloseTo(1000, 9);
    expect(ce([-1000, -1000], 1)).toBeCloseTo(Math.LN2, 12);
    expect(exampleLoss('logistic', [-1000], 0, 1, [1], 0, 2)).toBeCloseTo(1000, 9);
    expect(exampleLoss('logistic', [1000], 0, 1, [1], 0, 2)).toBe(0);
    expect(exampleLoss('logistic', [0], 0, 1, [0], 0, 2)).toBeCloseTo(Math.LN2, 15);
    expect(exampleLoss('hinge', [0.25], 0, 1, [0], 0, 2)).toBe(1.25);
    expect(exampleLoss('hinge', [2], 0, 1, [1], 0, 2)).toBe(0);
    expect(exampleLoss('mse', [1, 0, 0.5], 0, 3, [0], 0, 3)).toBe(0.125);
  });
});

interface NetCase {
  act: Activation | ActivationFns;
  loss: LossName;
  hidden: number[];
  bias?: boolean;
  regression?: boolean;
}

function netCheck(c: NetCase, seed: number) {
  const rnd = uniformRng(seed);
  const d = 3;
  const outDim = c.loss === 'logistic' || c.loss === 'hinge' ? 1 : c.regression ? 2 : 3;
  const layout = mlpLayout([d, ...c.hidden, outDim], c.bias ?? true);
  const points = 9;
  const x = randomArray(points * d, rnd, -1.5, 1.5);
  const t = c.regression
    ? { y: randomArray(points * outDim, rnd), nClasses: 0 }
    : randomTargets(points, c.loss, outDim, rnd);
  const params = randomArray(layout.paramCount, rnd, -0.8, 0.8);
  const idx = [4, 0, 7, 2, 2, 8, 5]; // a minibatch with a repeated point
  const model = { activation: c.act };
  const res = lossAndGrad(params, layout, model, c.loss, x, t.y, idx, t.nClasses);
  const f = (th: Float64Array) => meanLoss(th, layout, model, c.loss, x, t.y, idx, t.nClasses);
  expect(res.loss).toBeCloseTo(f(params), 14);
  return { res, check: gradCheck(f, res.grad, params), f, params };
}

describe('multi-layer network gradients', () => {
  const losses: LossName[] = [...LOSSES];
  for (const act of ACTIVATIONS) {
    for (const loss of losses) {
      it(`${act} + ${loss}, widths [3, 5, 4, out]`, () => {
        const { check } = netCheck(
          { act, loss, hidden: [5, 4] },
          100 + ACTIVATIONS.indexOf(act) * 10 + losses.indexOf(loss),
        );
        expect(check.ok, describeGradCheck(check)).toBe(true);
      });
    }
  }
  it('regression mse, tanh, no bias', () => {
    const { check } = netCheck({ act: 'tanh', loss: 'mse', hidden: [4], bias: false, regression: true }, 7);
    expect(check.ok, describeGradCheck(check)).toBe(true);
  });
  it('linear model (no hidden layer), cross-entropy', () => {
    const { check } = netCheck({ act: 'relu', loss: 'cross-entropy', hidden: [] }, 8);
    expect(check.ok, describeGradCheck(check)).toBe(true);
  });
  it('three hidden layers, gelu + mse regression', () => {
    const { check } = netCheck({ act: 'gelu', loss: 'mse', hidden: [4, 3, 5], regression: true }, 9);
    expect(check.ok, describeGradCheck(check)).toBe(true);
  });
});

describe('the checker rejects wrong gradients', () => {
  it('a relu backward with the wrong sign', () => {
    const wrongRelu: ActivationFns = { f: ACTIVATION_FNS.relu.f, df: (z) => (z > 0 ? -1 : 0) };
    const rnd = uniformRng(3);
    const layout = mlpLayout([3, 6, 3]);
    const x = randomArray(8 * 3, rnd);
    const { y, nClasses } = randomTargets(8, 'cross-entropy', 3, rnd);
    const params = randomArray(layout.paramCount, rnd, -1, 1);
    const idx = [0, 1, 2, 3, 4, 5, 6, 7];
    const wrong = lossAndGrad(params, layout, { activation: wrongRelu }, 'cross-entropy', x, y, idx, nClasses);
    const f = (th: Float64Array) => meanLoss(th, layout, { activation: 'relu' }, 'cross-entropy', x, y, idx, nClasses);
    const r = gradCheck(f, wrong.grad, params);
    expect(r.ok).toBe(false);
    // Only the first layer's gradient goes through the activation's derivative.
    expect(r.worst!.index).toBeLessThan(layout.layers[1].weightOffset);
    const right = lossAndGrad(params, layout, { activation: 'relu' }, 'cross-entropy', x, y, idx, nClasses);
    expect(gradCheck(f, right.grad, params).ok).toBe(true);
  });

  it('a missing 1/B (the summed instead of the mean gradient)', () => {
    const { res, f, params } = netCheck({ act: 'tanh', loss: 'mse', hidden: [4] }, 21);
    const summed = res.grad.map((g) => g * 7);
    const r = gradCheck(f, summed, params);
    expect(r.ok).toBe(false);
    expect(r.failures).toBeGreaterThan(r.checked / 2);
  });

  it('one coordinate of the wrong sign', () => {
    const { res, f, params } = netCheck({ act: 'sigmoid', loss: 'cross-entropy', hidden: [4] }, 22);
    const g = Float64Array.from(res.grad);
    let j = 0;
    for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[j])) j = i;
    g[j] = -g[j];
    const r = gradCheck(f, g, params);
    expect(r.ok).toBe(false);
    expect(r.failures).toBe(1);
    expect(r.worst!.index).toBe(j);
  });

  it('NaN in the analytic gradient', () => {
    const { res, f, params } = netCheck({ act: 'tanh', loss: 'logistic', hidden: [3] }, 23);
    const g = Float64Array.from(res.grad);
    g[0] = NaN;
    expect(gradCheck(f, g, params).ok).toBe(false);
  });
});
