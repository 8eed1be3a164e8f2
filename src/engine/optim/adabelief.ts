/**
 * AdaBelief (Zhuang et al., NeurIPS 2020), following adabelief_pytorch 0.2 (docs/optimizers.md): the second
 * moment tracks the squared residual (g - m)^2 (the "belief"), eps is added into s every step and
 * again to the denominator, optional RAdam-style rectification (rho_t < 5: an SGD-with-momentum
 * step, or none), decoupled / fixed / coupled weight decay and AMSGrad. With rectify on, the
 * rectified step divides by the raw s (as the reference), so amsgrad only matters without rectify.
 */
import adabeliefWgsl from '../../../shaders/optim_adabelief.wgsl?raw';
import { betasSpec, createElementwiseGpu, epsSpec, flagSpec, lrSpec, optimizerSource, wdSpec } from './common';
import { adamPrecondThreshold, flag, num, betaSlots, pair } from './hp';
import { namedSlots } from './slots';
import type { CpuStepArgs, Hyper, OptimizerDef } from './types';

/** rho_inf, rho_t and (when rho_t >= 5) the rectification factor r_t of step t. */
export function rectification(beta2: number, t: number): { rhoInf: number; rho: number; r?: number } {
  const b2t = beta2 ** t;
  const rhoInf = 2 / (1 - beta2) - 1;
  const rho = rhoInf - (2 * t * b2t) / (1 - b2t);
  if (!(rho >= 5)) return { rhoInf, rho };
  const r = Math.sqrt((((((1 - b2t) * (rho - 4)) / (rhoInf - 4)) * (rho - 2)) / rho) * (rhoInf / (rhoInf - 2)));
  return { rhoInf, rho, r };
}

/**
 * Per-step coefficients: theta <- theta decay - (A m / (sqrt(s) B + eps) + C m).
 * decay: 1 - lr wd (decoupled), 1 - wd (fixedDecay), 1 (coupled).
 */
function coefficients(hp: Hyper, t: number, lr: number): { decay: number; A: number; B: number; C: number } {
  const [b1, b2] = pair(hp, 'betas');
  const wd = num(hp, 'weightDecay');
  const decay = flag(hp, 'weightDecouple') ? (flag(hp, 'fixedDecay') ? 1 - wd : 1 - lr * wd) : 1;
  const bc1 = 1 - b1 ** t;
  if (!flag(hp, 'rectify')) return { decay, A: lr / bc1, B: 1 / Math.sqrt(1 - b2 ** t), C: 0 };
  const { r } = rectification(b2, t);
  if (r !== undefined) return { decay, A: (lr * r) / bc1, B: 1, C: 0 };
  return { decay, A: 0, B: 1, C: flag(hp, 'degeneratedToSgd') ? lr / bc1 : 0 };
}

const usesMax = (hp: Hyper) => flag(hp, 'amsgrad') && !flag(hp, 'rectify');

export const adabelief: OptimizerDef = {
  name: 'adabelief',
  description:
    'AdaBelief: Adam with the second moment of the residual g - m, so steps grow where the gradient matches its running mean.',
  rule: 'decay; m = b1*m + (1-b1)*g; s = b2*s + (1-b2)*(g-m)^2 + eps; theta -= (lr/bc1) m/(sqrt(s/bc2)+eps); rectify: rho_t >= 5: theta -= lr r_t/bc1 * m/(sqrt(s)+eps), else theta -= lr m/bc1 (degeneratedToSgd)',
  source:
    'Zhuang et al., "AdaBelief Optimizer", NeurIPS 2020; juntang-zhuang/Adabelief-Optimizer adabelief_pytorch 0.2',
  hyperparams: [
    lrSpec(1e-3),
    betasSpec([0.9, 0.999]),
    epsSpec(
      1e-16,
      'Added into s every step and to the denominator (1e-16 is the 0.2 default; the repo suggests 1e-8 for CNNs).',
    ),
    wdSpec(0, 'Weight decay; decoupled (theta *= 1 - lr wd) by default, see weightDecouple and fixedDecay.'),
    flagSpec(
      'amsgrad',
      false,
      'Divide by the running maximum of s (no effect when rectify is on, as in the reference).',
    ),
    flagSpec('weightDecouple', true, 'Decoupled weight decay (AdamW style); off: coupled L2, g <- g + wd theta.'),
    flagSpec('fixedDecay', false, 'With weightDecouple: theta *= 1 - wd, independent of lr.'),
    flagSpec('rectify', true, 'RAdam rectification: variance-rectified steps once rho_t >= 5.'),
    flagSpec(
      'degeneratedToSgd',
      true,
      'With rectify, while rho_t < 5: take an SGD-with-momentum step lr m / bc1 (off: no step).',
    ),
  ],
  stateSlots: 3,
  ...namedSlots('adabelief', {
    // oneMinusBeta1/2: 1 - beta in float64; coupledWd: the L2 coefficient added to the gradient
    // (0 with weightDecouple); amsgrad: only without rectify.
    hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'coupledWd', 'amsgrad'],
    // theta <- theta decay - (A m / (sqrt(s) B + eps) + C m): coefficients() above.
    scalars: ['lr', 'decay', 'A', 'B', 'C'],
    packHyper(hp) {
      return {
        ...betaSlots(hp),
        eps: num(hp, 'eps'),
        coupledWd: flag(hp, 'weightDecouple') ? 0 : num(hp, 'weightDecay'),
        amsgrad: usesMax(hp) ? 1 : 0,
      };
    },
    stepScalars(hp, t, lr) {
      const { decay, A, B, C } = coefficients(hp, t, lr);
      return { lr, decay, A, B, C };
    },
  }),
  createGpu: (ctx) =>
    createElementwiseGpu(ctx, 'optim_adabelief', optimizerSource(adabelief, adabeliefWgsl), adabelief.hyperSize),
  cpuInit: (paramCount) => ({ slots: [0, 1, 2].map(() => new Float64Array(paramCount)), extra: {} }),
  cpuStep: (a) => cpuStep(a),
  /**
   * Plain: P = bc1 (sqrt(s/bc2) + eps). Rectified: P = (bc1/r_t)(sqrt(s) + eps). While rho_t < 5
   * the step is lr m / bc1, i.e. P = bc1 (vScale 0, eps 1); the same is reported when no step is taken.
   */
  preconditioner(hp, t) {
    const [b1, b2] = pair(hp, 'betas');
    const bc1 = 1 - b1 ** t;
    const eps = num(hp, 'eps');
    if (!flag(hp, 'rectify')) return { slot: 1, scale: bc1, vScale: 1 / (1 - b2 ** t), eps };
    const { r } = rectification(b2, t);
    return r !== undefined ? { slot: 1, scale: bc1 / r, vScale: 1, eps } : { slot: 1, scale: bc1, vScale: 0, eps: 1 };
  },
  precondThreshold: (hp, lr) => adamPrecondThreshold(lr, pair(hp, 'betas')[0]),
};

function cpuStep({ params, grad, state, hp, t, lr }: CpuStepArgs): void {
  const [b1, b2] = pair(hp, 'betas');
  const eps = num(hp, 'eps');
  const coupled = flag(hp, 'weightDecouple') ? 0 : num(hp, 'weightDecay');
  const ams = usesMax(hp);
  const { decay, A, B, C } = coefficients(hp, t, lr);
  const [m, sDen, sRaw] = state.slots;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i] + coupled * params[i];
    params[i] *= decay;
    m[i] = b1 * m[i] + (1 - b1) * g;
    const res = g - m[i];
    if (ams) {
      sRaw[i] = b2 * sRaw[i] + (1 - b2) * res * res + eps;
      sDen[i] = Math.max(sDen[i], sRaw[i]);
    } else {
      sDen[i] = b2 * sDen[i] + (1 - b2) * res * res + eps;
    }
    let delta = C * m[i];
    if (A !== 0) delta += (A * m[i]) / (Math.sqrt(sDen[i]) * B + eps);
    params[i] -= delta;
  }
}
