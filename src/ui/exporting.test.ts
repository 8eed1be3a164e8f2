import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../experiment/defaults';
import { metricsCsv, metricsJson, experimentJson } from './exporting';
import { parseExperiment } from '../experiment/validate';
import { buildChart, yDomain } from './chartData';
import { MetricStore } from './series';

const rows = [
  { run: 0, step: 0, metric: 'train_loss', value: 0.69 },
  { run: 1, step: 0, metric: 'train_loss', value: NaN },
  { run: 1, step: 10, metric: 'weird,name', value: Infinity },
];

describe('exports', () => {
  it('writes the CLI metrics.csv layout', () => {
    expect(metricsCsv(rows)).toBe(
      'run,step,metric,value\n0,0,train_loss,0.69\n1,0,train_loss,NaN\n1,10,"weird,name",Infinity\n',
    );
  });

  it('writes metrics JSON per run with null for non-finite values', () => {
    const exp = defaultExperiment();
    const j = metricsJson(exp, rows, { backend: 'cpu', adapter: 'cpu', diverged: { 1: 0 } });
    const back = JSON.parse(JSON.stringify(j));
    expect(back.runs[0]).toMatchObject({
      label: exp.runs[0].label,
      divergedAtStep: null,
      metrics: { train_loss: { step: [0], value: [0.69] } },
    });
    expect(back.runs[1].metrics.train_loss.value).toEqual([null]);
    expect(back.runs[1].divergedAtStep).toBe(0);
  });

  it('writes experiment JSON that validates back to the same experiment', () => {
    const exp = defaultExperiment();
    const res = parseExperiment(JSON.parse(experimentJson(exp)));
    expect(res).toEqual({ ok: true, value: exp });
  });
});

describe('chart data', () => {
  it('merges runs on the step axis and drops non-positive values on a log axis', () => {
    const m = new MetricStore();
    m.add([
      { run: 0, step: 0, metric: 'train_loss', value: 1 },
      { run: 1, step: 0, metric: 'train_loss', value: 2 },
      { run: 0, step: 10, metric: 'train_loss', value: 0 },
      { run: 0, step: 10, metric: 'test_loss', value: 0.5 },
    ]);
    const group = { id: 'loss', title: 'Loss', metrics: [{ name: 'train_loss' }, { name: 'test_loss', dash: '4 4' }] };
    const runs = [
      { label: 'a', color: '#000' },
      { label: 'b', color: '#111' },
    ];
    const lin = buildChart(group, runs, m, { log: false });
    expect(lin.rows).toEqual([
      { step: 0, 'r0:train_loss': 1, 'r1:train_loss': 2 },
      { step: 10, 'r0:train_loss': 0, 'r0:test_loss': 0.5 },
    ]);
    expect(lin.lines.map((l) => [l.key, l.color, l.dash])).toEqual([
      ['r0:train_loss', '#000', undefined],
      ['r0:test_loss', '#000', '4 4'],
      ['r1:train_loss', '#111', undefined],
    ]);
    expect([lin.yMin, lin.yMax]).toEqual([0, 2]);
    const log = buildChart(group, runs, m, { log: true });
    expect(log.rows[1]['r0:train_loss']).toBeNull();
    expect(log.yMin).toBe(0.5);
    expect(yDomain(0.5, 2, true)).toEqual([0.1, 10]);
    expect(yDomain(3, 3, false)).toEqual([2.7, 3.3]);
  });
});
