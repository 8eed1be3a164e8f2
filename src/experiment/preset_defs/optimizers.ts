/**
 * Presets about optimizers themselves: the adaptive variants' stability lines, SAM's flat minima,
 * Schedule-Free against a tuned schedule, Muon against AdamW.
 */
import type { PresetSource } from '../presets';
import { run } from './run';
import { noisyRegression, SGD_CONSTANT, SGD_COSINE } from './training';

export const samFlatMinima: PresetSource = {
  id: 'sam-flat-minima',
  title: 'SAM finds flatter minima',
  paper: 'Foret, Kleiner, Mobahi & Neyshabur, ICLR 2021',
  lookFor: 'Gradient descent’s sharpness climbs to the dashed 2/η line; SAM at the same rate settles far below it.',
  summary:
    'Full-batch gradient descent and SAM at the same step size (0.1) on the edge-of-stability network (a three-layer tanh MLP with squared loss, small initialisation). SAM takes its gradient at the worst point within a radius ρ of the weights; the larger ρ, the flatter the region it settles in. Gradient descent sharpens until it sits on the 2/η line; SAM with ρ = 0.02 levels off near half of it and ρ = 0.05 near a third, while fitting the training set about as well. On this small problem the flatter minimum does not buy test accuracy — the paper’s gains are on large image models.',
  claims: [
    {
      text: 'GD reaches the edge of stability (sharpness ≥ 0.9 × 2/η)',
      test: { kind: 'reaches', run: 0, metric: 'sharpness', target: 'sharpness_threshold', fraction: 0.9 },
    },
    {
      text: 'Sharpness over the last 30% falls as ρ grows: GD > SAM ρ=0.02 > SAM ρ=0.05, each by more than 20%',
      test: {
        kind: 'ordered',
        runs: [0, 1, 2],
        metric: 'sharpness',
        agg: 'median',
        from: 0.7,
        direction: 'decreasing',
        margin: 0.2,
      },
    },
    {
      text: 'SAM ρ=0.05 ends flatter: final sharpness below 0.5 × GD’s',
      test: {
        kind: 'compare',
        left: { run: 2, metric: 'sharpness', agg: 'final' },
        op: '<',
        right: { run: 0, metric: 'sharpness', agg: 'final' },
        factor: 0.5,
      },
    },
    {
      text: 'and fits about as well: final training loss below 1.5 × GD’s',
      test: {
        kind: 'compare',
        left: { run: 2, metric: 'train_loss', agg: 'final' },
        op: '<',
        right: { run: 0, metric: 'train_loss', agg: 'final' },
        factor: 1.5,
      },
    },
  ],
  charts: ['sharpness', 'train_loss', 'test_acc'],
  config: () => ({
    seed: 1,
    data: { kind: 'spiral', nTrain: 100, nTest: 100, nClasses: 2, turns: 1, noise: 0.1 },
    model: { kind: 'mlp', hidden: [24, 24, 24], activation: 'tanh', initScale: 0.5 },
    loss: 'mse',
    steps: 500,
    batchSize: 'full',
    runs: [
      run('GD', { name: 'sgd', lr: 0.1 }),
      run('SAM ρ=0.02', { name: 'sam', lr: 0.1, rho: 0.02 }),
      run('SAM ρ=0.05', { name: 'sam', lr: 0.1, rho: 0.05 }),
    ],
    metrics: { every: 10, sharpness: { every: 10, iters: 20 } },
  }),
};

export const scheduleFree: PresetSource = {
  id: 'schedule-free',
  title: 'Schedule-Free vs a cosine schedule',
  paper: 'Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, NeurIPS 2024',
  lookFor: 'Schedule-Free reaches the cosine run’s final loss by mid-run, without being told when training ends.',
  summary:
    'The noisy linear regression of the schedules preset (batch size 4): SGD with momentum at a constant rate, the same with a cosine schedule over the 600 steps, and Schedule-Free SGD with no schedule at all. Schedule-Free takes its gradients at an interpolation y between a plain SGD sequence z and their running average x, and is measured at x (its curves are x’s, as the reference’s eval mode gives them). The constant rate stalls on a noise floor; cosine anneals the noise away but only near the end, because it must know the horizon; Schedule-Free is on the cosine run’s final level by the middle of training and ends level with it.',
  claims: [
    {
      text: 'Schedule-Free ends level with cosine: final training losses within ±2%',
      test: {
        kind: 'near',
        stat: { run: 2, metric: 'train_loss', agg: 'final' },
        target: { run: 1, metric: 'train_loss', agg: 'final' },
        tol: 0.02,
      },
    },
    {
      text: 'Half-way (median over 45–55% of the steps) Schedule-Free is already below 0.9 × cosine’s loss',
      test: {
        kind: 'compare',
        left: { run: 2, metric: 'train_loss', agg: 'median', from: 0.45, to: 0.55 },
        op: '<',
        right: { run: 1, metric: 'train_loss', agg: 'median', from: 0.45, to: 0.55 },
        factor: 0.9,
      },
    },
    {
      text: 'Without a schedule it still anneals the noise: final loss below 0.85 × the constant rate’s (its median over the last 10%)',
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
    noisyRegression([SGD_CONSTANT, SGD_COSINE, run('Schedule-Free', { name: 'sf-sgd', lr: 0.1, momentum: 0.9 })]),
};

export const muonVsAdamw: PresetSource = {
  id: 'muon-vs-adamw',
  title: 'Muon vs AdamW',
  paper: 'Jordan et al. 2024 (Muon); Cohen et al. 2022 (adaptive edge of stability)',
  lookFor:
    'Muon’s loss falls first and its steps never shrink; AdamW’s preconditioned sharpness climbs to its dashed line.',
  summary:
    'AdamW (η = 0.05, as fast as any rate of 0.01–0.1 tried) and Muon (η = 0.1) train the same three-layer tanh MLP (24 units a layer) on the three-class spiral, full batch, squared loss. Muon replaces the update of each hidden 24 × 24 weight matrix by its orthogonalised momentum — every singular value near 1, so the step has a fixed size — while the first and last matrices and the biases go to an AdamW set like the AdamW run (η = 0.05, β = (0.9, 0.999), weight decay 0.01), as the reference advises: the two runs differ only in the hidden matrices. Muon’s loss falls several times faster over the first hundred steps (at Muon’s default rate 0.02 it is only level with AdamW). AdamW’s preconditioned sharpness (top eigenvalue of P⁻¹H) climbs to its line (2+2β₁)/(η(1−β₁)) = 760 and saws along it — it creeps past the line, the loss jumps, it drops back (Cohen et al. 2022) — while its raw sharpness stays below about 20, half of 2/η = 40 (not drawn): here the raw sharpness is not what limits Adam. Muon has no preconditioner and no such line; its raw sharpness settles near 6–7, about half of AdamW’s. Its update norm per unit η stays near 6 from the first step to the last while AdamW’s shrinks ten- to twenty-fold, so at this constant rate Muon kicks itself out of its minimum late in the run on some seeds, harder than AdamW’s spikes (seed 2 on the CPU backend: from 10⁻⁴ to 0.08 at step 310; seeds 1 and 3 stay put); in practice Muon runs with a decaying rate. The early lead does not carry over to test accuracy: AdamW’s is level or higher on five seeds of six.',
  claims: [
    {
      text: 'Muon is ahead early: median training loss over steps 10–20% below 0.3 × AdamW’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'train_loss', agg: 'median', from: 0.1, to: 0.2 },
        op: '<',
        right: { run: 0, metric: 'train_loss', agg: 'median', from: 0.1, to: 0.2 },
        factor: 0.3,
      },
    },
    {
      text: 'AdamW reaches the adaptive edge of stability: preconditioned sharpness ≥ 0.9 × its line 38/η',
      test: { kind: 'reaches', run: 0, metric: 'precond_sharpness', target: 'precond_threshold', fraction: 0.9 },
    },
    {
      text: 'while its raw sharpness never comes near 2/η = 40: its maximum stays below 0.7 × 2/η',
      test: { kind: 'compare', left: { run: 0, metric: 'sharpness', agg: 'max' }, op: '<', right: 40, factor: 0.7 },
    },
    {
      text: 'Muon ends flatter: median raw sharpness over the second half below 0.7 × AdamW’s',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'sharpness', agg: 'median', from: 0.5 },
        op: '<',
        right: { run: 0, metric: 'sharpness', agg: 'median', from: 0.5 },
        factor: 0.7,
      },
    },
    {
      text: 'Muon’s steps do not shrink: its update norm per unit η over the second half stays above 0.8 × its median over the first 10%',
      test: {
        kind: 'compare',
        left: { run: 1, metric: 'update_norm', agg: 'median', from: 0.5 },
        op: '>',
        right: { run: 1, metric: 'update_norm', agg: 'median', to: 0.1 },
        factor: 0.8,
      },
    },
  ],
  charts: ['train_loss', 'precond_sharpness', 'sharpness', 'update_norm'],
  config: () => ({
    seed: 1,
    data: { kind: 'spiral', nTrain: 64, nTest: 256, nClasses: 3, turns: 1.2, noise: 0.1 },
    model: { kind: 'mlp', hidden: [24, 24, 24], activation: 'tanh', initScale: 1 },
    loss: 'mse',
    steps: 400,
    batchSize: 'full',
    runs: [
      run('AdamW', { name: 'adamw', lr: 0.05 }),
      run('Muon', {
        name: 'muon',
        lr: 0.1,
        weightDecay: 0.01,
        adamLr: 0.05,
        adamBetas: [0.9, 0.999],
        adamEps: 1e-8,
        adamWeightDecay: 0.01,
      }),
    ],
    metrics: { every: 10, sharpness: { every: 10, iters: 10 } },
  }),
};

export const adaptiveVariants: PresetSource = {
  id: 'adaptive-variants',
  title: 'AdaBelief, diffGrad, AdamP and NAdamW vs Adam: the adaptive edge of stability',
  paper: 'Zhuang et al. 2020; Dubey et al. 2019; Heo et al. 2021; Cohen et al. 2022 (adaptive edge of stability)',
  lookFor:
    "Adam's preconditioned sharpness rises to its 38/η line and hovers; NAdamW's stops at its own, lower 13.6/η line.",
  summary:
    'Five adaptive methods from one initialisation, full batch, squared loss. Adam’s preconditioned sharpness (the top eigenvalue of P⁻¹H, P its per-coordinate step-size denominator) rises until it meets the dashed line (2+2β₁)/(η(1−β₁)) = 38/η and hovers there: the adaptive edge of stability. diffGrad multiplies each step by a friction factor between 0.5 and 1, which is small when the gradient barely changes, so it balances at a higher preconditioned sharpness. AdamP only changes steps of scale-invariant weights; this network has none (no normalisation), so it ends where Adam does. NAdamW steps along the look-ahead β₁m + (1−β₁)g instead of m; on a quadratic that step turns unstable at 2(1+β₁)/(η(1−β₁)(1+2β₁)) = 13.6/η, a line we derived for it (not a published figure), and its preconditioned sharpness settles near that line, well below Adam’s.',
  claims: [
    {
      text: 'Adam: median preconditioned sharpness over the second half within ±20% of its stability line 38/η',
      test: {
        kind: 'near',
        stat: { run: 0, metric: 'precond_sharpness', agg: 'median', from: 0.5 },
        target: { run: 0, metric: 'precond_threshold', agg: 'median', from: 0.5 },
        tol: 0.2,
      },
    },
    {
      text: 'diffGrad settles at a preconditioned sharpness over 1.4 × Adam’s (median over the second half)',
      test: {
        kind: 'compare',
        left: { run: 2, metric: 'precond_sharpness', agg: 'median', from: 0.5 },
        op: '>',
        right: { run: 0, metric: 'precond_sharpness', agg: 'median', from: 0.5 },
        factor: 1.4,
      },
    },
    {
      text: 'AdamP ends within ±5% of Adam’s test accuracy (no weight here is scale-invariant)',
      test: {
        kind: 'near',
        stat: { run: 3, metric: 'test_acc', agg: 'final' },
        target: { run: 0, metric: 'test_acc', agg: 'final' },
        tol: 0.05,
      },
    },
    {
      text: 'NAdamW: median preconditioned sharpness over the second half within ±20% of its own line 13.6/η',
      test: {
        kind: 'near',
        stat: { run: 4, metric: 'precond_sharpness', agg: 'median', from: 0.5 },
        target: { run: 4, metric: 'precond_threshold', agg: 'median', from: 0.5 },
        tol: 0.2,
      },
    },
    {
      text: 'Adam settles at a preconditioned sharpness over 2 × NAdamW’s (median over the second half)',
      test: {
        kind: 'compare',
        left: { run: 0, metric: 'precond_sharpness', agg: 'median', from: 0.5 },
        op: '>',
        right: { run: 4, metric: 'precond_sharpness', agg: 'median', from: 0.5 },
        factor: 2,
      },
    },
  ],
  charts: ['precond_sharpness', 'train_loss', 'test_acc', 'update_norm'],
  config: () => ({
    seed: 4,
    data: { kind: 'spiral', nTrain: 64, nTest: 256, nClasses: 3, turns: 1.2, noise: 0.1 },
    model: { kind: 'mlp', hidden: [32, 32], activation: 'relu', initScale: 1 },
    loss: 'mse',
    steps: 300,
    batchSize: 'full',
    runs: [
      run('Adam', { name: 'adam', lr: 0.03 }),
      run('AdaBelief', { name: 'adabelief', lr: 0.03 }),
      run('diffGrad', { name: 'diffgrad', lr: 0.03 }),
      run('AdamP', { name: 'adamp', lr: 0.03 }),
      run('NAdamW', { name: 'nadamw', lr: 0.03, weightDecay: 0 }),
    ],
    metrics: { every: 10, sharpness: { every: 30, iters: 10 } },
  }),
};
