/**
 * signSGD and Signum (Bernstein et al., ICML 2018; jxbz/signSGD): step along the sign of the
 * gradient (momentum = 0) or of its exponential moving average m <- beta m + (1 - beta) g
 * (momentum = beta > 0, m starting at 0). Coupled L2 weight decay as the reference. sign(0) = 0.
 */
import signsgdWgsl from '../../../shaders/optim_signsgd.wgsl?raw';
import { createElementwiseGpu, lrSpec, momentumSpec, optimizerSource, wdSpec } from './common';
import { num } from './hp';
import { namedSlots } from './slots';
import type { OptimizerDef } from './types';

export const signsgd: OptimizerDef = {
  name: 'signsgd',
  description: 'signSGD (momentum 0) or Signum (momentum > 0): a fixed-size step along the sign of each coordinate.',
  rule: 'g += wd*theta; d = g (momentum 0) or m = beta*m + (1-beta)*g, d = m; theta -= lr*sign(d)',
  source:
    'Bernstein, Wang, Azizzadenesheli & Anandkumar, "signSGD: Compressed Optimisation for Non-Convex Problems", ICML 2018; jxbz/signSGD',
  hyperparams: [
    lrSpec(1e-3),
    momentumSpec(0, 'Signum momentum beta: m <- beta m + (1 - beta) g (0 = plain signSGD).'),
    wdSpec(0, 'Coupled L2 penalty: g <- g + wd theta (before the sign).'),
  ],
  stateSlots: 1,
  ...namedSlots('signsgd', {
    // oneMinusMomentum: 1 - beta in float64.
    hyper: ['momentum', 'oneMinusMomentum', 'weightDecay'],
    scalars: ['lr'],
    packHyper: (hp) => ({
      momentum: num(hp, 'momentum'),
      oneMinusMomentum: 1 - num(hp, 'momentum'),
      weightDecay: num(hp, 'weightDecay'),
    }),
    stepScalars: (_hp, _t, lr) => ({ lr }),
  }),
  createGpu: (ctx) =>
    createElementwiseGpu(ctx, 'optim_signsgd', optimizerSource(signsgd, signsgdWgsl), signsgd.hyperSize),
  cpuInit: (paramCount) => ({ slots: [new Float64Array(paramCount)], extra: {} }),
  cpuStep({ params, grad, state, hp, lr }) {
    const beta = num(hp, 'momentum');
    const wd = num(hp, 'weightDecay');
    const m = state.slots[0];
    for (let i = 0; i < params.length; i++) {
      let d = grad[i] + wd * params[i];
      if (beta > 0) d = m[i] = beta * m[i] + (1 - beta) * d;
      params[i] -= lr * Math.sign(d);
    }
  },
};
