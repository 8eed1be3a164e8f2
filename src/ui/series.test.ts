import { describe, expect, it } from 'vitest';
import { MetricStore } from './series';

describe('MetricStore', () => {
  it('keeps series per run and metric, replaces a repeated step and orders rows by step, run', () => {
    const m = new MetricStore();
    m.add([
      { run: 0, step: 0, metric: 'train_loss', value: 1 },
      { run: 1, step: 0, metric: 'train_loss', value: 2 },
      { run: 0, step: 0, metric: 'lr', value: 0.1 },
    ]);
    m.add([
      { run: 1, step: 10, metric: 'train_loss', value: 1.5 },
      { run: 0, step: 10, metric: 'train_loss', value: 0.5 },
      { run: 0, step: 10, metric: 'train_loss', value: 0.4 },
    ]);
    expect(m.get(0, 'train_loss')).toEqual({ steps: [0, 10], values: [1, 0.4] });
    expect(m.last(1, 'train_loss')).toBe(1.5);
    expect(m.metrics).toEqual(['train_loss', 'lr']);
    expect(m.rowCount).toBe(5);
    expect(m.lastStep).toBe(10);
    expect(m.rows().map((r) => `${r.step}/${r.run}/${r.metric}`)).toEqual([
      '0/0/train_loss',
      '0/0/lr',
      '0/1/train_loss',
      '10/0/train_loss',
      '10/1/train_loss',
    ]);
  });

  it('keeps an envelope per series in step with appends and replacements', () => {
    const m = new MetricStore();
    m.add([
      { run: 0, step: 0, metric: 'train_loss', value: 1 },
      { run: 0, step: 10, metric: 'train_loss', value: 0.5 },
    ]);
    m.add([{ run: 0, step: 10, metric: 'train_loss', value: 3 }]); // replaces the last value
    const s = m.get(0, 'train_loss')!;
    const env = m.envelope(0, 'train_loss')!;
    expect(env.count).toBe(2);
    expect(env.extent(s.values, false)).toEqual([1, 3]);
    expect(m.envelope(1, 'train_loss')).toBeUndefined();
  });
});
