/**
 * Adam (coupled L2 weight decay) and AdamW (decoupled decay), with the AMSGrad option:
 * torch.optim.Adam / torch.optim.AdamW semantics (docs/optimizers.md). One fused kernel, optim_adam.wgsl.
 */
import adamWgsl from '../../../shaders/optim_adam.wgsl?raw';
import {
  anyHyper,
  betasSpec,
  createElementwiseGpu,
  epsSpec,
  flagSpec,
  lrSpec,
  optimizerSource,
  wdSpec,
} from './common';
import { adamBiasScalars, adamPrecondThreshold, flag, num, betaSlots, pair } from './hp';
import { namedSlots } from './slots';
import type { CpuStepArgs, Hyper, OptimizerDef } from './types';

function makeAdam(decoupled: boolean): OptimizerDef {
  const name = decoupled ? 'adamw' : 'adam';
  const def: OptimizerDef = {
    name,
    description: decoupled
      ? 'Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch semantics.'
      : 'Adam: bias-corrected first and second moment estimates (Kingma & Ba), PyTorch semantics.',
    rule:
      (decoupled ? 'theta *= 1 - lr*wd; ' : 'g += wd*theta; ') +
      'm = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2 (amsgrad: use max over time of v); theta -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)',
    source: decoupled
      ? 'torch.optim.AdamW; Loshchilov & Hutter, ICLR 2019'
      : 'torch.optim.Adam; Kingma & Ba, ICLR 2015; AMSGrad: Reddi et al., ICLR 2018',
    hyperparams: [
      lrSpec(1e-3),
      betasSpec([0.9, 0.999]),
      epsSpec(1e-8, 'Added to sqrt(v_hat) in the denominator (outside the square root).'),
      wdSpec(
        decoupled ? 1e-2 : 0,
        decoupled
          ? 'Decoupled weight decay: theta <- theta (1 - lr wd) before the step.'
          : 'Coupled L2 penalty: g <- g + wd theta.',
      ),
      flagSpec('amsgrad', false, 'AMSGrad: divide by the running maximum of v instead of v.'),
    ],
    stateSlots: 3,
    ...namedSlots(name, {
      // oneMinusBeta1/2: 1 - beta in float64 (in f32 on the GPU, 1 - 0.999 is 1.3e-5 off relatively);
      // coupledWd: the L2 coefficient added to the gradient (0 for AdamW).
      hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'coupledWd', 'amsgrad'],
      // stepSize = lr / bc1, invSqrtBc2 = 1 / sqrt(bc2), decay = 1 - lr wd (AdamW; 1 for Adam).
      scalars: ['lr', 'stepSize', 'invSqrtBc2', 'decay'],
      packHyper(hp) {
        return {
          ...betaSlots(hp),
          eps: num(hp, 'eps'),
          coupledWd: decoupled ? 0 : num(hp, 'weightDecay'),
          amsgrad: flag(hp, 'amsgrad') ? 1 : 0,
        };
      },
      stepScalars: (hp, t, lr) => ({
        lr,
        ...adamBiasScalars(hp, t, lr),
        decay: decoupled ? 1 - lr * num(hp, 'weightDecay') : 1,
      }),
    }),
    createGpu: (ctx) =>
      createElementwiseGpu(ctx, `optim_${name}`, optimizerSource(def, adamWgsl), def.hyperSize, undefined, [], {
        AMSGRAD: anyHyper(ctx, def, 'amsgrad') ? 1 : 0,
      }),
    cpuInit: (paramCount) => ({ slots: [0, 1, 2].map(() => new Float64Array(paramCount)), extra: {} }),
    cpuStep: (a) => adamCpuStep(a, decoupled),
    /** P = bc1 (sqrt(v / bc2) + eps), v from slot 1 (the max with amsgrad). */
    preconditioner(hp: Hyper, t: number) {
      const [b1, b2] = pair(hp, 'betas');
      return { slot: 1, scale: 1 - b1 ** t, vScale: 1 / (1 - b2 ** t), eps: num(hp, 'eps') };
    },
    precondThreshold: (hp, lr) => adamPrecondThreshold(lr, pair(hp, 'betas')[0]),
  };
  return def;
}

function adamCpuStep({ params, grad, state, hp, t, lr }: CpuStepArgs, decoupled: boolean): void {
  const [b1, b2] = pair(hp, 'betas');
  const eps = num(hp, 'eps');
  const wd = num(hp, 'weightDecay');
  const ams = flag(hp, 'amsgrad');
  const [m, vDen, vRaw] = state.slots;
  const bc1 = 1 - b1 ** t;
  const sbc2 = Math.sqrt(1 - b2 ** t);
  for (let i = 0; i < params.length; i++) {
    const g = decoupled ? grad[i] : grad[i] + wd * params[i];
    if (decoupled) params[i] *= 1 - lr * wd;
    m[i] = b1 * m[i] + (1 - b1) * g;
    if (ams) {
      vRaw[i] = b2 * vRaw[i] + (1 - b2) * g * g;
      vDen[i] = Math.max(vDen[i], vRaw[i]);
    } else {
      vDen[i] = b2 * vDen[i] + (1 - b2) * g * g;
    }
    params[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(vDen[i]) / sbc2 + eps);
  }
}

export const adam = makeAdam(false);
export const adamw = makeAdam(true);
