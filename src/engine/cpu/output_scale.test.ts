/**
 * Output centring and scaling (model.outputScale) on the CPU: the centred loss's gradient passes a
 * float64 finite-difference check for every loss, the centred output is exactly 0 at the initial
 * parameters, and alpha = 1 with zero offsets is the plain loss.
 */
import { describe, expect, it } from 'vitest';
import type { LossName } from '../../schema/types';
import { mlpLayout } from '../model/layout';
import { describeGradCheck, gradCheck } from './gradcheck';
import { evalSet, lossAndGrad, meanLoss } from './mlp';
import { checkOutputScale, initOutputs } from './output_scale';
import { randomArray, randomTargets, uniformRng } from './testing';

const LOSSES: LossName[] = ['cross-entropy', 'logistic', 'hinge', 'mse'];

function setup(loss: LossName, seed: number) {
  const rnd = uniformRng(seed);
  const outDim = loss === 'logistic' || loss === 'hinge' ? 1 : 3;
  const layout = mlpLayout([4, 5, outDim]);
  const n = 13;
  const x = randomArray(n * 4, rnd);
  const { y, nClasses } = randomTargets(n, loss, outDim, rnd);
  const w0 = randomArray(layout.paramCount, rnd, -0.8, 0.8);
  const w = w0.map((v) => v + 0.3 * (rnd() - 0.5));
  return { layout, n, x, y, nClasses, w0, w };
}

describe('centred, scaled loss (model.outputScale)', () => {
  for (const loss of LOSSES) {
    for (const alpha of [0.1, 1, 7]) {
      it(`${loss}, alpha ${alpha}: the gradient passes a float64 finite-difference check`, () => {
        const { layout, n, x, y, nClasses, w0, w } = setup(loss, 11 + alpha * 3);
        const model = { activation: 'tanh' as const };
        const centre = { alpha, f0: initOutputs(w0, layout, 'tanh', x, n) };
        const idx = [0, 3, 5, 5, 8, 12, 1];
        const g = lossAndGrad(w, layout, model, loss, x, y, idx, nClasses, centre);
        const f = (t: Float64Array) => meanLoss(t, layout, model, loss, x, y, idx, nClasses, centre);
        expect(g.loss).toBeCloseTo(f(Float64Array.from(w)), 14);
        // Hinge has kinks: keep the step well below the distance of every margin from 1.
        const r = gradCheck(f, g.grad, w, loss === 'hinge' ? { h: 1e-7 } : {});
        expect(r.ok, describeGradCheck(r)).toBe(true);
      });
    }
  }

  it('scales the loss by 1/alpha^2 and the logit gradient by 1/alpha (finite differences in alpha-space)', () => {
    const { layout, n, x, y, nClasses, w0, w } = setup('mse', 5);
    const model = { activation: 'tanh' as const };
    const f0 = initOutputs(w0, layout, 'tanh', x, n);
    const idx = Array.from({ length: n }, (_, i) => i);
    const l1 = meanLoss(w, layout, model, 'mse', x, y, idx, nClasses, { alpha: 1, f0 });
    // mse with one-hot t: (1/a^2) 0.5 |a d - t|^2 -> 0.5 |d|^2 as a -> infinity (d = F - F0).
    const big = meanLoss(w, layout, model, 'mse', x, y, idx, nClasses, { alpha: 1e8, f0 });
    const logits = initOutputs(w, layout, 'tanh', x, n);
    let half = 0;
    for (let i = 0; i < logits.length; i++) half += 0.5 * (logits[i] - f0[i]) ** 2;
    expect(big).toBeCloseTo(half / n, 6);
    expect(l1).not.toBeCloseTo(big, 3);
  });

  it('at the initial parameters the centred output is exactly 0: loss = l(0), for every alpha', () => {
    for (const loss of LOSSES) {
      const { layout, n, x, y, nClasses, w0 } = setup(loss, 3);
      const f0 = initOutputs(w0, layout, 'tanh', x, n);
      for (const alpha of [1, 0.01, 100]) {
        const e = evalSet(w0, layout, { activation: 'tanh' }, loss, { x, y, n, centre: { alpha, f0 } }, nClasses);
        const l0 =
          loss === 'cross-entropy'
            ? Math.log(3)
            : loss === 'logistic'
              ? Math.LN2
              : loss === 'hinge'
                ? 1
                : // mse with one-hot targets: 0.5 * 1 per point
                  0.5;
        expect(e.loss * alpha * alpha).toBeCloseTo(l0, 12);
      }
    }
  });

  it('alpha = 1 with zero offsets is exactly the plain loss; alpha = 2 with zero offsets is not', () => {
    const { layout, n, x, y, nClasses, w } = setup('cross-entropy', 9);
    const model = { activation: 'tanh' as const };
    const idx = [1, 2, 7];
    const outDim = layout.widths[layout.widths.length - 1];
    const zero = new Float64Array(n * outDim);
    const a = lossAndGrad(w, layout, model, 'cross-entropy', x, y, idx, nClasses);
    const b = lossAndGrad(w, layout, model, 'cross-entropy', x, y, idx, nClasses, { alpha: 1, f0: zero });
    expect(b.loss).toBe(a.loss);
    expect(Array.from(b.grad)).toEqual(Array.from(a.grad));
    const c = lossAndGrad(w, layout, model, 'cross-entropy', x, y, idx, nClasses, { alpha: 2, f0: zero });
    expect(c.loss).not.toBe(a.loss);
  });

  it('refuses per-example clipping optimizers and a non-positive alpha, naming the field', () => {
    const exp = { model: { kind: 'mlp', hidden: [], activation: 'relu', initScale: 1, bias: true, outputScale: 2 } };
    const e = exp as unknown as Parameters<typeof checkOutputScale>[0];
    expect(() => checkOutputScale(e, [{ name: 'sgd' }, { name: 'dp-sgd', perExampleClip: () => 1 }])).toThrow(
      /runs\[1\]\.optimizer\.name: "dp-sgd" clips per-example gradients/,
    );
    expect(() => checkOutputScale(e, [{ name: 'sgd' }])).not.toThrow();
    const bad = { model: { ...exp.model, outputScale: 0 } } as unknown as Parameters<typeof checkOutputScale>[0];
    expect(() => checkOutputScale(bad, [])).toThrow(/model\.outputScale: expected a positive number, got 0/);
  });
});
