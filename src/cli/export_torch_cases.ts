/**
 * The experiments export_torch.test.ts replays in PyTorch: together they cover every exportable
 * optimizer (and its options), every schedule, loss and activation, bias on and off, output
 * scaling, minibatch and full batch, per-run seeds, and the extra evaluation sets (S-randomized
 * accuracies, group losses). Raw configs, completed by the validator.
 */
import { parseExperiment } from '../experiment/validate';
import { defaultExperiment } from '../experiment/defaults';
import type { Experiment } from '../schema/types';
import { cnnExportCases } from './export_torch_cnn_cases';
import { sharpnessExportCases } from './export_torch_sharpness_cases';

const refined = (steps: number) => Array.from({ length: steps }, (_, t) => 1 - (0.8 * t) / steps);

const RAW: Record<string, Record<string, unknown>> = {
  'gauss, cross-entropy, relu, batch 16': {
    version: 1,
    seed: 11,
    data: { kind: 'gauss', nTrain: 96, nTest: 48, nClasses: 3 },
    model: { kind: 'mlp', hidden: [16], activation: 'relu', initScale: 1, bias: true },
    loss: 'cross-entropy',
    steps: 60,
    batchSize: 16,
    metrics: { every: 5, evalSubset: 64 },
    runs: [
      { label: 'sgd', optimizer: { name: 'sgd', lr: 0.1 }, schedule: { name: 'constant' } },
      {
        label: 'sgd momentum dampening wd',
        optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 },
        schedule: { name: 'step', stepSize: 20, gamma: 0.5 },
      },
      {
        label: 'sgd nesterov',
        optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
        schedule: { name: 'cosine', warmup: 5, minFactor: 0.1 },
      },
      {
        label: 'sgd nesterov dampening (written out)',
        optimizer: { name: 'sgd', lr: 0.05, momentum: 0.8, dampening: 0.2, nesterov: true },
        schedule: { name: 'linear' },
      },
      {
        label: 'adam wd',
        optimizer: { name: 'adam', lr: 0.01, weightDecay: 1e-3 },
        schedule: { name: 'exponential', gamma: 0.98 },
      },
      {
        label: 'adam amsgrad',
        optimizer: { name: 'adam', lr: 0.01, amsgrad: true },
        schedule: { name: 'refined', factors: refined(60) },
      },
      {
        label: 'adamw amsgrad',
        optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.05, amsgrad: true },
        schedule: { name: 'cosine' },
      },
      { label: 'adamw', optimizer: { name: 'adamw', lr: 0.005 }, schedule: { name: 'constant', warmup: 10 } },
    ],
  },
  'circle, logistic, tanh, no bias, full batch': {
    version: 1,
    seed: 5,
    data: { kind: 'circle', nTrain: 64, nTest: 32, noise: 0.1 },
    model: { kind: 'mlp', hidden: [12, 8], activation: 'tanh', initScale: 1, bias: false },
    loss: 'logistic',
    steps: 40,
    batchSize: 'full',
    metrics: { every: 1, evalSubset: 0 },
    runs: [
      { label: 'lion', optimizer: { name: 'lion', lr: 3e-3, weightDecay: 0.1 }, schedule: { name: 'cosine' } },
      { label: 'signsgd', optimizer: { name: 'signsgd', lr: 0.01 }, schedule: { name: 'constant' } },
      {
        label: 'signum wd',
        optimizer: { name: 'signsgd', lr: 0.01, momentum: 0.9, weightDecay: 1e-3 },
        schedule: { name: 'step', stepSize: 15 },
      },
      {
        label: 'adabelief rectified',
        optimizer: { name: 'adabelief', lr: 0.01, weightDecay: 0.01 },
        schedule: { name: 'linear', warmup: 4 },
      },
      {
        label: 'adabelief amsgrad coupled',
        optimizer: { name: 'adabelief', lr: 0.01, rectify: false, amsgrad: true, weightDecouple: false, eps: 1e-8 },
        schedule: { name: 'constant' },
      },
      {
        label: 'adabelief fixed decay, no sgd phase',
        optimizer: { name: 'adabelief', lr: 0.01, weightDecay: 1e-3, fixedDecay: true, degeneratedToSgd: false },
        schedule: { name: 'constant' },
      },
    ],
  },
  'xor, hinge, sigmoid, batch 8': {
    version: 1,
    seed: 2,
    data: { kind: 'xor', nTrain: 64, nTest: 32 },
    model: { kind: 'mlp', hidden: [16], activation: 'sigmoid', initScale: 1.5, bias: true },
    loss: 'hinge',
    steps: 50,
    batchSize: 8,
    metrics: { every: 5, evalSubset: 0 },
    runs: [
      { label: 'rmsprop', optimizer: { name: 'rmsprop', lr: 0.01 }, schedule: { name: 'constant' } },
      {
        label: 'rmsprop centered momentum wd',
        optimizer: { name: 'rmsprop', lr: 0.003, centered: true, momentum: 0.9, weightDecay: 1e-4 },
        schedule: { name: 'exponential', gamma: 0.99 },
      },
      {
        label: 'adagrad',
        optimizer: { name: 'adagrad', lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 1e-3 },
        schedule: { name: 'cosine', warmup: 5 },
      },
      {
        label: 'dp-sgd wd',
        optimizer: { name: 'dp-sgd', lr: 0.1, clipNorm: 0.5, noiseMultiplier: 1, weightDecay: 1e-3 },
        schedule: { name: 'constant' },
      },
      {
        label: 'dp-sgd no noise',
        optimizer: { name: 'dp-sgd', lr: 0.1, clipNorm: 0.2, noiseMultiplier: 0 },
        schedule: { name: 'linear' },
      },
      {
        label: 'dice-sgd',
        optimizer: { name: 'dice-sgd', lr: 0.1, clipNorm: 0.3, errorClipNorm: 0.6, noiseMultiplier: 0.5 },
        schedule: { name: 'constant' },
      },
    ],
  },
  'teacher-student, mse regression, gelu, outputScale 2, a diverging run': {
    version: 1,
    seed: 9,
    data: { kind: 'teacher-student', nTrain: 64, nTest: 32, inputDim: 4, outputDim: 2, teacherHidden: [8] },
    model: { kind: 'mlp', hidden: [16], activation: 'gelu', initScale: 1, bias: true, outputScale: 2 },
    loss: 'mse',
    steps: 40,
    batchSize: 32,
    metrics: { every: 4, evalSubset: 0 },
    runs: [
      { label: 'nadamw', optimizer: { name: 'nadamw', lr: 3e-3 }, schedule: { name: 'cosine', warmup: 4 } },
      {
        label: 'diffgrad wd',
        optimizer: { name: 'diffgrad', lr: 1e-2, weightDecay: 1e-3 },
        schedule: { name: 'linear' },
      },
      { label: 'sgd momentum', optimizer: { name: 'sgd', lr: 0.02, momentum: 0.5 }, schedule: { name: 'constant' } },
      { label: 'sgd, diverges', optimizer: { name: 'sgd', lr: 2 }, schedule: { name: 'constant' } },
    ],
  },
  'gauss, cross-entropy, relu, two layers, batch 12': {
    version: 1,
    seed: 21,
    data: { kind: 'gauss', nTrain: 60, nTest: 30, nClasses: 4 },
    model: { kind: 'mlp', hidden: [16, 8], activation: 'relu', initScale: 1, bias: true },
    loss: 'cross-entropy',
    steps: 50,
    batchSize: 12,
    metrics: { every: 5, evalSubset: 0 },
    runs: [
      { label: 'ademamix', optimizer: { name: 'ademamix', lr: 3e-3 }, schedule: { name: 'constant' } },
      {
        label: 'ademamix warm-ups wd',
        optimizer: { name: 'ademamix', lr: 3e-3, alphaWarmup: 20, beta3Warmup: 30, weightDecay: 0.01 },
        schedule: { name: 'cosine' },
      },
      { label: 'adamp', optimizer: { name: 'adamp', lr: 3e-3, weightDecay: 0.01 }, schedule: { name: 'constant' } },
      {
        label: 'adamp nesterov delta 1',
        optimizer: { name: 'adamp', lr: 3e-3, nesterov: true, delta: 1, weightDecay: 0.01 },
        schedule: { name: 'linear' },
      },
      {
        label: 'sgdp momentum nesterov',
        optimizer: { name: 'sgdp', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3, delta: 1 },
        schedule: { name: 'constant' },
      },
      {
        label: 'sgdp dampening',
        optimizer: { name: 'sgdp', lr: 0.05, momentum: 0.5, dampening: 0.3 },
        schedule: { name: 'step', stepSize: 10, gamma: 0.7 },
      },
      { label: 'sgd-sai', optimizer: { name: 'sgd-sai', lr: 0.01 }, schedule: { name: 'constant' } },
      { label: 'frugal', optimizer: { name: 'frugal', lr: 3e-3, updateGap: 10 }, schedule: { name: 'constant' } },
      {
        label: 'frugal coordinates, drawn, kept state',
        optimizer: {
          name: 'frugal',
          lr: 3e-3,
          updateGap: 7,
          density: 0.4,
          columns: false,
          exactCount: false,
          resetAtDraw: false,
          weightDecay: 0.01,
          inactiveLrScale: 0.5,
        },
        schedule: { name: 'linear' },
      },
      {
        label: 'sgd-sai faithful normalised',
        optimizer: { name: 'sgd-sai', lr: 0.05, faithful: true, normalizeGsnr: true, momentum: 0 },
        schedule: { name: 'cosine', warmup: 5 },
      },
    ],
  },
  'gauss, hinge, stop at zero loss': {
    version: 1,
    seed: 1,
    data: { kind: 'gauss', nTrain: 32, nTest: 16, nClasses: 2, separation: 4, noise: 1 },
    model: { kind: 'mlp', hidden: [8], activation: 'relu', initScale: 1, bias: true },
    loss: 'hinge',
    steps: 40,
    batchSize: 8,
    stopAtZeroLoss: true,
    metrics: { every: 1, evalSubset: 0 },
    runs: [
      { label: 'sgd, zero loss', optimizer: { name: 'sgd', lr: 0.1 }, schedule: { name: 'constant' } },
      { label: 'adam, zero loss', optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'constant' } },
    ],
  },
  'moons-like gauss, cross-entropy, tanh, three layers, batch 10': {
    version: 1,
    seed: 8,
    data: { kind: 'gauss', nTrain: 50, nTest: 20, nClasses: 3 },
    model: { kind: 'mlp', hidden: [12, 10], activation: 'tanh', initScale: 1, bias: true },
    loss: 'cross-entropy',
    steps: 40,
    batchSize: 10,
    metrics: { every: 4, evalSubset: 0 },
    runs: [
      { label: 'sam', optimizer: { name: 'sam', lr: 0.05, momentum: 0.9 }, schedule: { name: 'constant' } },
      {
        label: 'sam-adam adaptive',
        optimizer: { name: 'sam-adam', lr: 0.01, rho: 0.5, adaptive: true, weightDecay: 1e-3 },
        schedule: { name: 'cosine', warmup: 4 },
      },
      { label: 'sf-sgd', optimizer: { name: 'sf-sgd', lr: 0.5, warmupSteps: 5 }, schedule: { name: 'constant' } },
      {
        label: 'sf-adamw r, wd',
        optimizer: { name: 'sf-adamw', lr: 0.01, r: 1, weightDecay: 0.01, warmupSteps: 8 },
        schedule: { name: 'constant' },
      },
      { label: 'muon', optimizer: { name: 'muon', lr: 0.02 }, schedule: { name: 'constant' } },
      {
        label: 'muon every matrix, wd, no nesterov',
        optimizer: { name: 'muon', lr: 0.02, adamFirstLast: false, weightDecay: 0.01, nesterov: false, adamLr: 1e-3 },
        schedule: { name: 'linear' },
      },
      { label: 'clipped-sgd', optimizer: { name: 'clipped-sgd', lr: 0.05 }, schedule: { name: 'constant' } },
      {
        label: 'shampoo',
        optimizer: { name: 'shampoo', lr: 0.01, preconditionFrequency: 5 },
        schedule: { name: 'constant' },
      },
      {
        label: 'shampoo adagrad grafting, beta2 0.99, wd',
        optimizer: {
          name: 'shampoo',
          lr: 0.01,
          beta2: 0.99,
          adagradGrafting: true,
          preconditionFrequency: 3,
          startPreconditioningStep: 7,
          weightDecay: 0.01,
        },
        schedule: { name: 'cosine' },
      },
      {
        label: 'clipped-sgd normalised nesterov wd',
        optimizer: {
          name: 'clipped-sgd',
          lr: 0.01,
          clipFraction: 0.3,
          normalize: true,
          momentum: 0.9,
          nesterov: true,
          weightDecay: 1e-3,
        },
        schedule: { name: 'cosine' },
      },
      {
        label: 'clipped-sgd dampening, scaled threshold',
        optimizer: { name: 'clipped-sgd', lr: 0.05, momentum: 0.5, dampening: 0.5, thresholdScale: 0.5 },
        schedule: { name: 'constant' },
      },
      {
        label: 'clipped-adam wd',
        optimizer: { name: 'clipped-adam', lr: 0.01, weightDecay: 1e-3 },
        schedule: { name: 'constant' },
      },
    ],
  },
  'spiral, mse classification, linear activation, seed per run': {
    version: 1,
    seed: 4,
    data: { kind: 'spiral', nTrain: 72, nTest: 24, nClasses: 3 },
    model: { kind: 'mlp', hidden: [8], activation: 'linear', initScale: 1, bias: true },
    loss: 'mse',
    steps: 30,
    batchSize: 24,
    varySeedPerRun: true,
    metrics: { every: 3, evalSubset: 0 },
    runs: [
      { label: 'sgd', optimizer: { name: 'sgd', lr: 0.05 }, schedule: { name: 'constant' } },
      { label: 'adam', optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'constant' } },
    ],
  },
  'extra evaluation sets: lsn data, S-randomized slab and complex only, cross-entropy, outputScale 2': {
    version: 1,
    seed: 6,
    data: { kind: 'lsn', nTrain: 48, nTest: 40, dim: 6 },
    model: { kind: 'mlp', hidden: [8], activation: 'relu', initScale: 1, bias: true, outputScale: 2 },
    loss: 'cross-entropy',
    steps: 30,
    batchSize: 12,
    metrics: { every: 5, evalSubset: 0, sRandomized: ['slab', 'complex'] },
    runs: [{ label: 'adam', optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'constant' } }],
  },
  'extra evaluation sets: opposing-signals group losses, logistic, tanh, outputScale 0.5': {
    version: 1,
    seed: 5,
    data: { kind: 'opposing-signals', nTrain: 60, nTest: 20, dim: 5, alpha: 4, outlierFraction: 0.1 },
    model: { kind: 'mlp', hidden: [6], activation: 'tanh', initScale: 1, bias: true, outputScale: 0.5 },
    loss: 'logistic',
    steps: 30,
    batchSize: 'full',
    metrics: { every: 3, evalSubset: 0 },
    runs: [{ label: 'sgd', optimizer: { name: 'sgd', lr: 0.1, momentum: 0.5 }, schedule: { name: 'constant' } }],
  },
};

/**
 * Each case, validated; the default experiment (relu2, full batch, mse on feature-noise data) at 60
 * steps; then the convolutional cases (export_torch_cnn_cases.ts) and those with sharpness
 * (export_torch_sharpness_cases.ts).
 */
export function exportCases(): { name: string; exp: Experiment }[] {
  const out = Object.entries(RAW).map(([name, raw]) => {
    const res = parseExperiment(raw);
    if (!res.ok) throw new Error(`${name}: ${res.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return { name, exp: res.value };
  });
  out.push({ name: 'default experiment, 60 steps', exp: { ...defaultExperiment(), steps: 60 } });
  return [...out, ...cnnExportCases(), ...sharpnessExportCases()];
}
