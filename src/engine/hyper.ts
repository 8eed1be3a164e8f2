/** Resolve a run's optimizer hyperparameters: the registry's defaults, overridden by the config. */
import type { OptimizerConfig } from '../schema/types';
import type { Hyper, OptimizerDef } from './optim/types';

export function resolveHyper(def: OptimizerDef, cfg: OptimizerConfig): Hyper {
  const hp: Hyper = {};
  for (const spec of def.hyperparams) {
    const v = cfg[spec.key];
    hp[spec.key] = v !== undefined && typeof v !== 'string' ? v : spec.default;
  }
  return hp;
}

/** The per-run seed (see trainer.ts). */
export function runSeed(seed: number, run: number, vary: boolean): number {
  return vary ? (seed + run) >>> 0 : seed >>> 0;
}

/** The steps at which metrics are logged: 0, every multiple of `every`, and the last step. */
export function isLogStep(step: number, every: number, steps: number): boolean {
  return step === 0 || step === steps || step % every === 0;
}
