/**
 * `export torch`: an experiment as a self-contained PyTorch script (docs/export.md). The folder
 * holds train.py (the template torch/train.py with the optimizer blocks of torch/optim_*.py the
 * runs use spliced in), config.json (everything from the experiment the script reads: model, loss,
 * per-run optimizer hyperparameters, seeds and schedules, metric settings), the data as .npy
 * (written by our generators) and each run's initial parameters as init-run-<i>.npy. Values and
 * labels from the experiment reach the script only through config.json, never as Python source.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Experiment, ValidationError } from '../schema/types';
import type { Dataset } from '../engine/data/types';
import { generateDataset } from '../engine/data/index';
import { resolveHyper, runSeed } from '../engine/hyper';
import { initParams } from '../engine/model/init';
import { experimentLayout } from '../engine/model/shape';
import { getOptimizer } from '../engine/optim/registry';
import { checkLossTask } from '../engine/cpu/losses';
import { checkOutputScale } from '../engine/cpu/output_scale';
import { npyFloat64 } from './npy';
import { prettyJson } from './output';

/** How each exportable optimizer is written: torch.optim's class, or a class in the script. */
export const TORCH_OPTIMIZERS: Readonly<Record<string, 'torch.optim' | 'written out'>> = {
  sgd: 'torch.optim', // torch.optim.SGD; Nesterov with dampening (which it refuses) is written out
  adam: 'torch.optim',
  adamw: 'torch.optim',
  adagrad: 'torch.optim',
  rmsprop: 'written out', // ours clamps the centered variance at 0; torch.optim's does not
  lion: 'written out',
  signsgd: 'written out',
  adabelief: 'written out',
  nadamw: 'written out', // torch.optim.NAdam has a momentum-decay schedule ours lacks
  diffgrad: 'written out',
  ademamix: 'written out',
  adamp: 'written out',
  sgdp: 'written out',
  'sgd-sai': 'written out',
  sam: 'written out', // around torch.optim.SGD
  'sam-adam': 'written out', // around torch.optim.Adam
  'sf-sgd': 'written out',
  'sf-adamw': 'written out',
  muon: 'written out',
  'clipped-sgd': 'written out',
  'clipped-adam': 'written out',
  frugal: 'written out',
  'dp-sgd': 'written out',
  'dice-sgd': 'written out',
  shampoo: 'written out',
};

/**
 * The metrics the script logs, with our CPU backend's definitions (metrics/names.ts); the
 * curvature metrics and the extra evaluation sets (S-randomized accuracies, group losses) are not
 * exported.
 */
export const EXPORTED_METRICS = [
  'train_loss',
  'train_acc',
  'test_loss',
  'test_acc',
  'weak_feature_acc',
  'weight_norm',
  'relative_weight_change',
  'batch_loss',
  'lr',
  'temperature',
  'grad_norm',
  'step_distance',
  'update_norm',
  'zero_loss_step',
  'fit_time',
] as const;

/** What `export torch` cannot express yet, one error per field (empty: exportable). */
export function exportErrors(exp: Experiment): ValidationError[] {
  const errors: ValidationError[] = [];
  if (exp.model.kind !== 'mlp')
    errors.push({
      path: 'model.kind',
      message: `export torch supports "mlp" models only so far, got "${exp.model.kind}"`,
    });
  const names = Object.keys(TORCH_OPTIMIZERS);
  exp.runs.forEach((run, i) => {
    if (!(run.optimizer.name in TORCH_OPTIMIZERS))
      errors.push({
        path: `runs[${i}].optimizer.name`,
        message: `export torch does not support "${run.optimizer.name}" yet; supported: ${names.join(', ')}`,
      });
  });
  return errors;
}

/** The metric settings the export leaves out (printed as notes; those rows are not written). */
export function exportNotes(exp: Experiment): string[] {
  const notes: string[] = [];
  const m = exp.metrics;
  if (m.sharpness && m.sharpness.every > 0) notes.push('metrics.sharpness (curvature metrics are not exported)');
  if (m.trace && m.trace.every > 0) notes.push('metrics.trace (curvature metrics are not exported)');
  if (['lms', 'ms57', 'lsn'].includes(exp.data.kind) && (m.sRandomized === undefined || m.sRandomized.length > 0))
    notes.push('S-randomized test accuracies (not exported)');
  if (exp.data.kind === 'opposing-signals') notes.push('group_loss_pos / group_loss_neg (not exported)');
  return notes;
}

const TEMPLATE_DIR = new URL('./torch/', import.meta.url);
/** The optimizer blocks, by file: torch.optim-based, adaptive, the rest. */
export const BLOCK_FILES = ['optim_torch.py', 'optim_adaptive.py', 'optim_other.py'] as const;
const SPLICE = '# @@OPTIMIZERS@@';
const BLOCK = /^# --- optimizer: (.+)$/gm;

/**
 * train.py with the blocks that register `optimizers` (names), and the blocks those need, spliced
 * in, in the blocks' order.
 */
export function buildScript(template: string, blockSources: readonly string[], optimizers: readonly string[]): string {
  const words = (s: string) => s.trim().split(/\s+/).filter(Boolean);
  const blocks = blockSources.flatMap((src) => {
    const starts = [...src.matchAll(BLOCK)];
    return starts.map((m, k) => {
      const end = k + 1 < starts.length ? starts[k + 1].index : src.length;
      const [names, needs = ''] = m[1].split('| needs:');
      return { names: words(names), needs: words(needs), text: src.slice(m.index, end).trimEnd() };
    });
  });
  const missing = optimizers.filter((n) => !blocks.some((b) => b.names.includes(n)));
  if (missing.length) throw new Error(`export torch: no optimizer block for ${missing.join(', ')}`);
  if (!template.includes(SPLICE)) throw new Error(`export torch: the template has no "${SPLICE}" line`);
  const wanted = new Set(optimizers);
  for (const b of blocks) if (b.names.some((n) => wanted.has(n))) b.needs.forEach((n) => wanted.add(n));
  const used = blocks.filter((b) => b.names.some((n) => wanted.has(n)));
  return template.replace(SPLICE, used.map((b) => b.text).join('\n\n\n'));
}

/** The script for an experiment's optimizers, from the templates beside this module. */
export async function scriptFor(optimizers: readonly string[]): Promise<string> {
  const read = (f: string) => readFile(new URL(f, TEMPLATE_DIR), 'utf8');
  const [template, ...blocks] = await Promise.all(['train.py', ...BLOCK_FILES].map(read));
  return buildScript(template, blocks, optimizers);
}

function finiteHyper(path: string, v: unknown): void {
  const bad = (x: unknown) => typeof x === 'number' && !Number.isFinite(x);
  if (bad(v) || (Array.isArray(v) && v.some(bad)))
    throw new Error(`${path}: expected a finite value, got ${String(v)}`);
}

export interface ExportSummary {
  /** The files written, relative to the output folder. */
  files: string[];
  /** Lines of train.py. */
  scriptLines: number;
  /** Metric settings of the experiment that the script does not log. */
  notes: string[];
}

export class ExportError extends Error {
  constructor(readonly errors: ValidationError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

/** Writes the script, config.json, data and initial weights of `exp` into `out`. */
export async function exportTorch(
  exp: Experiment,
  out: string,
  opts: { dataset?: Dataset } = {},
): Promise<ExportSummary> {
  const errors = exportErrors(exp);
  if (errors.length) throw new ExportError(errors);
  const ds = opts.dataset ?? generateDataset(exp.data, exp.seed);
  const layout = experimentLayout(exp, ds);
  const outputDim = layout.widths[layout.widths.length - 1];
  checkLossTask(exp.loss, outputDim, ds.nClasses);
  checkOutputScale(
    exp,
    exp.runs.map((r) => getOptimizer(r.optimizer.name)!),
  );
  const files = new Map<string, Uint8Array | string>();
  const runs = exp.runs.map((run, i) => {
    const def = getOptimizer(run.optimizer.name)!;
    const hp = resolveHyper(def, run.optimizer);
    for (const [k, v] of Object.entries(hp)) finiteHyper(`runs[${i}].optimizer.${k}`, v);
    const seed = runSeed(exp.seed, i, exp.varySeedPerRun);
    const init = `init-run-${i}.npy`;
    files.set(init, npyFloat64(initParams(layout, exp.model, seed), [layout.paramCount]));
    return {
      label: run.label,
      seed,
      init,
      optimizer: { name: def.name, hp },
      peakLr: typeof hp.lr === 'number' ? hp.lr : 0,
      schedule: run.schedule,
      fitTimeLr: typeof run.optimizer.lr === 'number' ? run.optimizer.lr : null,
    };
  });
  const split = (s: Dataset['train'], name: string) => {
    files.set(`x_${name}.npy`, npyFloat64(s.x, [s.n, ds.inputDim]));
    files.set(`y_${name}.npy`, npyFloat64(s.y, ds.nClasses > 0 ? [s.n] : [s.n, ds.targetDim]));
  };
  split(ds.train, 'train');
  split(ds.test, 'test');
  const model = exp.model.kind === 'mlp' ? exp.model : undefined;
  const config = {
    format: 1,
    note: 'Written by the optimizer playground (npm run cli -- export torch); read by train.py.',
    steps: exp.steps,
    seed: exp.seed,
    dataKind: exp.data.kind,
    inputDim: ds.inputDim,
    outputDim,
    nClasses: ds.nClasses,
    model: {
      hidden: model!.hidden,
      activation: model!.activation,
      bias: model!.bias,
      outputScale: exp.model.outputScale ?? null,
    },
    loss: exp.loss,
    batchSize: exp.batchSize === 'full' ? null : exp.batchSize,
    fullBatch: exp.batchSize === 'full' || exp.batchSize >= ds.train.n,
    stopAtZeroLoss: exp.stopAtZeroLoss ?? false,
    metrics: { every: exp.metrics.every, evalSubset: exp.metrics.evalSubset },
    files: { xTrain: 'x_train.npy', yTrain: 'y_train.npy', xTest: 'x_test.npy', yTest: 'y_test.npy' },
    runs,
  };
  files.set('config.json', `${prettyJson(config)}\n`);
  const script = await scriptFor(exp.runs.map((r) => r.optimizer.name));
  files.set('train.py', script);
  await mkdir(out, { recursive: true });
  for (const [name, body] of files) await writeFile(join(out, name), body);
  return { files: [...files.keys()], scriptLines: script.split('\n').length - 1, notes: exportNotes(exp) };
}
