import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseExperiment, formatErrors } from './validate';
import { defaultExperiment } from './defaults';
import type { Experiment, Result } from './types';
import { getOptimizer } from '../engine/optim/registry';
import { run, testExperiment } from '../test_fixtures';

const base = () => defaultExperiment() as unknown as Record<string, unknown>;
const minimalRun = { optimizer: { name: 'sgd', lr: 0.1 } };

function errorsOf(res: Result<Experiment>): string[] {
  expect(res.ok).toBe(false);
  return res.ok ? [] : formatErrors(res.errors);
}

function expectError(raw: unknown, path: string, ...fragments: string[]): void {
  const res = parseExperiment(raw);
  expect(res.ok).toBe(false);
  if (res.ok) return;
  const hit = res.errors.find((e) => e.path === path);
  expect(hit, `no error at ${path}; got ${JSON.stringify(res.errors)}`).toBeDefined();
  for (const f of fragments) expect(hit!.message).toContain(f);
}

describe('parseExperiment', () => {
  it('accepts the default experiment unchanged (idempotent)', () => {
    const exp = defaultExperiment();
    const res = parseExperiment(exp);
    expect(res).toEqual({ ok: true, value: exp });
    const again = parseExperiment(JSON.parse(JSON.stringify(res.ok && res.value)));
    expect(again).toEqual(res);
  });

  it('fills in defaults around a minimal config', () => {
    const res = parseExperiment({ runs: [{ optimizer: { name: 'sgd' } }] });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const def = defaultExperiment();
    const sgd = getOptimizer('sgd')!;
    expect(res.value.version).toBe(1);
    expect(res.value.data).toEqual(def.data);
    expect(res.value.model).toEqual(def.model);
    expect(res.value.steps).toBe(def.steps);
    expect(res.value.varySeedPerRun).toBe(false);
    const run = res.value.runs[0];
    expect(run.schedule).toEqual({ name: 'constant' });
    for (const h of sgd.hyperparams) expect(run.optimizer[h.key]).toEqual(h.default);
    expect(run.label).toBe(`sgd lr=${sgd.hyperparams.find((h) => h.key === 'lr')!.default}`);
  });

  it('fills data defaults per kind and picks mse for regression data', () => {
    const res = parseExperiment({ data: { kind: 'teacher-student', nTrain: 64 }, runs: [minimalRun] });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.value.loss).toBe('mse');
    expect(res.value.data.kind).toBe('teacher-student');
    expect(res.value.data.nTrain).toBe(64);
    const three = parseExperiment({ data: { kind: 'gauss', nClasses: 3 }, runs: [minimalRun] });
    expect(three.ok && three.value.loss).toBe('cross-entropy');
    const two = parseExperiment({ data: { kind: 'circle' }, runs: [minimalRun] });
    expect(two.ok && two.value.loss).toBe('cross-entropy');
    const demo = parseExperiment({ runs: [minimalRun] });
    expect(demo.ok && demo.value.loss).toBe(defaultExperiment().loss);
  });

  it('names the field and the expectation for bad optimizer hyperparameters', () => {
    const exp = { ...base(), runs: [minimalRun, { optimizer: { name: 'sgd', lr: -0.1 } }] };
    expectError(exp, 'runs[1].optimizer.lr', '-0.1');
  });

  it('lists known optimizers for an unknown name, with a did-you-mean', () => {
    const exp = { ...base(), runs: [{ optimizer: { name: 'adamx' } }] };
    expectError(exp, 'runs[0].optimizer.name', 'unknown optimizer "adamx"', 'did you mean "adam"', '(known: sgd, adam');
    expectError({ ...base(), runs: [{ optimizer: {} }] }, 'runs[0].optimizer.name', 'missing');
    expectError({ ...base(), runs: [{ optimizer: { name: 3 } }] }, 'runs[0].optimizer.name', 'expected a string');
  });

  it('requires at least one run', () => {
    expect(errorsOf(parseExperiment({ ...base(), runs: [] }))).toContain('runs: expected at least one run');
    expectError({ ...base(), runs: undefined }, 'runs', 'missing');
    expectError({ ...base(), runs: { a: 1 } }, 'runs', 'expected an array');
  });

  it('refuses versions newer than it supports, and malformed versions', () => {
    expect(errorsOf(parseExperiment({ ...base(), version: 2 }))[0]).toMatch(
      /^version: 2 is newer than this playground supports \(1\)/,
    );
    expectError({ ...base(), version: 0 }, 'version', 'expected 1, got 0');
    expectError({ ...base(), version: '1' }, 'version', 'got "1"');
  });

  it('reports unknown fields with a did-you-mean at every level', () => {
    expectError({ ...base(), stpes: 10 }, 'stpes', 'unknown field (did you mean "steps"?)');
    expectError({ ...base(), model: { hiden: [4] } }, 'model.hiden', 'did you mean "hidden"?');
    expectError({ ...base(), data: { kind: 'circle', nTrian: 10 } }, 'data.nTrian', 'did you mean "nTrain"?');
    expectError(
      { ...base(), metrics: { every: 5, sharpnes: { every: 1 } } },
      'metrics.sharpnes',
      'did you mean "sharpness"?',
    );
    expectError({ ...base(), runs: [{ ...minimalRun, lable: 'x' }] }, 'runs[0].lable', 'did you mean "label"?');
    expectError({ ...base(), zzzzzz: 1 }, 'zzzzzz', 'unknown field; expected one of version, seed');
  });

  it('rejects wrong types, NaN, Infinity and non-integers', () => {
    expectError({ ...base(), steps: '100' }, 'steps', 'expected an integer >= 1', 'got "100"');
    expectError({ ...base(), steps: 10.5 }, 'steps', 'got 10.5');
    expectError({ ...base(), seed: NaN }, 'seed', 'got NaN');
    expectError({ ...base(), seed: -1 }, 'seed', 'got -1');
    expectError({ ...base(), model: { initScale: Infinity } }, 'model.initScale', 'a number > 0', 'got Infinity');
    expectError({ ...base(), model: { hidden: [8, 2.5] } }, 'model.hidden[1]', 'expected an integer', 'got 2.5');
    expectError({ ...base(), model: { hidden: 8 } }, 'model.hidden', 'expected an array of layer widths');
    expectError({ ...base(), model: { activation: 'rellu' } }, 'model.activation', 'did you mean "relu"?');
    expectError({ ...base(), loss: 'crossentropy' }, 'loss', 'did you mean "cross-entropy"?');
    expectError({ ...base(), batchSize: 'all' }, 'batchSize', 'expected a positive integer or "full"');
    expectError({ ...base(), batchSize: 0 }, 'batchSize', 'got 0');
    expectError({ ...base(), varySeedPerRun: 'yes' }, 'varySeedPerRun', 'expected true or false');
    expectError({ ...base(), data: { kind: 'spirals' } }, 'data.kind', 'did you mean "spiral"?');
    expectError({ ...base(), data: { kind: 'circle', noise: -Infinity } }, 'data.noise', 'got -Infinity');
    expectError({ ...base(), data: { kind: 'circle', nTrain: 0 } }, 'data.nTrain', 'got 0');
    expectError({ ...base(), runs: [{ ...minimalRun, label: 5 }] }, 'runs[0].label', 'expected a string');
    expectError(
      { ...base(), runs: [{ ...minimalRun, color: 'red;background:url(x)' }] },
      'runs[0].color',
      'CSS colour',
    );
  });

  it('rejects inputs that are not experiment objects', () => {
    for (const raw of [null, undefined, 5, 'x', [], true]) {
      const res = parseExperiment(raw);
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.errors[0].message).toContain('expected an experiment object');
    }
  });

  it('checks cross-field rules', () => {
    expectError(
      { ...base(), loss: 'logistic', data: { kind: 'gauss', nClasses: 3 } },
      'loss',
      '"logistic" needs 2-class data',
      'nClasses = 3',
    );
    expectError({ ...base(), loss: 'hinge', data: { kind: 'spiral', nClasses: 4 } }, 'loss', 'needs 2-class data');
    expectError(
      { ...base(), loss: 'cross-entropy', data: { kind: 'teacher-student' } },
      'loss',
      'regression and needs "mse"',
    );
    expectError(
      { ...base(), batchSize: 600, data: { kind: 'circle', nTrain: 512 } },
      'batchSize',
      'larger than data.nTrain (512)',
    );
    expectError({ ...base(), metrics: { every: 0 } }, 'metrics.every', 'expected an integer >= 1');
    const ok = parseExperiment({
      ...base(),
      loss: 'cross-entropy',
      data: { kind: 'gauss', nClasses: 3 },
      batchSize: 16,
    });
    expect(ok.ok).toBe(true);
  });

  it('enforces size limits with messages that say what to reduce', () => {
    const runs = Array.from({ length: 257 }, () => minimalRun);
    expectError({ ...base(), runs }, 'runs', '257 runs exceeds the limit of 256', 'remove 1 runs');
    expectError(
      { ...base(), model: { hidden: [5000] } },
      'model.hidden[0]',
      'exceeds the limit of 4096',
      'reduce the width',
    );
    expectError(
      { ...base(), model: { hidden: new Array(17).fill(4) } },
      'model.hidden',
      '17 hidden layers exceeds the limit of 16',
    );
    expectError({ ...base(), steps: 2_000_000 }, 'steps', 'exceeds the limit of 1000000 steps; reduce steps');
    expectError(
      { ...base(), data: { kind: 'circle', nTrain: 200_000 } },
      'data.nTrain',
      'exceeds the limit of 100000; reduce nTrain',
    );
    expectError(
      { ...base(), loss: 'mse', data: { kind: 'teacher-student', inputDim: 200_000 } },
      'data.inputDim',
      'exceeds the limit of 100000; reduce inputDim',
    );
    expectError(
      { ...base(), data: { kind: 'feature-noise', patchDim: 10_000, numPatches: 11 } },
      'data',
      'input dimension 110000',
      'reduce patchDim * numPatches',
    );
    const big = { ...base(), model: { hidden: [4096, 4096, 4096] }, runs: [minimalRun, minimalRun] };
    expectError(big, 'model', 'exceeds the limit of 50,000,000', 'reduce model.hidden');
  });

  it('validates metrics sections and keeps curvature settings', () => {
    const res = parseExperiment({
      ...base(),
      metrics: { every: 5, sharpness: { every: 25, iters: 30, tol: 1e-4 }, trace: { every: 50, samples: 4 } },
    });
    expect(res.ok).toBe(true);
    if (res.ok)
      expect(res.value.metrics).toEqual({
        every: 5,
        evalSubset: 0,
        sharpness: { every: 25, iters: 30, tol: 1e-4 },
        trace: { every: 50, samples: 4 },
      });
    expectError(
      { ...base(), metrics: { every: 5, sharpness: { every: 25, iters: 0 } } },
      'metrics.sharpness.iters',
      'got 0',
    );
    expectError({ ...base(), metrics: { every: 5, trace: 3 } }, 'metrics.trace', 'expected an object');
    const k3 = parseExperiment({ ...base(), metrics: { every: 5, sharpness: { every: 25, iters: 20, k: 3 } } });
    expect(k3.ok && k3.value.metrics.sharpness).toEqual({ every: 25, iters: 20, k: 3 });
    expectError(
      { ...base(), metrics: { every: 5, sharpness: { every: 25, iters: 20, k: 6 } } },
      'metrics.sharpness.k',
      'got 6',
    );
    expectError(
      { ...base(), metrics: { every: 5, sharpness: { every: 25, iters: 20, k: 1.5 } } },
      'metrics.sharpness.k',
      '1.5',
    );
    expectError(
      { ...base(), metrics: { every: 5, sharpness: { every: 25, iters: 2, k: 3 } } },
      'metrics.sharpness.k',
      'expected at most iters = 2 eigenvalues',
    );
  });

  it('collects many errors at once', () => {
    const res = parseExperiment({ ...base(), steps: -1, seed: 'x', runs: [{ optimizer: { name: 'nope' } }] });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors.map((e) => e.path).sort()).toEqual(['runs[0].optimizer.name', 'seed', 'steps']);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const res = parseExperiment(raw);
        expect(typeof res.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
    const keys = [
      'version',
      'seed',
      'data',
      'model',
      'loss',
      'steps',
      'batchSize',
      'varySeedPerRun',
      'runs',
      'metrics',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (key, value) => {
        const res = parseExperiment({ ...base(), [key]: value });
        if (!res.ok) for (const e of res.errors) expect(e.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
    const hostile = { ...base() };
    Object.defineProperty(hostile, 'steps', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    const res = parseExperiment(hostile);
    expect(res.ok).toBe(false);
  });
});

describe('optimizers that replace the schedule', () => {
  it('refuses a learning-rate schedule, naming the field', () => {
    const exp = testExperiment({
      runs: [run('sf', { name: 'sf-adamw', lr: 0.01 }, { name: 'cosine' })],
    });
    const res = parseExperiment(JSON.parse(JSON.stringify(exp)));
    expect(res.ok).toBe(false);
    const errors = res.ok ? [] : res.errors;
    expect(errors.map((e) => e.path)).toContain('runs[0].schedule');
    expect(errors.find((e) => e.path === 'runs[0].schedule')!.message).toMatch(
      /sf-adamw replaces the learning-rate schedule/,
    );
    const warm = testExperiment({ runs: [run('sf', { name: 'sf-sgd', lr: 1 }, { name: 'constant', warmup: 5 })] });
    expect(parseExperiment(JSON.parse(JSON.stringify(warm))).ok).toBe(false);
    const plain = testExperiment({ runs: [run('sf', { name: 'sf-sgd', lr: 1 })] });
    expect(parseExperiment(JSON.parse(JSON.stringify(plain))).ok).toBe(true);
  });
});
