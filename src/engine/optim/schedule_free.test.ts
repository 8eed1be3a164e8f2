/**
 * Schedule-Free SGD and AdamW on the float64 CPU backend: the averaging weights c_t and the first
 * step derived by hand, a transcription of the reference's step (y in the model, z in the state,
 * x = lerp(y, z, 1 - 1/beta1) for evaluation) against cpuStep + cpuGradientPoint to 1e-12 over 60
 * steps with warm-up and weighting, and the trainer taking its gradient at y (the validator's
 * refusal of a schedule: experiment/validate.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { CpuTrainer } from '../cpu/trainer';
import { lossAndGrad } from '../cpu/mlp';
import { mlp, run, testExperiment } from '../../test_fixtures';
import { scheduleFreeC, sfAdamw, sfSgd } from './schedule_free';
import type { Hyper, OptimizerDef } from './types';

const hpOf = (def: OptimizerDef, over: Hyper): Hyper => ({
  ...Object.fromEntries(def.hyperparams.map((h) => [h.key, h.default])),
  ...over,
});

describe('sf-sgd: averaging weights', () => {
  it('c_t = 1/t without warm-up or weighting (a uniform average)', () => {
    for (const t of [1, 2, 3, 10, 1000]) expect(scheduleFreeC(t, 0, 2, 0)).toBeCloseTo(1 / t, 15);
  });

  it('with a 2-step warm-up and p = 2: weights 1/4, 1, 1 give c = 1, 0.8, 1/2.25', () => {
    expect(scheduleFreeC(1, 0, 2, 2)).toBe(1);
    expect(scheduleFreeC(2, 0, 2, 2)).toBeCloseTo(0.8, 15);
    expect(scheduleFreeC(3, 0, 2, 2)).toBeCloseTo(1 / 2.25, 15);
  });

  it('r = 1: weights t, so c_t = 2/(t+1)', () => {
    for (const t of [1, 2, 5, 50]) expect(scheduleFreeC(t, 1, 2, 0)).toBeCloseTo(2 / (t + 1), 14);
  });
});

/** A fixed quadratic's gradient A w - b (A symmetric positive definite), for the replays. */
function quadratic(n: number) {
  const A = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 + i : 0.1 / (1 + i + j))),
  );
  const b = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  return (w: Float64Array) => Float64Array.from(A, (row, i) => row.reduce((s, a, j) => s + a * w[j], 0) - b[i]);
}

/** The reference's step (sgd_schedulefree.py / adamw_schedulefree.py), in float64, on y and z. */
function referenceRun(
  adam: boolean,
  hp: Hyper,
  w0: number[],
  steps: number,
  gradAt: (w: Float64Array) => Float64Array,
) {
  const y = Float64Array.from(w0);
  const z = Float64Array.from(w0);
  const v = new Float64Array(w0.length);
  const lr0 = hp.lr as number;
  const [b1, b2] = adam ? (hp.betas as [number, number]) : [hp.momentum as number, 0];
  const W = hp.warmupSteps as number;
  const wd = hp.weightDecay as number;
  let lrMax = -1;
  let weightSum = 0;
  for (let k = 0; k < steps; k++) {
    const g = gradAt(y);
    const lr = lr0 * (k < W ? (k + 1) / W : 1);
    lrMax = Math.max(lr, lrMax);
    const weight = (k + 1) ** (hp.r as number) * lrMax ** (hp.weightLrPower as number);
    weightSum += weight;
    const ckp1 = weight / weightSum;
    const bc2 = 1 - b2 ** (k + 1);
    for (let i = 0; i < y.length; i++) {
      let gn = g[i];
      if (adam) {
        v[i] = v[i] * b2 + (1 - b2) * g[i] * g[i];
        gn = g[i] / (Math.sqrt(v[i] / bc2) + (hp.eps as number));
      }
      gn += wd * y[i];
      y[i] += ckp1 * (z[i] - y[i]);
      y[i] += lr * (b1 * (1 - ckp1) - 1) * gn;
      z[i] -= lr * gn;
    }
  }
  // eval(): x = lerp(y, z, 1 - 1/beta1)
  return y.map((yi, i) => yi + (1 - 1 / b1) * (z[i] - yi));
}

/** Ours: the gradient at cpuGradientPoint, then cpuStep, on x and d = z - x. */
function ourRun(def: OptimizerDef, hp: Hyper, w0: number[], steps: number, gradAt: (w: Float64Array) => Float64Array) {
  const params = Float64Array.from(w0);
  const state = def.cpuInit(w0.length, [], hp);
  for (let t = 1; t <= steps; t++) {
    const a = { params, state, hp, t, tensors: [] };
    const grad = gradAt(def.cpuGradientPoint!(a));
    def.cpuStep({ ...a, grad, lr: hp.lr as number, seed: 0, batchSize: 1 });
  }
  return params;
}

describe.each([
  [sfSgd, { lr: 0.05, momentum: 0.8, weightDecay: 0.01, warmupSteps: 7, r: 0.5, weightLrPower: 2 }],
  [sfAdamw, { lr: 0.02, betas: [0.85, 0.99], weightDecay: 0.01, warmupSteps: 5, r: 1, weightLrPower: 1.5 }],
] as const)('%s', (def, over) => {
  const adam = def === sfAdamw;
  const hp = hpOf(def, over as Hyper);
  const w0 = [0.3, -1.2, 0.8, 2.0, -0.1];
  const gradAt = quadratic(w0.length);

  it(`${def.name}: equals a transcription of the reference's step to 1e-12 over 60 steps`, () => {
    const want = referenceRun(adam, hp, w0, 60, gradAt);
    const got = ourRun(def, hp, w0, 60, gradAt);
    got.forEach((x, i) => expect(Math.abs(x - want[i]) / (1 + Math.abs(want[i]))).toBeLessThan(1e-12));
    // and it moved: the test would not pass with a no-op.
    expect(Math.abs(got[0] - w0[0])).toBeGreaterThan(1e-3);
  });

  it(`${def.name}: the first step is x1 = z1 = x0 - lr_1 gn(x0) (c_1 = 1)`, () => {
    const lr1 = (hp.lr as number) / (hp.warmupSteps as number);
    const g = gradAt(Float64Array.from(w0));
    const got = ourRun(def, hp, w0, 1, gradAt);
    w0.forEach((w, i) => {
      // AdamW's first normalised step: v = (1-b2) g^2, v/bc2 = g^2, so gn = g/(|g| + eps) = sign(g) (eps 1e-8).
      const gn = (adam ? g[i] / (Math.abs(g[i]) + 1e-8) : g[i]) + (hp.weightDecay as number) * w;
      expect(got[i]).toBeCloseTo(w - lr1 * gn, 13);
    });
  });
});

describe('sf-sgd in the trainer', () => {
  it('takes the gradient at y = x + (1 - beta) (z - x): 20 steps equal a replay of the reference', async () => {
    const exp = testExperiment({
      steps: 20,
      batchSize: 'full',
      model: mlp({ hidden: [6], activation: 'tanh' }),
      runs: [run('sf', { name: 'sf-sgd', lr: 0.5, momentum: 0.9, warmupSteps: 3 })],
    });
    const t = CpuTrainer.create(exp);
    const { dataset: ds, layout } = t;
    const w0 = Array.from(t.getParams64(0));
    await t.advance(20);
    const idx = Uint32Array.from({ length: ds.train.n }, (_, i) => i);
    const gradAt = (w: Float64Array) =>
      lossAndGrad(w, layout, { activation: 'tanh' }, exp.loss, ds.train.x, ds.train.y, idx, ds.nClasses).grad;
    const hp = hpOf(sfSgd, { lr: 0.5, momentum: 0.9, warmupSteps: 3 });
    const want = referenceRun(false, hp, w0, 20, gradAt);
    t.getParams64(0).forEach((x, i) => expect(Math.abs(x - want[i]) / (1 + Math.abs(want[i]))).toBeLessThan(1e-12));
  });
});
