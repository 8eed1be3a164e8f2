/**
 * Adagrad: torch.optim.Adagrad semantics (docs/optimizers.md): lr decayed as lr / (1 + (t-1) lrDecay), the
 * accumulator starts at initialAccumulatorValue, eps added after the square root. (optax puts eps
 * and the initial accumulator differently; this follows PyTorch.)
 */
import adagradWgsl from '../../../shaders/optim_adagrad.wgsl?raw';
import { createElementwiseGpu, epsSpec, lrSpec, optimizerSource, wdSpec } from './common';
import { num } from './hp';
import { namedSlots } from './slots';
import type { OptimizerDef } from './types';

export const adagrad: OptimizerDef = {
  name: 'adagrad',
  description: 'Adagrad: per-coordinate step sizes from the running sum of squared gradients (PyTorch semantics).',
  rule: 'g += wd*theta; clr = lr/(1+(t-1)*lrDecay); S += g^2 (S_0 = initialAccumulatorValue); theta -= clr * g/(sqrt(S)+eps)',
  source: 'torch.optim.Adagrad; Duchi, Hazan & Singer, JMLR 2011',
  hyperparams: [
    lrSpec(1e-2),
    {
      key: 'lrDecay',
      type: 'number',
      default: 0,
      min: 0,
      description: 'Learning-rate decay: step t uses lr / (1 + (t - 1) lrDecay).',
    },
    wdSpec(0, 'Coupled L2 penalty: g <- g + wd theta.'),
    {
      key: 'initialAccumulatorValue',
      type: 'number',
      default: 0,
      min: 0,
      description: 'Starting value of the sum of squared gradients.',
    },
    epsSpec(1e-10, 'Added to sqrt(S) (after the square root, as PyTorch).'),
  ],
  stateSlots: 1,
  ...namedSlots('adagrad', {
    hyper: ['weightDecay', 'initialAccumulatorValue', 'eps'],
    // clr = lr / (1 + (t - 1) lrDecay)
    scalars: ['lr', 'clr'],
    packHyper: (hp) => ({
      weightDecay: num(hp, 'weightDecay'),
      initialAccumulatorValue: num(hp, 'initialAccumulatorValue'),
      eps: num(hp, 'eps'),
    }),
    stepScalars: (hp, t, lr) => ({ lr, clr: lr / (1 + (t - 1) * num(hp, 'lrDecay')) }),
  }),
  createGpu: (ctx) =>
    createElementwiseGpu(ctx, 'optim_adagrad', optimizerSource(adagrad, adagradWgsl), adagrad.hyperSize),
  cpuInit: (paramCount, _tensors, hp) => ({
    slots: [new Float64Array(paramCount).fill(num(hp, 'initialAccumulatorValue'))],
    extra: {},
  }),
  cpuStep({ params, grad, state, hp, t, lr }) {
    const wd = num(hp, 'weightDecay');
    const eps = num(hp, 'eps');
    const clr = lr / (1 + (t - 1) * num(hp, 'lrDecay'));
    const s = state.slots[0];
    for (let i = 0; i < params.length; i++) {
      const g = grad[i] + wd * params[i];
      s[i] += g * g;
      params[i] -= (clr * g) / (Math.sqrt(s[i]) + eps);
    }
  },
};
