/**
 * Import metrics CSV: the parser (the script's own output read as the CLI reads it; each kind of
 * bad line reported with its number and what was expected) and the store (imported runs after the
 * page's runs, kept through restarts, left out of the page's exports, removable).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importedMetrics, parseMetricsCsvText, MetricsCsvError } from './metricsImport';
import { createPlaygroundStore } from './store/store';
import { defaultExperiment } from '../experiment/defaults';
import { exportTorch } from '../cli/export_torch_write';
import { parseMetricsCsv } from '../cli/output';

const dir = mkdtempSync(join(tmpdir(), 'metrics-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'run,step,metric,value';
const csv = (...lines: string[]) => [HEADER, ...lines].join('\n') + '\n';
const error = (text: string) => {
  try {
    parseMetricsCsvText(text);
  } catch (e) {
    expect(e).toBeInstanceOf(MetricsCsvError);
    return (e as Error).message;
  }
  throw new Error('expected the file to be refused');
};

describe('parseMetricsCsvText', () => {
  it("reads the exported script's metrics.csv as the CLI's reader does", async () => {
    const exp = { ...defaultExperiment(), steps: 6 };
    await exportTorch(exp, dir);
    const py = spawnSync('/usr/bin/python3', [join(dir, 'train.py')], { encoding: 'utf8', timeout: 120_000 });
    expect(py.status, py.stderr).toBe(0);
    const text = readFileSync(join(dir, 'metrics.csv'), 'utf8');
    const parsed = parseMetricsCsvText(text);
    expect(parsed.runs).toEqual([0, 1]);
    const key = (r: { run: number; step: number; metric: string }) => `${r.run}/${r.step}/${r.metric}`;
    const cli = parseMetricsCsv(text);
    expect(parsed.rows.length).toBe(cli.length);
    const want = new Map(cli.map((r) => [key(r), r.value]));
    for (const r of parsed.rows) expect(r.value).toBe(want.get(key(r)));
  });

  it('reads CRLF, a byte-order mark, nan, inf, -inf and exponents; orders each run by step', () => {
    const p = parseMetricsCsvText(
      '\uFEFF' + csv('1,10,train_loss,nan', '1,0,train_loss,1e-05', '0,5,lr,inf', '0,5,x,-inf').replace(/\n/g, '\r\n'),
    );
    expect(p.runs).toEqual([0, 1]);
    expect(p.rows.map((r) => [r.run, r.step, r.metric, r.value])).toEqual([
      [0, 5, 'lr', Infinity],
      [0, 5, 'x', -Infinity],
      [1, 0, 'train_loss', 1e-5],
      [1, 10, 'train_loss', NaN],
    ]);
  });

  it('names the line, the field and what was expected', () => {
    expect(error('')).toBe('the file is empty; expected the header line "run,step,metric,value"');
    expect(error('step,run,metric,value\n0,0,a,1\n')).toBe(
      'line 1: expected the header "run,step,metric,value", got "step,run,metric,value"',
    );
    expect(error(HEADER + '\n')).toBe('the file has a header but no rows');
    expect(error(csv('0,0,train_loss,1', '0,1,train_loss'))).toBe(
      'line 3: expected 4 comma-separated fields (run,step,metric,value), got 3: "0,1,train_loss"',
    );
    expect(error(csv('-1,0,train_loss,1'))).toBe('line 2: run: expected a whole number ≥ 0, got "-1"');
    expect(error(csv('0,1.5,train_loss,1'))).toBe('line 2: step: expected a whole number ≥ 0, got "1.5"');
    expect(error(csv('0,0,train_loss,0.1', '0,1,train_loss,abc'))).toBe(
      'line 3: value: expected a number (or nan, inf, -inf), got "abc"',
    );
    expect(error(csv('0,0,train_loss,1', '', '0,2,train_loss,1'))).toBe(
      'line 3: empty line; expected run,step,metric,value',
    );
    const many = Array.from({ length: 70 }, (_, r) => `${r},0,train_loss,1`);
    expect(error(csv(...many))).toBe('line 66: more than 64 runs in one file');
  });

  it('refuses markup in a metric name (nothing from the file is HTML)', () => {
    const msg = error(csv('0,0,<img src=x onerror=alert(1)>,1'));
    expect(msg).toMatch(/^line 2: metric: expected a name of letters, digits/);
    expect(msg).toContain('"<img src=x onerror=alert(1)>"'); // quoted as text in the message
  });

  it('labels the runs after the page runs with the same index', () => {
    const p = parseMetricsCsvText(csv('0,0,train_loss,1', '3,0,train_loss,2'));
    const m = importedMetrics('metrics.csv', p, ['GD', 'Adam']);
    expect(m.runs).toEqual([
      { label: 'torch: GD', fileRun: 0 },
      { label: 'torch: run 3', fileRun: 3 },
    ]);
    expect(m.rows.map((r) => r.run)).toEqual([0, 1]);
  });
});

describe('imported runs in the store', () => {
  it('sit after the page runs, survive a restart, stay out of the page rows and can be removed', () => {
    const store = createPlaygroundStore({ experiment: defaultExperiment(), autoplay: false, storage: null });
    store.getState().connect({ send: () => {} });
    const gen = () => store.getState().gen;
    store
      .getState()
      .receive({ type: 'rows', gen: gen(), rows: [{ run: 0, step: 0, metric: 'train_loss', value: 0.7 }] });
    const p = parseMetricsCsvText(csv('0,0,train_loss,0.69', '0,5,train_loss,0.5', '1,0,train_loss,0.8'));
    const v = store.getState().metricsVersion;
    store.getState().setImported(
      importedMetrics(
        'm.csv',
        p,
        store.getState().applied.runs.map((r) => r.label),
      ),
    );
    const s = store.getState();
    expect(s.metricsVersion).toBeGreaterThan(v);
    const R = s.applied.runs.length;
    expect(s.metrics.get(0, 'train_loss')?.values).toEqual([0.7]);
    expect(s.metrics.get(R, 'train_loss')?.values).toEqual([0.69, 0.5]);
    expect(s.metrics.get(R + 1, 'train_loss')?.values).toEqual([0.8]);
    s.restart();
    expect(store.getState().metrics.get(0, 'train_loss')).toBeUndefined();
    expect(store.getState().metrics.get(R, 'train_loss')?.steps).toEqual([0, 5]);
    store.getState().addRun(); // one more page run: the imported ones move up by one
    expect(store.getState().metrics.get(R + 1, 'train_loss')?.steps).toEqual([0, 5]);
    store.getState().setImported(null);
    expect(store.getState().metrics.rowCount).toBe(0);
  });
});
