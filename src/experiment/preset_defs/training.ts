/** Presets about how fast and where training ends: adaptive vs SGD, simplicity bias, noise temperature, DP clipping, schedules, a CNN. */
import type { PresetSource } from '../presets';
import { run } from './run';

export const sgdSai: PresetSource = {
  id: 'sgd-sai',
  title: 'SGD-SaI vs AdamW',
  paper: 'Xu et al. 2024 (arXiv 2412.11768)',
  lookFor: "SGD-SaI matches AdamW's test accuracy with one state tensor instead of two.",
  summary:
    'SGD with momentum whose per-tensor learning rates are scaled once, at the first step, by each tensor’s gradient signal-to-noise ratio, against AdamW at its best rate for this task (0.005 of 0.001–0.01). The paper reports that SGD-SaI matches AdamW while keeping one state tensor instead of two; here it reaches AdamW’s test accuracy and a lower test loss, though AdamW drives the training loss lower (the memory saving itself is not a logged metric).',
  claims: [
    {
      text: 'SGD-SaI’s final test accuracy is at least 95% of AdamW’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'test_acc', agg: 'final' },
        op: '>',
        right: { run: 0, metric: 'test_acc', agg: 'final' },
        factor: 0.95,
      },
    },
    {
      text: 'SGD-SaI’s final test loss is lower than AdamW’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'test_loss', agg: 'final' },
        op: '<',
        right: { run: 0, metric: 'test_loss', agg: 'final' },
      },
    },
    {
      text: 'SGD-SaI fits the training set (final training accuracy above 99%)',
      test: { kind: 'compare', left: { run: 1, metric: 'train_acc', agg: 'final' }, op: '>', right: 0.99 },
    },
  ],
  charts: ['test_acc', 'test_loss', 'train_acc', 'train_loss'],
  config: () => ({
    seed: 5,
    data: { kind: 'images', nTrain: 256, nTest: 256 },
    model: { kind: 'mlp', hidden: [64], activation: 'relu', initScale: 1 },
    loss: 'cross-entropy',
    steps: 400,
    batchSize: 32,
    runs: [run('AdamW', { name: 'adamw', lr: 0.005 }), run('SGD-SaI', { name: 'sgd-sai', lr: 0.01 })],
    metrics: { every: 10 },
  }),
};

export const simplicityBias: PresetSource = {
  id: 'simplicity-bias',
  title: 'Simplicity bias',
  paper: 'Shah, Tamuly, Raghunathan, Jain & Netrapalli, NeurIPS 2020',
  lookFor: "Adam stalls at the simple feature's 90% accuracy; shuffling that feature collapses its test accuracy.",
  summary:
    'SGD and Adam on LMS-5 slab data whose linear coordinate agrees with the label on 90% of the points while the 5-slab coordinates separate the classes perfectly. The paper reports that networks latch onto the simple linear coordinate. Watch Adam’s training accuracy stall at 90% for most of the run, and the S-randomized accuracies: shuffling the linear coordinate across test points drops Adam to chance, shuffling the slabs barely matters, so the model relies on the linear coordinate alone. SGD with momentum (effective step 1) starts the same way, then partly learns the slabs.',
  claims: [
    {
      text: 'Adam’s training accuracy stalls at 90% (median over steps 25%–75% of the run within ±3% of 0.9)',
      test: {
        kind: 'near',
        stat: { run: 1, metric: 'train_acc', agg: 'median', from: 0.25, to: 0.75 },
        target: 0.9,
        tol: 0.03,
      },
    },
    {
      text: 'Adam: with the linear coordinate shuffled, test accuracy falls below 0.6 (chance is 0.5)',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 's_randomized_acc_linear', agg: 'final' },
        op: '<',
        right: 0.6,
      },
    },
    {
      text: 'Adam: with the slab coordinates shuffled, test accuracy stays above 95% of the unshuffled one',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 's_randomized_acc_slab', agg: 'final' },
        op: '>',
        right: { run: 1, metric: 'test_acc', agg: 'final' },
        factor: 0.95,
      },
    },
  ],
  charts: ['train_acc', 's_randomized_acc_linear', 'train_loss'],
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
    steps: 500,
    batchSize: 32,
    runs: [run('SGD', { name: 'sgd', lr: 0.1, momentum: 0.9 }), run('Adam', { name: 'adam', lr: 0.002 })],
    metrics: { every: 10 },
  }),
};

export const noiseTemperature: PresetSource = {
  id: 'noise-temperature',
  title: 'SGD noise temperature η/B',
  paper: 'Sclocchi, Geiger & Wyart, ICML 2023',
  lookFor: 'Counted in η × steps, the time to fit the data grows with the noise temperature η/B.',
  summary:
    'Minibatch SGD with batch size 8 at three learning rates, so the noise temperature T = η/B spans a factor of 160, on a binary task with the hinge loss and an output-scaled network (α = 10, the paper’s lazy-regime construction). Each run stops when its training loss reaches exactly zero. Sclocchi et al. measure time as η × steps: counted that way, the time to fit t* grows with T, and so does how far the weights travel from their initialisation, ‖w − w₀‖/‖w₀‖. Counted in steps the hotter runs finish first — the paper’s time is η × steps.',
  claims: [
    {
      text: 'The weight change at the fit, ‖w − w₀‖/‖w₀‖, grows with T, each more than doubling',
      test: {
        kind: 'ordered',
        runs: [0, 1, 2],
        metric: 'relative_weight_change',
        agg: 'final',
        direction: 'increasing',
        margin: 1,
      },
    },
    {
      text: 'Time to fit t* = η × steps: T = 0.25 takes over 1.2 × as long as T = 0.0125',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'fit_time', agg: 'final' },
        op: '>',
        right: { run: 0, metric: 'fit_time', agg: 'final' },
        factor: 1.2,
      },
    },
    {
      text: 'Time to fit: T = 2 takes over 1.5 × as long as T = 0.25',
      test: {
        kind: 'compare',
        left: { run: 2, metric: 'fit_time', agg: 'final' },
        op: '>',
        right: { run: 1, metric: 'fit_time', agg: 'final' },
        factor: 1.5,
      },
    },
  ],
  charts: ['fit_time', 'relative_weight_change', 'train_loss'],
  config: () => ({
    seed: 6,
    data: { kind: 'circle', nTrain: 256, nTest: 256, noise: 0.05 },
    model: { kind: 'mlp', hidden: [64], activation: 'relu', initScale: 1, outputScale: 10 },
    loss: 'hinge',
    steps: 3000,
    batchSize: 8,
    stopAtZeroLoss: true,
    runs: [
      run('T = 0.0125 (η=0.1, B=8)', { name: 'sgd', lr: 0.1 }),
      run('T = 0.25 (η=2, B=8)', { name: 'sgd', lr: 2 }),
      run('T = 2 (η=16, B=8)', { name: 'sgd', lr: 16 }),
    ],
    metrics: { every: 1 },
  }),
};

export const dpClipping: PresetSource = {
  id: 'dp-clipping',
  title: 'DP-SGD clipping bias vs DiceSGD',
  paper: 'Abadi et al. 2016; Zhang, Bu, Wu & Hong, ICLR 2024',
  lookFor: "DP-SGD's loss climbs back to a plateau above SGD's; DiceSGD's error feedback closes the gap.",
  summary:
    'Plain SGD, DP-SGD (each example’s gradient clipped to norm C = 0.1, Gaussian noise σ = 1) and DiceSGD, which feeds the clipped-away part of the gradient back in later steps, on two overlapping Gaussian classes (so the gradient of every example stays large at the optimum). DP-SGD’s training loss first falls, then climbs back to a plateau well above SGD’s: clipping pulls it towards a different, biased point, and more steps do not help. DiceSGD’s error feedback removes that constant bias and ends where SGD does. The bias shows in the loss (over-confidence), not in the accuracy, which is about the same for all three.',
  claims: [
    {
      text: 'DP-SGD’s training loss over the last 20% stays above 1.3 × SGD’s (median)',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'train_loss', agg: 'median', from: 0.8 },
        op: '>',
        right: { run: 0, metric: 'train_loss', agg: 'median', from: 0.8 },
        factor: 1.3,
      },
    },
    {
      text: 'DiceSGD closes at least half of the gap between DP-SGD’s and SGD’s training loss (medians over the last 20%)',
      test: {
        kind: 'closes-gap',
        a: { run: 1, metric: 'train_loss', agg: 'median', from: 0.8 },
        b: { run: 0, metric: 'train_loss', agg: 'median', from: 0.8 },
        c: { run: 2, metric: 'train_loss', agg: 'median', from: 0.8 },
        fraction: 0.5,
      },
    },
    {
      text: 'DP-SGD’s loss plateaus above its own earlier minimum (median over the last 20% over 1.2 × its lowest value) — a bias, not slowness',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'train_loss', agg: 'median', from: 0.8 },
        op: '>',
        right: { run: 1, metric: 'train_loss', agg: 'min' },
        factor: 1.2,
      },
    },
  ],
  charts: ['train_loss', 'test_acc', 'grad_norm'],
  config: () => ({
    seed: 7,
    data: { kind: 'gauss', nTrain: 256, nTest: 256, nClasses: 2, separation: 1, noise: 1 },
    model: { kind: 'mlp', hidden: [16], activation: 'relu', initScale: 1 },
    loss: 'cross-entropy',
    steps: 1000,
    batchSize: 32,
    runs: [
      run('SGD', { name: 'sgd', lr: 0.2 }),
      run('DP-SGD C=0.1 σ=1', { name: 'dp-sgd', lr: 0.2, clipNorm: 0.1, noiseMultiplier: 1 }),
      run('DiceSGD C=0.1 σ=1', { name: 'dice-sgd', lr: 0.2, clipNorm: 0.1, errorClipNorm: 0.1, noiseMultiplier: 1 }),
    ],
    metrics: { every: 10 },
  }),
};

export const schedules: PresetSource = {
  id: 'schedules',
  title: 'Linear decay vs cosine vs constant',
  paper: 'Defazio, Cutkosky, Mehta & Mishchenko, 2023 (arXiv 2310.07831)',
  lookFor: 'Constant-rate SGD stalls on a noise floor; cosine and linear decay anneal it away and end far lower.',
  summary:
    'The same SGD with momentum under a constant, a cosine and a linear-decay schedule, on a noisy linear regression with batch size 4 (the convex, last-iterate setting of the paper’s theory). At a constant rate the minibatch noise keeps the loss on a floor; both decaying schedules anneal it away and end far lower. The paper finds linear decay matches or beats cosine; here the two end level. Use “Add refined-schedule copy” on a finished run to derive its refined schedule from the logged gradient norms (warm-up and fast final annealing appear by themselves).',
  claims: [
    {
      text: 'Linear decay ends level with cosine: final training losses within ±2%',
      test: {
        kind: 'near',
        stat: { run: 2, metric: 'train_loss', agg: 'final' },
        target: { run: 1, metric: 'train_loss', agg: 'final' },
        tol: 0.02,
      },
    },
    {
      text: 'Cosine ends below 0.85 × the constant rate’s loss (its median over the last 10%)',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'train_loss', agg: 'final' },
        op: '<',
        right: { run: 0, metric: 'train_loss', agg: 'median', from: 0.9 },
        factor: 0.85,
      },
    },
    {
      text: 'Linear decay ends below 0.85 × the constant rate’s loss (its median over the last 10%)',
      test: {
        kind: 'compare',
        left: { run: 2, metric: 'train_loss', agg: 'final' },
        op: '<',
        right: { run: 0, metric: 'train_loss', agg: 'median', from: 0.9 },
        factor: 0.85,
      },
    },
  ],
  charts: ['train_loss', 'lr', 'test_loss'],
  config: () =>
    noisyRegression([
      SGD_CONSTANT,
      SGD_COSINE,
      run('linear decay', { name: 'sgd', lr: 0.03, momentum: 0.9 }, { name: 'linear' }),
    ]),
};

/** The schedules preset's constant-rate and cosine runs (SGD with momentum, rate 0.03). */
export const SGD_CONSTANT = run('constant', { name: 'sgd', lr: 0.03, momentum: 0.9 }, { name: 'constant' });
export const SGD_COSINE = run('cosine', { name: 'sgd', lr: 0.03, momentum: 0.9 }, { name: 'cosine' });

/**
 * Noisy linear regression (a 10-input linear model on a tanh teacher's outputs plus noise 0.5),
 * batch size 4, 600 steps: the convex, last-iterate setting of the schedule presets.
 */
export function noisyRegression(runs: unknown[]) {
  return {
    seed: 8,
    data: {
      kind: 'teacher-student',
      nTrain: 256,
      nTest: 256,
      inputDim: 10,
      outputDim: 1,
      teacherHidden: [32],
      teacherActivation: 'tanh',
      noise: 0.5,
    },
    model: { kind: 'mlp', hidden: [], activation: 'relu', initScale: 1 },
    loss: 'mse',
    steps: 600,
    batchSize: 4,
    runs,
    metrics: { every: 10 },
  };
}

export const cnnImages: PresetSource = {
  id: 'cnn-images',
  title: 'CNN on synthetic images',
  paper: 'LeCun et al. 1998 (convolution + pooling); optimizers as in Kingma & Ba, ICLR 2015',
  lookFor: "Momentum and Adam cut the CNN's training loss much faster than plain SGD.",
  summary:
    'A small convolutional network (conv 8 3x3 with padding 1, 2x2 max-pooling, a dense layer of 32) learns to tell four shapes apart in noisy 8x8 images. Plain SGD, SGD with momentum 0.9 and Adam share the weights and the minibatches: momentum and Adam cut the training loss much faster. (At the same rate, momentum 0.9 takes steps about ten times longer than plain SGD once its buffer fills.)',
  claims: [
    {
      text: 'Final training loss: plain SGD highest, Adam in between, momentum lowest',
      test: { kind: 'ordered', runs: [0, 2, 1], metric: 'train_loss', agg: 'final', direction: 'decreasing' },
    },
    {
      text: 'Mid-run (steps 45%–55%), momentum’s training loss is under 0.35 × plain SGD’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'train_loss', agg: 'mean', from: 0.45, to: 0.55 },
        op: '<',
        right: { run: 0, metric: 'train_loss', agg: 'mean', from: 0.45, to: 0.55 },
        factor: 0.35,
      },
    },
    {
      text: 'Mid-run (steps 45%–55%), Adam’s training loss is under 0.7 × plain SGD’s',
      test: {
        kind: 'compare',
        left: { run: 2, metric: 'train_loss', agg: 'mean', from: 0.45, to: 0.55 },
        op: '<',
        right: { run: 0, metric: 'train_loss', agg: 'mean', from: 0.45, to: 0.55 },
        factor: 0.7,
      },
    },
  ],
  charts: ['train_loss', 'train_acc'],
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
    steps: 150,
    batchSize: 32,
    runs: [
      run('SGD', { name: 'sgd', lr: 0.05 }),
      run('SGD + momentum 0.9', { name: 'sgd', lr: 0.05, momentum: 0.9 }),
      run('Adam', { name: 'adam', lr: 0.003 }),
    ],
    metrics: { every: 10, evalSubset: 128 },
  }),
};
