/**
 * `export torch`: an experiment as a self-contained PyTorch script (docs/export.md). The folder
 * holds train.py (the template torch/train.py with the optimizer blocks of torch/optim_*.py the
 * runs use spliced in), config.json (everything from the experiment the script reads: model, loss,
 * per-run optimizer hyperparameters, seeds and schedules, metric settings), the data as .npy
 * (written by our generators) and each run's initial parameters as init-run-<i>.npy. Values and
 * labels from the experiment reach the script only through config.json, never as Python source.
 * With a sweep, trial.py (one run as a plain-Python trial, and the gather step) and the Ray Tune or
 * SLURM launcher are added. Pure: the templates come in as text and the files go out as bytes, so
 * the page builds the same folder as the CLI (export_torch_write.ts writes it to disk).
 */
import type { Experiment, ValidationError } from '../schema/types';
import type { Dataset } from '../engine/data/types';
import { generateDataset } from '../engine/data/index';
import { resolveHyper, runSeed } from '../engine/hyper';
import { initParams } from '../engine/model/init';
import { experimentLayout } from '../engine/model/shape';
import type { ParamLayout } from '../engine/model/layout';
import { getOptimizer } from '../engine/optim/registry';
import { checkLossTask } from '../engine/cpu/losses';
import { checkOutputScale } from '../engine/cpu/output_scale';
import { curvatureDue, curvatureSubset } from '../engine/metrics/curvature_rows_cpu';
import { sharpnessBudget } from '../engine/metrics/sharpness_budget';
import { alignmentDirections } from '../engine/model/directions';
import { buildEvalSets } from '../engine/metrics/eval_sets';
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
 * The metrics the script logs, with our CPU backend's definitions (metrics/names.ts): every row
 * the CPU backend logs, the curvature, oscillation and alignment rows (torch/curvature.py:
 * precond_sharpness for PRECOND_SHARPNESS_OPTIMIZERS) and the extra evaluation sets
 * (metrics/eval_sets.ts: S-randomized accuracies, group losses) included.
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
  'sharpness',
  'precond_sharpness',
  'hessian_trace',
  'hessian_fro',
  'sharpness_threshold',
  'precond_threshold',
  'directional_sharpness',
  'grad_eig_cosine',
  'period2_distance',
  'weak_alignment',
  'strong_alignment',
  'sharpness_2',
  'sharpness_3',
  'sharpness_4',
  'sharpness_5',
  's_randomized_acc_linear',
  's_randomized_acc_slab',
  's_randomized_acc_complex',
  'group_loss_pos',
  'group_loss_neg',
] as const;

/**
 * The optimizers whose precond_sharpness the script measures: every exportable one with a diagonal
 * preconditioner (OptimizerDef.preconditioner), read from its state in curvature.py.
 */
export const PRECOND_SHARPNESS_OPTIMIZERS: readonly string[] = Object.keys(TORCH_OPTIMIZERS).filter(
  (n) => getOptimizer(n)?.preconditioner !== undefined,
);

/** What `export torch` cannot express yet, one error per field (empty: exportable). */
export function exportErrors(exp: Experiment): ValidationError[] {
  const errors: ValidationError[] = [];
  const kinds = ['mlp', 'cnn', 'patch-cnn'];
  if (!kinds.includes(exp.model.kind))
    errors.push({
      path: 'model.kind',
      message: `export torch supports ${kinds.map((k) => `"${k}"`).join(', ')} models, got "${exp.model.kind}"`,
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

/** The optimizer blocks, by file: torch.optim-based, adaptive, the rest. */
export const BLOCK_FILES = ['optim_torch.py', 'optim_adaptive.py', 'optim_other.py'] as const;
/** The models (MLP and the convolutional op list), spliced into every script. */
export const MODELS_FILE = 'models.py';
/** Sharpness (Lanczos on finite-difference Hessian-vector products), spliced into every script. */
export const CURVATURE_FILE = 'curvature.py';
/** The sweep files: the plain-Python trial and the launchers. */
export const SWEEP_FILES = ['trial.py', 'ray_tune.py', 'slurm_array.sbatch', 'slurm_submit.sh'] as const;
/** Every template of src/cli/torch/, by file name. */
export const TEMPLATE_FILES = ['train.py', MODELS_FILE, CURVATURE_FILE, ...BLOCK_FILES, ...SWEEP_FILES] as const;
export type TorchTemplates = Readonly<Record<(typeof TEMPLATE_FILES)[number], string>>;
const SPLICE = '# @@OPTIMIZERS@@';
const MODELS_SPLICE = '# @@MODELS@@';
const CURVATURE_SPLICE = '# @@CURVATURE@@';
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

function finiteHyper(path: string, v: unknown): void {
  const bad = (x: unknown) => typeof x === 'number' && !Number.isFinite(x);
  if (bad(v) || (Array.isArray(v) && v.some(bad)))
    throw new Error(`${path}: expected a finite value, got ${String(v)}`);
}

/** How a sweep launches the runs: one Ray Tune trial or one SLURM array task per run. */
export interface SweepOptions {
  kind: 'ray' | 'slurm';
  /** GPUs per trial (fractions allowed with Ray; 0: the trials run on the CPU). */
  gpusPerTrial: number;
  cpusPerTrial: number;
}

export interface TorchExport {
  /** The folder's files, by name, as bytes. */
  files: Record<string, Uint8Array>;
  /** Lines of train.py. */
  scriptLines: number;
  /**
   * Metric settings of the experiment that the script does not log, which the CLI and the page
   * print. Empty: every row our backends log is exported.
   */
  notes: string[];
}

export class ExportError extends Error {
  constructor(readonly errors: ValidationError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  }
}

/** The script, config.json, data and initial weights of `exp` (and with `sweep` its launchers). */
export function exportTorchFiles(
  exp: Experiment,
  templates: TorchTemplates,
  opts: { dataset?: Dataset; sweep?: SweepOptions } = {},
): TorchExport {
  const errors = [...exportErrors(exp), ...sweepErrors(opts.sweep)];
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
  // Extra evaluation sets (metrics/eval_sets.ts), built by our code: each one's points and targets.
  const evalSets = buildEvalSets(exp, ds).map((set) => {
    const x = `x_${set.metric}.npy`;
    const y = `y_${set.metric}.npy`;
    files.set(x, npyFloat64(set.x, [set.n, ds.inputDim]));
    files.set(y, npyFloat64(set.y, ds.nClasses > 0 ? [set.n] : [set.n, ds.targetDim]));
    return { metric: set.metric, report: set.report, n: set.n, x, y };
  });
  const config = {
    format: 1,
    note: 'Written by the optimizer playground (npm run cli -- export torch); read by train.py.',
    steps: exp.steps,
    seed: exp.seed,
    dataKind: exp.data.kind,
    inputDim: ds.inputDim,
    outputDim,
    nClasses: ds.nClasses,
    model: modelConfig(exp, layout),
    loss: exp.loss,
    batchSize: exp.batchSize === 'full' ? null : exp.batchSize,
    fullBatch: exp.batchSize === 'full' || exp.batchSize >= ds.train.n,
    stopAtZeroLoss: exp.stopAtZeroLoss ?? false,
    metrics: {
      every: exp.metrics.every,
      evalSubset: exp.metrics.evalSubset,
      curvature: curvatureConfig(exp, ds),
      alignment: alignmentConfig(layout, ds),
      evalSets,
    },
    files: { xTrain: 'x_train.npy', yTrain: 'y_train.npy', xTest: 'x_test.npy', yTest: 'y_test.npy' },
    runs,
    ...(opts.sweep ? { sweep: opts.sweep } : {}),
  };
  files.set('config.json', `${prettyJson(config)}\n`);
  const blocks = BLOCK_FILES.map((f) => templates[f]);
  const script = spliceModels(
    buildScript(
      templates['train.py'],
      blocks,
      exp.runs.map((r) => r.optimizer.name),
    ),
    templates[MODELS_FILE],
    templates[CURVATURE_FILE],
  );
  files.set('train.py', script);
  if (opts.sweep) for (const [name, text] of sweepFiles(templates, opts.sweep, exp.runs.length)) files.set(name, text);
  const bytes: Record<string, Uint8Array> = {};
  const utf8 = new TextEncoder();
  for (const [name, body] of files) bytes[name] = typeof body === 'string' ? utf8.encode(body) : body;
  return { files: bytes, scriptLines: script.split('\n').length - 1, notes: [] };
}

/** train.py with the models and the curvature code spliced in. */
export function spliceModels(script: string, models: string, curvature: string): string {
  for (const line of [MODELS_SPLICE, CURVATURE_SPLICE])
    if (!script.includes(line)) throw new Error(`export torch: the template has no "${line}" line`);
  return script.replace(MODELS_SPLICE, models.trimEnd()).replace(CURVATURE_SPLICE, curvature.trimEnd());
}

/**
 * config.json's model: an MLP's hidden widths, or a convolutional model's resolved op list
 * (model/cnn_spec.ts: shapes, kernels, strides, padding; a bias offset of -1 means no bias).
 */
function modelConfig(exp: Experiment, layout: ParamLayout): Record<string, unknown> {
  const m = exp.model;
  const outputScale = m.outputScale ?? null;
  if (m.kind === 'mlp') return { kind: 'mlp', hidden: m.hidden, activation: m.activation, bias: m.bias, outputScale };
  const spec = layout.cnn!;
  return { kind: spec.kind, activation: m.activation, inShape: spec.inShape, ops: spec.ops, outputScale };
}

/**
 * The curvature settings as the script reads them (the CPU backend's defaults filled in): the
 * subset, sharpness and trace (null when off); null when neither is on.
 */
function curvatureConfig(exp: Experiment, ds: Dataset): Record<string, unknown> | null {
  const m = exp.metrics;
  const due = curvatureDue(m, 0);
  // Products per estimate (metrics/sharpness_budget.ts): the full budget for a kind's first
  // estimate of the run, the warm ones after it (with k > 1 more for sharpness than for
  // precond_sharpness). Asked at a step that is never the kind's first: sharpness's first is step
  // 0, precond_sharpness's the first due step after 0.
  const every = m.sharpness?.every ?? 0;
  const sharpness =
    due.sharpness && every > 0
      ? {
          every,
          iters: sharpnessBudget(m, exp.steps, 0, 'sharpness'),
          warmIters: sharpnessBudget(m, exp.steps, every, 'sharpness'),
          precondWarmIters: sharpnessBudget(m, exp.steps, 0, 'precond'),
          tol: due.sharpness.tol,
          k: m.sharpness?.k ?? 1,
        }
      : null;
  const trace = due.trace && m.trace!.every > 0 ? { every: m.trace!.every, ...due.trace } : null;
  if (!sharpness && !trace) return null;
  return { subset: curvatureSubset(m, ds.train.n), sharpness, trace };
}

/**
 * weak_alignment / strong_alignment (feature-noise data): the first layer's weight block in the flat
 * parameters and the two directions (model/directions.ts); null when the run logs neither.
 */
function alignmentConfig(layout: ParamLayout, ds: Dataset): Record<string, unknown> | null {
  const dirs = alignmentDirections(layout, ds.meta);
  if (!dirs) return null;
  const { weightOffset: offset, inDim, outDim } = layout.layers[0];
  return { offset, inDim, outDim, weak: Array.from(dirs.weak), strong: Array.from(dirs.strong) };
}

function sweepErrors(sweep: SweepOptions | undefined): ValidationError[] {
  if (!sweep) return [];
  const errors: ValidationError[] = [];
  const { kind, gpusPerTrial: g, cpusPerTrial: c } = sweep;
  if (!(g >= 0 && g <= 64)) errors.push({ path: '--gpus-per-trial', message: `expected 0..64, got ${g}` });
  else if (kind === 'slurm' && !Number.isInteger(g))
    errors.push({ path: '--gpus-per-trial', message: `SLURM takes whole GPUs per task, got ${g}` });
  if (!(Number.isInteger(c) && c >= 1 && c <= 256))
    errors.push({ path: '--cpus-per-trial', message: `expected an integer 1..256, got ${c}` });
  return errors;
}

/** trial.py and the launcher of `sweep`; only numbers checked above are filled into the templates. */
function sweepFiles(t: TorchTemplates, sweep: SweepOptions, runs: number): [string, string][] {
  if (sweep.kind === 'ray')
    return [
      ['trial.py', t['trial.py']],
      ['ray_tune.py', t['ray_tune.py']],
    ];
  const fill: Record<string, string> = {
    LAST_RUN: String(runs - 1),
    CPUS: String(sweep.cpusPerTrial),
    GRES: sweep.gpusPerTrial > 0 ? `#SBATCH --gres=gpu:${sweep.gpusPerTrial}` : '# (no GPU: the tasks run on the CPU)',
    DEVICE: sweep.gpusPerTrial > 0 ? 'cuda' : 'cpu',
  };
  const array = t['slurm_array.sbatch'].replace(/@@([A-Z_]+)@@/g, (m, k: string) => fill[k] ?? m);
  if (/@@[A-Z_]+@@/.test(array)) throw new Error('export torch: slurm_array.sbatch has an unknown placeholder');
  return [
    ['trial.py', t['trial.py']],
    ['slurm_array.sbatch', array],
    ['slurm_submit.sh', t['slurm_submit.sh']],
  ];
}
