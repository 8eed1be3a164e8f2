import { describe, expect, it } from 'vitest';
import { METRICS } from '../engine/metrics/names';
import { METRIC_GROUPS, chartGroups, metricLabel } from './metricGroups';

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

  it('has a chart for every documented metric name and no metric in two groups', () => {
    const grouped = METRIC_GROUPS.flatMap((g) => g.metrics.map((m) => m.name));
    expect(new Set(grouped).size).toBe(grouped.length);
    for (const name of Object.keys(METRICS)) expect(grouped).toContain(name);
    expect(metricLabel('train_loss')).toBe(METRICS.train_loss);
  });
});
