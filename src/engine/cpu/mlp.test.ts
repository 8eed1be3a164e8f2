/** Forward pass, evaluation and error messages of the CPU MLP. */
import { describe, expect, it } from 'vitest';
import { mlpLayout } from '../model/layout';
import { checkLossTask } from './losses';
import { evalSet, forward, lossAndGrad } from './mlp';
import { randomArray, uniformRng } from './testing';

describe('forward', () => {
  it('matches a hand computation (widths [2, 2, 1], relu)', () => {
    const layout = mlpLayout([2, 2, 1]);
    // W0 = [[1, -1], [2, 0.5]], b0 = [0.5, -3]; W1 = [[1, -2]], b1 = [0.25]
    const params = [1, -1, 2, 0.5, 0.5, -3, 1, -2, 0.25];
    const x = [3, 1, -1, 2];
    const fwd = forward(params, layout, 'relu', x, 2);
    // point 0: z0 = [3 - 1 + 0.5, 6 + 0.5 - 3] = [2.5, 3.5] -> a = [2.5, 3.5] -> z1 = 2.5 - 7 + 0.25
    // point 1: z0 = [-1 - 2 + 0.5, -2 + 1 - 3] = [-2.5, -4] -> a = [0, 0] -> z1 = 0.25
    expect(Array.from(fwd.pre[0])).toEqual([2.5, 3.5, -2.5, -4]);
    expect(Array.from(fwd.acts[1])).toEqual([2.5, 3.5, 0, 0]);
    expect(Array.from(fwd.logits)).toEqual([-4.25, 0.25]);
  });

  it('gathers rows by index and works without bias', () => {
    const layout = mlpLayout([3, 2], false);
    const params = [1, 2, 3, -1, 0, 1];
    const x = [1, 0, 0, 0, 1, 0, 0, 0, 1];
    const fwd = forward(params, layout, 'tanh', x, 2, [2, 0]);
    expect(Array.from(fwd.logits)).toEqual([3, 1, 1, -1]);
  });

  it('gives specific errors for bad input', () => {
    const layout = mlpLayout([2, 3, 2]);
    expect(() => forward(new Float64Array(3), layout, 'relu', [0, 0], 1)).toThrow(
      /params: expected at least 17 values for widths \[2, 3, 2\], got 3/,
    );
    expect(() => forward(new Float64Array(17), layout, 'relu', [0, 0], 1, [1])).toThrow(
      /idx\[0\]: row 1 is outside the 1 rows of x/,
    );
    expect(() => forward(new Float64Array(17), layout, 'swish' as never, [0, 0], 1)).toThrow(
      /model.activation: expected one of .*got "swish"/,
    );
    expect(() =>
      lossAndGrad(new Float64Array(17), layout, { activation: 'relu' }, 'cross-entropy', [0, 0], [5], [0], 2),
    ).toThrow(/data.y\[0\]: expected a class index in 0..1, got 5/);
  });
});

describe('checkLossTask', () => {
  it('accepts matching output widths and rejects the rest with the reason', () => {
    expect(() => checkLossTask('cross-entropy', 3, 3)).not.toThrow();
    expect(() => checkLossTask('logistic', 1, 2)).not.toThrow();
    expect(() => checkLossTask('mse', 4, 0)).not.toThrow();
    expect(() => checkLossTask('logistic', 1, 3)).toThrow(
      /"logistic" needs binary classification data \(2 classes\), got 3 classes/,
    );
    expect(() => checkLossTask('hinge', 2, 2)).toThrow(/"hinge" needs 1 output unit, the network has 2/);
    expect(() => checkLossTask('cross-entropy', 2, 0)).toThrow(/needs classification data, got regression data/);
    expect(() => checkLossTask('mse', 2, 3)).toThrow(/on 3-class data needs 3 output units, the network has 2/);
  });
});

describe('evalSet', () => {
  it('agrees with lossAndGrad over the same points, in any chunk size', () => {
    const rnd = uniformRng(9);
    const layout = mlpLayout([3, 4, 3]);
    const n = 37;
    const x = randomArray(n * 3, rnd);
    const y = Float64Array.from({ length: n }, () => Math.floor(rnd() * 3));
    const params = randomArray(layout.paramCount, rnd);
    const model = { activation: 'gelu' as const };
    const all = Array.from({ length: 20 }, (_, i) => i);
    const ref = lossAndGrad(params, layout, model, 'cross-entropy', x, y, all, 3);
    for (const chunk of [1, 7, 512]) {
      const ev = evalSet(params, layout, model, 'cross-entropy', { x, y, n }, 3, 20, chunk);
      expect(ev.n).toBe(20);
      expect(ev.loss).toBeCloseTo(ref.loss, 13);
      expect(ev.correct).toBe(ref.correct);
      expect(ev.acc).toBe(ref.correct / 20);
    }
    const reg = evalSet(params, layout, model, 'mse', { x, y: randomArray(n * 3, rnd), n }, 0);
    expect(reg.n).toBe(n);
    expect(reg.acc).toBeUndefined();
  });

  it('accuracy: argmax with ties to the lowest index; z > 0 is class 1 for binary losses', () => {
    const layout = mlpLayout([1, 2], false);
    // logits = [x, x]: a tie, argmax = 0
    const ev = evalSet([1, 1], layout, { activation: 'linear' }, 'cross-entropy', { x: [1, 2], y: [0, 1], n: 2 }, 2);
    expect(ev.correct).toBe(1);
    const bin = mlpLayout([1, 1], false);
    const evb = evalSet([1], bin, { activation: 'linear' }, 'logistic', { x: [0.5, -0.5, 0], y: [1, 0, 1], n: 3 }, 2);
    expect(evb.correct).toBe(2); // z = 0 predicts class 0
  });
});
