/** Typed reads of resolved hyperparameters and the stability lines shared by part B's optimizers. */
import type { Hyper } from './types';

export function num(hp: Hyper, key: string): number {
  const v = hp[key];
  if (typeof v !== 'number') throw new Error(`hyperparameter ${key}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

export function flag(hp: Hyper, key: string): boolean {
  const v = hp[key];
  if (typeof v !== 'boolean') throw new Error(`hyperparameter ${key}: expected a boolean, got ${JSON.stringify(v)}`);
  return v;
}

export function pair(hp: Hyper, key: string): [number, number] {
  const v = hp[key];
  if (!Array.isArray(v) || v.length !== 2)
    throw new Error(`hyperparameter ${key}: expected a pair [b1, b2], got ${JSON.stringify(v)}`);
  return v;
}

/** The Adam family's hyper slots for `betas`: beta1, beta2 and 1 - beta1, 1 - beta2 formed in float64. */
export function betaSlots(hp: Hyper): { beta1: number; oneMinusBeta1: number; beta2: number; oneMinusBeta2: number } {
  const [beta1, beta2] = pair(hp, 'betas');
  return { beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2 };
}

/**
 * Largest curvature lambda for which SGD with momentum mu, dampening d (and nesterov) in
 * PyTorch's form is stable on a quadratic: lambda_max = a_max / lr, where
 * Heavy ball (b <- mu b + (1-d) g; step b): a_max = 2(1+mu)/(1-d).
 * Nesterov (step g + mu b): a_max = 2(1+mu)/(1+mu(2-d)); both reduce to 2 at mu = 0 (plain GD).
 * Derived from the 2x2 linear recurrence's eigenvalue crossing -1 (1 + trace + det = 0).
 */
export function momentumSgdThreshold(lr: number, mu: number, dampening: number, nesterov: boolean): number | undefined {
  if (!(lr > 0)) return undefined;
  if (mu === 0) return nesterov ? 2 / lr : dampening < 1 ? 2 / ((1 - dampening) * lr) : undefined;
  const a = nesterov
    ? (2 * (1 + mu)) / (1 + mu * (2 - dampening))
    : dampening < 1
      ? (2 * (1 + mu)) / (1 - dampening)
      : undefined;
  return a === undefined ? undefined : a / lr;
}

/** Adam-family preconditioned-sharpness line (2 + 2 b1) / (lr (1 - b1)) (Cohen et al. 2022). */
export function adamPrecondThreshold(lr: number, beta1: number): number | undefined {
  if (!(lr > 0) || !(beta1 < 1)) return undefined;
  return (2 + 2 * beta1) / (lr * (1 - beta1));
}

/**
 * Adam's diagonal preconditioner after step t, D_i = bc1 (sqrt(v_i / bc2) + eps), with v in state
 * slot 1 (the unclipped second moment for clipped-adam). The projection of AdamP is ignored.
 */
export function adamPreconditioner(hp: Hyper, t: number): { slot: number; scale: number; vScale: number; eps: number } {
  const [b1, b2] = pair(hp, 'betas');
  return { slot: 1, scale: 1 - b1 ** t, vScale: 1 / (1 - b2 ** t), eps: num(hp, 'eps') };
}

/** Adam's bias corrections at step t as step scalars (float64): stepSize = lr / bc1, invSqrtBc2 = 1 / sqrt(bc2). */
export function adamBiasScalars(hp: Hyper, t: number, lr: number): { stepSize: number; invSqrtBc2: number } {
  const [b1, b2] = pair(hp, 'betas');
  return { stepSize: lr / (1 - b1 ** t), invSqrtBc2: 1 / Math.sqrt(1 - b2 ** t) };
}
