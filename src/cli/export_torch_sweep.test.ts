/**
 * `export torch --sweep ray|slurm`: the plain-Python trial (trial.run_trial) run for two of three
 * runs writes the rows of the full script for those runs, which agree with our CPU backend; the
 * gather step merges every run's rows into the full script's metrics.csv; the Ray launcher, run
 * against a stand-in `ray` package (Ray is not installed here) that runs the grid in process, and
 * the SLURM array script, run once per task index, write the same metrics.csv; the launchers
 * compile. Needs /usr/bin/python3 with PyTorch and NumPy, as export_torch.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuTrainer } from '../engine/cpu/trainer';
import { defaultExperiment, runWithDefaults } from '../experiment/defaults';
import type { Experiment } from '../schema/types';
import { EXPORTED_METRICS } from './export_torch';
import { exportTorch } from './export_torch_write';
import { readNpyFloat64 } from './npy';
import { parseMetricsCsv } from './output';
import { parseArgs } from './args';

const PYTHON = '/usr/bin/python3';
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'export-sweep-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function py(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const res = spawnSync(args[0] === 'bash' ? 'bash' : PYTHON, args[0] === 'bash' ? args.slice(1) : args, {
    encoding: 'utf8',
    timeout: 300_000,
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
  });
  expect(res.status, `${args.join(' ')} failed:\n${res.stdout}\n${res.stderr}`).toBe(0);
  return res.stdout;
}

const exp: Experiment = {
  ...defaultExperiment(),
  steps: 40,
  metrics: { ...defaultExperiment().metrics, every: 10 },
  runs: [
    runWithDefaults({ label: 'sgd', optimizer: { name: 'sgd', lr: 0.1 } }),
    runWithDefaults({ label: 'adam', optimizer: { name: 'adam', lr: 0.01 } }),
    runWithDefaults({ label: 'sam', optimizer: { name: 'sam', lr: 0.05 } }),
  ],
};
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const runLines = (csv: string, r: number) => csv.split('\n').filter((l) => l.startsWith(`${r},`));

describe('export torch --sweep', () => {
  const ray = () => join(dir, 'ray');
  it('the trial function, called for runs 0 and 2, writes the full script rows of those runs', async () => {
    const s = await exportTorch(exp, ray(), { sweep: { kind: 'ray', gpusPerTrial: 0, cpusPerTrial: 1 } });
    expect(s.files).toEqual(expect.arrayContaining(['train.py', 'config.json', 'trial.py', 'ray_tune.py']));
    py([join(ray(), 'train.py'), '--out', join(ray(), 'full')]);
    const full = read(ray(), 'full', 'metrics.csv');
    const call =
      'import sys; sys.path.insert(0, sys.argv[1]); import trial; [trial.run_trial(r, sys.argv[2]) for r in (0, 2)]';
    py(['-c', call, ray(), join(ray(), 'trials')]);
    const trainer = CpuTrainer.create(exp);
    const cpu = (await trainer.advance(exp.steps)).filter((r) =>
      (EXPORTED_METRICS as readonly string[]).includes(r.metric),
    );
    for (const r of [0, 2]) {
      const csv = read(ray(), 'trials', `metrics-run-${r}.csv`);
      expect(csv.split('\n')[0]).toBe('run,step,metric,value');
      expect(runLines(csv, r)).toEqual(runLines(full, r));
      const rows = parseMetricsCsv(csv);
      const want = cpu.filter((c) => c.run === r);
      expect(rows.length).toBe(want.length);
      for (const c of want) {
        const got = rows.find((x) => x.step === c.step && x.metric === c.metric)!.value;
        expect(
          Math.abs(got - c.value) / Math.max(1e-300, Math.abs(c.value)),
          `${r}/${c.step}/${c.metric}`,
        ).toBeLessThan(1e-6);
      }
      const w = readNpyFloat64(readFileSync(join(ray(), 'trials', `weights-run-${r}.npy`))).values;
      expect(Array.from(w)).toEqual(
        Array.from(readNpyFloat64(readFileSync(join(ray(), 'full', `weights-run-${r}.npy`))).values),
      );
      trainer.getParams64(r).forEach((x, i) => expect(Math.abs(w[i] - x)).toBeLessThan(1e-9));
    }
    // gather with run 1 missing says so and fails; after `trial.py --run 1` it gives the full file
    const gap = spawnSync(PYTHON, [join(ray(), 'trial.py'), '--gather', join(ray(), 'trials')], { encoding: 'utf8' });
    expect(gap.status).toBe(1);
    expect(gap.stdout).toContain('no metrics for runs [1]');
    py([join(ray(), 'trial.py'), '--run', '1', '--out', join(ray(), 'trials')]);
    py([join(ray(), 'trial.py'), '--gather', join(ray(), 'trials')]);
    expect(read(ray(), 'trials', 'metrics.csv')).toBe(full);
  });

  it('ray_tune.py, against a stand-in ray package, runs one trial per run and gathers metrics.csv', () => {
    const stub = join(dir, 'stub', 'ray');
    mkdirSync(stub, { recursive: true });
    writeFileSync(join(stub, '__init__.py'), '');
    const tune = [
      'import json, os',
      'def grid_search(values): return {"grid_search": list(values)}',
      'def with_resources(fn, resources):',
      '    fn.resources = resources',
      '    return fn',
      'class TuneConfig:',
      '    def __init__(self, **kw): self.kw = kw',
      'class Results(list):',
      '    num_errors = 0',
      'class Tuner:',
      '    def __init__(self, fn, param_space, tune_config): self.fn, self.space = fn, param_space',
      '    def fit(self):',
      '        with open(os.environ["RAY_STUB_LOG"], "w") as f: json.dump(self.fn.resources, f)',
      '        return Results(self.fn({"run": r}) for r in self.space["run"]["grid_search"])',
    ];
    writeFileSync(join(stub, 'tune.py'), tune.join('\n') + '\n');
    const log = join(dir, 'ray-resources.json');
    const env = { PYTHONPATH: join(dir, 'stub'), RAY_STUB_LOG: log };
    const out = py([join(ray(), 'ray_tune.py'), '--out', join(ray(), 'tuned'), '--gpus-per-trial', '0'], { env });
    expect(out).toContain('3 trials, 0 failed');
    expect(read(ray(), 'tuned', 'metrics.csv')).toBe(read(ray(), 'full', 'metrics.csv'));
    expect(JSON.parse(read(log))).toEqual({ cpu: 1, gpu: 0 });
  });

  it('the SLURM array has one task per run, runs as plain bash per task index, and submits the gather after it', async () => {
    const out = join(dir, 'slurm');
    await exportTorch(exp, out, { sweep: { kind: 'slurm', gpusPerTrial: 2, cpusPerTrial: 4 } });
    const sbatch = read(out, 'slurm_array.sbatch');
    expect(sbatch).toContain('#SBATCH --array=0-2\n');
    expect(sbatch).toContain('#SBATCH --gres=gpu:2\n');
    expect(sbatch).toContain('#SBATCH --cpus-per-task=4\n');
    expect(sbatch).not.toMatch(/@@/);
    for (const task of ['0', '1', '2'])
      py(['bash', join(out, 'slurm_array.sbatch')], {
        env: { SLURM_ARRAY_TASK_ID: task, SLURM_SUBMIT_DIR: out, OUT: 'res', DEVICE: 'cpu', PYTHON },
      });
    py([join(out, 'trial.py'), '--gather', join(out, 'res')]);
    expect(read(out, 'res', 'metrics.csv')).toBe(read(dir, 'ray', 'full', 'metrics.csv'));
    // slurm_submit.sh against a stand-in sbatch that logs its arguments
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'sbatch'), `#!/bin/bash\necho "$@" >> ${join(dir, 'sbatch.log')}\necho 4711\n`, {
      mode: 0o755,
    });
    py(['bash', join(out, 'slurm_submit.sh')], { env: { PATH: `${bin}:${process.env.PATH}` } });
    const calls = read(dir, 'sbatch.log').trim().split('\n');
    expect(calls[0]).toContain('slurm_array.sbatch');
    expect(calls[1]).toContain('--dependency=afterany:4711');
    expect(calls[1]).toContain('trial.py --gather "results"');
  });

  it('the launchers compile; --sweep is parsed and checked', () => {
    const files = ['train.py', 'trial.py', 'ray_tune.py'].map((f) => join(dir, 'ray', f));
    py(['-m', 'py_compile', ...files]);
    py(['bash', '-n', join(dir, 'slurm', 'slurm_array.sbatch'), join(dir, 'slurm', 'slurm_submit.sh')]);
    const ok = parseArgs(['export', 'torch', 'e.json', '--out', 'o', '--sweep', 'ray', '--gpus-per-trial', '0.5']);
    expect(ok.ok && ok.value.kind === 'export' && ok.value.sweep).toEqual({
      kind: 'ray',
      gpusPerTrial: 0.5,
      cpusPerTrial: 1,
    });
    const bad = parseArgs(['export', 'torch', 'e.json', '--out', 'o', '--sweep', 'dask']);
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual(['--sweep']);
  });

  it('refuses fractional GPUs for SLURM', async () => {
    await expect(
      exportTorch(exp, join(dir, 'frac'), { sweep: { kind: 'slurm', gpusPerTrial: 0.5, cpusPerTrial: 1 } }),
    ).rejects.toThrow(/--gpus-per-trial: SLURM takes whole GPUs/);
  });
});
