import { describe, expect, it } from 'vitest';
import { METRICS } from '../engine/metrics/names';
import { METRIC_GROUPS, axisTitle, chartGroups, relevantGroups, metricLabel } from './metricGroups';

describe('chartGroups', () => {
  it('draws the table groups that have data, with only the metrics present, in table order', () => {
    const groups = chartGroups(['lr', 'test_loss', 'train_loss', 'train_acc']);
    expect(groups.map((g) => g.id)).toEqual(['loss', 'accuracy', 'lr']);
    expect(groups[0].metrics.map((m) => m.name)).toEqual(['train_loss', 'test_loss']);
  });

  it('gives a metric the table does not know a chart of its own', () => {
    const groups = chartGroups(['train_loss', 'my_new_metric']);
    expect(groups.map((g) => g.id)).toEqual(['loss', 'metric:my_new_metric']);
    expect(groups[1].title).toBe('my new metric');
  });

  it('has a chart for every documented metric name and no metric in two groups (2/η reference lines aside)', () => {
    const grouped = METRIC_GROUPS.flatMap((g) => g.metrics.map((m) => m.name));
    const own = grouped.filter((n) => n !== 'sharpness_threshold');
    expect(new Set(own).size).toBe(own.length);
    // the trace chart draws each run's 2/η too: Wu & Su's bound is tr(H) <= 2/η
    const trace = METRIC_GROUPS.find((g) => g.id === 'trace');
    expect(trace?.metrics.find((m) => m.name === 'sharpness_threshold')?.dash).toBeTruthy();
    for (const name of Object.keys(METRICS)) expect(grouped).toContain(name);
    expect(metricLabel('train_loss')).toBe(METRICS.train_loss);
  });
});

describe('relevantGroups', () => {
  const present = ['train_loss', 'batch_loss', 'temperature', 'train_acc'];
  const exp = (batchSize: number | 'full', name = 'sgd') => ({
    batchSize,
    data: { nTrain: 128 },
    runs: [{ optimizer: { name } }],
  });
  const ids = (batchSize: number | 'full', name?: string) =>
    relevantGroups(chartGroups(present), exp(batchSize, name)).map((g) => [g.id, g.metrics.map((m) => m.name)]);

  it('full batch: no minibatch-loss line and no temperature chart', () => {
    expect(ids('full')).toEqual([
      ['loss', ['train_loss']],
      ['accuracy', ['train_acc']],
    ]);
    expect(ids(128)).toEqual(ids('full')); // a batch of the whole training set is full batch
  });

  it('minibatch SGD keeps both; minibatch Adam alone has no temperature chart', () => {
    expect(ids(16)).toEqual([
      ['loss', ['train_loss', 'batch_loss']],
      ['accuracy', ['train_acc']],
      ['temperature', ['temperature']],
    ]);
    expect(ids(16, 'adam').map((x) => x[0])).toEqual(['loss', 'accuracy']);
  });
});

describe('axisTitle', () => {
  it('names what every known chart measures, and falls back to the title for new metrics', () => {
    for (const g of METRIC_GROUPS) expect(axisTitle(g), g.id).not.toBe(g.title);
    expect(axisTitle({ id: 'metric:x', title: 'x thing', metrics: [{ name: 'x' }] })).toBe('x thing');
  });
});
