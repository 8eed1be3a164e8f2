/**
 * SAM / ASAM on the float64 CPU backend: the ascent point derived by hand, an independent replay of
 * davda54/sam's two-step procedure (first_step, a second gradient, second_step with SGD's step)
 * through the model's own gradient, and rho = 0 giving the base optimizer exactly.
 */
import { describe, expect, it } from 'vitest';
import { CpuTrainer } from '../cpu/trainer';
import { lossAndGrad } from '../cpu/mlp';
import { batchIndices } from '../data/batches';
import { mlp, run, testExperiment } from '../../test_fixtures';
import { samPoint } from './sam';
import type { CpuOptimizerState, Hyper } from './types';

const noState: CpuOptimizerState = { slots: [], extra: {} };
const point = (params: number[], grad: number[], hp: Hyper) =>
  Array.from(
    samPoint({
      params: Float64Array.from(params),
      grad: Float64Array.from(grad),
      hp,
      state: noState,
      t: 1,
      tensors: [],
    }),
  );

describe('sam: the ascent point', () => {
  it('SAM: theta + rho g / ||g|| (g = (3, 4), ||g|| = 5, rho = 0.5: e = (0.3, 0.4))', () => {
    const p = point([1, -2], [3, 4], { rho: 0.5, adaptive: false });
    expect(p[0]).toBeCloseTo(1.3, 12);
    expect(p[1]).toBeCloseTo(-1.6, 12);
  });

  it('ASAM: theta + rho theta^2 g / || |theta| g || (|theta| g = (3, 8), norm sqrt(73))', () => {
    const p = point([1, -2], [3, 4], { rho: 0.5, adaptive: true });
    const n = Math.sqrt(73);
    expect(p[0]).toBeCloseTo(1 + (0.5 * 1 * 3) / n, 12);
    expect(p[1]).toBeCloseTo(-2 + (0.5 * 4 * 4) / n, 12);
  });

  it('a zero gradient stays put (the 1e-12 guard)', () => {
    expect(point([1, 2], [0, 0], { rho: 0.5, adaptive: false })).toEqual([1, 2]);
  });
});

/** A minibatch experiment with one SAM run (SGD base with momentum, ASAM optional). */
function samExperiment(adaptive: boolean, rho: number) {
  return testExperiment({
    steps: 30,
    model: mlp({ hidden: [7], activation: 'tanh' }),
    runs: [run('sam', { name: 'sam', lr: 0.1, momentum: 0.9, weightDecay: 1e-3, rho, adaptive })],
  });
}

describe('sam: the trainer against a replay of sam.py', () => {
  for (const adaptive of [false, true]) {
    it(`${adaptive ? 'ASAM' : 'SAM'}: 30 steps equal the replay to 1e-12`, async () => {
      const exp = samExperiment(adaptive, 0.2);
      const t = CpuTrainer.create(exp);
      const { dataset: ds, layout } = t;
      const theta = t.getParams64(0);
      await t.advance(30);
      const model = { activation: exp.model.activation };
      const idx = new Uint32Array(16);
      const buf = new Float64Array(theta.length);
      const grad = (w: Float64Array) =>
        lossAndGrad(w, layout, model, exp.loss, ds.train.x, ds.train.y, idx, ds.nClasses).grad;
      for (let s = 1; s <= 30; s++) {
        batchIndices(exp.seed, s - 1, ds.train.n, 16, idx);
        // first_step: e_w = (theta^2 if adaptive else 1) * g * rho / (||(|theta| if adaptive else 1) * g|| + 1e-12)
        const g = grad(theta);
        let sq = 0;
        theta.forEach((w, i) => (sq += ((adaptive ? Math.abs(w) : 1) * g[i]) ** 2));
        const scale = 0.2 / (Math.sqrt(sq) + 1e-12);
        const climbed = theta.map((w, i) => w + (adaptive ? w * w : 1) * g[i] * scale);
        // second_step: back to theta, then torch.optim.SGD's step with the gradient at theta + e.
        const g2 = grad(climbed);
        for (let i = 0; i < theta.length; i++) {
          const d = g2[i] + 1e-3 * theta[i];
          buf[i] = s === 1 ? d : 0.9 * buf[i] + d;
          theta[i] -= 0.1 * buf[i];
        }
      }
      const got = t.getParams64(0);
      let worst = 0;
      got.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - theta[i]) / (1 + Math.abs(theta[i])))));
      expect(worst).toBeLessThan(1e-12);
    });
  }

  it('rho = 0 is the base optimizer exactly (sam vs sgd, sam-adam vs adam)', async () => {
    const exp = testExperiment({
      steps: 20,
      model: mlp({ hidden: [5] }),
      runs: [
        run('sam', { name: 'sam', lr: 0.1, momentum: 0.9, rho: 0 }),
        run('sgd', { name: 'sgd', lr: 0.1, momentum: 0.9 }),
        run('sam-adam', { name: 'sam-adam', lr: 0.01, rho: 0 }),
        run('adam', { name: 'adam', lr: 0.01 }),
      ],
    });
    const t = CpuTrainer.create(exp);
    await t.advance(20);
    expect(Array.from(t.getParams64(0))).toEqual(Array.from(t.getParams64(1)));
    expect(Array.from(t.getParams64(2))).toEqual(Array.from(t.getParams64(3)));
  });
});
