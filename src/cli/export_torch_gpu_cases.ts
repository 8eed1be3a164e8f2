/**
 * The experiments export_torch_gpu.test.ts runs twice, as the exported script in float32 on the
 * CPU and on our WebGPU backend: every optimizer at least once (one MLP run each, minibatches, a
 * schedule on some), a small CNN with minibatches and schedules, and the patch CNN by full-batch
 * GD; curvature in all three. Small models and 20-24 steps, so that SwiftShader runs them in
 * seconds. Raw configs, completed by the validator.
 */
import { parseExperiment } from '../experiment/validate';
import type { Experiment } from '../schema/types';

const constant = { name: 'constant' };

/**
 * Sharpness with tol 1e-6: every estimate spends its whole product budget on both sides. With the
 * default tol (1e-3) an estimate stops when a float32 residual crosses the tol, which the two sides
 * may decide one product apart; the top Ritz vector, and with it grad_eig_cosine, then differs by
 * up to about tol (2e-3 seen on dp-sgd).
 */
const sharpness = (every: number) => ({ every, iters: 16, tol: 1e-6, subset: 32 });

const RAW: Record<string, Record<string, unknown>> = {
  'mlp: every optimizer, gauss, cross-entropy, tanh, batch 16': {
    version: 1,
    seed: 7,
    data: { kind: 'gauss', nTrain: 64, nTest: 32, nClasses: 3 },
    model: { kind: 'mlp', hidden: [10, 6], activation: 'tanh', initScale: 1, bias: true },
    loss: 'cross-entropy',
    steps: 24,
    batchSize: 16,
    metrics: { every: 4, evalSubset: 0, sharpness: sharpness(8) },
    runs: (
      [
        ['sgd momentum, cosine', { name: 'sgd', lr: 0.1, momentum: 0.9 }, { name: 'cosine', warmup: 4 }],
        ['adam, step', { name: 'adam', lr: 0.01 }, { name: 'step', stepSize: 8, gamma: 0.5 }],
        ['adamw', { name: 'adamw', lr: 0.01, weightDecay: 0.01 }, { name: 'linear', warmup: 3 }],
        ['adagrad', { name: 'adagrad', lr: 0.05 }, { name: 'exponential', gamma: 0.97 }],
        ['rmsprop', { name: 'rmsprop', lr: 0.003 }, constant],
        ['lion', { name: 'lion', lr: 3e-3 }, constant],
        ['signum', { name: 'signsgd', lr: 0.01, momentum: 0.9 }, constant],
        ['adabelief', { name: 'adabelief', lr: 0.01 }, constant],
        ['nadamw', { name: 'nadamw', lr: 0.01 }, constant],
        ['diffgrad', { name: 'diffgrad', lr: 0.01 }, constant],
        ['ademamix', { name: 'ademamix', lr: 0.01 }, constant],
        ['adamp', { name: 'adamp', lr: 0.01 }, constant],
        ['sgdp', { name: 'sgdp', lr: 0.05, momentum: 0.9 }, constant],
        ['sgd-sai', { name: 'sgd-sai', lr: 0.01 }, constant],
        ['sam', { name: 'sam', lr: 0.05 }, constant],
        ['sam-adam', { name: 'sam-adam', lr: 0.01 }, constant],
        ['sf-sgd', { name: 'sf-sgd', lr: 0.5 }, constant],
        ['sf-adamw', { name: 'sf-adamw', lr: 0.01 }, constant],
        ['muon', { name: 'muon', lr: 0.02 }, constant],
        ['clipped-sgd', { name: 'clipped-sgd', lr: 0.05 }, constant],
        ['clipped-adam', { name: 'clipped-adam', lr: 0.01 }, constant],
        ['frugal', { name: 'frugal', lr: 0.01, updateGap: 10 }, constant],
        ['dp-sgd', { name: 'dp-sgd', lr: 0.1, clipNorm: 0.5, noiseMultiplier: 1 }, constant],
        ['dice-sgd', { name: 'dice-sgd', lr: 0.1, clipNorm: 0.3, errorClipNorm: 0.6, noiseMultiplier: 0.5 }, constant],
        ['shampoo', { name: 'shampoo', lr: 0.01, preconditionFrequency: 5 }, constant],
      ] as const
    ).map(([label, optimizer, schedule]) => ({ label, optimizer, schedule })),
  },
  'cnn: images 2x6x6, conv, max pool, dense, batch 8': {
    version: 1,
    seed: 3,
    data: { kind: 'images', nTrain: 48, nTest: 24, size: 6, channels: 2, nClasses: 3, noise: 0.4 },
    model: {
      kind: 'cnn',
      layers: [
        { type: 'conv2d', channels: 3, kernel: 3, padding: 1 },
        { type: 'maxpool', size: 2, stride: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 5 },
      ],
      activation: 'relu',
      initScale: 1,
      bias: true,
    },
    loss: 'cross-entropy',
    steps: 20,
    batchSize: 8,
    metrics: { every: 4, evalSubset: 0, sharpness: sharpness(10) },
    runs: [
      { label: 'sgd momentum', optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, schedule: { name: 'cosine' } },
      { label: 'adam', optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'constant', warmup: 5 } },
      { label: 'muon', optimizer: { name: 'muon', lr: 0.02, adamFirstLast: false }, schedule: constant },
      { label: 'shampoo', optimizer: { name: 'shampoo', lr: 0.01 }, schedule: constant },
    ],
  },
  'patch-cnn: LMS data as 4 patches of 5, relu, logistic, full batch': {
    version: 1,
    seed: 2,
    data: { kind: 'lms', nTrain: 48, nTest: 24, dim: 20 },
    model: { kind: 'patch-cnn', filters: 3, patchDim: 5, activation: 'relu', initScale: 1 },
    loss: 'logistic',
    steps: 20,
    batchSize: 'full',
    metrics: { every: 2, evalSubset: 0, sharpness: sharpness(10), trace: { every: 10, samples: 2 } },
    runs: [
      { label: 'sgd', optimizer: { name: 'sgd', lr: 0.1 }, schedule: constant },
      { label: 'adamw', optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.01 }, schedule: { name: 'cosine' } },
    ],
  },
};

/** Each case of RAW, validated. */
export function gpuExportCases(): { name: string; exp: Experiment }[] {
  return Object.entries(RAW).map(([name, r]) => {
    const res = parseExperiment(r);
    if (!res.ok) throw new Error(`${name}: ${res.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return { name, exp: res.value };
  });
}
