import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../experiment/defaults';
import { metricsCsv, metricsJson, experimentJson } from './exporting';
import { parseExperiment } from '../experiment/validate';

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
