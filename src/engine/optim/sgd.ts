/**
 * SGD with momentum, dampening, Nesterov and coupled L2 weight decay: torch.optim.SGD semantics
 * (docs/optimizers.md), including the momentum buffer starting as a copy of the first gradient.
 */
import sgdWgsl from '../../../shaders/optim_sgd.wgsl?raw';
import { createElementwiseGpu, flagSpec, lrSpec, momentumSpec, optimizerSource } from './common';
import { flag, momentumSgdThreshold, num } from './hp';
import { namedSlots } from './slots';
import type { OptimizerDef } from './types';

export const sgd: OptimizerDef = {
  name: 'sgd',
  description: 'Stochastic gradient descent with optional heavy-ball or Nesterov momentum (PyTorch semantics).',
  rule: 'g += wd*theta; b = g (step 1) else mu*b + (1-dampening)*g; d = nesterov ? g + mu*b : b (b = g when mu = 0); theta -= lr*d',
  source: 'torch.optim.SGD (PyTorch documentation and reference implementation)',
  hyperparams: [
    lrSpec(1e-3),
    momentumSpec(0, 'Momentum factor mu (0 = plain SGD).'),
    {
      key: 'dampening',
      type: 'number',
      default: 0,
      min: 0,
      max: 1,
      description: 'Dampening tau: b <- mu b + (1 - tau) g (not applied on the first step).',
    },
    { key: 'weightDecay', type: 'number', default: 0, min: 0, description: 'Coupled L2 penalty: g <- g + wd theta.' },
    flagSpec('nesterov', false, 'Nesterov momentum: step along g + mu b instead of b (no effect when momentum = 0).'),
  ],
  stateSlots: 1,
  ...namedSlots('sgd', {
    // oneMinusDampening: 1 - dampening in float64 (f32 arithmetic on the kernel's side would round twice).
    hyper: ['momentum', 'oneMinusDampening', 'weightDecay', 'nesterov'],
    scalars: ['lr'],
    packHyper: (hp) => ({
      momentum: num(hp, 'momentum'),
      oneMinusDampening: 1 - num(hp, 'dampening'),
      weightDecay: num(hp, 'weightDecay'),
      nesterov: flag(hp, 'nesterov') ? 1 : 0,
    }),
    stepScalars: (_hp, _t, lr) => ({ lr }),
  }),
  createGpu: (ctx) => createElementwiseGpu(ctx, 'optim_sgd', optimizerSource(sgd, sgdWgsl), sgd.hyperSize),
  cpuInit: (paramCount) => ({ slots: [new Float64Array(paramCount)], extra: {} }),
  cpuStep({ params, grad, state, hp, t, lr }) {
    const mu = num(hp, 'momentum');
    const damp = num(hp, 'dampening');
    const wd = num(hp, 'weightDecay');
    const nesterov = flag(hp, 'nesterov');
    const b = state.slots[0];
    for (let i = 0; i < params.length; i++) {
      const g = grad[i] + wd * params[i];
      let d = g;
      if (mu !== 0) {
        b[i] = t === 1 ? g : mu * b[i] + (1 - damp) * g;
        d = nesterov ? g + mu * b[i] : b[i];
      }
      params[i] -= lr * d;
    }
  },
  /** GD 2/lr; heavy ball (2+2mu)/(lr(1-tau)); Nesterov (2+2mu)/(lr(1+mu(2-tau))) (docs/metrics.md, hp.ts). */
  sharpnessThreshold: (hp, lr) =>
    momentumSgdThreshold(lr, num(hp, 'momentum'), num(hp, 'dampening'), flag(hp, 'nesterov')),
};
