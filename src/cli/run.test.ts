import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, chunkSize, type RunDeps } from './run';
import { FakeTrainer, type FakeOptions } from './fake_trainer';
import { METRICS_HEADER, parseMetricsCsv } from './output';
import { defaultExperiment } from '../experiment/defaults';
import { parseExperiment } from '../experiment/validate';
import { experimentLayout } from '../engine/model/shape';
import { dataShape } from '../engine/data/shape';
import type { Experiment } from '../schema/types';
import type { Dataset } from '../engine/data/types';
import { Progress } from './progress';
import { runCli } from './cli';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'cli-run-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function smallExperiment(): Experiment {
  const exp = { ...defaultExperiment(), steps: 95, metrics: { every: 4, evalSubset: 0 } };
  exp.runs.push({ label: 'third', optimizer: exp.runs[0].optimizer, schedule: { name: 'constant' } });
  const res = parseExperiment(exp);
  if (!res.ok) throw new Error(JSON.stringify(res.errors));
  return res.value;
}

function fakeDataset(exp: Experiment): Dataset {
  const shape = dataShape(exp.data);
  const split = (n: number) => ({
    n,
    x: Float32Array.from({ length: n * shape.inputDim }, (_, i) => i),
    y: Float32Array.from({ length: n }, (_, i) => i % 2),
  });
  return { ...shape, train: split(3), test: split(2), meta: { kind: exp.data.kind } };
}

function deps(opts: FakeOptions = {}, log: string[] = []): RunDeps & { trainers: FakeTrainer[] } {
  let t = 0;
  const trainers: FakeTrainer[] = [];
  return {
    trainers,
    createTrainer: async (exp) => {
      const tr = new FakeTrainer(exp, opts);
      trainers.push(tr);
      return tr;
    },
    generateDataset: (data, seed) => fakeDataset({ ...defaultExperiment(), data, seed }),
    now: () => (t += 250),
    stderr: { isTTY: false, write: (s: string) => log.push(s) },
  };
}

describe('cli run', () => {
  it('writes metrics.csv in long format, chunk by chunk, and a summary', async () => {
    const exp = smallExperiment();
    const out = await tempDir();
    const d = deps();
    const summary = await runExperiment(exp, { out, backend: 'cpu', saveWeights: false, saveData: false }, d);
    const tr = d.trainers[0];
    expect(tr.disposed).toBe(true);
    expect(chunkSize(exp)).toBe(40);
    expect(tr.advanceCalls).toEqual([40, 40, 40]);

    const csv = await readFile(join(out, 'metrics.csv'), 'utf8');
    expect(csv.startsWith(`${METRICS_HEADER}\n`)).toBe(true);
    const rows = parseMetricsCsv(csv);
    const steps = [...new Set(rows.map((r) => r.step))];
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(95);
    expect(steps).toContain(92);
    expect(rows.filter((r) => r.metric === 'train_loss' && r.step === 0).map((r) => r.run)).toEqual([0, 1, 2]);

    const json = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    expect(json).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(json.config).toEqual(exp);
    expect(json.backend).toBe('cpu');
    expect(json.adapter).toBe('fake trainer');
    expect(json.steps).toBe(95);
    expect(json.paramsPerRun).toBe(experimentLayout(exp, dataShape(exp.data)).paramCount);
    expect(json.wallTimeSec).toBeGreaterThan(0);
    expect(json.stepsPerSecond).toBeCloseTo(95 / json.wallTimeSec, 9);
    expect(json.runs).toHaveLength(3);
    expect(json.runs[1]).toMatchObject({
      run: 1,
      label: exp.runs[1].label,
      optimizer: 'sgd',
      diverged: false,
      divergedAtStep: null,
      finalStep: 95,
    });
    expect(json.runs[1].finalMetrics.train_loss).toBeCloseTo(1 / 97, 12);
    expect(json.runs[1].finalMetrics.grad_norm).toBeCloseTo(FakeTrainer.gradNorm(1, 95), 12);
    expect(json.files).toEqual({ metrics: 'metrics.csv', weights: [], data: null, slices: [] });
  });

  it('reports diverged runs and their step', async () => {
    const out = await tempDir();
    const summary = await runExperiment(
      smallExperiment(),
      { out, backend: 'cpu', saveWeights: false, saveData: false },
      deps({ divergeAt: { 2: 30 } }),
    );
    expect(summary.runs[2]).toMatchObject({ diverged: true, divergedAtStep: 32, finalStep: 32 });
    expect(summary.runs[2].finalMetrics.train_loss).toBeNull();
    expect(summary.runs[0].diverged).toBe(false);
  });

  it('saves weights at step 0 and the last step, and the dataset', async () => {
    const exp = smallExperiment();
    const out = await tempDir();
    const summary = await runExperiment(exp, { out, backend: 'cpu', saveWeights: true, saveData: true }, deps());
    const files = (await readdir(join(out, 'weights'))).sort();
    expect(files).toEqual([
      'run-0-step-0.json',
      'run-0-step-95.json',
      'run-1-step-0.json',
      'run-1-step-95.json',
      'run-2-step-0.json',
      'run-2-step-95.json',
    ]);
    expect(summary.files.weights).toHaveLength(6);
    const layout = experimentLayout(exp, dataShape(exp.data));
    const w = JSON.parse(await readFile(join(out, 'weights', 'run-1-step-95.json'), 'utf8'));
    expect(w.layers.map((l: { name: string }) => l.name)).toEqual(layout.tensors.map((t) => t.name));
    expect(w.layers[0].shape).toEqual([exp.model.kind === 'mlp' && exp.model.hidden[0], dataShape(exp.data).inputDim]);
    expect(w.layers[0].values).toHaveLength(layout.tensors[0].size);
    expect(w.layers[0].values[0]).toBeCloseTo(1 + 95, 4);
    const data = JSON.parse(await readFile(join(out, 'data.json'), 'utf8'));
    const inputDim = dataShape(exp.data).inputDim;
    expect(data.train.x).toHaveLength(3);
    expect(data.train.x[1]).toEqual(Array.from({ length: inputDim }, (_, i) => inputDim + i));
    expect(data.train.y).toEqual([0, 1, 0]);
    expect(data.test.x).toHaveLength(2);
  });

  it('draws a progress bar only on a TTY', () => {
    const written: string[] = [];
    let t = 0;
    const p = new Progress({ isTTY: true, write: (s) => written.push(s) }, 200, () => (t += 500));
    p.update(50);
    p.finish();
    expect(written[0]).toContain('50/200 steps');
    expect(written[0]).toContain('100.0 steps/s');
    expect(written[0]).toContain(' 25%');
    expect(written.at(-1)).toBe('\n');
    const quiet: string[] = [];
    const q = new Progress({ isTTY: false, write: (s) => quiet.push(s) }, 200, () => 0);
    q.update(10);
    q.finish();
    expect(quiet).toEqual([]);
  });

  it('runCli: bad config -> 2 with path: message lines; runtime failure -> 1', async () => {
    const dir = await tempDir();
    const bad = join(dir, 'bad.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      bad,
      JSON.stringify({ ...defaultExperiment(), steps: -5, runs: [{ optimizer: { name: 'adamx' } }] }),
    );
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } };
    expect(await runCli(['run', bad, '--out', join(dir, 'o')], io)).toBe(2);
    const lines = err.join('').trim().split('\n');
    expect(lines).toContain('steps: expected an integer >= 1 and <= 1000000, got -5');
    expect(lines.some((l) => l.startsWith('runs[0].optimizer.name: unknown optimizer "adamx"'))).toBe(true);

    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify(smallExperiment()));
    err.length = 0;
    const failing = { ...io, deps: { ...deps(), createTrainer: async () => Promise.reject(new Error('no adapter')) } };
    expect(await runCli(['run', good, '--out', join(dir, 'o2')], failing)).toBe(1);
    expect(err.join('')).toContain('error: no adapter');

    const out: string[] = [];
    const okIo = { stdout: { write: (s: string) => out.push(s) }, stderr: io.stderr, deps: deps() };
    expect(await runCli(['run', good, '--out', join(dir, 'o3'), '--steps', '12'], okIo)).toBe(0);
    const summary = JSON.parse(await readFile(join(dir, 'o3', 'summary.json'), 'utf8'));
    expect(summary.config.steps).toBe(12);
    expect(summary.steps).toBe(12);
    expect(out.join('')).toContain('12 steps x 3 runs on cpu');
    expect(await runCli(['run', join(dir, 'missing.json'), '--out', join(dir, 'o4')], io)).toBe(2);
    expect(err.join('')).toContain('missing.json: no such file');
  });
});
