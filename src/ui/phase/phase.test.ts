import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../experiment/types';
import { defaultMetric, finalValues, heatGrid, sweepAxes } from './phase';

const run = (optimizer: RunConfig['optimizer'], schedule: RunConfig['schedule'] = { name: 'constant' }): RunConfig =>
  ({ label: 'r', optimizer, schedule }) as RunConfig;

describe('phase diagram', () => {
  it('finds a 1-D sweep over lr (log axis when it spans a factor of 10)', () => {
    const runs = [0.01, 0.1, 0.03].map((lr) => run({ name: 'sgd', lr, momentum: 0.9 }));
    const axes = sweepAxes(runs);
    expect(axes).toHaveLength(1);
    expect(axes![0]).toMatchObject({ key: 'lr', values: [0.01, 0.1, 0.03], levels: [0.01, 0.03, 0.1], log: true });
    const lin = sweepAxes([0.1, 0.2, 0.3].map((lr) => run({ name: 'sgd', lr })));
    expect(lin![0].log).toBe(false);
  });

  it('finds one component of betas', () => {
    const runs = [0.8, 0.9, 0.99].map((b) => run({ name: 'adam', lr: 0.001, betas: [b, 0.999] }));
    expect(sweepAxes(runs)![0].key).toBe('betas.0');
  });

  it('is not a sweep: different optimizers, schedules, a non-numeric difference, too few runs', () => {
    const a = run({ name: 'sgd', lr: 0.1 });
    const b = run({ name: 'sgd', lr: 0.3 });
    expect(sweepAxes([a, b, run({ name: 'sgd', lr: 0.2 })])).not.toBeNull(); // the control
    expect(sweepAxes([a, b, run({ name: 'adam', lr: 0.2 })])).toBeNull();
    expect(sweepAxes([a, b, run({ name: 'sgd', lr: 0.2 }, { name: 'cosine' })])).toBeNull();
    expect(sweepAxes([a, b, run({ name: 'sgd', lr: 0.2, nesterov: true })])).toBeNull();
    expect(sweepAxes([a, b])).toBeNull(); // two runs: the curves already compare them
    expect(sweepAxes([a, a, a])).toBeNull();
  });

  it('a 2-D sweep becomes a grid with the second axis descending from the top', () => {
    const runs: RunConfig[] = [];
    for (const m of [0, 0.9]) for (const lr of [0.1, 0.01, 0.05]) runs.push(run({ name: 'sgd', lr, momentum: m }));
    const axes = sweepAxes(runs)!;
    expect(axes.map((a) => a.key)).toEqual(['lr', 'momentum']);
    const vals = finalValues(runs.length, (r) => r * 10, 'x');
    const grid = heatGrid(axes, vals);
    // Top row: momentum 0.9 (runs 3..5); columns lr 0.01, 0.05, 0.1.
    expect(grid[0].map((c) => c?.run)).toEqual([4, 5, 3]);
    expect(grid[1].map((c) => c?.value)).toEqual([10, 20, 0]);
    // A repeated grid point is not a 2-D sweep.
    expect(sweepAxes([...runs, run({ name: 'sgd', lr: 0.1, momentum: 0 })])).toBeNull();
  });

  it('defaults to test accuracy, then losses', () => {
    expect(defaultMetric(['train_loss', 'test_acc'])).toBe('test_acc');
    expect(defaultMetric(['train_loss', 'lr'])).toBe('train_loss');
    expect(defaultMetric(['lr'])).toBe('lr');
    expect(defaultMetric([])).toBeUndefined();
  });
});
