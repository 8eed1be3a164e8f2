/** Benchmark workloads shared by the Node and browser harnesses. */
import type { Experiment, RunConfig } from '../src/schema/types';

/** The benchmark's workloads (issue 7). */
export const WORKLOADS = ['tiny', 'sweep64', 'wide', 'sharpness'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

function run(lr: number, name = 'adam'): RunConfig {
  return { label: `${name} lr=${lr}`, optimizer: { name, lr }, schedule: { name: 'constant' } };
}

/**
 * 2-32-32-2 ReLU MLP, softmax cross-entropy, batch 64, `runs` runs of `optimizer` (Adam unless
 * named) with spread learning rates (1e-4 to 1e-2).
 */
export function tinyExperiment(runs: number, steps: number, optimizer = 'adam'): Experiment {
  return {
    version: 1,
    seed: 1,
    data: { kind: 'circle', nTrain: 1024, nTest: 0, noise: 0.1 },
    model: { kind: 'mlp', hidden: [32, 32], activation: 'relu', initScale: 1, bias: true },
    loss: 'cross-entropy',
    steps,
    batchSize: 64,
    varySeedPerRun: false,
    runs: Array.from({ length: runs }, (_, i) =>
      run(1e-3 * Math.pow(10, (2 * i) / Math.max(1, runs - 1) - 1), optimizer),
    ),
    // Log only at the end: no per-step readback.
    metrics: { every: steps, evalSubset: 64 },
  };
}

/** 784-256-256-10 ReLU MLP, batch 128, Adam, one run, on random data of that shape (teacher-student). */
export function wideExperiment(steps: number): Experiment {
  return {
    version: 1,
    seed: 1,
    data: {
      kind: 'teacher-student',
      nTrain: 1024,
      nTest: 0,
      inputDim: 784,
      outputDim: 10,
      teacherHidden: [],
      teacherActivation: 'linear',
      noise: 0.1,
    },
    model: { kind: 'mlp', hidden: [256, 256], activation: 'relu', initScale: 1, bias: true },
    loss: 'mse',
    steps,
    batchSize: 128,
    varySeedPerRun: false,
    runs: [run(1e-3)],
    metrics: { every: steps, evalSubset: 128 },
  };
}

/**
 * The optimizers of the per-optimizer sweep64 rows of `npm run bench` (their cost against Adam's on
 * the same population: Muon's Newton-Schulz chain, SAM's second gradient, Shampoo's factors and
 * roots, Schedule-Free's gradient point).
 */
export const SWEEP_OPTIMIZERS = ['adam', 'muon', 'sam', 'shampoo', 'sf-adamw'] as const;

/** The training workloads by name, each an experiment of `steps` steps (sharpness runs on `tiny`). */
export const EXPERIMENTS: Record<'tiny' | 'sweep64' | 'wide', (steps: number) => Experiment> = {
  tiny: (steps) => tinyExperiment(1, steps),
  sweep64: (steps) => tinyExperiment(64, steps),
  wide: (steps) => wideExperiment(steps),
};
