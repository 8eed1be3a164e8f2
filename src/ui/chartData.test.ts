import type { MetricGroup } from './metricGroups';
import { describe, expect, it } from 'vitest';
import {
  ZOOM_RAW_MAX,
  adjacentStep,
  chartLines,
  chartView,
  countUpTo,
  hoverAt,
  indexRange,
  nearestIndex,
  rangeExtent,
  tooltipRows,
  yDomain,
} from './chartData';
import { MetricStore } from './series';

const group = { id: 'loss', title: 'Loss', metrics: [{ name: 'train_loss' }, { name: 'test_loss', dash: '4 4' }] };
const runs = [
  { label: 'a', color: '#000' },
  { label: 'b', color: '#111' },
];

function store(): MetricStore {
  const m = new MetricStore();
  m.add([
    { run: 0, step: 0, metric: 'train_loss', value: 1 },
    { run: 1, step: 0, metric: 'train_loss', value: 2 },
    { run: 0, step: 10, metric: 'train_loss', value: 0 },
    { run: 0, step: 10, metric: 'test_loss', value: 0.5 },
    { run: 1, step: 20, metric: 'train_loss', value: NaN },
  ]);
  return m;
}

describe('chart data', () => {
  it('has one line per run and metric with data, coloured per run and dashed per metric', () => {
    const lines = chartLines(group, runs, store());
    expect(lines.map((l) => [l.key, l.color, l.dash, l.name])).toEqual([
      ['r0:train_loss', '#000', undefined, 'a · Training loss'],
      ['r0:test_loss', '#000', '4 4', 'a · Test loss'],
      ['r1:train_loss', '#111', undefined, 'b · Training loss'],
    ]);
    const single = chartLines({ id: 'x', title: 'x', metrics: [{ name: 'train_loss' }] }, runs, store());
    expect(single.map((l) => l.name)).toEqual(['a', 'b']);
  });

  it('ranges over finite values, and positive ones on a log axis', () => {
    const lin = chartView(group, runs, store(), false);
    expect([lin.xMax, lin.yMin, lin.yMax]).toEqual([20, 0, 2]);
    const log = chartView(group, runs, store(), true);
    expect([log.yMin, log.yMax]).toEqual([0.5, 2]);
    const empty = chartView(group, runs, new MetricStore(), false);
    expect(empty).toEqual({ lines: [], xMin: 0, xMax: 0, yMin: null, yMax: null, bounds: undefined });
    expect(yDomain(0.5, 2, true)).toEqual([0.1, 10]);
    expect(yDomain(3, 3, false)).toEqual([2.7, 3.3]);
    expect(yDomain(1, 3, false)).toEqual([0.9, 3.1]);
    expect(yDomain(null, 3, false)).toBeUndefined();
    // accuracies: the headroom never takes the axis past 1 (or below 0)
    expect(yDomain(0.5, 1, false, [0, 1])).toEqual([0.475, 1]);
    const low = yDomain(0.01, 0.2, false, [0, 1])!;
    expect(low[0]).toBeCloseTo(0.0005, 12);
    expect(low[1]).toBeCloseTo(0.2095, 12);
    expect(yDomain(0.5, 1, true, [0, 1])).toEqual([0.1, 1]);
  });

  it('finds nearest and bounded indices in ascending steps', () => {
    const steps = [0, 10, 20, 30];
    expect(nearestIndex(steps, 4, 14)).toBe(1);
    expect(nearestIndex(steps, 4, 15)).toBe(1); // ties go to the earlier step
    expect(nearestIndex(steps, 4, 99)).toBe(3);
    expect(nearestIndex(steps, 2, 99)).toBe(1);
    expect(nearestIndex(steps, 0, 5)).toBe(-1);
    expect(countUpTo(steps, 20)).toBe(3);
    expect(countUpTo(steps, -1)).toBe(0);
  });

  it('reads out every line logged at the step nearest the pointer, up to the axis end', () => {
    const m = store();
    const lines = chartLines(group, runs, m);
    expect(hoverAt(lines, m, 8, 20)).toEqual({
      step: 10,
      items: [
        { key: 'r0:train_loss', name: 'a · Training loss', color: '#000', value: 0, run: 0, metric: 'train_loss' },
        { key: 'r0:test_loss', name: 'a · Test loss', color: '#000', value: 0.5, run: 0, metric: 'test_loss' },
      ],
    });
    expect(hoverAt(lines, m, 19, 20)?.items.map((i) => [i.key, i.value])).toEqual([['r1:train_loss', NaN]]);
    // points past the x axis end (arrived after the axes were drawn) are not read out
    expect(hoverAt(lines, m, 19, 10)?.step).toBe(10);
    expect(hoverAt([], m, 5, 20)).toBeNull();
  });

  it('steps the read-out to the neighbouring logged step over all lines', () => {
    const m = store();
    const lines = chartLines(group, runs, m);
    expect(adjacentStep(lines, m, 0, 1, 20)).toBe(10);
    expect(adjacentStep(lines, m, 10, 1, 20)).toBe(20);
    expect(adjacentStep(lines, m, 10, 1, 15)).toBeNull(); // past the axis end
    expect(adjacentStep(lines, m, 20, -1, 20)).toBe(10);
    expect(adjacentStep(lines, m, 0, -1, 20)).toBeNull();
  });
});

describe('hidden runs', () => {
  it('a hidden run draws no line and has no say in the axis range', () => {
    const s = new MetricStore();
    s.add([
      { run: 0, step: 0, metric: 'train_loss', value: 1 },
      { run: 0, step: 10, metric: 'train_loss', value: 0.5 },
      { run: 1, step: 0, metric: 'train_loss', value: 100 },
      { run: 1, step: 10, metric: 'train_loss', value: 50 },
    ]);
    const group = { id: 'loss', title: 'Loss', metrics: [{ name: 'train_loss' }] };
    const both = chartView(
      group,
      [
        { label: 'a', color: '#000' },
        { label: 'b', color: '#111' },
      ],
      s,
      false,
    );
    expect(both.lines.map((l) => l.run)).toEqual([0, 1]);
    expect(both.yMax).toBe(100);
    const one = chartView(
      group,
      [
        { label: 'a', color: '#000' },
        { label: 'b', color: '#111', hidden: true },
      ],
      s,
      false,
    );
    expect(one.lines.map((l) => l.run)).toEqual([0]);
    expect(one.yMax).toBe(1);
  });
});

describe('diverged runs', () => {
  it("a diverged run's stability line is drawn but leaves the axis range to the others", () => {
    const s = new MetricStore();
    s.add([
      { run: 0, step: 0, metric: 'sharpness', value: 2 },
      { run: 0, step: 10, metric: 'sharpness', value: 8 },
      { run: 0, step: 10, metric: 'sharpness_threshold', value: 10 },
      { run: 1, step: 10, metric: 'sharpness', value: 5 },
      { run: 1, step: 10, metric: 'sharpness_threshold', value: 2e-9 },
    ]);
    const group = { id: 's', title: 'S', metrics: [{ name: 'sharpness' }, { name: 'sharpness_threshold' }] };
    const runs = [
      { label: 'a', color: '#000' },
      { label: 'b', color: '#111', diverged: true },
    ];
    const v = chartView(group, runs, s, true);
    expect(v.lines).toHaveLength(4);
    expect([v.yMin, v.yMax]).toEqual([2, 10]);
    expect(chartView(group, [runs[0], { ...runs[1], diverged: false }], s, true).yMin).toBe(2e-9);
  });

  it('zoomed: the x range is the zoom, and y fits only the points inside it', () => {
    const zs = new MetricStore();
    // a loss that starts at 100 and falls to about 1: zoomed into the tail, the spike at the start must not count
    zs.add(
      Array.from({ length: 101 }, (_, i) => ({
        run: 0,
        step: i * 10,
        metric: 'train_loss',
        value: i === 0 ? 100 : 1 + i / 100,
      })),
    );
    const g: MetricGroup = { id: 'loss', title: 'Loss', metrics: [{ name: 'train_loss' }] };
    const r = [{ label: 'a', color: '#000' }];
    const whole = chartView(g, r, zs, false);
    expect([whole.xMin, whole.xMax, whole.yMax]).toEqual([0, 1000, 100]);
    const z = chartView(g, r, zs, false, [500, 700]);
    expect([z.xMin, z.xMax, z.zoom]).toEqual([500, 700, [500, 700]]);
    expect(z.yMin).toBeCloseTo(1.5, 12);
    expect(z.yMax).toBeCloseTo(1.7, 12);
  });

  it('finds the points of a step range, with one neighbour each side', () => {
    const steps = [0, 10, 20, 30, 40];
    expect(indexRange(steps, 15, 25)).toEqual([1, 4]);
    expect(indexRange(steps, 10, 30)).toEqual([0, 5]);
    expect(indexRange(steps, 0, 40)).toEqual([0, 5]);
    expect(indexRange(steps, 100, 200)).toEqual([4, 5]);
    expect(indexRange([], 0, 10)).toEqual([0, 0]);
    expect(rangeExtent([3, NaN, -1, 5, 0], 0, 5, false)).toEqual([-1, 5]);
    expect(rangeExtent([3, NaN, -1, 5, 0], 0, 5, true)).toEqual([3, 5]);
    expect(rangeExtent([3, 4], 1, 1, false)).toBeNull();
    expect(ZOOM_RAW_MAX).toBeGreaterThan(1000);
  });

  it('groups a read-out by run: one row each, a column per metric in the chart order', () => {
    const items = [
      { key: 'r1:test_loss', name: 'b · Test loss', color: '#111', value: 0.7, run: 1, metric: 'test_loss' },
      { key: 'r0:train_loss', name: 'a · Training loss', color: '#000', value: 0.1, run: 0, metric: 'train_loss' },
      { key: 'r0:test_loss', name: 'a · Test loss', color: '#000', value: 0.2, run: 0, metric: 'test_loss' },
    ];
    const label = (r: number) => ['a', 'b'][r];
    expect(tooltipRows(items, ['train_loss', 'test_loss'], label)).toEqual([
      { key: 'r0', label: 'a', color: '#000', values: [0.1, 0.2] },
      { key: 'r1', label: 'b', color: '#111', values: [undefined, 0.7] },
    ]);
    // one metric, or items not tied to runs (the phase diagram's): the plain list
    expect(tooltipRows(items, ['test_loss'], label)).toBeNull();
    expect(tooltipRows([{ key: 'x', name: 'x', color: '#000', value: 1 }], ['a', 'b'], label)).toBeNull();
  });
});
