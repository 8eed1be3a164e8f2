/**
 * NAdamW: Adam's moments with a Nesterov look-ahead in the step, and decoupled weight decay, as in
 * the MLCommons AlgoPerf baseline (reference_algorithms/paper_baselines/nadamw/pytorch/submission.py
 * of mlcommons/algorithmic-efficiency; NAdam after Dozat 2016, in the form of Table 1 of Choi et al.
 * 2019). One fused kernel, optim_nadamw.wgsl.
 */
import nadamwWgsl from '../../../shaders/optim_nadamw.wgsl?raw';
import { betasSpec, createElementwiseGpu, epsSpec, lrSpec, optimizerSource, wdSpec } from './common';
import { adamBiasScalars, adamPreconditioner, betaSlots, num, pair } from './hp';
import { namedSlots } from './slots';
import type { CpuStepArgs, OptimizerDef } from './types';

/**
 * The preconditioned-sharpness line of the NAdam step, 2 (1 + b1) / (lr (1 - b1) (1 + 2 b1)): where
 * the step x <- x - lr (b1 m + (1 - b1) g), m <- b1 m + (1 - b1) g, on a quadratic of (preconditioned)
 * curvature lambda gets an eigenvalue -1 (our derivation, checked by nadamw.test.ts on the linear
 * recurrence; b1 = 0 gives gradient descent's 2 / lr, b1 = 0.9 about 13.6 / lr against Adam's 38 / lr).
 */
export function nadamPrecondThreshold(lr: number, beta1: number): number | undefined {
  if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1)) return undefined;
  return (2 * (1 + beta1)) / (lr * (1 - beta1) * (1 + 2 * beta1));
}

function cpuStep({ params, grad, state, hp, t, lr }: CpuStepArgs): void {
  const [b1, b2] = pair(hp, 'betas');
  const eps = num(hp, 'eps');
  const decay = 1 - lr * num(hp, 'weightDecay');
  const [m, v] = state.slots;
  const stepSize = lr / (1 - b1 ** t);
  const sbc2 = Math.sqrt(1 - b2 ** t);
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    m[i] = b1 * m[i] + (1 - b1) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    const ahead = b1 * m[i] + (1 - b1) * g;
    params[i] = params[i] * decay - (stepSize * ahead) / (Math.sqrt(v[i]) / sbc2 + eps);
  }
}

export const nadamw: OptimizerDef = {
  name: 'nadamw',
  description:
    "AdamW whose step uses the Nesterov look-ahead b1 m + (1-b1) g instead of m (AlgoPerf's NAdamW baseline).",
  rule: 'theta *= 1 - lr*wd; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; theta -= (lr/bc1) * (b1*m + (1-b1)*g) / (sqrt(v)/sqrt(bc2) + eps)',
  source:
    'Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop; mlcommons/algorithmic-efficiency reference_algorithms/paper_baselines/nadamw/pytorch/submission.py',
  notes: [
    'The reference forms the look-ahead in the moment buffer and undoes it after the step ((m_ahead - (1-b1) g) / b1); ' +
      'this implementation keeps m as it is and forms the look-ahead separately: the same values, without the rounding of the undo.',
    'The preconditioned-sharpness line 2 (1 + b1) / (lr (1 - b1) (1 + 2 b1)) is our derivation for this step (the linear ' +
      'stability of the look-ahead recurrence on a quadratic), not a published figure.',
  ],
  hyperparams: [
    lrSpec(1e-3),
    betasSpec([0.9, 0.999]),
    epsSpec(1e-8, 'Added to sqrt(v_hat) in the denominator (outside the square root).'),
    wdSpec(1e-2, 'Decoupled weight decay: theta <- theta (1 - lr wd) before the step.'),
  ],
  stateSlots: 2,
  ...namedSlots('nadamw', {
    hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps'],
    scalars: ['lr', 'stepSize', 'invSqrtBc2', 'decay'],
    packHyper: (hp) => ({ ...betaSlots(hp), eps: num(hp, 'eps') }),
    stepScalars: (hp, t, lr) => ({ lr, ...adamBiasScalars(hp, t, lr), decay: 1 - lr * num(hp, 'weightDecay') }),
  }),
  createGpu: (ctx) => createElementwiseGpu(ctx, 'optim_nadamw', optimizerSource(nadamw, nadamwWgsl), nadamw.hyperSize),
  cpuInit: (paramCount) => ({ slots: [0, 1].map(() => new Float64Array(paramCount)), extra: {} }),
  cpuStep,
  preconditioner: adamPreconditioner,
  precondThreshold: (hp, lr) => nadamPrecondThreshold(lr, pair(hp, 'betas')[0]),
};
