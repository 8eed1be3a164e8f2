/**
 * Small helpers for the CPU golden-value tests of the optimizers: run a def's float64 step on a
 * tiny problem given as plain arrays (no GPU), and resolve defaults.
 */
import type { TensorInfo } from '../model/layout';
import type { Hyper, OptimizerDef } from './types';

/** The def's defaults overridden by `o`. */
export function hyperOf(def: OptimizerDef, o: Record<string, number | boolean | [number, number]> = {}): Hyper {
  const h: Hyper = {};
  for (const s of def.hyperparams) h[s.key] = s.default;
  return { ...h, ...o };
}

/** One bias-like tensor covering all n coordinates. */
export const flatTensors = (n: number): TensorInfo[] => [
  { name: 'x', offset: 0, size: n, shape: [n], layer: 0, kind: 'bias' },
];

/** Parameters after each step of `grads` from `init` (one run, float64). */
export function cpuTrajectory(
  def: OptimizerDef,
  hp: Hyper,
  init: number[],
  grads: number[][],
  tensors = flatTensors(init.length),
  seed = 1,
): number[][] {
  const params = Float64Array.from(init);
  const state = def.cpuInit(init.length, tensors, hp);
  return grads.map((g, k) => {
    def.cpuStep({
      params,
      grad: Float64Array.from(g),
      state,
      hp,
      t: k + 1,
      lr: hp.lr as number,
      tensors,
      seed,
      batchSize: 1,
    });
    return Array.from(params);
  });
}
