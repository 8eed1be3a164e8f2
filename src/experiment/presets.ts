/**
 * The presets gallery: one experiment per phenomenon from the papers, each with what to look for
 * and the citation. Presets are written as partial configs and completed by the validator; a
 * preset whose data kind or optimizer is not available in this build is left out (never shown
 * broken). Settings are small enough to train visibly on a CPU-backed WebGPU adapter.
 */
import type { Experiment } from './types';
import { parseExperiment } from './validate';
import { defaultExperiment } from './defaults';

export interface Preset {
  id: string;
  title: string;
  /** Short citation. */
  paper: string;
  /** Two or three sentences: what to look for. */
  summary: string;
  experiment: Experiment;
}

export interface PresetSource {
  id: string;
  title: string;
  paper: string;
  summary: string;
  config: () => unknown;
}

const run = (label: string, optimizer: Record<string, unknown>, schedule?: Record<string, unknown>) => ({
  label,
  optimizer,
  ...(schedule ? { schedule } : {}),
});

const SOURCES: PresetSource[] = [
  {
    id: 'benign-oscillation',
    title: 'Benign oscillation',
    paper: 'Lu, Wu, Yang & Zou, ICLR 2024',
    summary:
      'SGD with a small and a large learning rate on feature-noise data (a reconstruction of the paper’s data model). Watch the large rate oscillate (loss, step distance) and still learn the weak feature: its weak-feature test accuracy and weak-feature alignment rise while the small rate fits the strong feature and stalls.',
    config: () => defaultExperiment(),
  },
  {
    id: 'edge-of-stability',
    title: 'Edge of stability and progressive sharpening',
    paper: 'Cohen, Kaur, Li, Kolter & Talwalkar, ICLR 2021',
    summary:
      'Full-batch gradient descent with two step sizes on a tanh network with squared loss. Sharpness (top Hessian eigenvalue) tends to rise during training until it reaches the dashed 2/η line, then hovers there while the loss keeps falling non-monotonically.',
    config: () => ({
      seed: 1,
      data: { kind: 'spiral', nTrain: 200, nTest: 200, nClasses: 2, turns: 1, noise: 0.1 },
      model: { kind: 'mlp', hidden: [32, 32], activation: 'tanh', initScale: 1 },
      loss: 'mse',
      steps: 800,
      batchSize: 'full',
      runs: [run('GD η=0.05', { name: 'sgd', lr: 0.05 }), run('GD η=0.2', { name: 'sgd', lr: 0.2 })],
      metrics: { every: 10, sharpness: { every: 20, iters: 20 } },
    }),
  },
  {
    id: 'sgd-trace-stability',
    title: 'SGD stability: tr(H) ≤ 2/η',
    paper: 'Wu & Su, ICML 2023',
    summary:
      'Minibatch SGD at three learning rates on a regression task. Compare each run’s Hessian trace with its 2/η line: stable SGD minima satisfy tr(H) ≤ 2/η, a stronger constraint than GD’s λmax ≤ 2/η, so larger rates end in flatter regions.',
    config: () => ({
      seed: 2,
      data: {
        kind: 'teacher-student',
        nTrain: 256,
        nTest: 256,
        inputDim: 8,
        outputDim: 1,
        teacherHidden: [8],
        teacherActivation: 'tanh',
        noise: 0,
      },
      model: { kind: 'mlp', hidden: [32], activation: 'relu', initScale: 1 },
      loss: 'mse',
      steps: 600,
      batchSize: 16,
      runs: [
        run('SGD η=0.02', { name: 'sgd', lr: 0.02 }),
        run('SGD η=0.05', { name: 'sgd', lr: 0.05 }),
        run('SGD η=0.1', { name: 'sgd', lr: 0.1 }),
      ],
      metrics: { every: 10, sharpness: { every: 50, iters: 20 }, trace: { every: 50, samples: 8 } },
    }),
  },
  {
    id: 'directional-sharpness',
    title: 'Adam vs SGD: directional sharpness and coordinate clipping',
    paper: 'Pan & Li, 2023 (arXiv 2306.00204)',
    summary:
      'SGD, Adam and their coordinate-clipped versions on the same network. The paper reports that SGD’s update directions have much higher directional sharpness than Adam’s, and that clipping the largest coordinates of the SGD gradient lowers it and speeds up training.',
    config: () => ({
      seed: 3,
      data: { kind: 'gauss', nTrain: 256, nTest: 256, nClasses: 4, separation: 2, noise: 0.8 },
      model: { kind: 'mlp', hidden: [32, 32], activation: 'relu', initScale: 1 },
      loss: 'cross-entropy',
      steps: 400,
      batchSize: 32,
      runs: [
        run('SGD', { name: 'sgd', lr: 0.05 }),
        run('SGD + clip 10%', { name: 'clipped-sgd', lr: 0.05, clipFraction: 0.1 }),
        run('Adam', { name: 'adam', lr: 0.003 }),
        run('Adam + clip 50%', { name: 'clipped-adam', lr: 0.003, clipFraction: 0.5 }),
      ],
      metrics: { every: 10, sharpness: { every: 40, iters: 15 } },
    }),
  },
  {
    id: 'adaptive-variants',
    title: 'AdaBelief, diffGrad and AdamP vs Adam',
    paper: 'Zhuang et al. 2020; Dubey et al. 2019; Heo et al. 2021',
    summary:
      'Four adaptive methods from one initialisation and one minibatch order. AdaBelief scales steps by the variance of the gradient around its running mean, diffGrad damps coordinates whose gradient changes little, AdamP removes the radial part of updates to scale-invariant-looking weights. Compare losses, update norms and preconditioned sharpness.',
    config: () => ({
      seed: 4,
      data: { kind: 'spiral', nTrain: 256, nTest: 256, nClasses: 3, turns: 1.2, noise: 0.1 },
      model: { kind: 'mlp', hidden: [32, 32], activation: 'relu', initScale: 1 },
      loss: 'cross-entropy',
      steps: 600,
      batchSize: 32,
      runs: [
        run('Adam', { name: 'adam', lr: 0.005 }),
        run('AdaBelief', { name: 'adabelief', lr: 0.005 }),
        run('diffGrad', { name: 'diffgrad', lr: 0.005 }),
        run('AdamP', { name: 'adamp', lr: 0.005 }),
      ],
      metrics: { every: 10 },
    }),
  },
  {
    id: 'sgd-sai',
    title: 'SGD-SaI vs AdamW',
    paper: 'Xu et al. 2024 (arXiv 2412.11768)',
    summary:
      'SGD with momentum whose per-tensor learning rates are scaled once, at the first step, by each tensor’s gradient signal-to-noise ratio, against AdamW. SGD-SaI keeps one state tensor instead of two and no per-coordinate adaptivity after step 1.',
    config: () => ({
      seed: 5,
      data: { kind: 'images', nTrain: 256, nTest: 256 },
      model: { kind: 'mlp', hidden: [64], activation: 'relu', initScale: 1 },
      loss: 'cross-entropy',
      steps: 400,
      batchSize: 32,
      runs: [run('AdamW', { name: 'adamw', lr: 0.002 }), run('SGD-SaI', { name: 'sgd-sai', lr: 0.01 })],
      metrics: { every: 10 },
    }),
  },
  {
    id: 'simplicity-bias',
    title: 'Simplicity bias',
    paper: 'Shah, Tamuly, Raghunathan, Jain & Netrapalli, NeurIPS 2020',
    summary:
      'SGD and Adam on LMS-5 slab data whose linear coordinate agrees with the label on 90% of the points while the 5-slab coordinates separate the classes perfectly. The paper reports that networks latch onto the simple linear coordinate: watch training accuracy stall near 90% before (if ever) the slabs are learned, and compare the first-layer weights on coordinate 0 with the rest in the weights JSON.',
    config: () => ({
      seed: 10,
      data: {
        kind: 'lms',
        nTrain: 512,
        nTest: 512,
        dim: 10,
        slabs: 5,
        width: 1,
        linearMargin: 0.1,
        slabMargin: 0.1,
        corruptLinear: 0.1,
        corruptSlab: 0,
        randomRotation: false,
        linCoord: 0,
      },
      model: { kind: 'mlp', hidden: [64], activation: 'relu', initScale: 1 },
      loss: 'cross-entropy',
      steps: 800,
      batchSize: 32,
      runs: [run('SGD', { name: 'sgd', lr: 0.1, momentum: 0.9 }), run('Adam', { name: 'adam', lr: 0.002 })],
      metrics: { every: 10 },
    }),
  },
  {
    id: 'noise-temperature',
    title: 'SGD noise temperature η/B',
    paper: 'Sclocchi, Geiger & Wyart, ICML 2023',
    summary:
      'Minibatch SGD with batch size 8 at three learning rates, so the noise temperature T = η/B spans a factor of 16, on a binary task with the hinge loss. Watch how the weight change and the time to fit the training set grow with T. Initialisation scale, the paper’s other knob, is a model setting: change it in the model panel and reload to compare.',
    config: () => ({
      seed: 6,
      data: { kind: 'circle', nTrain: 256, nTest: 256, noise: 0.05 },
      model: { kind: 'mlp', hidden: [64], activation: 'relu', initScale: 1 },
      loss: 'hinge',
      steps: 600,
      batchSize: 8,
      runs: [
        run('T = 0.0025', { name: 'sgd', lr: 0.02 }),
        run('T = 0.01', { name: 'sgd', lr: 0.08 }),
        run('T = 0.04', { name: 'sgd', lr: 0.32 }),
      ],
      metrics: { every: 10 },
    }),
  },
  {
    id: 'dp-clipping',
    title: 'DP-SGD clipping bias vs DiceSGD',
    paper: 'Abadi et al. 2016; Zhang, Bu, Wu & Hong, ICLR 2024',
    summary:
      'Plain SGD, DP-SGD with per-example clipping and Gaussian noise, and DiceSGD, which feeds the clipped-away part of the gradient back in later steps. With a small clipping norm DP-SGD’s clipping bias shows as a higher loss plateau; DiceSGD’s error feedback removes the constant bias.',
    config: () => ({
      seed: 7,
      data: { kind: 'gauss', nTrain: 256, nTest: 256, nClasses: 2, separation: 2, noise: 1 },
      model: { kind: 'mlp', hidden: [16], activation: 'relu', initScale: 1 },
      loss: 'cross-entropy',
      steps: 500,
      batchSize: 32,
      runs: [
        run('SGD', { name: 'sgd', lr: 0.1 }),
        run('DP-SGD C=0.1', { name: 'dp-sgd', lr: 0.1, clipNorm: 0.1, noiseMultiplier: 0.5 }),
        run('DiceSGD C=0.1', { name: 'dice-sgd', lr: 0.1, clipNorm: 0.1, errorClipNorm: 0.1, noiseMultiplier: 0.5 }),
      ],
      metrics: { every: 10 },
    }),
  },
  {
    id: 'schedules',
    title: 'Linear decay vs cosine vs constant',
    paper: 'Defazio, Cutkosky, Mehta & Mishchenko, 2023 (arXiv 2310.07831)',
    summary:
      'The same SGD run under a constant, a cosine and a linear-decay schedule. The paper finds linear decay matches or beats cosine; use “Add refined-schedule copy” on a finished run to derive its refined schedule from the logged gradient norms (warm-up and fast final annealing appear by themselves).',
    config: () => ({
      seed: 8,
      data: { kind: 'spiral', nTrain: 256, nTest: 256, nClasses: 2, turns: 1, noise: 0.1 },
      model: { kind: 'mlp', hidden: [32, 32], activation: 'relu', initScale: 1 },
      loss: 'cross-entropy',
      steps: 600,
      batchSize: 32,
      runs: [
        run('constant', { name: 'sgd', lr: 0.1, momentum: 0.9 }, { name: 'constant' }),
        run('cosine', { name: 'sgd', lr: 0.1, momentum: 0.9 }, { name: 'cosine' }),
        run('linear decay', { name: 'sgd', lr: 0.1, momentum: 0.9 }, { name: 'linear' }),
      ],
      metrics: { every: 10 },
    }),
  },
  {
    id: 'opposing-signals',
    title: 'Opposing-signal outliers',
    paper: 'Rosenfeld & Risteski, ICLR 2024',
    summary:
      'Full-batch GD with a large step on data where a few outliers carry a large coordinate x0 that pushes the output in opposite directions for two groups (a reconstruction of the paper’s toy model). Watch the loss spike and the sharpness meet its 2/η line.',
    config: () => ({
      seed: 9,
      data: { kind: 'opposing-signals', nTrain: 256, nTest: 256 },
      model: { kind: 'mlp', hidden: [32], activation: 'relu', initScale: 1 },
      loss: 'cross-entropy',
      steps: 600,
      batchSize: 'full',
      runs: [run('GD η=0.05', { name: 'sgd', lr: 0.05 }), run('GD η=0.5', { name: 'sgd', lr: 0.5 })],
      metrics: { every: 10, sharpness: { every: 25, iters: 15 } },
    }),
  },
  {
    id: 'cnn-images',
    title: 'CNN on synthetic images',
    paper: 'LeCun et al. 1998 (convolution + pooling); optimizers as in Kingma & Ba, ICLR 2015',
    summary:
      'A small convolutional network (conv 8 3x3 with padding 1, 2x2 max-pooling, a dense layer of 32) learns to tell four shapes apart in noisy 8x8 images. Compare plain SGD, SGD with momentum and Adam on the same weights and minibatches: watch how fast the train and test losses fall and the accuracies rise.',
    config: () => ({
      seed: 11,
      data: { kind: 'images', nTrain: 256, nTest: 128, size: 8, channels: 1, nClasses: 4, noise: 0.3 },
      model: {
        kind: 'cnn',
        layers: [
          { type: 'conv2d', channels: 8, kernel: 3, padding: 1 },
          { type: 'maxpool', size: 2 },
          { type: 'dense', units: 32 },
        ],
        activation: 'relu',
        initScale: 1,
      },
      loss: 'cross-entropy',
      steps: 300,
      batchSize: 32,
      runs: [
        run('SGD', { name: 'sgd', lr: 0.05 }),
        run('SGD + momentum 0.9', { name: 'sgd', lr: 0.05, momentum: 0.9 }),
        run('Adam', { name: 'adam', lr: 0.003 }),
      ],
      metrics: { every: 10, evalSubset: 128 },
    }),
  },
  {
    id: 'benign-oscillation-patch-cnn',
    title: 'Benign oscillation: patch CNN',
    paper: 'Lu, Wu, Yang & Zou, ICLR 2024',
    summary:
      'The paper’s two-layer patch CNN (2m filters applied to every patch, ReLU², a fixed ±1/m second layer, small init) trained by full-batch gradient descent on feature-noise data with the squared margin loss ½(y·f − 1)² (loss "mse" with one output). A reconstruction: the architecture is known only from reviews; the data model and all constants are ours. The small rate (1) trains smoothly, its sharpness stays near 1 (below 2/η = 2), and it fits every training point, yet its weak-feature test accuracy stays at chance (0.47–0.53 over seeds 1, 2, 3 and 7). The large rate (3) oscillates from early on: the batch loss goes up every other step while trending down, and the sharpness rises above 2/η ≈ 0.67. It fits the training set too, but its filters align with the weak feature and its weak-feature test accuracy reaches 0.83–0.98 by step 1000. Metrics are logged every 5 steps so the period-2 oscillation stays visible.',
    config: () => ({
      seed: 7,
      data: {
        kind: 'feature-noise',
        nTrain: 64,
        nTest: 512,
        patchDim: 16,
        numPatches: 3,
        weakNorm: 0.35,
        strongNorm: 2,
        strongFraction: 0.9,
        noiseStd: 0.3,
      },
      model: { kind: 'patch-cnn', filters: 8, activation: 'relu2', initScale: 0.5 },
      loss: 'mse',
      steps: 1000,
      batchSize: 'full',
      runs: [run('GD small lr (1)', { name: 'sgd', lr: 1 }), run('GD large lr (3)', { name: 'sgd', lr: 3 })],
      metrics: { every: 5, sharpness: { every: 25, iters: 20 } },
    }),
  },
];

/**
 * The presets among `sources` that validate in this build: one whose data kind or optimizer is
 * not registered (or that is otherwise invalid) is left out, never shown broken.
 */
export function filterPresets(sources: readonly PresetSource[]): Preset[] {
  const out: Preset[] = [];
  for (const s of sources) {
    const res = parseExperiment(s.config());
    if (res.ok) out.push({ id: s.id, title: s.title, paper: s.paper, summary: s.summary, experiment: res.value });
  }
  return out;
}

/** Every shipped preset that validates in this build. */
export function availablePresets(): Preset[] {
  return filterPresets(SOURCES);
}

/** For tests: the presets that did not validate, with the reason. */
export function rejectedPresets(sources: readonly PresetSource[] = SOURCES): { id: string; errors: string[] }[] {
  return sources.flatMap((s) => {
    const res = parseExperiment(s.config());
    return res.ok ? [] : [{ id: s.id, errors: res.errors.map((e) => `${e.path}: ${e.message}`) }];
  });
}

export const PRESET_COUNT = SOURCES.length;
