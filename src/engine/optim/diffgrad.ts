/**
 * diffGrad, the fixed v2 (Dubey et al. 2019; shivram1987/diffGrad diffGrad_v2.py; docs/optimizers.md): Adam
 * whose first moment is damped per coordinate by the "friction" xi = sigmoid(|g_prev - g|), with
 * g_prev a copy of the previous gradient (after weight decay), 0 before the first step.
 */
import diffgradWgsl from '../../../shaders/optim_diffgrad.wgsl?raw';
import { betasSpec, createElementwiseGpu, epsSpec, lrSpec, optimizerSource, wdSpec } from './common';
import { adamPrecondThreshold, num, betaSlots, pair } from './hp';
import { namedSlots } from './slots';
import type { OptimizerDef } from './types';

export const diffgrad: OptimizerDef = {
  name: 'diffgrad',
  description:
    'diffGrad (v2): Adam with the step of each coordinate scaled by sigmoid(|g_prev - g|), so slowly changing gradients take smaller steps.',
  rule: 'g += wd*theta; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; xi = sigmoid(|g_prev - g|); g_prev = g; theta -= lr*sqrt(bc2)/bc1 * xi*m/(sqrt(v)+eps)',
  source:
    'Dubey et al., "diffGrad: An Optimization Method for Convolutional Neural Networks", IEEE TNNLS 2019; shivram1987/diffGrad diffGrad_v2.py',
  hyperparams: [
    lrSpec(1e-3),
    betasSpec([0.9, 0.999]),
    epsSpec(1e-8, 'Added to sqrt(v) (not bias-corrected: the "eps-hat" form).'),
    wdSpec(0, 'Coupled L2 penalty: g <- g + wd theta (g_prev keeps the decayed gradient, as the reference).'),
  ],
  stateSlots: 3,
  ...namedSlots('diffgrad', {
    // oneMinusBeta1/2: 1 - beta in float64.
    hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'weightDecay'],
    // stepSize = lr sqrt(bc2) / bc1
    scalars: ['lr', 'stepSize'],
    packHyper(hp) {
      return {
        ...betaSlots(hp),
        eps: num(hp, 'eps'),
        weightDecay: num(hp, 'weightDecay'),
      };
    },
    stepScalars(hp, t, lr) {
      const [b1, b2] = pair(hp, 'betas');
      return { lr, stepSize: (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t) };
    },
  }),
  createGpu: (ctx) =>
    createElementwiseGpu(ctx, 'optim_diffgrad', optimizerSource(diffgrad, diffgradWgsl), diffgrad.hyperSize),
  cpuInit: (paramCount) => ({ slots: [0, 1, 2].map(() => new Float64Array(paramCount)), extra: {} }),
  cpuStep({ params, grad, state, hp, t, lr }) {
    const [b1, b2] = pair(hp, 'betas');
    const eps = num(hp, 'eps');
    const wd = num(hp, 'weightDecay');
    const step = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    const [m, v, prev] = state.slots;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i] + wd * params[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const xi = 1 / (1 + Math.exp(-Math.abs(prev[i] - g)));
      prev[i] = g;
      params[i] -= (step * xi * m[i]) / (Math.sqrt(v[i]) + eps);
    }
  },
  /** Adam's preconditioner with diffGrad's step size: P = (bc1/sqrt(bc2)) (sqrt(v) + eps); xi in [0.5, 1) is ignored. */
  preconditioner(hp, t) {
    const [b1, b2] = pair(hp, 'betas');
    return { slot: 1, scale: (1 - b1 ** t) / Math.sqrt(1 - b2 ** t), vScale: 1, eps: num(hp, 'eps') };
  },
  precondThreshold: (hp, lr) => adamPrecondThreshold(lr, pair(hp, 'betas')[0]),
};
