/** The CPU Trainer: step semantics, metric definitions, divergence, determinism, every optimizer. */
import { describe, expect, it } from 'vitest';
import type { Experiment, RunConfig } from '../../schema/types';
import { batchIndices } from '../data/batches';
import type { Dataset } from '../data/types';
import { initParams } from '../model/init';
import { experimentLayout } from '../model/shape';
import { OPTIMIZERS } from '../optim/registry';
import { scheduleFactor } from '../optim/schedules';
import type { MetricRow } from '../trainer';
import { evalSet, lossAndGrad } from './mlp';
import { l2 } from './per_example';
import { createCpuTrainer, CpuTrainer } from './trainer';
import { circleData, mlp, run, testExperiment } from '../../test_fixtures';

function sgdRun(lr: number, label = `sgd ${lr}`): RunConfig {
  return run(label, { name: 'sgd', lr });
}

function exp(over: Partial<Experiment> = {}): Experiment {
  return testExperiment({
    data: circleData({ nTest: 48, noise: 0.05 }),
    model: mlp({ activation: 'tanh' }),
    runs: [sgdRun(0.1)],
    metrics: { every: 5, evalSubset: 0 },
    ...over,
  });
}

function pick(rows: MetricRow[], metric: string, run = 0): Map<number, number> {
  return new Map(rows.filter((r) => r.metric === metric && r.run === run).map((r) => [r.step, r.value]));
}

async function runAll(e: Experiment): Promise<{ rows: MetricRow[]; trainer: CpuTrainer }> {
  const trainer = CpuTrainer.create(e);
  const rows = await trainer.advance(e.steps);
  return { rows, trainer };
}

describe('CpuTrainer basics', () => {
  it('reports the cpu backend', async () => {
    const t = await createCpuTrainer(exp());
    expect(t.backend).toBe('cpu');
    expect(t.adapterDescription).toBe('cpu (float64 reference)');
    expect(t.step).toBe(0);
    t.dispose();
  });

  it('logs at step 0, every multiple of metrics.every and the last step, ordered by step then run', async () => {
    const e = exp({ steps: 12, runs: [sgdRun(0.1), sgdRun(0.3)] });
    const t = CpuTrainer.create(e);
    const rows = await t.advance(100);
    expect(t.step).toBe(12);
    expect([...new Set(rows.map((r) => r.step))]).toEqual([0, 5, 10, 12]);
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1];
      const b = rows[i];
      expect(a.step < b.step || (a.step === b.step && a.run <= b.run)).toBe(true);
    }
    const at0 = rows.filter((r) => r.step === 0 && r.run === 0).map((r) => r.metric);
    expect(at0).toEqual(['train_loss', 'train_acc', 'test_loss', 'test_acc', 'weight_norm']);
    const at5 = rows.filter((r) => r.step === 5 && r.run === 1).map((r) => r.metric);
    for (const m of [
      'train_loss',
      'train_acc',
      'test_loss',
      'test_acc',
      'weight_norm',
      'batch_loss',
      'lr',
      'grad_norm',
      'step_distance',
      'update_norm',
    ]) {
      expect(at5).toContain(m);
    }
    expect(await t.advance(5)).toEqual([]);
  });

  it('is deterministic, and advancing in pieces gives the same rows', async () => {
    const e = exp({
      runs: [sgdRun(0.1), { label: 'adam', optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'constant' } }],
    });
    const a = (await runAll(e)).rows;
    const b = (await runAll(e)).rows;
    expect(b).toEqual(a);
    const t = CpuTrainer.create(e);
    const pieces = [...(await t.advance(7)), ...(await t.advance(6)), ...(await t.advance(7))];
    expect(pieces).toEqual(a);
  });

  it('varySeedPerRun: identical runs match when false and differ when true', async () => {
    const same = (await runAll(exp({ runs: [sgdRun(0.1), sgdRun(0.1)] }))).rows;
    expect([...pick(same, 'train_loss', 1).values()]).toEqual([...pick(same, 'train_loss', 0).values()]);
    const vary = (await runAll(exp({ runs: [sgdRun(0.1), sgdRun(0.1)], varySeedPerRun: true }))).rows;
    expect(pick(vary, 'train_loss', 1).get(0)).not.toBe(pick(vary, 'train_loss', 0).get(0));
    expect(pick(vary, 'train_loss', 0)).toEqual(pick(same, 'train_loss', 0)); // run 0 keeps seed + 0
  });

  it('rejects an unknown optimizer with its field path', async () => {
    const e = exp({ runs: [sgdRun(0.1), { label: 'x', optimizer: { name: 'nope' }, schedule: { name: 'constant' } }] });
    await expect(createCpuTrainer(e)).rejects.toThrow(/runs\[1\]\.optimizer\.name: unknown optimizer "nope"/);
  });
});

describe('metric definitions', () => {
  it('step 1 of plain SGD, checked against the pure helpers', async () => {
    const e = exp({ steps: 1, metrics: { every: 1, evalSubset: 40 } });
    const t = CpuTrainer.create(e);
    const ds = t.dataset;
    const layout = experimentLayout(e, ds);
    const theta0 = Float64Array.from(initParams(layout, e.model, e.seed));
    const rows = await t.advance(1);
    const model = { activation: e.model.activation };
    const tr0 = evalSet(theta0, layout, model, e.loss, ds.train, ds.nClasses, 40);
    expect(pick(rows, 'train_loss').get(0)).toBeCloseTo(tr0.loss, 14);
    expect(pick(rows, 'train_acc').get(0)).toBe(tr0.correct / 40);
    const te0 = evalSet(theta0, layout, model, e.loss, ds.test, ds.nClasses);
    expect(pick(rows, 'test_loss').get(0)).toBeCloseTo(te0.loss, 14);
    expect(pick(rows, 'weight_norm').get(0)).toBeCloseTo(l2(theta0), 14);

    const idx = batchIndices(e.seed, 0, ds.train.n, 16, new Uint32Array(16));
    const lg = lossAndGrad(theta0, layout, model, e.loss, ds.train.x, ds.train.y, idx, ds.nClasses);
    expect(pick(rows, 'batch_loss').get(1)).toBeCloseTo(lg.loss, 14);
    expect(pick(rows, 'grad_norm').get(1)).toBeCloseTo(l2(lg.grad), 14);
    expect(pick(rows, 'lr').get(1)).toBe(0.1);
    // SGD: theta_1 = theta_0 - lr g_1, so step_distance = lr ||g_1|| and update_norm = ||g_1||.
    expect(pick(rows, 'step_distance').get(1)).toBeCloseTo(0.1 * l2(lg.grad), 14);
    expect(pick(rows, 'update_norm').get(1)).toBeCloseTo(l2(lg.grad), 12);
    const theta1 = t.getParams64(0);
    for (let i = 0; i < theta1.length; i++) expect(theta1[i]).toBeCloseTo(theta0[i] - 0.1 * lg.grad[i], 15);
    expect(await t.getParams(0)).toEqual(theta1); // a Float64Array: every digit of the trained parameters
  });

  it('full batch uses every point in order; lr follows the schedule', async () => {
    const sched = { name: 'linear' as const, warmup: 3 };
    const e = exp({
      batchSize: 'full',
      steps: 10,
      metrics: { every: 1, evalSubset: 0 },
      runs: [{ label: 's', optimizer: { name: 'sgd', lr: 0.2 }, schedule: sched }],
    });
    const t = CpuTrainer.create(e);
    const ds = t.dataset;
    const layout = experimentLayout(e, ds);
    const theta0 = Float64Array.from(initParams(layout, e.model, e.seed));
    const rows = await t.advance(10);
    const all = Array.from({ length: ds.train.n }, (_, i) => i);
    const lg = lossAndGrad(
      theta0,
      layout,
      { activation: e.model.activation },
      e.loss,
      ds.train.x,
      ds.train.y,
      all,
      ds.nClasses,
    );
    expect(pick(rows, 'batch_loss').get(1)).toBeCloseTo(lg.loss, 14);
    const lr = pick(rows, 'lr');
    for (let s = 1; s <= 10; s++) expect(lr.get(s)).toBeCloseTo(0.2 * scheduleFactor(sched, s - 1, 10), 15);
  });

  it('regression data has no accuracy metrics; feature-noise data adds weak_feature_acc = test_acc', async () => {
    const reg = exp({
      data: {
        kind: 'teacher-student',
        nTrain: 32,
        nTest: 16,
        inputDim: 3,
        outputDim: 2,
        teacherHidden: [4],
        teacherActivation: 'tanh',
        noise: 0.1,
      },
      loss: 'mse',
    });
    const rr = (await runAll(reg)).rows;
    expect(rr.some((r) => r.metric.endsWith('_acc'))).toBe(false);
    expect(rr.every((r) => Number.isFinite(r.value))).toBe(true);

    const fn = exp({
      data: {
        kind: 'feature-noise',
        nTrain: 32,
        nTest: 32,
        patchDim: 4,
        numPatches: 3,
        weakNorm: 0.5,
        strongNorm: 2,
        strongFraction: 0.8,
        noiseStd: 0.3,
      },
      loss: 'logistic',
      model: { kind: 'mlp', hidden: [6], activation: 'relu2', initScale: 1, bias: true },
    });
    const fr = (await runAll(fn)).rows;
    const weak = pick(fr, 'weak_feature_acc');
    expect(weak.size).toBeGreaterThan(0);
    expect(weak).toEqual(pick(fr, 'test_acc'));
  });
});

describe('training', () => {
  it('the training loss falls on circle data (full-batch SGD) and on feature-noise data (Adam)', async () => {
    const circle = exp({
      steps: 300,
      batchSize: 'full',
      metrics: { every: 100, evalSubset: 0 },
      model: { kind: 'mlp', hidden: [16], activation: 'tanh', initScale: 1, bias: true },
      runs: [sgdRun(0.5)],
    });
    const c = pick((await runAll(circle)).rows, 'train_loss');
    expect(c.get(300)!).toBeLessThan(0.5 * c.get(0)!);

    const fn = exp({
      data: {
        kind: 'feature-noise',
        nTrain: 64,
        nTest: 64,
        patchDim: 4,
        numPatches: 3,
        weakNorm: 0.5,
        strongNorm: 2,
        strongFraction: 0.8,
        noiseStd: 0.3,
      },
      loss: 'logistic',
      steps: 200,
      metrics: { every: 100, evalSubset: 0 },
      runs: [{ label: 'adam', optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'constant' } }],
    });
    const f = pick((await runAll(fn)).rows, 'train_loss');
    expect(f.get(200)!).toBeLessThan(0.5 * f.get(0)!);
  });

  it('a diverging run is frozen at its first non-finite logged loss; the others go on', async () => {
    const e = exp({
      data: {
        kind: 'teacher-student',
        nTrain: 32,
        nTest: 16,
        inputDim: 3,
        outputDim: 2,
        teacherHidden: [4],
        teacherActivation: 'tanh',
        noise: 0.1,
      },
      loss: 'mse',
      model: { kind: 'mlp', hidden: [6], activation: 'linear', initScale: 2, bias: true },
      batchSize: 'full',
      steps: 200,
      metrics: { every: 1, evalSubset: 0 },
      runs: [sgdRun(50, 'huge lr'), sgdRun(0.01, 'small lr')],
    });
    const t = CpuTrainer.create(e);
    const rows = await t.advance(150);
    const d = t.divergedAt();
    expect(d[1]).toBeNull();
    expect(d[0]).not.toBeNull();
    const s = d[0]!;
    const bad = rows.filter(
      (r) => r.run === 0 && r.step === s && (r.metric === 'batch_loss' || r.metric === 'train_loss'),
    );
    expect(bad.some((r) => !Number.isFinite(r.value))).toBe(true);
    for (const r of rows.filter(
      (r) => r.run === 0 && r.step < s && (r.metric === 'batch_loss' || r.metric === 'train_loss'),
    )) {
      expect(Number.isFinite(r.value)).toBe(true);
    }
    expect(rows.some((r) => r.run === 0 && r.step > s)).toBe(false);
    const frozen = t.getParams64(0);
    const more = await t.advance(50);
    expect(more.some((r) => r.run === 0)).toBe(false);
    expect(more.filter((r) => r.run === 1 && r.metric === 'train_loss').length).toBe(50);
    expect(t.getParams64(0)).toEqual(frozen);
    expect(t.divergedAt()[0]).toBe(s);
  });

  it('dp-sgd with no noise and a huge clip norm follows plain SGD', async () => {
    const e = exp({
      runs: [
        sgdRun(0.1),
        {
          label: 'dp',
          optimizer: { name: 'dp-sgd', lr: 0.1, clipNorm: 1e9, noiseMultiplier: 0 },
          schedule: { name: 'constant' },
        },
      ],
    });
    const rows = (await runAll(e)).rows;
    const a = pick(rows, 'train_loss', 0);
    const b = pick(rows, 'train_loss', 1);
    for (const [s, v] of a) expect(b.get(s)!).toBeCloseTo(v, 12);
  });

  it('adds curvature rows when metrics.sharpness / trace are set', async () => {
    const e = exp({
      metrics: { every: 5, evalSubset: 0, sharpness: { every: 10, iters: 8 }, trace: { every: 20, samples: 2 } },
    });
    const rows = (await runAll(e)).rows;
    expect([...pick(rows, 'sharpness').keys()]).toEqual([0, 10, 20]);
    expect([...pick(rows, 'hessian_trace').keys()]).toEqual([0, 20]);
    expect(pick(rows, 'sharpness_threshold').get(10)).toBeCloseTo(2 / 0.1, 12);
    expect([...pick(rows, 'period2_distance').keys()]).toEqual([5, 10, 15, 20]);
  });
});

describe('lossSlice', () => {
  it('slices the loss along the last update and the top eigenvector', async () => {
    const e = exp({ metrics: { every: 5, evalSubset: 0, sharpness: { every: 10, iters: 8, subset: 32 } } });
    const t = CpuTrainer.create(e);
    await expect(t.lossSlice(0, { direction: 'update', points: 5, radius: 1 })).rejects.toThrow(/no logged update yet/);
    await t.advance(20);
    const ds = t.dataset;
    const layout = experimentLayout(e, ds);
    const theta = t.getParams64(0);
    const sub = Array.from({ length: 32 }, (_, i) => i);
    const here = lossAndGrad(
      theta,
      layout,
      { activation: e.model.activation },
      e.loss,
      ds.train.x,
      ds.train.y,
      sub,
      ds.nClasses,
    ).loss;
    for (const direction of ['update', 'eigen'] as const) {
      const pts = await t.lossSlice(0, { direction, points: 5, radius: 0.5 });
      expect(pts.map((p) => p.alpha)).toEqual([-0.5, -0.25, 0, 0.25, 0.5]);
      expect(pts[2].loss).toBeCloseTo(here, 13);
      expect(pts.every((p) => Number.isFinite(p.loss))).toBe(true);
    }
    // Along the top eigenvector the loss curves upwards around theta.
    const eig = await t.lossSlice(0, { direction: 'eigen', points: 3, radius: 0.05 });
    expect(eig[0].loss + eig[2].loss - 2 * eig[1].loss).toBeGreaterThan(0);
  });
});

describe('every optimizer in the registry', () => {
  for (const def of OPTIMIZERS) {
    it(`${def.name}: 20 steps with default hyperparameters stay finite`, async () => {
      const e = exp({ runs: [{ label: def.name, optimizer: { name: def.name }, schedule: { name: 'constant' } }] });
      const t = CpuTrainer.create(e);
      const rows = await t.advance(20);
      expect(t.step).toBe(20);
      expect(t.divergedAt()).toEqual([null]);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(Number.isFinite(r.value), `${r.metric} at step ${r.step}`).toBe(true);
      expect(pick(rows, 'train_loss').get(20)).toBeDefined();
      expect(Array.from(await t.getParams(0)).every(Number.isFinite)).toBe(true);
    });
  }
});

/** A dataset built by hand, through the `dataset` option (no generator involved). */
function tinyDataset(): Dataset {
  const n = 6;
  const x = Float32Array.from([1, 0, 0, 1, -1, 0, 0, -1, 0.5, 0.5, -0.5, -0.5]);
  const y = Float32Array.from([1, 1, 0, 0, 1, 0]);
  return {
    inputDim: 2,
    nClasses: 2,
    targetDim: 1,
    train: { n, x, y },
    test: { n: 0, x: new Float32Array(0), y: new Float32Array(0) },
    meta: { kind: 'custom' },
  };
}

describe('a dataset given directly', () => {
  it('trains, with no test rows when the test set is empty', async () => {
    const e = exp({ loss: 'hinge', batchSize: 'full', steps: 10 });
    const t = CpuTrainer.create(e, { dataset: tinyDataset() });
    const rows = await t.advance(10);
    expect(rows.some((r) => r.metric.startsWith('test_'))).toBe(false);
    expect(pick(rows, 'train_loss').get(10)).toBeLessThan(pick(rows, 'train_loss').get(0)!);
  });

  it('rejects a loss that does not fit the data', () => {
    expect(() =>
      CpuTrainer.create(
        exp({
          loss: 'cross-entropy',
          data: {
            kind: 'teacher-student',
            nTrain: 8,
            nTest: 0,
            inputDim: 2,
            outputDim: 1,
            teacherHidden: [],
            teacherActivation: 'tanh',
            noise: 0,
          },
        }),
      ),
    ).toThrow(/loss: "cross-entropy" needs classification data/);
  });
});
