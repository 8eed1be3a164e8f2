/**
 * The convolutional experiments export_torch.test.ts replays in PyTorch: two presets shortened to
 * 30 steps (a CNN on images with minibatches, the patch CNN by full-batch GD), and small models
 * covering strides, padding on one side only, both poolings, two convolutions, no bias, output
 * scaling, an input shape given in the model, and the optimizers that read a weight's shape
 * (Muon, Shampoo, AdamP, SGDP, FRUGAL's columns) on 4-d convolution weights.
 */
import { parseExperiment } from '../experiment/validate';
import { presetById } from '../experiment/presets';
import type { Experiment } from '../schema/types';

const constant = { name: 'constant' };

const RAW: Record<string, Record<string, unknown>> = {
  'cnn: images 2x7x7, strides, padding, avg and max pooling, batch 16': {
    version: 1,
    seed: 3,
    data: { kind: 'images', nTrain: 64, nTest: 32, size: 7, channels: 2, nClasses: 3, noise: 0.4 },
    model: {
      kind: 'cnn',
      layers: [
        { type: 'conv2d', channels: 4, kernel: [3, 2], stride: [2, 1], padding: [1, 0] },
        { type: 'avgpool', size: 2, stride: 1 },
        { type: 'conv2d', channels: 3, kernel: 2, padding: 1 },
        { type: 'maxpool', size: [2, 3], stride: [1, 2] },
        { type: 'flatten' },
        { type: 'dense', units: 6 },
      ],
      activation: 'tanh',
      initScale: 1,
      bias: true,
    },
    loss: 'cross-entropy',
    steps: 20,
    batchSize: 16,
    metrics: { every: 4, evalSubset: 48 },
    runs: [
      { label: 'sgd momentum', optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9 }, schedule: constant },
      { label: 'adam', optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'cosine', warmup: 3 } },
      { label: 'muon (every weight)', optimizer: { name: 'muon', lr: 0.02, adamFirstLast: false }, schedule: constant },
      { label: 'muon', optimizer: { name: 'muon', lr: 0.02 }, schedule: constant },
      { label: 'shampoo', optimizer: { name: 'shampoo', lr: 0.01 }, schedule: constant },
      { label: 'adamp', optimizer: { name: 'adamp', lr: 0.01, weightDecay: 1e-3 }, schedule: constant },
      { label: 'sgdp', optimizer: { name: 'sgdp', lr: 0.05, momentum: 0.9 }, schedule: constant },
      { label: 'frugal', optimizer: { name: 'frugal', lr: 0.01 }, schedule: constant },
      { label: 'sam', optimizer: { name: 'sam', lr: 0.05 }, schedule: constant },
      { label: 'sf-adamw', optimizer: { name: 'sf-adamw', lr: 0.01 }, schedule: constant },
    ],
  },
  'cnn: teacher-student as [1, 2, 3], no bias, output scale, regression, full batch': {
    version: 1,
    seed: 8,
    data: { kind: 'teacher-student', nTrain: 40, nTest: 20, inputDim: 6, outputDim: 2, teacherHidden: [4] },
    model: {
      kind: 'cnn',
      inputShape: [1, 2, 3],
      layers: [
        { type: 'conv2d', channels: 3, kernel: 2, padding: [0, 1] },
        { type: 'avgpool', size: [1, 2], stride: 1 },
        { type: 'dense', units: 5 },
        { type: 'dense', units: 4 },
      ],
      activation: 'gelu',
      initScale: 1.5,
      bias: false,
      outputScale: 2,
    },
    loss: 'mse',
    steps: 25,
    batchSize: 'full',
    metrics: { every: 1, evalSubset: 0 },
    runs: [
      { label: 'sgd', optimizer: { name: 'sgd', lr: 0.05 }, schedule: constant },
      { label: 'lion', optimizer: { name: 'lion', lr: 3e-3 }, schedule: { name: 'linear' } },
    ],
  },
  'patch-cnn: LMS data as 4 patches of 5, relu, hinge, batch 8, seed per run': {
    version: 1,
    seed: 2,
    data: { kind: 'lms', nTrain: 48, nTest: 16, dim: 20 },
    model: { kind: 'patch-cnn', filters: 3, patchDim: 5, activation: 'relu', initScale: 1 },
    loss: 'hinge',
    steps: 24,
    batchSize: 8,
    varySeedPerRun: true,
    metrics: { every: 3, evalSubset: 0 },
    runs: [
      { label: 'sgd', optimizer: { name: 'sgd', lr: 0.1 }, schedule: constant },
      { label: 'adamw', optimizer: { name: 'adamw', lr: 0.01, weightDecay: 0.01 }, schedule: constant },
    ],
  },
};

/** The presets, at 30 steps, then each case of RAW, validated. */
export function cnnExportCases(): { name: string; exp: Experiment }[] {
  const presets = ['cnn-images', 'benign-oscillation-patch-cnn'].map((id) => {
    const p = presetById(id);
    if (!p) throw new Error(`preset ${id} is missing`);
    return { name: `preset ${id}, 30 steps`, exp: { ...p.experiment, steps: 30 } };
  });
  const raw = Object.entries(RAW).map(([name, r]) => {
    const res = parseExperiment(r);
    if (!res.ok) throw new Error(`${name}: ${res.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return { name, exp: res.value };
  });
  return [...presets, ...raw];
}
