/**
 * The data-model metrics and the lazy-vs-feature-learning controls on both trainers (the float64
 * CPU trainer is the oracle): relative_weight_change, temperature, S-randomized accuracies, group
 * losses, model.outputScale and stopAtZeroLoss.
 */
import { describe, expect, it } from 'vitest';
import type { DataConfig, Experiment } from '../schema/types';
import { defaultDataConfig } from './data/defaults';
import { testGpu } from './webgpu/testing';
import { GpuTrainer } from './webgpu/trainer';
import { CpuTrainer } from './cpu/trainer';
import type { MetricRow, Trainer } from './trainer';
import { mlp, run, testExperiment } from '../test_fixtures';

function base(data: DataConfig, over: Partial<Experiment> = {}): Experiment {
  return testExperiment({
    seed: 5,
    data,
    model: mlp({ hidden: [12], activation: 'tanh' }),
    runs: [run('sgd', { name: 'sgd', lr: 0.1 }), run('adam', { name: 'adam', lr: 0.01 })],
    metrics: { every: 5, evalSubset: 0 },
    ...over,
  });
}

async function gpuTrainer(exp: Experiment): Promise<GpuTrainer> {
  const { gpu, pipelines } = await testGpu();
  return GpuTrainer.create(exp, { gpu, pipelines, stepsPerSubmit: 8 });
}

async function train(exp: Experiment, backend: 'webgpu' | 'cpu', steps = exp.steps) {
  const t: Trainer = backend === 'cpu' ? CpuTrainer.create(exp) : await gpuTrainer(exp);
  // Two calls, so that logging across advance() boundaries is covered.
  const first = Math.min(7, steps);
  const rows = [...(await t.advance(first)), ...(await t.advance(steps - first))];
  const params = await Promise.all(exp.runs.map((_, r) => t.getParams(r)));
  const stopped = t.stoppedAt?.() ?? exp.runs.map(() => null);
  t.dispose();
  return { rows, params, stopped };
}

const value = (rows: MetricRow[], run: number, step: number, metric: string) =>
  rows.find((r) => r.run === run && r.step === step && r.metric === metric)?.value;
const key = (x: MetricRow) => `${x.run}/${x.step}/${x.metric}`;

const DATA: Record<string, DataConfig> = {
  'feature-noise': { ...defaultDataConfig('feature-noise'), nTrain: 96, nTest: 80 },
  lms: { ...defaultDataConfig('lms'), nTrain: 96, nTest: 80, dim: 6 },
  'opposing-signals': { ...defaultDataConfig('opposing-signals'), nTrain: 96, nTest: 80, outlierFraction: 0.2 },
};

const NEW_METRICS = [
  'relative_weight_change',
  'temperature',
  's_randomized_acc_linear',
  's_randomized_acc_slab',
  's_randomized_acc_complex',
  'group_loss_pos',
  'group_loss_neg',
];

describe('new metrics: the WebGPU trainer agrees with the CPU trainer', () => {
  for (const [name, data] of Object.entries(DATA)) {
    it(`${name}: same metric names at the same steps both ways; every new metric within tolerance`, async () => {
      const exp = base(data);
      const g = (await train(exp, 'webgpu')).rows;
      const c = (await train(exp, 'cpu')).rows;
      const gk = new Set(g.map(key));
      const ck = new Set(c.map(key));
      for (const k of ck) expect(gk.has(k), `cpu row ${k} missing on webgpu`).toBe(true);
      for (const k of gk) expect(ck.has(k), `webgpu row ${k} missing on cpu`).toBe(true);
      const seen = new Set<string>();
      let worst = 0;
      for (const row of c) {
        if (!NEW_METRICS.includes(row.metric)) continue;
        seen.add(row.metric);
        const v = value(g, row.run, row.step, row.metric)!;
        if (row.metric.startsWith('s_randomized')) {
          // An accuracy: at most one test point on the other side of the boundary in float32.
          expect(Math.abs(v - row.value), key(row)).toBeLessThanOrEqual(1 / data.nTest + 1e-9);
        } else {
          const rel = Math.abs(v - row.value) / Math.max(Math.abs(row.value), 1e-6);
          worst = Math.max(worst, rel);
          expect(rel, `${key(row)}: gpu ${v} cpu ${row.value}`).toBeLessThan(
            row.metric === 'temperature' ? 1e-12 : 1e-4,
          );
        }
      }
      console.log(`${name}: new metrics ${[...seen].join(', ')}; worst relative difference ${worst.toExponential(2)}`);
      const want = {
        'feature-noise': ['relative_weight_change', 'temperature'],
        lms: [
          'relative_weight_change',
          'temperature',
          's_randomized_acc_linear',
          's_randomized_acc_slab',
          's_randomized_acc_complex',
        ],
        'opposing-signals': ['relative_weight_change', 'temperature', 'group_loss_pos', 'group_loss_neg'],
      }[name]!;
      expect([...seen].sort()).toEqual([...want].sort());
      // temperature = lr / B.
      expect(value(c, 0, 5, 'temperature')).toBe(0.1 / 16);
    });
  }
});

const GAUSS: DataConfig = { ...defaultDataConfig('gauss'), nTrain: 64, nTest: 32, separation: 3, noise: 0.2 };

function lazyExp(alpha: number | undefined, loss: Experiment['loss'], over: Partial<Experiment> = {}): Experiment {
  const model: Experiment['model'] = { kind: 'mlp', hidden: [16], activation: 'relu', initScale: 1, bias: true };
  if (alpha !== undefined) model.outputScale = alpha;
  return base(GAUSS, {
    model,
    loss,
    batchSize: 'full',
    runs: [run('sgd', { name: 'sgd', lr: 0.05 }), run('adam', { name: 'adam', lr: 0.01 })],
    ...over,
  });
}

describe('model.outputScale (centred output alpha (F - F0), loss / alpha^2)', () => {
  for (const loss of ['hinge', 'cross-entropy'] as const) {
    it(`${loss}, alpha = 1: train_loss = l(0) at step 0 on both backends, and the GPU follows the CPU for 20 steps`, async () => {
      const exp = lazyExp(1, loss);
      const c = (await train(exp, 'cpu')).rows;
      const g = (await train(exp, 'webgpu')).rows;
      const l0 = loss === 'hinge' ? 1 : Math.LN2;
      let worst = 0;
      for (let r = 0; r < 2; r++) {
        // The CPU subtracts F(w0, x) computed by the same float64 forward: exactly 0.
        // (Up to the rounding of the float64 mean of n equal values.)
        expect(Math.abs(value(c, r, 0, 'train_loss')! - l0)).toBeLessThanOrEqual(1e-15);
        expect(Math.abs(value(c, r, 0, 'test_loss')! - l0)).toBeLessThanOrEqual(1e-15);
        // The GPU subtracts the float64 F(w0, x) rounded to f32 from its own f32 forward.
        expect(Math.abs(value(g, r, 0, 'train_loss')! - l0)).toBeLessThan(1e-6);
        for (const s of [5, 10, 15, 20]) {
          const a = value(g, r, s, 'train_loss')!;
          const b = value(c, r, s, 'train_loss')!;
          worst = Math.max(worst, Math.abs(a - b) / Math.max(b, 1e-3));
          // sgd follows to float32 round-off; Adam turns f32 noise in near-zero gradients into lr-sized steps.
          const tol = r === 0 ? 1e-5 : 1e-3;
          expect(Math.abs(a - b) / Math.max(b, 1e-3), `run ${r} step ${s}: gpu ${a} cpu ${b}`).toBeLessThan(tol);
        }
        expect(value(c, r, 20, 'train_loss')!).toBeLessThan(l0);
      }
      console.log(
        `outputScale 1, ${loss}: worst train_loss relative difference over 20 steps ${worst.toExponential(2)}`,
      );
    });
  }

  it('sharpness and loss slices are those of the centred training loss (alpha = 4): GPU = CPU, and unlike alpha absent', async () => {
    const exp = lazyExp(4, 'cross-entropy', {
      steps: 10,
      varySeedPerRun: true,
      model: { kind: 'mlp', hidden: [16], activation: 'tanh', initScale: 1, bias: true, outputScale: 4 },
      metrics: { every: 5, evalSubset: 0, sharpness: { every: 5, iters: 20, subset: 32 } },
    });
    const sharp = (rows: MetricRow[]) => rows.filter((r) => r.metric === 'sharpness').map((r) => r.value);
    const slices: number[][][] = [];
    const sharps: number[][] = [];
    for (const backend of ['cpu', 'webgpu'] as const) {
      const t: Trainer = backend === 'cpu' ? CpuTrainer.create(exp) : await gpuTrainer(exp);
      sharps.push(sharp(await t.advance(exp.steps)));
      slices.push(
        await Promise.all(
          [0, 1].map(async (r) =>
            (await t.lossSlice!(r, { direction: 'update', points: 5, radius: 0.2 })).map((p) => p.loss),
          ),
        ),
      );
      t.dispose();
    }
    const [cs, gs] = sharps;
    expect(gs).toHaveLength(cs.length);
    gs.forEach((v, k) =>
      expect(Math.abs(v - cs[k]) / cs[k], `sharpness ${k}: gpu ${v} cpu ${cs[k]}`).toBeLessThan(1e-2),
    );
    slices[1].forEach((line, r) =>
      // Run 1 is Adam: its f32 trajectory drifts from the float64 one (see above), hence the wider bound.
      line.forEach((v, k) =>
        expect(Math.abs(v - slices[0][r][k]) / slices[0][r][k]).toBeLessThan(r === 0 ? 1e-3 : 2e-2),
      ),
    );
    // The centring changes the curvature: the same runs without outputScale measure another sharpness.
    const plain = { ...exp, model: { ...exp.model, outputScale: undefined } };
    const p = CpuTrainer.create(plain);
    const ps = sharp(await p.advance(exp.steps));
    p.dispose();
    expect(Math.abs(ps[0] - cs[0]) / cs[0]).toBeGreaterThan(1e-2);
  });

  it('larger alpha, lazier training: relative_weight_change falls as 1/alpha (CPU), and the GPU agrees', async () => {
    const alphas = [0.3, 1, 3, 30];
    const rwc: number[] = [];
    for (const alpha of alphas) {
      const exp = lazyExp(alpha, 'hinge', {
        runs: [run('sgd', { name: 'sgd', lr: 0.1 })],
        steps: 40,
        metrics: { every: 40, evalSubset: 0 },
      });
      const c = (await train(exp, 'cpu')).rows;
      rwc.push(value(c, 0, 40, 'relative_weight_change')!);
      if (alpha === 0.3 || alpha === 30) {
        const g = (await train(exp, 'webgpu')).rows;
        const v = value(g, 0, 40, 'relative_weight_change')!;
        expect(Math.abs(v - rwc.at(-1)!) / rwc.at(-1)!).toBeLessThan(1e-3);
      }
    }
    console.log(
      `relative_weight_change after 40 steps for alpha ${alphas.join(', ')}: ${rwc.map((v) => v.toPrecision(3)).join(', ')}`,
    );
    for (let i = 1; i < rwc.length; i++) expect(rwc[i]).toBeLessThan(rwc[i - 1] / 2);
    expect(rwc[3]).toBeLessThan(rwc[0] / 50);
  });
});

describe('S-randomized accuracy of an MLP trained briefly on LMS-5 (simplicity bias)', () => {
  it('randomizing the linear coordinate drops test accuracy to about 0.5; randomizing the rest leaves it', async () => {
    const exp = base({ ...defaultDataConfig('lms'), nTrain: 512, nTest: 400, dim: 10, slabs: 5 } as DataConfig, {
      model: { kind: 'mlp', hidden: [64], activation: 'relu', initScale: 1, bias: true },
      steps: 100,
      batchSize: 32,
      runs: [run('sgd', { name: 'sgd', lr: 0.1 })],
      metrics: { every: 50, evalSubset: 0 },
    });
    for (const backend of ['cpu', 'webgpu'] as const) {
      const rows = (await train(exp, backend)).rows;
      const at = (m: string) => value(rows, 0, 100, m)!;
      console.log(
        `${backend}: test_acc ${at('test_acc')}, linear randomized ${at('s_randomized_acc_linear')}, slab ${at('s_randomized_acc_slab')}, complex ${at('s_randomized_acc_complex')}`,
      );
      expect(at('test_acc')).toBeGreaterThan(0.95);
      // 400 test points: the standard deviation of a coin-flip accuracy is 0.025.
      expect(Math.abs(at('s_randomized_acc_linear') - 0.5)).toBeLessThan(0.08);
      expect(Math.abs(at('s_randomized_acc_complex') - at('test_acc'))).toBeLessThan(0.03);
      expect(Math.abs(at('s_randomized_acc_slab') - at('test_acc'))).toBeLessThan(0.03);
    }
  });
});

describe('stopAtZeroLoss (hinge)', () => {
  it('a separable problem: the fast run stops at its first zero train_loss on both backends; the slow run trains on and matches', async () => {
    const exp = lazyExp(undefined, 'hinge', {
      steps: 60,
      stopAtZeroLoss: true,
      metrics: { every: 2, evalSubset: 0 },
      runs: [run('fast', { name: 'sgd', lr: 0.003, momentum: 0.9 }), run('slow', { name: 'sgd', lr: 1e-4 })],
    });
    const c = await train(exp, 'cpu');
    const g = await train(exp, 'webgpu');
    for (const [name, res] of [
      ['cpu', c],
      ['webgpu', g],
    ] as const) {
      const t = res.stopped[0];
      expect(t, name).not.toBeNull();
      expect(res.stopped[1], name).toBeNull();
      const zero = res.rows.filter((r) => r.metric === 'zero_loss_step' || r.metric === 'fit_time');
      expect(zero, name).toEqual([
        { run: 0, step: t, metric: 'zero_loss_step', value: t },
        { run: 0, step: t, metric: 'fit_time', value: 0.003 * t! },
      ]);
      expect(value(res.rows, 0, t!, 'train_loss'), name).toBe(0);
      expect(
        res.rows.filter((r) => r.run === 0 && r.step > t!),
        name,
      ).toEqual([]);
      expect(value(res.rows, 1, 60, 'train_loss'), name).toBeGreaterThan(0);
      console.log(`${name}: run 0 stopped at step ${t}`);
    }
    // float32 and float64 may reach exactly 0 at different logged steps, but not far apart.
    expect(Math.abs(g.stopped[0]! - c.stopped[0]!)).toBeLessThanOrEqual(4);
    // The run that never hits zero: the backends agree.
    for (const s of [20, 40, 60]) {
      const a = value(g.rows, 1, s, 'train_loss')!;
      const b = value(c.rows, 1, s, 'train_loss')!;
      expect(Math.abs(a - b) / b).toBeLessThan(1e-4);
    }
    // Frozen at the reported step: the same trainer without the stop, advanced to that step, has the
    // same parameters (momentum would have moved them on). CPU in float64, GPU bit for bit.
    for (const [backend, res] of [
      ['cpu', c],
      ['webgpu', g],
    ] as const) {
      const t = res.stopped[0]!;
      const free = await train({ ...exp, stopAtZeroLoss: false }, backend, t);
      const later = await train({ ...exp, stopAtZeroLoss: false }, backend, 60);
      expect(Array.from(res.params[0]), backend).toEqual(Array.from(free.params[0]));
      expect(Array.from(later.params[0]), backend).not.toEqual(Array.from(free.params[0]));
    }
  });
});
