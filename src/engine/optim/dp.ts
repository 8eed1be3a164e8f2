/**
 * DP-SGD (Abadi et al., CCS 2016) and DiceSGD (Zhang, Bu, Wu, Hong, ICLR 2024); docs/optimizers.md.
 *
 * Both set perExampleClip(hp) = C (C1), so the engine supplies the mean of the per-example clipped
 * gradients, clippedGrads = (1/B) sum_i g_i min(1, C/(||g_i|| + 1e-6)), with ||g_i|| over all
 * parameters (flat clipping). The lot size is the batch size B; there is no Poisson sampling and
 * no privacy accounting here.
 *
 * Noise: per coordinate j of run r at step t, z = rngNormal(rngU32(seed_r, STREAM_DP_NOISE, t),
 * STREAM_DP_NOISE, j), the same draw on the GPU (f32) and the CPU (float64 from the same bits).
 * Its std is sigma C / B: N(0, sigma^2 C^2) added to the clipped SUM, then divided by B (Opacus).
 *
 * DiceSGD units: everything here is in batch-MEAN units, as the paper writes it:
 *   v_t = clippedGrads + clip(e_t, C2);  theta -= lr (v_t + sigma C1/B z);  e_{t+1} = e_t + grads - v_t
 * with grads the unclipped batch mean and clip(x, C) = x min(1, C/(||x|| + 1e-6)) over all
 * parameters of the run. The reference code (564612540/DiceSGD, fastDP) keeps the error in SUM
 * units and clips it at C: that equals C2 = C/B here. Its noise std is 2 sigma C on the sum (the
 * Opacus variant: sigma C); here sigma C1 on the sum, consistent with dp-sgd. e_0 = 0, so step 1
 * has no feedback term.
 */
import dpWgsl from '../../../shaders/optim_dp.wgsl?raw';
import { dispatchSize, storageBuffer } from '../webgpu/buffers';
import { unrollWgsl } from '../webgpu/unroll';
import { rngNormal, rngU32, STREAM_DP_NOISE } from '../data/prng';
import { num } from './hp';
import { gpuOptimizer, lrSpec, wdSpec } from './common';
import { createKernel } from './kernel';
import { read, rw, workgroupReduce } from '../webgpu/kernel_io';
import { PRNG } from '../webgpu/snippets';
import { namedSlots, slotSnippet } from './slots';
import type {
  CpuOptimizerState,
  CpuStepArgs,
  GpuOptimizer,
  GpuOptimizerContext,
  Hyper,
  HyperSpec,
  OptimizerDef,
} from './types';

const WG = 64;

/** The per-coordinate normal draws of step t for a run with this seed (what the GPU draws). */
export function dpNoise(seed: number, t: number, j: number): number {
  return rngNormal(rngU32(seed >>> 0, STREAM_DP_NOISE, t >>> 0), STREAM_DP_NOISE, j >>> 0);
}

const LR = lrSpec(0.1);
const SIGMA: HyperSpec = {
  key: 'noiseMultiplier',
  type: 'number',
  default: 1,
  min: 0,
  description:
    'sigma: Gaussian noise of std sigma*C on the clipped sum (sigma*C/B per coordinate of the mean); 0 = clipping only.',
};

const DP_HPS: HyperSpec[] = [
  LR,
  {
    key: 'clipNorm',
    type: 'number',
    default: 1,
    min: 0,
    minExclusive: true,
    log: true,
    description: 'C: each example gradient is scaled to norm at most C (flat, over all parameters).',
  },
  SIGMA,
  wdSpec(0, 'Coupled L2 added to the noisy gradient.'),
];

const DICE_HPS: HyperSpec[] = [
  LR,
  {
    key: 'clipNorm',
    type: 'number',
    default: 1,
    min: 0,
    minExclusive: true,
    log: true,
    description: 'C1: per-example clipping norm.',
  },
  {
    key: 'errorClipNorm',
    type: 'number',
    default: 1,
    min: 0,
    minExclusive: true,
    log: true,
    description: "C2 >= C1: clipping norm of the error feedback (batch-mean units; the reference code's C/B).",
  },
  SIGMA,
];

/** Cross-field rule the per-field ranges cannot express: DiceSGD needs C2 >= C1. */
export function diceSgdProblems(hp: Hyper): { key: string; message: string }[] {
  const c1 = num(hp, 'clipNorm');
  const c2 = num(hp, 'errorClipNorm');
  return c2 >= c1
    ? []
    : [{ key: 'errorClipNorm', message: `expected errorClipNorm (C2) >= clipNorm (C1) = ${c1}, got ${c2}` }];
}

/** sigma C: the std of the noise added to the sum of the clipped example gradients. */
const noiseStdSum = (hp: Hyper) => num(hp, 'noiseMultiplier') * num(hp, 'clipNorm');

function clippedOf(a: CpuStepArgs, name: string): Float64Array {
  if (!a.clippedGrad)
    throw new Error(`${name}: args.clippedGrad is missing (the engine must supply it for perExampleClip optimizers)`);
  return a.clippedGrad;
}

function cpuStepDp(a: CpuStepArgs): void {
  const { params: p, hp, lr } = a;
  const cg = clippedOf(a, 'dp-sgd');
  const sigma = num(hp, 'noiseMultiplier');
  const std = (sigma * num(hp, 'clipNorm')) / a.batchSize;
  const wd = num(hp, 'weightDecay');
  for (let j = 0; j < p.length; j++) {
    let g = cg[j];
    if (sigma !== 0) g += std * dpNoise(a.seed, a.t, j);
    if (wd !== 0) g += wd * p[j];
    p[j] -= lr * g;
  }
}

function cpuStepDice(a: CpuStepArgs): void {
  const { params: p, grad, hp, lr } = a;
  const cg = clippedOf(a, 'dice-sgd');
  const e = a.state.slots[0];
  let n2 = 0;
  for (let j = 0; j < e.length; j++) n2 += e[j] * e[j];
  const f = Math.min(1, num(hp, 'errorClipNorm') / (Math.sqrt(n2) + 1e-6));
  const sigma = num(hp, 'noiseMultiplier');
  const std = (sigma * num(hp, 'clipNorm')) / a.batchSize;
  for (let j = 0; j < p.length; j++) {
    const v = cg[j] + f * e[j];
    p[j] -= lr * (sigma !== 0 ? v + std * dpNoise(a.seed, a.t, j) : v);
    e[j] = e[j] + grad[j] - v;
  }
}

function cpuInit(slots: number, paramCount: number): CpuOptimizerState {
  return { slots: Array.from({ length: slots }, () => new Float64Array(paramCount)), extra: {} };
}

/** The bindings of optim_dp.wgsl (StepInfo in group 1). */
const DP_IO = {
  params: rw(),
  grads: read(),
  /** (1/B) sum_i clip(g_i, C), from the engine's ghost-norm pass. */
  clipped: read(),
  state: rw(),
  hyper: read(),
  scalars: read(),
  seeds: read('array<u32>'),
  /** DiceSGD: ||e||^2 per run. */
  enorm: rw(),
};

async function createGpu(kind: 'dp' | 'dice', ctx: GpuOptimizerContext): Promise<GpuOptimizer> {
  const { device, runs: R, paramCount: P } = ctx;
  const def = kind === 'dp' ? dpSgd : diceSgd;
  const name = def.name;
  if (!ctx.clippedGrads)
    throw new Error(`${name}: ctx.clippedGrads is missing (the engine must supply it for perExampleClip optimizers)`);
  if (!(ctx.batchSize >= 1)) throw new Error(`${name}: ctx.batchSize must be >= 1, got ${ctx.batchSize}`);
  if (R > 65535) throw new Error(`${name}: ${R} runs exceed the 65535 workgroup limit`);
  const enorm = storageBuffer(device, R, 'dice.enorm');
  const buffers = {
    params: ctx.params,
    grads: ctx.grads,
    clipped: ctx.clippedGrads,
    state: ctx.state,
    hyper: ctx.hyper,
    scalars: ctx.stepScalars,
    seeds: ctx.seeds,
    enorm,
  };
  const overrides = { WG, R, P, HS: def.hyperSize, BATCH: ctx.batchSize };
  const source = unrollWgsl(dpWgsl, {}, { DICE: kind === 'dice' });
  const snippets = [PRNG, slotSnippet(def), workgroupReduce('reduceSum', 'f32')];
  const make = (entry: string, wgs: [number, number]) =>
    createKernel(
      device,
      ctx.pipelines,
      { label: 'optim_dp', source, snippets, entry, overrides, io: DP_IO, step: true },
      buffers,
      wgs,
      ctx.stepInfo,
    );
  const kernels =
    kind === 'dp'
      ? [await make('dp_update', dispatchSize(R * P, WG))]
      : [await make('dice_norm', [R, 1]), await make('dice_update', dispatchSize(R * P, WG))];
  return gpuOptimizer(ctx, kernels, [enorm]);
}

export const dpSgd: OptimizerDef = {
  name: 'dp-sgd',
  description:
    'Differentially private SGD: per-example gradients clipped to norm C, averaged, plus Gaussian noise of std sigma*C/B per coordinate.',
  rule: 'g~ = (1/B)(sum_i g_i min(1, C/(||g_i||+1e-6)) + N(0, sigma^2 C^2 I)); theta -= lr (g~ + wd theta)',
  source: 'Abadi et al., "Deep Learning with Differential Privacy", CCS 2016; clipping in the Opacus form',
  hyperparams: DP_HPS,
  stateSlots: 0,
  ...namedSlots('dp-sgd', {
    // noiseStdSum: sigma C, the noise std on the clipped sum (float64; the kernel divides by B).
    hyper: ['noiseStdSum', 'weightDecay'],
    scalars: ['lr'],
    packHyper: (hp) => ({ noiseStdSum: noiseStdSum(hp), weightDecay: num(hp, 'weightDecay') }),
    stepScalars: (_hp, _t, lr) => ({ lr }),
  }),
  createGpu: (ctx) => createGpu('dp', ctx),
  cpuInit: (n) => cpuInit(0, n),
  cpuStep: cpuStepDp,
  sharpnessThreshold: (_hp, lr) => (lr > 0 ? 2 / lr : undefined),
  perExampleClip: (hp) => num(hp, 'clipNorm'),
};

export const diceSgd: OptimizerDef = {
  name: 'dice-sgd',
  description:
    'DP-SGD with clipped error feedback: the clipped-away part of the gradient is stored and fed back, clipped to C2, in later steps.',
  rule: 'v = (1/B) sum_i clip(g_i, C1) + clip(e, C2); theta -= lr (v + N(0, (sigma C1/B)^2 I)); e <- e + (1/B) sum_i g_i - v',
  source:
    'Zhang, Bu, Wu, Hong, "Differentially Private SGD Without Clipping Bias: An Error-Feedback Approach", ICLR 2024; 564612540/DiceSGD',
  hyperparams: DICE_HPS,
  stateSlots: 1,
  ...namedSlots('dice-sgd', {
    // noiseStdSum: sigma C1 (float64; the kernel divides by B).
    hyper: ['errorClipNorm', 'noiseStdSum'],
    scalars: ['lr'],
    packHyper: (hp) => ({ errorClipNorm: num(hp, 'errorClipNorm'), noiseStdSum: noiseStdSum(hp) }),
    stepScalars: (_hp, _t, lr) => ({ lr }),
  }),
  createGpu: (ctx) => createGpu('dice', ctx),
  cpuInit: (n) => cpuInit(1, n),
  cpuStep: cpuStepDice,
  sharpnessThreshold: (_hp, lr) => (lr > 0 ? 2 / lr : undefined),
  perExampleClip: (hp) => num(hp, 'clipNorm'),
};
