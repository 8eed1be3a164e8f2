/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), following the
 * reference google/automl lion/lion_pytorch.py (docs/optimizers.md): decoupled decay first, the sign of an
 * interpolation of momentum and gradient, then the momentum update with beta2. sign(0) = 0.
 */
import lionWgsl from '../../../shaders/optim_lion.wgsl?raw';
import { betasSpec, createElementwiseGpu, lrSpec, optimizerSource, wdSpec } from './common';
import { num, pair } from './hp';
import { namedSlots } from './slots';
import type { OptimizerDef } from './types';

export const lion: OptimizerDef = {
  name: 'lion',
  description: 'Lion: the sign of an interpolation of momentum and gradient, with decoupled weight decay.',
  rule: 'theta *= 1 - lr*wd; c = b1*m + (1-b1)*g; theta -= lr*sign(c); m = b2*m + (1-b2)*g',
  source: 'Chen et al., "Symbolic Discovery of Optimization Algorithms" (2023); google/automl lion/lion_pytorch.py',
  hyperparams: [
    lrSpec(1e-4),
    betasSpec([0.9, 0.99], 'beta1 interpolates momentum and gradient for the step; beta2 is the momentum decay.'),
    wdSpec(0, "Decoupled weight decay: theta <- theta (1 - lr wd) before the step (typically 3-10x AdamW's)."),
  ],
  stateSlots: 1,
  ...namedSlots('lion', {
    // oneMinusBeta1/2: 1 - beta in float64.
    hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2'],
    // decay = 1 - lr wd
    scalars: ['lr', 'decay'],
    packHyper(hp) {
      const [beta1, beta2] = pair(hp, 'betas');
      return { beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2 };
    },
    stepScalars: (hp, _t, lr) => ({ lr, decay: 1 - lr * num(hp, 'weightDecay') }),
  }),
  createGpu: (ctx) => createElementwiseGpu(ctx, 'optim_lion', optimizerSource(lion, lionWgsl), lion.hyperSize),
  cpuInit: (paramCount) => ({ slots: [new Float64Array(paramCount)], extra: {} }),
  cpuStep({ params, grad, state, hp, lr }) {
    const [b1, b2] = pair(hp, 'betas');
    const wd = num(hp, 'weightDecay');
    const m = state.slots[0];
    for (let i = 0; i < params.length; i++) {
      params[i] *= 1 - lr * wd;
      params[i] -= lr * Math.sign(b1 * m[i] + (1 - b1) * grad[i]);
      m[i] = b2 * m[i] + (1 - b2) * grad[i];
    }
  },
};
