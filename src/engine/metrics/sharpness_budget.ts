/**
 * Products (Hessian-vector products) one sharpness or precond_sharpness estimate may use, the same
 * rule on both backends. A cold estimate, the kind's first of the run, starts from the probe and
 * gets the full budget min(metrics.sharpness.iters, 32); every later one is warm-started from the
 * previous estimate (its top Ritz vector; with k > 1 the signed sum of its top k) and gets at most
 * LANCZOS_WARM_ITERS, plus LANCZOS_WARM_PER_PAIR for each eigenvalue after the first that
 * metrics.sharpness.k asks for (one start vector holds the k directions mixed, and Lanczos needs
 * products to separate them again; precond_sharpness is always k = 1). Which estimate is the first
 * follows from the experiment's schedule alone (not from the carried vector), so a resumed run
 * spends exactly what the uninterrupted one does, and the GPU can record its dispatches ahead.
 */
import { isLogStep } from '../hyper';
import type { MetricsConfig } from '../../schema/types';
import { lanczosBudget } from './lanczos';

/** Most products of a warm-started estimate (measured: docs/metrics.md, docs/performance.md). */
export const LANCZOS_WARM_ITERS = 8;
/**
 * Extra products of a warm estimate per eigenvalue beyond the first (metrics.sharpness.k > 1).
 * Measured along an edge-of-stability trajectory against the exact Hessian (docs/metrics.md,
 * sharpness_trajectory.test.ts), warm-started from the sum of the top-k Ritz vectors: with 8
 * products lambda_2 missed by up to 3.5e-3 where the spectrum moved fastest; with 12, 2.7e-6.
 */
export const LANCZOS_WARM_PER_PAIR = 4;

export type SharpnessKind = 'sharpness' | 'precond';

/**
 * The first logged step at which the kind is measured: sharpness at step 0; precond_sharpness (which
 * needs the optimizer's state after a step) at the first logged step s > 0 with s % every == 0.
 * Undefined when there is none.
 */
export function firstSharpnessStep(
  m: Pick<MetricsConfig, 'every' | 'sharpness'>,
  steps: number,
  kind: SharpnessKind,
): number | undefined {
  const every = m.sharpness?.every ?? 0;
  if (!(every > 0)) return undefined;
  if (kind === 'sharpness') return 0;
  // A logged multiple of `every` comes by every * metrics.every at the latest (or at `steps`).
  const last = Math.min(steps, every * Math.max(1, Math.floor(m.every)));
  for (let s = every; s <= last; s += every) if (isLogStep(s, m.every, steps)) return s;
  return undefined;
}

/** The product budget of the kind's estimate at logged step s (see the header; k = metrics.sharpness.k). */
export function sharpnessBudget(
  m: Pick<MetricsConfig, 'every' | 'sharpness'>,
  steps: number,
  s: number,
  kind: SharpnessKind,
): number {
  const full = lanczosBudget(m.sharpness?.iters ?? 1);
  const cold = s === firstSharpnessStep(m, steps, kind);
  const k = kind === 'sharpness' ? (m.sharpness?.k ?? 1) : 1;
  return cold ? full : Math.min(full, LANCZOS_WARM_ITERS + LANCZOS_WARM_PER_PAIR * (k - 1));
}
