/**
 * AdEMAMix: Adam whose numerator mixes a fast EMA of the gradient (beta1, bias-corrected) with a
 * slow one (beta3, weighted by alpha), with optional warm-ups of alpha (linear) and beta3 (linear in
 * the EMA's half-life), as in apple/ml-ademamix pytorch/ademamix.py (Pagliardini, Ablin and
 * Grangier 2024). One fused kernel, optim_ademamix.wgsl.
 */
import ademamixWgsl from '../../../shaders/optim_ademamix.wgsl?raw';
import { betasSpec, createElementwiseGpu, epsSpec, lrSpec, optimizerSource, wdSpec } from './common';
import { adamBiasScalars, adamPreconditioner, betaSlots, num, pair } from './hp';
import { namedSlots } from './slots';
import type { CpuStepArgs, Hyper, HyperSpec, OptimizerDef } from './types';

/** alpha at step t: alpha t / T before step T of a warm-up of T steps (T = 0: none), then alpha. */
export function ademamixAlpha(alpha: number, warmup: number, t: number): number {
  return warmup > 0 && t < warmup ? (t / warmup) * alpha : alpha;
}

/**
 * beta3 at step t: with a warm-up of T steps (T = 0: none), the half-life of the slow EMA,
 * f(beta) = ln(1/2) / ln(beta + 1e-8) - 1, moves linearly from beta1's to beta3's, and
 * beta3(t) = f^-1 = (1/2)^(1 / (f + 1)); beta3 from step T on.
 */
export function ademamixBeta3(beta1: number, beta3: number, warmup: number, t: number): number {
  if (!(warmup > 0) || t >= warmup) return beta3;
  const f = (b: number) => Math.log(0.5) / Math.log(b + 1e-8) - 1;
  const a = t / warmup;
  return Math.pow(0.5, 1 / ((1 - a) * f(beta1) + a * f(beta3) + 1));
}

function schedule(hp: Hyper, t: number): { beta3: number; alpha: number } {
  const [b1] = pair(hp, 'betas');
  return {
    beta3: ademamixBeta3(b1, num(hp, 'beta3'), num(hp, 'beta3Warmup'), t),
    alpha: ademamixAlpha(num(hp, 'alpha'), num(hp, 'alphaWarmup'), t),
  };
}

function cpuStep({ params, grad, state, hp, t, lr }: CpuStepArgs): void {
  const [b1, b2] = pair(hp, 'betas');
  const eps = num(hp, 'eps');
  const wd = num(hp, 'weightDecay');
  const { beta3, alpha } = schedule(hp, t);
  const [m1, v, m2] = state.slots;
  const bc1 = 1 - b1 ** t;
  const sbc2 = Math.sqrt(1 - b2 ** t);
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    m1[i] = b1 * m1[i] + (1 - b1) * g;
    m2[i] = beta3 * m2[i] + (1 - beta3) * g;
    v[i] = b2 * v[i] + (1 - b2) * g * g;
    const u = (m1[i] / bc1 + alpha * m2[i]) / (Math.sqrt(v[i]) / sbc2 + eps) + wd * params[i];
    params[i] -= lr * u;
  }
}

const warmupSpec = (key: string, what: string): HyperSpec => ({
  key,
  type: 'number',
  default: 0,
  min: 0,
  integer: true,
  description: what,
});

export const ademamix: OptimizerDef = {
  name: 'ademamix',
  description: 'Adam whose step adds a slow EMA of the gradient (beta3, weight alpha) to the fast one.',
  rule: 'm1 = b1*m1 + (1-b1)*g; m2 = b3(t)*m2 + (1-b3(t))*g; v = b2*v + (1-b2)*g^2; theta -= lr * ((m1/bc1 + alpha(t)*m2) / (sqrt(v)/sqrt(bc2) + eps) + wd*theta)',
  source:
    'Pagliardini, Ablin & Grangier, "The AdEMAMix Optimizer: Better, Faster, Older", 2024; apple/ml-ademamix pytorch/ademamix.py',
  notes: [
    'The slow EMA m2 is not bias-corrected, as in the reference. With the warm-ups at 0 (the default here, and the ' +
      "reference's None) alpha and beta3 take their final values from step 1; the paper warms both up over the whole run.",
  ],
  hyperparams: [
    lrSpec(1e-3),
    betasSpec([0.9, 0.999]),
    {
      key: 'beta3',
      type: 'number',
      default: 0.9999,
      min: 0,
      max: 1,
      maxExclusive: true,
      description: 'Decay rate of the slow EMA m2 (its final value with a warm-up).',
    },
    {
      key: 'alpha',
      type: 'number',
      default: 2,
      min: 0,
      description: 'Weight of the slow EMA in the step (its final value with a warm-up).',
    },
    warmupSpec('alphaWarmup', 'Steps over which alpha rises linearly from 0 (0: none).'),
    warmupSpec(
      'beta3Warmup',
      "Steps over which beta3 rises from beta1, linearly in the slow EMA's half-life (0: none).",
    ),
    epsSpec(1e-8, 'Added to sqrt(v_hat) in the denominator (outside the square root).'),
    wdSpec(0, 'Weight decay added to the step as in AdamW: theta <- theta - lr wd theta.'),
  ],
  stateSlots: 3,
  ...namedSlots('ademamix', {
    hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps'],
    // beta3 and its complement, stepSize = lr / bc1 and slowStep = lr alpha at this step, in float64.
    scalars: ['lr', 'stepSize', 'slowStep', 'invSqrtBc2', 'decay', 'beta3', 'oneMinusBeta3'],
    packHyper: (hp) => ({ ...betaSlots(hp), eps: num(hp, 'eps') }),
    stepScalars(hp, t, lr) {
      const { beta3, alpha } = schedule(hp, t);
      return {
        lr,
        ...adamBiasScalars(hp, t, lr),
        slowStep: lr * alpha,
        decay: 1 - lr * num(hp, 'weightDecay'),
        beta3,
        oneMinusBeta3: 1 - beta3,
      };
    },
  }),
  createGpu: (ctx) =>
    createElementwiseGpu(ctx, 'optim_ademamix', optimizerSource(ademamix, ademamixWgsl), ademamix.hyperSize),
  cpuInit: (paramCount) => ({ slots: [0, 1, 2].map(() => new Float64Array(paramCount)), extra: {} }),
  cpuStep,
  // The step divides by bc1 (sqrt(v/bc2) + eps) as Adam's does (v in slot 1); no stability line is
  // known for the two-EMA step, so none is drawn.
  preconditioner: adamPreconditioner,
};
