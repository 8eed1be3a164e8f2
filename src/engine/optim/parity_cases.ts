/**
 * The GPU-vs-CPU parity cases of the part-A optimizers (parity_gpu.test.ts; also usable from a
 * standalone check on other adapters): for each optimizer, a population mixing hyperparameters.
 */
import { adabelief } from './adabelief';
import { adagrad } from './adagrad';
import { adam, adamw } from './adam';
import { diffgrad } from './diffgrad';
import { frugal } from './frugal';
import { maxAbsDiff, maxRelDiff, randomRunArgs, runCpuOptimizer, runGpuOptimizer } from './harness';
import { lion } from './lion';
import { muon } from './muon';
import { shampoo } from './shampoo';
import { nadamw } from './nadamw';
import { ademamix } from './ademamix';
import { rmsprop } from './rmsprop';
import { sgd } from './sgd';
import { sgdSai } from './sgd_sai';
import { signsgd } from './signsgd';
import { hyperOf } from './testing_cpu';
import type { OptimizerDef } from './types';

/** max |gpu - cpu| / (1 + |cpu|) allowed on parameters and state (f32 vs float64 over 100 steps). */
export const PARITY_TOL = 1e-4;
export const PARITY_STEPS = 100;

export const PARITY_CASES: [OptimizerDef, Record<string, number | boolean | [number, number]>[]][] = [
  [
    sgd,
    [
      { lr: 1e-2 },
      { lr: 2e-2, momentum: 0.9 },
      { lr: 1e-2, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 },
      { lr: 5e-3, momentum: 0.9, nesterov: true, weightDecay: 0.1 },
    ],
  ],
  [adam, [{ lr: 1e-2 }, { lr: 3e-3, amsgrad: true, weightDecay: 0.1 }, { lr: 1e-2, betas: [0.8, 0.99], eps: 1e-6 }]],
  [adamw, [{ lr: 1e-2 }, { lr: 5e-3, amsgrad: true, weightDecay: 0.5 }, { lr: 2e-2, betas: [0.5, 0.9] }]],
  [
    ademamix,
    [
      { lr: 1e-2 },
      { lr: 5e-3, alpha: 5, beta3: 0.999, alphaWarmup: 40, beta3Warmup: 60, weightDecay: 0.1 },
      { lr: 1e-2, betas: [0.5, 0.9], beta3: 0.99, eps: 1e-6 },
    ],
  ],
  [nadamw, [{ lr: 1e-2 }, { lr: 5e-3, weightDecay: 0.5 }, { lr: 2e-2, betas: [0.5, 0.9], eps: 1e-6 }]],
  [
    muon,
    [
      // Both weight matrices ([7, 5]: rows > cols, transposed; [3, 7]) are the first and last layer:
      // adamFirstLast off puts them on Muon; the default run is AdamW only. nsSteps 3 and 5 mix.
      { lr: 2e-2, adamFirstLast: false },
      { lr: 1e-2, adamFirstLast: false, nesterov: false, weightDecay: 0.1, nsSteps: 3, adamLr: 1e-3 },
      { lr: 2e-2 },
      { lr: 2e-2, adamFirstLast: false, momentum: 0.9, adamWeightDecay: 0.1, adamBetas: [0.8, 0.99], adamEps: 1e-8 },
    ],
  ],
  [
    shampoo,
    [
      // Weights [7, 5] (rows > cols) and [3, 7] (rows < cols); roots refreshed every 10, 1, 3 and 4 steps.
      { lr: 1e-2 },
      { lr: 5e-3, preconditionFrequency: 1, beta2: 0.95, weightDecay: 0.1 },
      {
        lr: 2e-2,
        preconditionFrequency: 3,
        startPreconditioningStep: 5,
        adagradGrafting: true,
        useBiasCorrection: false,
      },
      { lr: 1e-2, preconditionFrequency: 4, beta1: 0, epsilon: 1e-3, graftingBeta2: 0.99, graftingEpsilon: 1e-8 },
    ],
  ],
  [
    rmsprop,
    [
      { lr: 1e-3 },
      { lr: 1e-3, centered: true },
      { lr: 5e-4, momentum: 0.9, weightDecay: 0.01 },
      { lr: 1e-3, centered: true, momentum: 0.5, alpha: 0.9 },
    ],
  ],
  [
    adagrad,
    [
      { lr: 0.05 },
      { lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1 },
      { lr: 0.02, weightDecay: 0.1, eps: 1e-6 },
    ],
  ],
  [lion, [{ lr: 1e-3 }, { lr: 3e-4, weightDecay: 1 }, { lr: 1e-3, betas: [0.95, 0.98] }]],
  [signsgd, [{ lr: 1e-3 }, { lr: 1e-3, momentum: 0.9 }, { lr: 5e-4, momentum: 0.5, weightDecay: 0.1 }]],
  [
    adabelief,
    [
      { lr: 1e-3 },
      { lr: 1e-3, rectify: false },
      { lr: 1e-3, rectify: false, amsgrad: true, eps: 1e-8 },
      { lr: 2e-3, weightDecouple: false, weightDecay: 0.01, degeneratedToSgd: false },
      { lr: 1e-3, fixedDecay: true, weightDecay: 1e-3, betas: [0.9, 0.99] },
    ],
  ],
  [diffgrad, [{ lr: 1e-2 }, { lr: 5e-3, weightDecay: 0.1 }, { lr: 1e-2, betas: [0.5, 0.9] }]],
  [
    sgdSai,
    [
      { lr: 1e-3 },
      { lr: 1e-3, momentum: 0 },
      { lr: 1e-3, normalizeGsnr: true, weightDecay: 0 },
      { lr: 1e-4, faithful: true },
    ],
  ],
  [
    frugal,
    [
      { lr: 1e-2, updateGap: 7 },
      { lr: 1e-2, density: 0.5, updateGap: 13, weightDecay: 0.1 },
      { lr: 5e-3, density: 1 },
      { lr: 5e-3, density: 0, inactiveLrScale: 0.1 },
      { lr: 1e-2, density: 0.3, updateGap: 9, columns: false, exactCount: false, resetAtDraw: false },
      { lr: 1e-2, density: 0.4, updateGap: 11, columns: false },
    ],
  ],
];

export interface ParityResult {
  name: string;
  /** Worst relative difference of the parameters over all steps, and of the final state. */
  params: number;
  state: number;
  /** The same as largest |gpu - cpu|. */
  paramsAbs: number;
  stateAbs: number;
  /** Smallest relative move of a run's parameters from init (> 0: the check is not vacuous). */
  minMove: number;
}

/**
 * Run one case: widths [5, 7, 3] give tensors of 35, 7, 21 and 3 floats, P = 66 (not a multiple
 * of the workgroup size 64).
 */
export async function runParityCase(
  def: OptimizerDef,
  overrides: (typeof PARITY_CASES)[number][1],
): Promise<ParityResult> {
  const hps = overrides.map((o) => hyperOf(def, o));
  const args = {
    ...randomRunArgs(hps, { steps: PARITY_STEPS, seed: 7 + def.name.length, widths: [5, 7, 3] }),
    withState: true,
  };
  const gpu = await runGpuOptimizer(def, args);
  const ref = runCpuOptimizer(def, args);
  let params = 0;
  let paramsAbs = 0;
  for (let k = 0; k < PARITY_STEPS; k++) {
    params = Math.max(params, maxRelDiff(gpu.params[k], ref.params[k]));
    paramsAbs = Math.max(paramsAbs, maxAbsDiff(gpu.params[k], ref.params[k]));
  }
  const state = maxRelDiff(gpu.state![PARITY_STEPS - 1], ref.state![PARITY_STEPS - 1]);
  const stateAbs = maxAbsDiff(gpu.state![PARITY_STEPS - 1], ref.state![PARITY_STEPS - 1]);
  const P = args.paramCount;
  let minMove = Infinity;
  for (let r = 0; r < hps.length; r++) {
    const last = ref.params[PARITY_STEPS - 1].subarray(r * P, (r + 1) * P);
    minMove = Math.min(minMove, maxRelDiff(last, Float64Array.from(args.init.subarray(r * P, (r + 1) * P)), 1e-6));
  }
  return { name: def.name, params, state, paramsAbs, stateAbs, minMove };
}
