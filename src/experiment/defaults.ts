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
 * Benign oscillation (SPEC §10, a reconstruction): feature-noise data, a one-hidden-layer ReLU^2
 * network, squared loss (the paper's margin-1 target), full-batch gradient descent with a small and
 * a large learning rate. On the CPU backend (seed 7) the large rate settles at the edge of
 * stability (sharpness near 2/lr = 2.5) and reaches about 0.64 weak-feature test accuracy; the
 * small rate fits the strong feature and the noise and stays near 0.52. lr >= 1 diverges here.
 * Two runs of 600 steps take a few seconds on the CPU; tune the values here.
 */
export function defaultExperiment(): Experiment {
  return {
    version: EXPERIMENT_VERSION,
    seed: 7,
    data: { ...defaultDataConfig('feature-noise'), nTrain: 128, nTest: 512 },
    model: { kind: 'mlp', hidden: [32], activation: 'relu2', initScale: 1, bias: true },
    loss: 'mse',
    steps: 600,
    batchSize: 'full',
    varySeedPerRun: false,
    runs: [
      runWithDefaults({ label: 'SGD small lr (0.02)', optimizer: { name: 'sgd', lr: 0.02 } }),
      runWithDefaults({ label: 'SGD large lr (0.8)', optimizer: { name: 'sgd', lr: 0.8 } }),
    ],
    metrics: { every: 10, evalSubset: 0, sharpness: { every: 50, iters: 20 } },
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

/** The label a run gets when the config has none, e.g. "sgd lr=0.1". */
export function autoLabel(opt: OptimizerConfig): string {
  return typeof opt.lr === 'number' ? `${opt.name} lr=${opt.lr}` : opt.name;
}
