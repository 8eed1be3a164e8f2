/**
 * Experiments for tests, written out in the validated form (every field set) so that the tests of
 * every layer, the engine's included, can use them without the validator. Each builder takes
 * overrides; a test states only what it depends on. Imports nothing but the schema
 * (scripts/layers.mjs).
 */
import type {
  CircleData,
  CnnModel,
  Experiment,
  FeatureNoiseData,
  MlpModel,
  OptimizerConfig,
  RunConfig,
  ScheduleConfig,
} from './schema/types';

/** A run; constant schedule unless one is given. */
export function run(
  label: string,
  optimizer: OptimizerConfig,
  schedule: ScheduleConfig = { name: 'constant' },
): RunConfig {
  return { label, optimizer, schedule };
}

/** Two-class circle data: 64 training and 16 test points, jitter 0.1. */
export function circleData(over: Partial<Omit<CircleData, 'kind'>> = {}): CircleData {
  return { kind: 'circle', nTrain: 64, nTest: 16, noise: 0.1, ...over };
}

/** Feature-noise data: 128 + 128 points, 3 patches of 8, weak norm 0.3, strong norm 2 in half the points, noise 0.5. */
export function featureNoiseData(over: Partial<Omit<FeatureNoiseData, 'kind'>> = {}): FeatureNoiseData {
  return {
    kind: 'feature-noise',
    nTrain: 128,
    nTest: 128,
    patchDim: 8,
    numPatches: 3,
    weakNorm: 0.3,
    strongNorm: 2,
    strongFraction: 0.5,
    noiseStd: 0.5,
    ...over,
  };
}

/**
 * A small CNN for 7x7 images with 2 channels and 3 classes: conv 4@3x3 (padding 1), max pool 2x2,
 * conv 3@2x3 with stride 2 and padding [0, 1] (a non-square kernel, one-sided padding), dense 6
 * hidden units; ReLU, init scale 1, with biases.
 */
export function smallCnn(): CnnModel {
  return {
    kind: 'cnn',
    layers: [
      { type: 'conv2d', channels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
      { type: 'maxpool', size: [2, 2], stride: [2, 2] },
      { type: 'conv2d', channels: 3, kernel: [2, 3], stride: [2, 2], padding: [0, 1] },
      { type: 'flatten' },
      { type: 'dense', units: 6 },
    ],
    activation: 'relu',
    initScale: 1,
    bias: true,
  };
}

/** An MLP with one hidden layer of 8 ReLU units, init scale 1, with biases. */
export function mlp(over: Partial<Omit<MlpModel, 'kind'>> = {}): MlpModel {
  return { kind: 'mlp', hidden: [8], activation: 'relu', initScale: 1, bias: true, ...over };
}

/**
 * A small experiment: seed 3, circleData(), mlp(), cross-entropy, 20 steps of batch 16, the same
 * seed for every run, one SGD run (lr 0.1), metrics every 10 steps over the whole training set.
 */
export function testExperiment(over: Partial<Experiment> = {}): Experiment {
  return {
    version: 1,
    seed: 3,
    data: circleData(),
    model: mlp(),
    loss: 'cross-entropy',
    steps: 20,
    batchSize: 16,
    varySeedPerRun: false,
    runs: [run('sgd', { name: 'sgd', lr: 0.1 })],
    metrics: { every: 10, evalSubset: 0 },
    ...over,
  };
}

/**
 * The WebGPU trainer tests' experiment: featureNoiseData() on a [16] ReLU MLP, seed 7, batch 16,
 * three runs (sgd, sgd with momentum 0.9, adam), metrics every 10 steps.
 */
export function threeRunExperiment(steps = 100): Experiment {
  return testExperiment({
    seed: 7,
    data: featureNoiseData(),
    model: mlp({ hidden: [16] }),
    steps,
    runs: [
      run('sgd', { name: 'sgd', lr: 0.05 }),
      run('sgd momentum', { name: 'sgd', lr: 0.05, momentum: 0.9 }),
      run('adam', { name: 'adam', lr: 0.01 }),
    ],
  });
}

/**
 * The edge-of-stability preset's GD η = 0.3 run (2/η = 6.67), `steps` long, without curvature
 * metrics: a 2-class spiral of 100 points, a [24, 24, 24] tanh MLP from initScale 0.5, squared
 * loss, the full batch. Sharpness rises to 2/η and full-batch GD then bounces across the valley.
 */
export function edgeOfStabilityGd(steps: number): Experiment {
  return testExperiment({
    seed: 1,
    data: { kind: 'spiral', nTrain: 100, nTest: 100, nClasses: 2, turns: 1, noise: 0.1 },
    model: mlp({ hidden: [24, 24, 24], activation: 'tanh', initScale: 0.5 }),
    loss: 'mse',
    steps,
    batchSize: 'full',
    runs: [run('GD η=0.3', { name: 'sgd', lr: 0.3 })],
    metrics: { every: 50, evalSubset: 0 },
  });
}
