/**
 * `cli run`: train every run of an experiment with a Trainer and write metrics.csv (rows
 * appended as each chunk of steps comes back), summary.json, and optionally weight snapshots
 * and the dataset.
 */
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Experiment } from '../schema/types';
import type { Trainer } from '../engine/trainer';
import type { Dataset } from '../engine/data/types';
import { experimentLayout } from '../engine/model/shape';
import type { ParamLayout } from '../engine/model/layout';
import { dataShape } from '../engine/data/shape';
import type { Backend } from './args';
import { METRICS_HEADER, csvRows, dataJson, prettyJson, weightsJson } from './output';
import { Progress, type ErrStream } from './progress';

export interface RunDeps {
  createTrainer(exp: Experiment, opts: { backend: Backend }): Promise<Trainer>;
  generateDataset(data: Experiment['data'], seed: number): Dataset;
  now(): number;
  stderr: ErrStream;
}

export interface RunOptions {
  out: string;
  backend: Backend;
  saveWeights: boolean;
  saveData: boolean;
  slice?: 'eigen' | 'update' | 'eigen2';
}

export interface RunSummary {
  config: Experiment;
  backend: Backend;
  adapter: string;
  steps: number;
  paramsPerRun: number;
  /** Seconds from the first advance() to the last; setup (device, pipelines, data) excluded. */
  wallTimeSec: number;
  setupTimeSec: number;
  stepsPerSecond: number;
  runs: {
    run: number;
    label: string;
    optimizer: string;
    diverged: boolean;
    divergedAtStep: number | null;
    /** stopAtZeroLoss: the step whose train_loss was exactly 0, where the run stopped (t* = lr x step); else null. */
    zeroLossStep: number | null;
    /** The last logged value of each metric. */
    finalMetrics: Record<string, number | null>;
    /** The step of the last logged train_loss (or of any metric when none). */
    finalStep: number | null;
  }[];
  files: { metrics: string; weights: string[]; data: string | null; slices: string[] };
}

/** The number of steps per advance() call: up to metrics.every * 10. */
export function chunkSize(exp: Experiment): number {
  return Math.max(1, Math.min(exp.steps, exp.metrics.every * 10));
}

export async function runExperiment(exp: Experiment, opts: RunOptions, deps: RunDeps): Promise<RunSummary> {
  const setupStart = deps.now();
  await mkdir(opts.out, { recursive: true });
  const layout = experimentLayout(exp, dataShape(exp.data));
  let dataFile: string | null = null;
  if (opts.saveData) {
    dataFile = 'data.json';
    await writeFile(
      join(opts.out, dataFile),
      JSON.stringify(dataJson(deps.generateDataset(exp.data, exp.seed))) + '\n',
    );
  }
  const trainer = await deps.createTrainer(exp, { backend: opts.backend });
  try {
    if (opts.slice === 'eigen2')
      trainer.trackPath?.(
        exp.runs.map((_, r) => r),
        SURFACE_PATH_STEPS,
      );
    const weightFiles: string[] = [];
    if (opts.saveWeights) {
      await mkdir(join(opts.out, 'weights'), { recursive: true });
      weightFiles.push(...(await saveWeights(trainer, layout, opts.out, 0)));
    }
    const csv = await open(join(opts.out, 'metrics.csv'), 'w');
    const final = exp.runs.map(() => new Map<string, { step: number; value: number }>());
    const start = deps.now();
    const progress = new Progress(deps.stderr, exp.steps, deps.now, start);
    try {
      await csv.write(`${METRICS_HEADER}\n`);
      const chunk = chunkSize(exp);
      while (trainer.step < exp.steps) {
        const before = trainer.step;
        const rows = await trainer.advance(chunk);
        if (rows.length) await csv.write(csvRows(rows));
        for (const r of rows) final[r.run]?.set(r.metric, { step: r.step, value: r.value });
        progress.update(trainer.step);
        if (trainer.step <= before) throw new Error(`the trainer made no progress at step ${before} of ${exp.steps}`);
      }
    } finally {
      progress.finish();
      await csv.close();
    }
    const wall = (deps.now() - start) / 1000;
    if (opts.saveWeights) weightFiles.push(...(await saveWeights(trainer, layout, opts.out, trainer.step)));
    const sliceFiles =
      opts.slice === 'eigen2'
        ? await saveSurfaces(trainer, exp, opts.out, deps.stderr)
        : opts.slice
          ? await saveSlices(trainer, exp, opts.out, opts.slice, deps.stderr)
          : [];
    const diverged = trainer.divergedAt();
    const stopped = trainer.stoppedAt?.() ?? [];
    const summary: RunSummary = {
      config: exp,
      backend: trainer.backend,
      adapter: trainer.adapterDescription,
      steps: trainer.step,
      paramsPerRun: layout.paramCount,
      wallTimeSec: wall,
      setupTimeSec: (start - setupStart) / 1000,
      stepsPerSecond: wall > 0 ? trainer.step / wall : 0,
      runs: exp.runs.map((run, i) => {
        const finalMetrics: Record<string, number | null> = {};
        let lastStep: number | null = null;
        for (const [k, v] of final[i]) {
          finalMetrics[k] = Number.isFinite(v.value) ? v.value : null;
          lastStep = Math.max(lastStep ?? 0, v.step);
        }
        const trainLoss = final[i].get('train_loss');
        return {
          run: i,
          label: run.label,
          optimizer: run.optimizer.name,
          diverged: diverged[i] !== null,
          divergedAtStep: diverged[i],
          zeroLossStep: stopped[i] ?? null,
          finalMetrics,
          finalStep: trainLoss ? trainLoss.step : lastStep,
        };
      }),
      files: { metrics: 'metrics.csv', weights: weightFiles, data: dataFile, slices: sliceFiles },
    };
    await writeFile(join(opts.out, 'summary.json'), prettyJson(summary) + '\n');
    return summary;
  } finally {
    trainer.dispose();
  }
}

/** Writes weights/run-<i>-step-<n>.json for every run; returns the relative paths. */
async function saveWeights(trainer: Trainer, layout: ParamLayout, out: string, step: number): Promise<string[]> {
  const files: string[] = [];
  for (let r = 0; r < trainer.experiment.runs.length; r++) {
    const rel = `weights/run-${r}-step-${step}.json`;
    const params = await trainer.getParams(r);
    await writeFile(join(out, rel), JSON.stringify(weightsJson(layout, params)) + '\n');
    files.push(rel);
  }
  return files;
}

/** Steps of path --slice eigen2 records and projects. */
export const SURFACE_PATH_STEPS = 300;

/**
 * The loss on the plane of each run's top two Hessian eigenvectors, 25 x 25 with the automatic
 * radius: surface-run-<i>.csv (a,b,loss, a along e1 fastest), path-run-<i>.csv (step,a,b,off) and
 * surface-run-<i>.json (step, lambda, radius, hvps).
 */
async function saveSurfaces(trainer: Trainer, exp: Experiment, out: string, stderr: ErrStream): Promise<string[]> {
  const files: string[] = [];
  if (!trainer.surface2d) return files;
  for (let r = 0; r < exp.runs.length; r++) {
    try {
      const s = await trainer.surface2d(r, { points: 25, radius: 'auto' });
      const n = s.coords.length;
      const grid = Array.from(s.loss, (v, k) => `${s.coords[k % n]},${s.coords[Math.floor(k / n)]},${v}`);
      await writeFile(join(out, `surface-run-${r}.csv`), ['a,b,loss', ...grid].join('\n') + '\n');
      const meta = { step: s.step, lambda: s.lambda, radius: s.radius, hvps: s.hvps };
      await writeFile(join(out, `surface-run-${r}.json`), JSON.stringify(meta) + '\n');
      const path = s.path.map((p) => `${p.step},${p.a},${p.b},${p.off}`);
      await writeFile(join(out, `path-run-${r}.csv`), ['step,a,b,off', ...path].join('\n') + '\n');
      files.push(`surface-run-${r}.csv`, `path-run-${r}.csv`, `surface-run-${r}.json`);
    } catch (e) {
      stderr.write(`surface for run ${r} skipped: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  return files;
}

/** The training loss along the top eigenvector or the last update of each run: slice-run-<i>.csv (alpha,loss). */
async function saveSlices(
  trainer: Trainer,
  exp: Experiment,
  out: string,
  direction: 'eigen' | 'update',
  stderr: ErrStream,
): Promise<string[]> {
  const files: string[] = [];
  if (!trainer.lossSlice) return files;
  for (let r = 0; r < exp.runs.length; r++) {
    try {
      const pts = await trainer.lossSlice(r, { direction, points: 41, radius: 1 });
      const name = `slice-run-${r}.csv`;
      await writeFile(join(out, name), ['alpha,loss', ...pts.map((p) => `${p.alpha},${p.loss}`)].join('\n') + '\n');
      files.push(name);
    } catch (e) {
      stderr.write(`slice for run ${r} skipped: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  return files;
}
