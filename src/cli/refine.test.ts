import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refineExperiment, InputError } from './refine';
import { runExperiment } from './run';
import { FakeTrainer, type FakeOptions } from './fake_trainer';
import { defaultExperiment } from '../experiment/defaults';
import { parseExperiment } from '../experiment/validate';
import type { Experiment } from '../schema/types';
import { runCli } from './cli';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function finishedRun(opts: FakeOptions = {}): Promise<{ dir: string; exp: Experiment }> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-refine-'));
  dirs.push(dir);
  const res = parseExperiment({ ...defaultExperiment(), steps: 200, metrics: { every: 10 } });
  if (!res.ok) throw new Error(JSON.stringify(res.errors));
  let t = 0;
  await runExperiment(
    res.value,
    { out: dir, backend: 'cpu', saveWeights: false, saveData: false },
    {
      createTrainer: async (e) => new FakeTrainer(e, opts),
      generateDataset: () => {
        throw new Error('not used');
      },
      now: () => (t += 1),
      stderr: { write: () => true },
    },
  );
  return { dir, exp: res.value };
}

describe('cli refine', () => {
  it('adds a refined copy of the chosen run', async () => {
    const { dir, exp } = await finishedRun();
    const { exp: next, run } = await refineExperiment({ dir, run: 1, tau: 0.1 });
    expect(next.runs).toHaveLength(exp.runs.length + 1);
    expect(next.runs.slice(0, exp.runs.length)).toEqual(exp.runs);
    expect(run.label).toBe(`${exp.runs[1].label} (refined)`);
    expect(run.optimizer).toEqual(exp.runs[1].optimizer);
    expect(run.schedule.name).toBe('refined');
    const f = run.schedule.factors!;
    expect(f).toHaveLength(exp.steps);
    expect(Math.max(...f)).toBeCloseTo(1, 5);
    expect(f.every((v) => v >= 0 && v <= 1 + 1e-9)).toBe(true);
    // Anneals towards the end.
    expect(f[f.length - 1]).toBeLessThan(f[0]);
    expect(next.runs.at(-1)).toEqual(run);
  });

  it('writes the new experiment through the CLI and it validates', async () => {
    const { dir } = await finishedRun();
    const outFile = join(dir, 'refined.json');
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true } };
    expect(await runCli(['refine', dir, '--run', '0', '--tau', '0.2', '--out', outFile], io)).toBe(0);
    expect(out.join('')).toContain('added run 2');
    const res = parseExperiment(JSON.parse(await readFile(outFile, 'utf8')));
    expect(res.ok).toBe(true);
    if (res.ok) expect(res.value.runs[2].schedule.name).toBe('refined');
  });

  it('refuses bad inputs with exit code 2', async () => {
    const { dir } = await finishedRun({ divergeAt: { 1: 50 } });
    await expect(refineExperiment({ dir, run: 5, tau: 0.1 })).rejects.toThrow(
      /--run: run 5 does not exist; .* has runs 0\.\.1/,
    );
    await expect(refineExperiment({ dir, run: 1, tau: 0.1 })).rejects.toThrow(/diverged at step 50/);
    await expect(refineExperiment({ dir: join(dir, 'nope'), run: 0, tau: 0.1 })).rejects.toBeInstanceOf(InputError);
    await writeFile(join(dir, 'metrics.csv'), 'run,step,metric,value\n0,0,train_loss,1\n');
    await expect(refineExperiment({ dir, run: 0, tau: 0.1 })).rejects.toThrow(/no grad_norm rows for run 0/);
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => err.push(s) } };
    expect(await runCli(['refine', dir, '--run', '0', '--out', join(dir, 'x.json')], io)).toBe(2);
    expect(err.join('')).toContain('metrics.csv: has no grad_norm rows for run 0');
  });
});
