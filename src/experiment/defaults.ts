/**
 * The default experiment (the benign-oscillation demo) and helpers that complete a run or an
 * optimizer config from the registry's defaults (used by the UI when adding a run).
 */
import {
  EXPERIMENT_VERSION,
  type Experiment,
  type HyperValue,
  type OptimizerConfig,
  type RunConfig,
  type ScheduleConfig,
} from './types';
import { getOptimizer, optimizerNames } from '../engine/optim/registry';
import { defaultDataConfig } from '../engine/data/defaults';

/**
 * The default experiment, the benign-oscillation preset (a reconstruction of Lu et al. 2024):
 * feature-noise data, a one-hidden-layer ReLU² network, squared loss, full-batch gradient descent
 * with a small rate (0.05) and a large one (0.4, at the edge of stability: sharpness near 2/0.4).
 * Metrics every step, so the large rate's period-2 oscillation shows in the loss. The preset's
 * claims (presets.ts) are checked on seeds 7, 8 and 9; about 4 s on the CPU backend.
 */
export function defaultExperiment(): Experiment {
  return {
    version: EXPERIMENT_VERSION,
    seed: 7,
    data: { ...defaultDataConfig('feature-noise'), nTrain: 128, nTest: 128, weakNorm: 0.3, noiseStd: 0.25 },
    model: { kind: 'mlp', hidden: [32], activation: 'relu2', initScale: 0.5, bias: true },
    loss: 'mse',
    steps: 600,
    batchSize: 'full',
    varySeedPerRun: false,
    runs: [
      runWithDefaults({ label: 'GD small lr (0.05)', optimizer: { name: 'sgd', lr: 0.05 } }),
      runWithDefaults({ label: 'GD large lr (0.4)', optimizer: { name: 'sgd', lr: 0.4 } }),
    ],
    metrics: { every: 1, evalSubset: 0, sharpness: { every: 50, iters: 20 } },
  };
}

/**
 * The optimizer `name` with every hyperparameter at its registry default, then `overrides`.
 * Throws on an unknown name (a programming error; configs from users go through parseExperiment).
 */
export function optimizerWithDefaults(name: string, overrides: Record<string, HyperValue> = {}): OptimizerConfig {
  const def = getOptimizer(name);
  if (!def) throw new Error(`unknown optimizer "${name}" (known: ${optimizerNames().join(', ')})`);
  const out: OptimizerConfig = { name: def.name };
  for (const spec of def.hyperparams) {
    const v = overrides[spec.key] ?? spec.default;
    out[spec.key] = Array.isArray(v) ? [v[0], v[1]] : v;
  }
  return out;
}

export interface RunDraft {
  label?: string;
  color?: string;
  /** At least the optimizer's name (default "sgd"); other hyperparameters take registry defaults. */
  optimizer?: { name?: string } & Record<string, HyperValue | string | undefined>;
  schedule?: ScheduleConfig;
}

/** A complete RunConfig from a partial one: registry defaults, constant schedule, a generated label. */
export function runWithDefaults(draft: RunDraft = {}): RunConfig {
  const { name = 'sgd', ...rest } = draft.optimizer ?? {};
  const overrides: Record<string, HyperValue> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined && typeof v !== 'string') overrides[k] = v;
  const optimizer = optimizerWithDefaults(name, overrides);
  const run: RunConfig = {
    label: draft.label ?? autoLabel(optimizer),
    optimizer,
    schedule: draft.schedule ? structuredClone(draft.schedule) : { name: 'constant' },
  };
  if (draft.color !== undefined) run.color = draft.color;
  return run;
}

/** A hyperparameter value as a label shows it: 4 significant digits, pairs as a,b. */
function labelValue(v: HyperValue): string {
  const one = (x: number | boolean) => (typeof x === 'number' ? String(Number(x.toPrecision(4))) : String(x));
  return Array.isArray(v) ? `${one(v[0])},${one(v[1])}` : one(v);
}

/**
 * The label a run gets when nobody typed one: the optimizer, its learning rate and every other
 * hyperparameter that differs from the registry default, e.g. "sgd lr=0.1 momentum=0.9".
 */
export function autoLabel(opt: OptimizerConfig): string {
  const parts = [opt.name];
  if (typeof opt.lr === 'number') parts.push(`lr=${labelValue(opt.lr)}`);
  const def = getOptimizer(opt.name);
  for (const spec of def?.hyperparams ?? []) {
    if (spec.key === 'lr') continue;
    const v = opt[spec.key];
    if (v === undefined || typeof v === 'string') continue;
    if (JSON.stringify(v) !== JSON.stringify(spec.default)) parts.push(`${spec.key}=${labelValue(v)}`);
  }
  return parts.join(' ');
}
