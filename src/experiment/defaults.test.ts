import { describe, expect, it } from 'vitest';
import { defaultExperiment, optimizerWithDefaults, runWithDefaults } from './defaults';
import { parseExperiment } from './validate';
import { getOptimizer } from '../engine/optim/registry';
import { paramsPerRun } from './limits';

describe('defaults', () => {
  it('the default experiment is the benign-oscillation demo and is valid', () => {
    const exp = defaultExperiment();
    expect(exp.data.kind).toBe('feature-noise');
    expect(exp.model.kind === 'mlp' && exp.model.hidden).toHaveLength(1);
    expect(['relu', 'relu2']).toContain(exp.model.activation);
    expect(exp.metrics.every).toBe(1); // every step: the large rate's period-2 oscillation shows
    expect(exp.runs.map((r) => r.optimizer.name)).toEqual(['sgd', 'sgd']);
    const [small, large] = exp.runs.map((r) => r.optimizer.lr as number);
    expect(small).toBeLessThan(large);
    expect(exp.runs[0].label).toMatch(/small/);
    expect(exp.runs[1].label).toMatch(/large/);
    expect(exp.batchSize === 'full' || exp.batchSize <= 32).toBe(true);
    expect(parseExperiment(exp)).toEqual({ ok: true, value: exp });
    // Fast: a small network and few steps.
    expect(paramsPerRun(exp) * exp.steps).toBeLessThan(1e8);
  });

  it('returns a fresh object each call', () => {
    const a = defaultExperiment();
    a.runs[0].optimizer.lr = 123;
    if (a.model.kind === 'mlp') a.model.hidden.push(3);
    expect(defaultExperiment().runs[0].optimizer.lr).not.toBe(123);
    const fresh = defaultExperiment().model;
    expect(fresh.kind === 'mlp' && fresh.hidden).toHaveLength(1);
  });

  it('completes optimizer configs from the registry', () => {
    const adam = getOptimizer('adam')!;
    const cfg = optimizerWithDefaults('adam', { lr: 0.003 });
    expect(cfg.name).toBe('adam');
    expect(cfg.lr).toBe(0.003);
    for (const h of adam.hyperparams) if (h.key !== 'lr') expect(cfg[h.key]).toEqual(h.default);
    // betas are copied, not shared with the registry
    const betas = cfg.betas as [number, number];
    betas[0] = 0;
    expect(optimizerWithDefaults('adam').betas).toEqual(adam.hyperparams.find((h) => h.key === 'betas')!.default);
    expect(() => optimizerWithDefaults('adamx')).toThrow(/unknown optimizer "adamx" \(known: sgd, adam/);
  });

  it('completes runs, labelling them from the optimizer', () => {
    const run = runWithDefaults();
    expect(run.optimizer.name).toBe('sgd');
    expect(run.schedule).toEqual({ name: 'constant' });
    expect(run.label).toBe(`sgd lr=${run.optimizer.lr}`);
    const r2 = runWithDefaults({
      optimizer: { name: 'adam', lr: 0.01 },
      color: '#123456',
      schedule: { name: 'cosine', minFactor: 0.1 },
    });
    expect(r2.label).toBe('adam lr=0.01');
    expect(r2.color).toBe('#123456');
    expect(r2.schedule).toEqual({ name: 'cosine', minFactor: 0.1 });
    const exp = { ...defaultExperiment(), runs: [run, r2] };
    expect(parseExperiment(exp).ok).toBe(true);
  });
});
