import { describe, expect, it } from 'vitest';
import type { HyperSpec } from '../engine/optim/types';
import type { RunConfig } from '../experiment/types';
import { MAX_SWEEP_RUNS, expandSweep, sweepValues, sweepableKeys } from './sweep';

const lr: HyperSpec = {
  key: 'lr',
  type: 'number',
  default: 0.1,
  min: 0,
  minExclusive: true,
  log: true,
  description: 'step size',
};
const k: HyperSpec = {
  key: 'k',
  type: 'number',
  default: 3,
  min: 1,
  max: 10,
  integer: true,
  description: 'an integer',
};
const betas: HyperSpec = {
  key: 'betas',
  type: 'betas',
  default: [0.9, 0.999],
  min: 0,
  max: 1,
  maxExclusive: true,
  description: 'moments',
};
const flag: HyperSpec = { key: 'nesterov', type: 'boolean', default: false, description: 'flag' };

const run: RunConfig = {
  label: 'sgd lr=0.1',
  color: '#0072B2',
  optimizer: { name: 'sgd', lr: 0.1, betas: [0.9, 0.999] },
  schedule: { name: 'constant' },
};

describe('sweepValues', () => {
  it('spaces values linearly, ends included', () => {
    expect(sweepValues({ key: 'lr', from: 0.1, to: 0.5, count: 5, scale: 'linear' }, lr)).toEqual([
      0.1, 0.2, 0.3, 0.4, 0.5,
    ]);
  });
  it('spaces values geometrically on a log scale', () => {
    expect(sweepValues({ key: 'lr', from: 0.001, to: 1, count: 4, scale: 'log' }, lr)).toEqual([0.001, 0.01, 0.1, 1]);
  });
  it('rounds integer hyperparameters and drops duplicates', () => {
    expect(sweepValues({ key: 'k', from: 1, to: 3, count: 5, scale: 'linear' }, k)).toEqual([1, 2, 3]);
  });
  it('refuses bad counts, non-positive log ends and values outside the spec range', () => {
    expect(sweepValues({ key: 'lr', from: 0.1, to: 1, count: 1, scale: 'linear' }, lr)).toMatch(/count/);
    expect(sweepValues({ key: 'lr', from: 0.1, to: 1, count: MAX_SWEEP_RUNS + 1, scale: 'linear' }, lr)).toMatch(
      /count/,
    );
    expect(sweepValues({ key: 'lr', from: 0, to: 1, count: 3, scale: 'log' }, lr)).toMatch(/log sweep/);
    expect(sweepValues({ key: 'lr', from: 0, to: 1, count: 3, scale: 'linear' }, lr)).toMatch(
      /outside the range of lr/,
    );
    expect(sweepValues({ key: 'k', from: 2, to: 20, count: 3, scale: 'linear' }, k)).toMatch(/outside the range/);
    expect(sweepValues({ key: 'lr', from: NaN, to: 1, count: 3, scale: 'linear' }, lr)).toMatch(/numbers/);
  });
});

describe('expandSweep', () => {
  it('makes one run per value with the value set, a label naming it and distinct colours', () => {
    const runs = expandSweep(run, { key: 'lr', from: 0.01, to: 1, count: 3, scale: 'log' }, lr);
    if (typeof runs === 'string') throw new Error(runs);
    expect(runs.map((r) => r.optimizer.lr)).toEqual([0.01, 0.1, 1]);
    expect(runs.map((r) => r.label)).toEqual(['sgd lr=0.01', 'sgd lr=0.1', 'sgd lr=1']);
    expect(new Set(runs.map((r) => r.color)).size).toBe(3);
    expect(runs[0].schedule).toEqual({ name: 'constant' });
    // the source run is not modified
    expect(run.optimizer.lr).toBe(0.1);
  });
  it('sweeps one component of betas', () => {
    const runs = expandSweep(run, { key: 'betas.1', from: 0.9, to: 0.99, count: 2, scale: 'linear' }, betas);
    if (typeof runs === 'string') throw new Error(runs);
    expect(runs.map((r) => r.optimizer.betas)).toEqual([
      [0.9, 0.9],
      [0.9, 0.99],
    ]);
  });
  it('lists sweepable keys: numbers and each beta, not booleans', () => {
    expect(sweepableKeys([lr, betas, flag, k])).toEqual(['lr', 'betas.0', 'betas.1', 'k']);
  });
});
