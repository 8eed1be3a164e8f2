/**
 * FRUGAL (Zmushko, Beznosikov, Takac & Horvath, ICML 2025, arXiv 2411.07837; docs/optimizers.md), the
 * playground version FRUGAL(AdamW, signSGD) with a RandK-style projector: in each period of
 * updateGap steps a random fraction `density` of every dense weight's coordinates (an independent
 * Bernoulli(density) draw per coordinate from the counter PRNG, stream STREAM_MASK, keyed by the
 * run seed and the period) gets AdamW; the rest take a state-free signSGD step scaled by
 * inactiveLrScale. Biases are always state-full (as the reference leaves non-projected parameters
 * to the plain optimizer). Decoupled decay applies to every coordinate, as the reference.
 * Adam state of a coordinate outside the set is zeroed, so a coordinate entering the set starts a
 * fresh Adam: each coordinate keeps its own step count for the bias corrections. (The reference
 * with reset_statistics resets all moments and the step at each refresh; here coordinates staying
 * in the set keep theirs.) density 1 gives AdamW; density 0 gives signSGD (with AdamW's decay).
 */
import frugalWgsl from '../../../shaders/optim_frugal.wgsl?raw';
import { PRNG } from '../webgpu/snippets';
import { read } from '../webgpu/kernel_io';
import { rngU32, STREAM_MASK } from '../data/prng';
import {
  betasSpec,
  checkTensorTiling,
  createElementwiseGpu,
  epsSpec,
  lrSpec,
  optimizerSource,
  tensorTableBuffer,
  wdSpec,
} from './common';
import { num, betaSlots, pair } from './hp';
import { namedSlots } from './slots';
import type { CpuStepArgs, Hyper, OptimizerDef } from './types';

const TWO24 = 16777216;

/** Integer threshold on the top 24 bits of a draw: active iff (u >>> 8) < round(density 2^24). */
export const densityThreshold = (density: number) => Math.round(density * TWO24);

/** Whether dense-weight coordinate j of a run with this seed is state-full in step t. */
export function frugalActive(seed: number, t: number, j: number, hp: Hyper): boolean {
  const period = Math.floor((t - 1) / num(hp, 'updateGap'));
  const key = rngU32(seed >>> 0, STREAM_MASK, period >>> 0);
  return rngU32(key, STREAM_MASK, j >>> 0) >>> 8 < densityThreshold(num(hp, 'density'));
}

function cpuStep({ params, grad, state, hp, t, lr, tensors, seed }: CpuStepArgs): void {
  const [b1, b2] = pair(hp, 'betas');
  const eps = num(hp, 'eps');
  const decay = 1 - lr * num(hp, 'weightDecay');
  const inactiveLr = lr * num(hp, 'inactiveLrScale');
  const [m, v, n] = state.slots;
  for (const tn of tensors) {
    for (let i = tn.offset; i < tn.offset + tn.size; i++) {
      params[i] *= decay;
      if (tn.kind !== 'bias' && !frugalActive(seed, t, i, hp)) {
        params[i] -= inactiveLr * Math.sign(grad[i]);
        m[i] = v[i] = n[i] = 0;
        continue;
      }
      n[i] += 1;
      m[i] = b1 * m[i] + (1 - b1) * grad[i];
      v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
      const bc1 = 1 - b1 ** n[i];
      const bc2 = 1 - b2 ** n[i];
      params[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
    }
  }
}

/** FRUGAL's bindings after the frame's (optim_frugal.wgsl): the tensor table and the runs' seeds. */
const FRUGAL_IO = { tensors: read('array<vec4u>'), seeds: read('array<u32>') };

export const frugal: OptimizerDef = {
  name: 'frugal',
  description:
    'FRUGAL: AdamW on a random coordinate subset (resampled every updateGap steps), state-free signSGD on the rest.',
  rule: 'theta *= 1 - lr*wd; coordinate in the random set (density rho, new set every T steps): AdamW step with its own step count; else theta -= lr*inactiveLrScale*sign(g) and its Adam state is zeroed',
  source:
    'Zmushko, Beznosikov, Takac & Horvath, "FRUGAL: Memory-Efficient Optimization by Reducing State Overhead for Scalable Training", ICML 2025 (arXiv 2411.07837)',
  hyperparams: [
    lrSpec(1e-3),
    betasSpec([0.9, 0.999]),
    epsSpec(1e-8, "AdamW's eps, added to sqrt(v_hat)."),
    wdSpec(0, 'Decoupled weight decay theta <- theta (1 - lr wd), on every coordinate.'),
    {
      key: 'density',
      type: 'number',
      default: 0.25,
      min: 0,
      max: 1,
      description: "Expected fraction rho of each dense weight's coordinates that get AdamW.",
    },
    {
      key: 'updateGap',
      type: 'number',
      default: 200,
      min: 1,
      integer: true,
      description: 'Steps T between new random coordinate sets.',
    },
    {
      key: 'inactiveLrScale',
      type: 'number',
      default: 1,
      min: 0,
      description: 'lr multiplier of the signSGD step on the state-free coordinates (1 pre-training, 0.1 fine-tuning).',
    },
  ],
  stateSlots: 3,
  ...namedSlots('frugal', {
    // oneMinusBeta1/2: 1 - beta in float64; lnBeta1, lnBeta2: for the per-coordinate bias corrections
    // 1 - beta^n (n differs per coordinate, so they are formed on the GPU); threshold: densityThreshold(density).
    hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'lnBeta1', 'lnBeta2', 'threshold', 'updateGap'],
    // decay = 1 - lr wd; inactiveLr = lr inactiveLrScale
    scalars: ['lr', 'decay', 'inactiveLr'],
    packHyper(hp) {
      const b = betaSlots(hp);
      return {
        ...b,
        eps: num(hp, 'eps'),
        lnBeta1: Math.log(b.beta1),
        lnBeta2: Math.log(b.beta2),
        threshold: densityThreshold(num(hp, 'density')),
        updateGap: num(hp, 'updateGap'),
      };
    },
    stepScalars: (hp, _t, lr) => ({
      lr,
      decay: 1 - lr * num(hp, 'weightDecay'),
      inactiveLr: lr * num(hp, 'inactiveLrScale'),
    }),
  }),
  async createGpu(ctx) {
    checkTensorTiling(ctx.tensors, ctx.paramCount, 'frugal');
    const table = tensorTableBuffer(ctx, 'frugal tensors');
    const code = optimizerSource(frugal, frugalWgsl, PRNG);
    const extra = { io: FRUGAL_IO, buffers: { tensors: table, seeds: ctx.seeds } };
    return createElementwiseGpu(ctx, 'optim_frugal', code, frugal.hyperSize, extra, [table], {
      NT: Math.max(1, ctx.tensors.length),
    });
  },
  cpuInit: (paramCount) => ({ slots: [0, 1, 2].map(() => new Float64Array(paramCount)), extra: {} }),
  cpuStep,
};
