/**
 * The binary squared loss (mse with ONE output on 2-class data, the patch CNN's squared-margin
 * loss): values, accuracy rule, float64 finite-difference checks of dl/dz and of a whole patch
 * CNN's parameter gradient, the checker rejecting a wrong target, and checkLossTask accepting mse
 * with one output only on 2-class data.
 */
import { describe, expect, it } from 'vitest';
import { buildPatchCnnSpec, cnnLayout } from '../model/cnn_spec';
import { describeGradCheck, gradCheck } from './gradcheck';
import { checkLossTask, exampleCorrect, exampleLoss, isBinaryMse } from './losses';
import { lossAndGrad, meanLoss } from './mlp';
import { randomArray, uniformRng } from './testing';

describe('binary mse: 0.5 (z - s)^2 with s = 2c - 1', () => {
  it('values, gradient and accuracy at known points (z = 0 predicts class 0, as logistic does)', () => {
    const y = [0, 1];
    const dz = new Float64Array(1);
    // class 1 (s = +1), z = 3: 0.5 * 4 = 2, dl/dz = 2
    expect(exampleLoss('mse', [3], 0, 1, y, 1, 2, dz)).toBe(2);
    expect(dz[0]).toBe(2);
    // class 0 (s = -1), z = 0.5: 0.5 * 1.5^2 = 1.125, dl/dz = 1.5; equals 0.5 (s z - 1)^2
    expect(exampleLoss('mse', [0.5], 0, 1, y, 0, 2, dz)).toBeCloseTo(1.125, 15);
    expect(dz[0]).toBeCloseTo(1.5, 15);
    expect(exampleLoss('mse', [0.5], 0, 1, y, 0, 2)).toBeCloseTo(0.5 * (-1 * 0.5 - 1) ** 2, 15);
    // at the margin y z = 1 the loss and its gradient vanish
    expect(exampleLoss('mse', [-1], 0, 1, y, 0, 2, dz)).toBe(0);
    expect(dz[0]).toBe(0);
    for (const [z, row, want] of [
      [0.2, 1, true],
      [-0.2, 1, false],
      [-0.2, 0, true],
      [0.2, 0, false],
      [0, 1, false],
      [0, 0, true],
    ] as const) {
      expect(exampleCorrect('mse', [z], 0, 1, y, row, 2), `z ${z}, class ${row}`).toBe(want);
      expect(exampleCorrect('mse', [z], 0, 1, y, row, 2)).toBe(exampleCorrect('logistic', [z], 0, 1, y, row, 2));
    }
  });

  it('dl/dz matches float64 central differences, both classes, scaled', () => {
    const rnd = uniformRng(11);
    for (let k = 0; k < 40; k++) {
      const y = [rnd() < 0.5 ? 0 : 1];
      const z = randomArray(1, rnd, -4, 4);
      const dz = new Float64Array(1);
      exampleLoss('mse', z, 0, 1, y, 0, 2, dz, 0, 0.37);
      const r = gradCheck((zz) => 0.37 * exampleLoss('mse', zz, 0, 1, y, 0, 2), dz, z);
      expect(r.ok, describeGradCheck(r)).toBe(true);
    }
  });

  it('the checker rejects a gradient with the 0/1 target in place of the signed one', () => {
    const z = Float64Array.from([0.3]);
    const y = [0];
    const wrong = Float64Array.from([z[0] - y[0]]); // s = c instead of 2c - 1
    const r = gradCheck((zz) => exampleLoss('mse', zz, 0, 1, y, 0, 2), wrong, z);
    expect(r.ok).toBe(false);
  });

  const patchSpec = (filters: number, P: number, d: number) =>
    buildPatchCnnSpec({ kind: 'patch-cnn', filters, activation: 'relu2', initScale: 1 }, P * d, d, 1);

  it('a patch CNN (relu2) through binary mse: parameter gradient vs finite differences', () => {
    const rnd = uniformRng(5);
    const layout = cnnLayout(patchSpec(3, 5, 4));
    const n = 9;
    const x = randomArray(n * 20, rnd, -1, 1);
    const y = Float64Array.from({ length: n }, () => (rnd() < 0.5 ? 0 : 1));
    const params = randomArray(layout.paramCount, rnd, -0.6, 0.6);
    const idx = [0, 1, 2, 3, 4, 5, 6, 7, 8, 3];
    const model = { activation: 'relu2' as const };
    const res = lossAndGrad(params, layout, model, 'mse', x, y, idx, 2);
    expect(res.loss).toBeCloseTo(meanLoss(params, layout, model, 'mse', x, y, idx, 2), 14);
    const r = gradCheck((th) => meanLoss(th, layout, model, 'mse', x, y, idx, 2), res.grad, params);
    expect(r.ok, describeGradCheck(r)).toBe(true);
  });

  it('centred (model.outputScale): l(alpha (F - F0)) / alpha^2 vs finite differences', () => {
    const rnd = uniformRng(8);
    const layout = cnnLayout(patchSpec(2, 3, 3));
    const n = 7;
    const x = randomArray(n * 9, rnd, -1, 1);
    const y = Float64Array.from({ length: n }, () => (rnd() < 0.5 ? 0 : 1));
    const params = randomArray(layout.paramCount, rnd, -0.6, 0.6);
    const f0 = randomArray(n, rnd, -0.5, 0.5);
    const rows = [0, 1, 2, 3, 4, 5, 6];
    const model = { activation: 'relu2' as const };
    const centre = { alpha: 3, f0 };
    const f = (th: Float64Array) => lossAndGrad(th, layout, model, 'mse', x, y, rows, 2, centre).loss;
    const res = lossAndGrad(params, layout, model, 'mse', x, y, rows, 2, centre);
    const r = gradCheck(f, res.grad, params);
    expect(r.ok, describeGradCheck(r)).toBe(true);
  });
});

describe('checkLossTask: mse with one output only on 2-class data', () => {
  it('accepts mse with 1 output on 2 classes, and the one-hot mse with nClasses outputs', () => {
    expect(() => checkLossTask('mse', 1, 2)).not.toThrow();
    expect(() => checkLossTask('mse', 2, 2)).not.toThrow();
    expect(isBinaryMse('mse', 1, 2)).toBe(true);
    expect(isBinaryMse('mse', 2, 2)).toBe(false);
    expect(isBinaryMse('logistic', 1, 2)).toBe(false);
  });

  it('refuses mse with 1 output elsewhere and other single-output softmax losses', () => {
    expect(() => checkLossTask('mse', 1, 3)).toThrow(/on 3-class data needs 3 output units, the network has 1/);
    expect(() => checkLossTask('mse', 3, 2)).toThrow(/needs 2 output units \(or 1, the binary squared loss\)/);
    expect(() => checkLossTask('cross-entropy', 1, 2)).toThrow(/needs 2 output units, the network has 1/);
  });

  it('one-hot mse on 2 classes is unchanged (two outputs, argmax accuracy)', () => {
    const y = [1];
    const dz = new Float64Array(2);
    expect(exampleLoss('mse', [0.5, 0.25], 0, 2, y, 0, 2, dz)).toBeCloseTo(0.5 * (0.25 + 0.5625), 15);
    expect(Array.from(dz)).toEqual([0.5, -0.75]);
    expect(exampleCorrect('mse', [0.5, 0.25], 0, 2, y, 0, 2)).toBe(false);
  });
});
