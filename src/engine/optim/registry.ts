/** The one optimizer registry that the validator, CLI, docs and UI read. */
import type { OptimizerDef } from './types';
import { sgd } from './sgd';
import { adam, adamw } from './adam';
import { nadamw } from './nadamw';
import { muon } from './muon';
import { shampoo } from './shampoo';
import { ademamix } from './ademamix';
import { rmsprop } from './rmsprop';
import { adagrad } from './adagrad';
import { lion } from './lion';
import { signsgd } from './signsgd';
import { adabelief } from './adabelief';
import { diffgrad } from './diffgrad';
import { adamp, sgdp } from './adamp';
import { sgdSai } from './sgd_sai';
import { clippedSgd, clippedAdam } from './clipped';
import { dpSgd, diceSgd } from './dp';
import { frugal } from './frugal';
import { sam, samAdam } from './sam';
import { sfAdamw, sfSgd } from './schedule_free';

export const OPTIMIZERS: readonly OptimizerDef[] = [
  sgd,
  adam,
  adamw,
  nadamw,
  muon,
  shampoo,
  ademamix,
  rmsprop,
  adagrad,
  lion,
  signsgd,
  adabelief,
  diffgrad,
  adamp,
  sgdp,
  sgdSai,
  clippedSgd,
  clippedAdam,
  dpSgd,
  diceSgd,
  frugal,
  sam,
  samAdam,
  sfSgd,
  sfAdamw,
];

const byName = new Map(OPTIMIZERS.map((d) => [d.name, d]));

export function getOptimizer(name: string): OptimizerDef | undefined {
  return byName.get(name);
}

export function optimizerNames(): string[] {
  return OPTIMIZERS.map((d) => d.name);
}
