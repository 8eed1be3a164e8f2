/**
 * `cli refine`: from a finished `cli run` directory, take run I's logged grad_norm series,
 * derive a refined schedule (docs/optimizers.md, "Learning-rate schedules") and write the experiment with one added run using it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Experiment, Result, RunConfig, ValidationError } from '../schema/types';
import { parseExperiment } from '../experiment/validate';
import { refineSchedule } from '../engine/optim/schedules';
import { isRecord } from '../schema/fields';
import { parseMetricsCsv, prettyJson } from './output';
import type { RefineCommand } from './args';

/** Exit 2: a problem with the arguments or the inputs; the caller prints the lines. */
export class InputError extends Error {
  constructor(readonly errors: ValidationError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  }
}

const bad = (path: string, message: string) => new InputError([{ path, message }]);

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw bad(path, 'cannot read (expected the output directory of `cli run`)');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw bad(path, `not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The experiment with the refined run appended (validated). Throws InputError on bad inputs. */
export async function refineExperiment(
  cmd: Omit<RefineCommand, 'kind' | 'out'>,
): Promise<{ exp: Experiment; run: RunConfig }> {
  const summaryPath = join(cmd.dir, 'summary.json');
  const summary = await readJson(summaryPath);
  if (!isRecord(summary)) throw bad(summaryPath, 'expected an object');
  const parsed = parseExperiment(summary.config);
  if (!parsed.ok)
    throw new InputError(
      parsed.errors.map((e) => ({ path: `${summaryPath} config${e.path ? '.' + e.path : ''}`, message: e.message })),
    );
  const config = parsed.value;
  const source = config.runs[cmd.run];
  if (!source) throw bad('--run', `run ${cmd.run} does not exist; ${cmd.dir} has runs 0..${config.runs.length - 1}`);
  const runs = Array.isArray(summary.runs) ? summary.runs : [];
  const info = runs[cmd.run];
  if (isRecord(info) && info.diverged === true) {
    throw bad(
      '--run',
      `run ${cmd.run} ("${source.label}") diverged at step ${String(info.divergedAtStep)}; refine needs a run that finished`,
    );
  }

  const csvPath = join(cmd.dir, 'metrics.csv');
  let rows;
  try {
    rows = parseMetricsCsv(await readFile(csvPath, 'utf8'));
  } catch (e) {
    throw bad(csvPath, e instanceof Error ? e.message : String(e));
  }
  const points = rows
    .filter((r) => r.run === cmd.run && r.metric === 'grad_norm' && r.step >= 1 && r.step <= config.steps)
    .sort((a, b) => a.step - b.step)
    .filter((r, i, all) => i === 0 || r.step !== all[i - 1].step);
  if (points.length === 0) throw bad(csvPath, `has no grad_norm rows for run ${cmd.run}`);
  const badPoint = points.find((p) => !Number.isFinite(p.value) || p.value < 0);
  if (badPoint)
    throw bad(
      csvPath,
      `run ${cmd.run}'s grad_norm at step ${badPoint.step} is ${badPoint.value}; expected finite values >= 0`,
    );

  // Logged every metrics.every steps: refineSchedule interpolates between the logged steps.
  const factors = refineSchedule(
    points.map((p) => p.value),
    config.steps,
    { tau: cmd.tau, at: points.map((p) => p.step) },
  ).map((f) => Number(f.toPrecision(6)));
  const run: RunConfig = {
    label: `${source.label} (refined)`.slice(0, 200),
    optimizer: structuredClone(source.optimizer),
    schedule: { name: 'refined', factors },
  };
  const next: Result<Experiment> = parseExperiment({ ...config, runs: [...config.runs, run] });
  if (!next.ok) throw new InputError(next.errors);
  return { exp: next.value, run };
}

export async function refineCommand(cmd: RefineCommand): Promise<string> {
  const { exp, run } = await refineExperiment(cmd);
  await writeFile(cmd.out, prettyJson(exp) + '\n');
  return `wrote ${cmd.out}: added run ${exp.runs.length - 1} "${run.label}" (refined schedule over ${exp.steps} steps)`;
}
