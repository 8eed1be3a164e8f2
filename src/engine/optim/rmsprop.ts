/**
 * RMSprop with the centered and momentum options: torch.optim.RMSprop semantics (docs/optimizers.md): no bias
 * correction, eps added after the square root. Centered variance v - g_avg^2 is clamped at 0 (it is
 * >= 0 in exact arithmetic; f32 rounding could otherwise take a square root of a tiny negative).
 */
import rmspropWgsl from '../../../shaders/optim_rmsprop.wgsl?raw';
import { createElementwiseGpu, epsSpec, flagSpec, lrSpec, momentumSpec, optimizerSource, wdSpec } from './common';
import { flag, num } from './hp';
import { namedSlots } from './slots';
import type { OptimizerDef } from './types';

export const rmsprop: OptimizerDef = {
  name: 'rmsprop',
  description: 'RMSprop: divide the gradient by a running RMS of recent gradients (PyTorch semantics).',
  rule: 'g += wd*theta; v = alpha*v + (1-alpha)*g^2; centered: a = alpha*a + (1-alpha)*g, v~ = v - a^2; d = g/(sqrt(v~)+eps); momentum: b = mu*b + d, theta -= lr*b; else theta -= lr*d',
  source: 'torch.optim.RMSprop; Tieleman & Hinton, Coursera lecture 6.5 (2012)',
  hyperparams: [
    lrSpec(1e-2),
    {
      key: 'alpha',
      type: 'number',
      default: 0.99,
      min: 0,
      max: 1,
      maxExclusive: true,
      description: 'Smoothing constant of the squared-gradient average.',
    },
    epsSpec(1e-8, 'Added to sqrt(v) (after the square root, as PyTorch).'),
    wdSpec(0, 'Coupled L2 penalty: g <- g + wd theta.'),
    momentumSpec(0, 'Momentum on the normalised step: b <- mu b + g / (sqrt(v) + eps).'),
    flagSpec(
      'centered',
      false,
      'Normalise by an estimate of the variance, v - (EMA of g)^2, instead of the raw second moment.',
    ),
  ],
  stateSlots: 3,
  ...namedSlots('rmsprop', {
    // oneMinusAlpha: 1 - alpha in float64.
    hyper: ['alpha', 'oneMinusAlpha', 'eps', 'weightDecay', 'momentum', 'centered'],
    scalars: ['lr'],
    packHyper: (hp) => ({
      alpha: num(hp, 'alpha'),
      oneMinusAlpha: 1 - num(hp, 'alpha'),
      eps: num(hp, 'eps'),
      weightDecay: num(hp, 'weightDecay'),
      momentum: num(hp, 'momentum'),
      centered: flag(hp, 'centered') ? 1 : 0,
    }),
    stepScalars: (_hp, _t, lr) => ({ lr }),
  }),
  createGpu: (ctx) =>
    createElementwiseGpu(ctx, 'optim_rmsprop', optimizerSource(rmsprop, rmspropWgsl), rmsprop.hyperSize),
  cpuInit: (paramCount) => ({ slots: [0, 1, 2].map(() => new Float64Array(paramCount)), extra: {} }),
  cpuStep({ params, grad, state, hp, lr }) {
    const alpha = num(hp, 'alpha');
    const eps = num(hp, 'eps');
    const wd = num(hp, 'weightDecay');
    const mu = num(hp, 'momentum');
    const centered = flag(hp, 'centered');
    const [v, ga, b] = state.slots;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i] + wd * params[i];
      v[i] = alpha * v[i] + (1 - alpha) * g * g;
      let vt = v[i];
      if (centered) {
        ga[i] = alpha * ga[i] + (1 - alpha) * g;
        vt = Math.max(v[i] - ga[i] * ga[i], 0);
      }
      const d = g / (Math.sqrt(vt) + eps);
      if (mu > 0) {
        b[i] = mu * b[i] + d;
        params[i] -= lr * b[i];
      } else {
        params[i] -= lr * d;
      }
    }
  },
};
