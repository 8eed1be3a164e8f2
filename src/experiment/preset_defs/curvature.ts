/** Presets about curvature and stability: oscillation, the edge of stability, sharpness and trace bounds, opposing signals. */
import type { PresetSource } from '../presets';
import { run } from './run';
import { defaultExperiment } from '../defaults';

export const benignOscillation: PresetSource = {
  id: 'benign-oscillation',
  title: 'Benign oscillation',
  paper: 'Lu, Wu, Yang & Zou, ICLR 2024',
  lookFor:
    "The large rate's loss zigzags at the edge of stability, yet it learns the weak feature better than the small rate.",
  summary:
    'Full-batch gradient descent with a small rate (0.05) and a large one (0.4) on feature-noise data: most training points carry a strong feature, a few only a weak one, all carry noise. The large rate trains at the edge of stability — its sharpness sits at 2/η and its loss goes up every other step (metrics are logged every step, so the zigzag shows) — and it learns the weak feature: on test points that carry only the weak feature it is clearly more accurate, while the small rate fits the training set, noise included. A caveat from checking it: in this MLP much of the gap is speed — trained four times longer, the small rate catches up most of the way. The patch-CNN preset shows the paper’s effect at convergence.',
  reconstruction:
    'the paper’s data model is known from its abstract and reviews; the patch layout, norms, noise and network are ours.',
  claims: [
    {
      text: 'GD large lr: the training loss turns (up, down, up…) at ≥ 80% of the steps of the second half — a period-2 oscillation',
      test: { kind: 'oscillates', run: 1, metric: 'train_loss', fraction: 0.8, from: 0.5 },
    },
    {
      text: 'GD large lr trains at the edge of stability: median sharpness over the second half within ±20% of 2/η',
      test: {
        kind: 'near',
        stat: { run: 1, metric: 'sharpness', agg: 'median', from: 0.5 },
        target: { run: 1, metric: 'sharpness_threshold', agg: 'median', from: 0.5 },
        tol: 0.2,
      },
    },
    {
      text: 'At the end, the large rate’s weak-feature test accuracy is over 1.12 × the small rate’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'weak_feature_acc', agg: 'final' },
        op: '>',
        right: { run: 0, metric: 'weak_feature_acc', agg: 'final' },
        factor: 1.12,
      },
    },
    {
      text: 'The small rate fits the training set (final training accuracy above 97%)',
      test: { kind: 'compare', left: { run: 0, metric: 'train_acc', agg: 'final' }, op: '>', right: 0.97 },
    },
  ],
  charts: ['train_loss', 'weak_feature_acc', 'sharpness', 'train_acc'],
  valley: { run: 1 },
  config: () => defaultExperiment(),
};

export const edgeOfStability: PresetSource = {
  id: 'edge-of-stability',
  title: 'Edge of stability and progressive sharpening',
  paper: 'Cohen, Kaur, Li, Kolter & Talwalkar, ICLR 2021',
  lookFor: 'Sharpness climbs to the dashed 2/η line and then hovers there while the loss keeps falling.',
  summary:
    'Full-batch gradient descent with two step sizes on a three-layer tanh network with squared loss, started from a small initialisation so that the sharpness (the top Hessian eigenvalue) begins far below the dashed 2/η line. It rises during training — progressive sharpening — until it reaches 2/η, overshoots, and then hovers at the line, while the loss keeps falling over the long run but no longer monotonically: it spikes and recovers. Gradient descent at η would diverge on a quadratic with curvature above 2/η; here the network regulates its own curvature instead.',
  claims: [
    {
      text: 'Both runs start flat: the first sharpness of GD η=0.3 is below 0.4 × its 2/η (η=0.1’s is lower still)',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'sharpness', agg: 'first' },
        op: '<',
        right: { run: 1, metric: 'sharpness_threshold', agg: 'first' },
        factor: 0.4,
      },
    },
    {
      text: 'GD η=0.1: sharpness rises to the edge (reaches 0.9 × 2/η = 18)',
      test: { kind: 'reaches', run: 0, metric: 'sharpness', target: 'sharpness_threshold', fraction: 0.9 },
    },
    {
      text: 'GD η=0.1 then hovers at the edge: median sharpness over the last 30% within ±15% of 2/η',
      test: {
        kind: 'near',
        stat: { run: 0, metric: 'sharpness', agg: 'median', from: 0.7 },
        target: { run: 0, metric: 'sharpness_threshold', agg: 'median', from: 0.7 },
        tol: 0.15,
      },
    },
    {
      text: 'GD η=0.3 hovers at its edge too: median sharpness over the last 30% within ±15% of 2/η',
      test: {
        kind: 'near',
        stat: { run: 1, metric: 'sharpness', agg: 'median', from: 0.7 },
        target: { run: 1, metric: 'sharpness_threshold', agg: 'median', from: 0.7 },
        tol: 0.15,
      },
    },
    {
      text: 'The loss is not monotone: after the first 10% of steps, GD η=0.3’s training loss jumps above 1.5 × its lowest value so far',
      test: { kind: 'spike', run: 1, metric: 'train_loss', factor: 1.5, after: 0.1 },
    },
  ],
  charts: ['sharpness', 'train_loss'],
  valley: { run: 1 },
  config: () => ({
    seed: 1,
    data: { kind: 'spiral', nTrain: 100, nTest: 100, nClasses: 2, turns: 1, noise: 0.1 },
    model: { kind: 'mlp', hidden: [24, 24, 24], activation: 'tanh', initScale: 0.5 },
    loss: 'mse',
    steps: 500,
    batchSize: 'full',
    runs: [run('GD η=0.1', { name: 'sgd', lr: 0.1 }), run('GD η=0.3', { name: 'sgd', lr: 0.3 })],
    metrics: { every: 10, sharpness: { every: 10, iters: 20 } },
  }),
};

export const sgdTraceStability: PresetSource = {
  id: 'sgd-trace-stability',
  title: 'SGD stability: tr(H) ≤ 2/η',
  paper: 'Wu & Su, ICML 2023',
  lookFor: "Each run's Hessian trace settles below its own 2/η line: the larger the rate, the flatter the minimum.",
  summary:
    'Single-example SGD (batch size 1) at three learning rates on a teacher–student regression, each warmed up linearly over its first 800 steps. Wu & Su show that a minimum SGD can stay at satisfies tr(H) ≤ 2/η for batch size 1, a stronger constraint than gradient descent’s λmax ≤ 2/η. Watch the trace chart: each run’s trace settles below its own dotted 2/η line, and the larger the rate the flatter the minimum. The trace the small rate settles at is above 2/η of the largest rate, so the largest rate cannot stay there and ends elsewhere — while λmax stays far below 2/η for all three, so it is the trace, not λmax, that limits them.',
  claims: [
    {
      text: 'The largest rate’s Hessian trace (median over the last 20%) stays under 0.75 × its 2/η',
      test: {
        kind: 'compare',
        left: { run: 2, metric: 'hessian_trace', agg: 'median', from: 0.8 },
        op: '<',
        right: { run: 2, metric: 'sharpness_threshold', agg: 'median', from: 0.8 },
        factor: 0.75,
      },
    },
    {
      text: 'Larger rates end flatter: the trace (median over the last 20%) falls as η rises, each by more than 15%',
      test: {
        kind: 'ordered',
        runs: [0, 1, 2],
        metric: 'hessian_trace',
        agg: 'median',
        from: 0.8,
        direction: 'decreasing',
        margin: 0.15,
      },
    },
    {
      text: 'The bound binds: the small rate’s final trace is above 2/η of the largest rate',
      test: {
        kind: 'compare',
        left: { run: 0, metric: 'hessian_trace', agg: 'median', from: 0.8 },
        op: '>',
        right: { run: 2, metric: 'sharpness_threshold', agg: 'median', from: 0.8 },
        factor: 1.05,
      },
    },
  ],
  charts: ['hessian_trace', 'sharpness', 'train_loss'],
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
    steps: 2400,
    batchSize: 1,
    runs: [
      run('SGD η=0.04 (2/η=50)', { name: 'sgd', lr: 0.04 }, { name: 'constant', warmup: 800 }),
      run('SGD η=0.08 (2/η=25)', { name: 'sgd', lr: 0.08 }, { name: 'constant', warmup: 800 }),
      run('SGD η=0.14 (2/η=14.3)', { name: 'sgd', lr: 0.14 }, { name: 'constant', warmup: 800 }),
    ],
    metrics: { every: 20, sharpness: { every: 120, iters: 20 }, trace: { every: 120, samples: 16 } },
  }),
};

export const directionalSharpness: PresetSource = {
  id: 'directional-sharpness',
  title: 'Adam vs SGD: directional sharpness and coordinate clipping',
  paper: 'Pan & Li, 2023 (arXiv 2306.00204)',
  lookFor:
    "SGD's updates point along far sharper directions than Adam's; clipping the largest coordinates lowers them.",
  summary:
    'Full-batch SGD, SGD with its largest 10% of gradient coordinates clipped, Adam and clipped Adam on a noiseless teacher–student regression. Directional sharpness vᵀHv/‖v‖² is the curvature along each method’s own update v. The paper reports that SGD’s update directions are far sharper than Adam’s, and that clipping the largest coordinates lowers SGD’s directional sharpness and speeds it up. As in the paper, each SGD variant runs at its own tuned rate: 0.5 for SGD (the best of 0.25–2 here), 1.0 for clipped SGD, where plain SGD would be 10–25× worse. At an equal rate clipping does not lower it here: full-batch SGD sits at the edge of stability, where its directional sharpness is pinned near 2/η. Clipping Adam makes it slower here.',
  claims: [
    {
      text: 'SGD’s directional sharpness is over 100 × Adam’s (medians over the run)',
      test: {
        kind: 'compare',
        left: { run: 0, metric: 'directional_sharpness', agg: 'median' },
        op: '>',
        right: { run: 2, metric: 'directional_sharpness', agg: 'median' },
        factor: 100,
      },
    },
    {
      text: 'Clipped SGD (at its tuned rate) has a lower directional sharpness than SGD: median under 0.85 × SGD’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'directional_sharpness', agg: 'median' },
        op: '<',
        right: { run: 0, metric: 'directional_sharpness', agg: 'median' },
        factor: 0.85,
      },
    },
    {
      text: 'Clipped SGD trains faster: its final training loss is under 0.6 × SGD’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'train_loss', agg: 'final' },
        op: '<',
        right: { run: 0, metric: 'train_loss', agg: 'final' },
        factor: 0.6,
      },
    },
  ],
  charts: ['directional_sharpness', 'train_loss', 'sharpness'],
  config: () => ({
    seed: 3,
    data: {
      kind: 'teacher-student',
      nTrain: 128,
      nTest: 256,
      inputDim: 10,
      outputDim: 1,
      teacherHidden: [32],
      teacherActivation: 'tanh',
      noise: 0,
    },
    model: { kind: 'mlp', hidden: [32, 32], activation: 'relu', initScale: 1 },
    loss: 'mse',
    steps: 400,
    batchSize: 'full',
    runs: [
      run('SGD (lr 0.5)', { name: 'sgd', lr: 0.5 }),
      run('SGD + clip 10% (lr 1)', { name: 'clipped-sgd', lr: 1, clipFraction: 0.1 }),
      run('Adam', { name: 'adam', lr: 0.003 }),
      run('Adam + clip 50%', { name: 'clipped-adam', lr: 0.003, clipFraction: 0.5 }),
    ],
    metrics: { every: 10, sharpness: { every: 40, iters: 15 } },
  }),
};

export const opposingSignals: PresetSource = {
  id: 'opposing-signals',
  title: 'Opposing-signal outliers',
  paper: 'Rosenfeld & Risteski, ICLR 2024',
  lookFor: "Sharpness reaches 2/η and the two outlier groups' losses swing in opposite directions, with loss spikes.",
  summary:
    'Full-batch GD on data where 5% of the points carry a large coordinate x0 (α = 10) whose sign splits them into two groups that pull the output in opposite directions, with a two-layer linear network (the paper’s toy model: it cannot represent |x0|, so the outliers never fit). While the clean feature is learned the sharpness rises; at the large rate it reaches 2/η, and from then the two outlier groups’ losses move in anti-phase — one rises as the other falls, every step, growing — until the total loss spikes. The small rate stays far below its 2/η and trains smoothly.',
  reconstruction:
    'the data generator follows the paper’s description of opposing signals; dimension, α, outlier fraction, signal strength and noise are ours. The large rate works in a narrow band (0.185–0.2): the spike grows out of a tiny perturbation, so its step varies from seed to seed.',
  claims: [
    {
      text: 'GD η=0.19: sharpness reaches 2/η',
      test: { kind: 'reaches', run: 1, metric: 'sharpness', target: 'sharpness_threshold', fraction: 1 },
    },
    {
      text: 'GD η=0.19: the losses of the x0 > 0 and x0 < 0 groups move in anti-phase (step-to-step changes correlate below −0.5)',
      test: { kind: 'anti-phase', run: 1, a: 'group_loss_pos', b: 'group_loss_neg', corr: 0.5 },
    },
    {
      text: 'GD η=0.19: the total training loss spikes above 1.5 × its lowest value so far (after the first 10% of steps)',
      test: { kind: 'spike', run: 1, metric: 'train_loss', factor: 1.5, after: 0.1 },
    },
  ],
  charts: ['group_loss_pos', 'train_loss', 'sharpness'],
  config: () => ({
    seed: 9,
    data: {
      kind: 'opposing-signals',
      nTrain: 256,
      nTest: 256,
      dim: 10,
      alpha: 10,
      outlierFraction: 0.05,
      signal: 0.3,
      noiseStd: 0.5,
      outlierClass: 1,
    },
    model: { kind: 'mlp', hidden: [32], activation: 'linear', initScale: 0.1 },
    loss: 'mse',
    steps: 600,
    batchSize: 'full',
    runs: [run('GD η=0.05', { name: 'sgd', lr: 0.05 }), run('GD η=0.19', { name: 'sgd', lr: 0.19 })],
    metrics: { every: 1, sharpness: { every: 10, iters: 20 } },
  }),
};

export const benignOscillationPatchCnn: PresetSource = {
  id: 'benign-oscillation-patch-cnn',
  title: 'Benign oscillation: patch CNN',
  paper: 'Lu, Wu, Yang & Zou, ICLR 2024',
  lookFor:
    'The large rate oscillates yet learns the weak feature; the small rate fits everything and stays near chance on it.',
  summary:
    'The paper’s two-layer patch CNN (2m filters applied to every patch, ReLU², a fixed ±1/m second layer, small init) trained by full-batch gradient descent on feature-noise data with the squared margin loss ½(y·f − 1)² (loss "mse" with one output). The small rate (1) trains smoothly and fits every training point, yet its weak-feature test accuracy stays near chance (0.50–0.58 over nine seeds). The large rate (3, close to the largest that does not diverge) oscillates: around steps 300–500 its loss goes up every other step while trending down. It fits the training set too, but its filters align with the weak feature and its weak-feature test accuracy reaches 0.91–0.99.',
  reconstruction:
    'the architecture is known from reviews of the paper; the data model (patch dimension, feature norms, noise) and every constant are ours.',
  claims: [
    {
      text: 'GD large lr: the training loss turns (up, down, up…) at ≥ 80% of the steps between 30% and 50% of the run — a period-2 oscillation',
      test: { kind: 'oscillates', run: 1, metric: 'train_loss', fraction: 0.8, from: 0.3, to: 0.5 },
    },
    {
      text: 'Final weak-feature test accuracy of the large rate is over 1.4 × the small rate’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'weak_feature_acc', agg: 'final' },
        op: '>',
        right: { run: 0, metric: 'weak_feature_acc', agg: 'final' },
        factor: 1.4,
      },
    },
    {
      text: 'The small rate fits every training point (final training accuracy above 99%)',
      test: { kind: 'compare', left: { run: 0, metric: 'train_acc', agg: 'final' }, op: '>', right: 0.99 },
    },
  ],
  charts: ['train_loss', 'weak_feature_acc', 'train_acc', 'sharpness'],
  config: () => ({
    seed: 7,
    data: {
      kind: 'feature-noise',
      nTrain: 128,
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
    metrics: { every: 1, sharpness: { every: 25, iters: 20 } },
  }),
};
