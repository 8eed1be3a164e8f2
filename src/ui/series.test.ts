import { describe, expect, it } from 'vitest';
import { MetricStore, decimateIndices } from './series';

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
});

describe('decimateIndices', () => {
  it('returns every index for short series', () => {
    expect(decimateIndices([3, 1, 2], 10)).toEqual([0, 1, 2]);
  });

  it('bounds the point count and keeps the ends, the extremes and non-finite values', () => {
    const n = 10_000;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i / 7) + (i % 2 ? 0.3 : -0.3));
    values[4321] = 50; // a spike
    values[777] = -50;
    values[9000] = NaN;
    const idx = decimateIndices(values, 400);
    expect(idx.length).toBeLessThanOrEqual(400 + 2);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    expect(idx).toContain(4321);
    expect(idx).toContain(777);
    expect(idx).toContain(9000);
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
  });

  it('keeps the oscillation envelope of a period-2 series', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? 1 : 3));
    const kept = decimateIndices(values, 100).map((i) => values[i]);
    expect(Math.min(...kept)).toBe(1);
    expect(Math.max(...kept)).toBe(3);
    expect(kept.filter((v) => v === 1).length).toBeGreaterThan(20);
    expect(kept.filter((v) => v === 3).length).toBeGreaterThan(20);
  });
});
