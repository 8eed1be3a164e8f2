/**
 * Coordinate-clipped SGD and Adam (Pan & Li 2023, panyan7/adam-vs-sgd sgd_clip.py / adam_clip.py;
 * docs/optimizers.md). Per run, tau = sorted_desc(|a|)[floor(N c)], the (floor(N c)+1)-th largest
 * |a_i| over ALL N parameters (select.ts), times thresholdScale, then
 * a_i -> sign(a_i) min(|a_i|, tau): about a fraction c of the coordinates
 * saturate. The reference only clips in its multi-tensor path; here clipping always applies.
 * GPU per step: 8 select dispatches, (SGD) one per-tensor norm dispatch, one update dispatch.
 */
import clipWgsl from '../../../shaders/optim_clip.wgsl?raw';
import { dispatchSize, storageBuffer } from '../webgpu/buffers';
import { unrollWgsl } from '../webgpu/unroll';
import { adamPrecondThreshold, adamPreconditioner, flag, momentumSgdThreshold, num, betaSlots, pair } from './hp';
import {
  betasSpec,
  checkTensorTiling,
  epsSpec,
  flagSpec,
  gpuOptimizer,
  lrSpec,
  momentumSpec,
  tensorTableBuffer,
  wdSpec,
} from './common';
import { createKernel, type Kernel } from './kernel';
import { read, rw, workgroupReduce } from '../webgpu/kernel_io';
import { clipFractionF32, clipTo, createTopcSelect, topcThreshold } from './select';
import { hyperIndex, namedSlots, slotSnippet } from './slots';
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

const clipSpecs = (c: number): HyperSpec[] => [
  lrSpec(1e-3),
  {
    key: 'clipFraction',
    type: 'number',
    default: c,
    min: 0,
    max: 1,
    description:
      'c: the fraction of coordinates (largest |g|, over all parameters) clipped to the threshold; 0 = no clipping, 1 = threshold 0.',
  },
  { key: 'thresholdScale', type: 'number', default: 1, min: 0, description: 'Multiplies the selected threshold tau.' },
];

const SGD_HPS: HyperSpec[] = [
  ...clipSpecs(0.1),
  momentumSpec(0, 'Momentum (PyTorch form: buffer = d on the first step).'),
  { key: 'dampening', type: 'number', default: 0, min: 0, max: 1, description: 'Dampening of the momentum buffer.' },
  flagSpec('nesterov', false, 'Nesterov momentum (needs momentum > 0).'),
  wdSpec(0, 'Coupled L2, added after clipping and normalisation.'),
  flagSpec('normalize', false, 'Per-tensor normalisation of the clipped gradient: g * sqrt(numel)/||g||.'),
];

const ADAM_HPS: HyperSpec[] = [
  ...clipSpecs(0.5),
  betasSpec([0.9, 0.999]),
  { ...epsSpec(1e-8, 'Added to sqrt(v_hat).'), minExclusive: true },
  wdSpec(0, 'Coupled L2, added to g before clipping (both moments see it).'),
];

/** The selection's slots (select_topc.wgsl reads them by index: hyperIndex); clipFraction as f32 rounds it. */
const head = (hp: Hyper) => ({
  clipFraction: clipFractionF32(num(hp, 'clipFraction')),
  thresholdScale: num(hp, 'thresholdScale'),
});

const SGD_SLOTS = namedSlots('clipped-sgd', {
  // oneMinusDampening: 1 - dampening in float64.
  hyper: ['clipFraction', 'thresholdScale', 'momentum', 'oneMinusDampening', 'nesterov', 'weightDecay', 'normalize'],
  scalars: ['lr'],
  packHyper: (hp) => ({
    ...head(hp),
    momentum: num(hp, 'momentum'),
    oneMinusDampening: 1 - num(hp, 'dampening'),
    nesterov: flag(hp, 'nesterov') ? 1 : 0,
    weightDecay: num(hp, 'weightDecay'),
    normalize: flag(hp, 'normalize') ? 1 : 0,
  }),
  stepScalars: (_hp, _t, lr) => ({ lr }),
});

const ADAM_SLOTS = namedSlots('clipped-adam', {
  // oneMinusBeta1/2: 1 - beta in float64.
  hyper: ['clipFraction', 'thresholdScale', 'beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'weightDecay'],
  // stepSize = lr / bc1, sqrtBc2 = sqrt(bc2)
  scalars: ['lr', 'stepSize', 'sqrtBc2'],
  packHyper(hp) {
    return {
      ...head(hp),
      ...betaSlots(hp),
      eps: num(hp, 'eps'),
      weightDecay: num(hp, 'weightDecay'),
    };
  },
  stepScalars(hp, t, lr) {
    const [b1, b2] = pair(hp, 'betas');
    return { lr, stepSize: lr / (1 - b1 ** t), sqrtBc2: Math.sqrt(1 - b2 ** t) };
  },
});

function cpuInit(slots: number, paramCount: number): CpuOptimizerState {
  return { slots: Array.from({ length: slots }, () => new Float64Array(paramCount)), extra: {} };
}

function cpuStepSgd(a: CpuStepArgs): void {
  const { params: p, grad: g, hp, lr } = a;
  const tau = topcThreshold(g, num(hp, 'clipFraction'), num(hp, 'thresholdScale'));
  const d = Float64Array.from(g, (x) => clipTo(x, tau));
  if (flag(hp, 'normalize')) {
    for (const t of a.tensors) {
      let n2 = 0;
      for (let i = t.offset; i < t.offset + t.size; i++) n2 += d[i] * d[i];
      const coef = n2 > 0 ? Math.sqrt(t.size) / Math.sqrt(n2) : 0; // the reference divides by 0 here
      for (let i = t.offset; i < t.offset + t.size; i++) d[i] *= coef;
    }
  }
  const wd = num(hp, 'weightDecay');
  const mu = num(hp, 'momentum');
  const damp = num(hp, 'dampening');
  const nesterov = flag(hp, 'nesterov');
  const buf = a.state.slots[0];
  for (let i = 0; i < p.length; i++) {
    let di = d[i] + wd * p[i];
    if (mu !== 0) {
      buf[i] = a.t === 1 ? di : mu * buf[i] + (1 - damp) * di;
      di = nesterov ? di + mu * buf[i] : buf[i];
    }
    p[i] -= lr * di;
  }
}

function cpuStepAdam(a: CpuStepArgs): void {
  const { params: p, grad: g, hp, lr } = a;
  const wd = num(hp, 'weightDecay');
  const [b1, b2] = pair(hp, 'betas');
  const eps = num(hp, 'eps');
  const gw = Float64Array.from(g, (x, i) => x + wd * p[i]);
  const tau = topcThreshold(gw, num(hp, 'clipFraction'), num(hp, 'thresholdScale'));
  const [m, v] = a.state.slots;
  const stepSize = lr / (1 - b1 ** a.t);
  const sbc2 = Math.sqrt(1 - b2 ** a.t);
  for (let i = 0; i < p.length; i++) {
    m[i] = b1 * m[i] + (1 - b1) * clipTo(gw[i], tau);
    v[i] = b2 * v[i] + (1 - b2) * gw[i] * gw[i];
    p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / sbc2 + eps);
  }
}

/** The bindings of optim_clip.wgsl (StepInfo in group 1). */
const CLIP_IO = {
  params: rw(),
  grads: read(),
  state: rw(),
  hyper: read(),
  scalars: read(),
  /** Per tensor: (offset, size, -, -). */
  tensors: read('array<vec4u>'),
  /** select_topc.wgsl's record per run; tau * scale in its fourth word. */
  sel: read('array<u32>'),
  /** ||clip(g)||^2 per (run, tensor). */
  tnorms: rw(),
};

async function createGpu(kind: 'sgd' | 'adam', ctx: GpuOptimizerContext): Promise<GpuOptimizer> {
  const { device, runs: R, paramCount: P } = ctx;
  const def = kind === 'adam' ? clippedAdam : clippedSgd;
  checkTensorTiling(ctx.tensors, P, `clipped-${kind}`);
  const NT = ctx.tensors.length;
  if (NT > 65535 || R > 65535)
    throw new Error(`clipped-${kind}: ${R} runs x ${NT} tensors exceed the 65535 workgroup limit`);
  const select = await createTopcSelect({
    device,
    pipelines: ctx.pipelines,
    runs: R,
    paramCount: P,
    values: ctx.grads,
    params: ctx.params,
    hyper: ctx.hyper,
    hyperSize: def.hyperSize,
    cIndex: hyperIndex(def, 'clipFraction'),
    scaleIndex: hyperIndex(def, 'thresholdScale'),
    wdIndex: kind === 'adam' ? hyperIndex(def, 'weightDecay') : undefined,
  });
  const owned = [tensorTableBuffer(ctx, 'clip.tensors'), storageBuffer(device, R * NT, 'clip.tnorms')];
  const buffers = {
    params: ctx.params,
    grads: ctx.grads,
    state: ctx.state,
    hyper: ctx.hyper,
    scalars: ctx.stepScalars,
    tensors: owned[0],
    sel: select.sel,
    tnorms: owned[1],
  };
  const overrides = { WG, R, P, NT, HS: def.hyperSize };
  const source = unrollWgsl(clipWgsl, {}, { ADAM: kind === 'adam' });
  const snippets = [slotSnippet(def), workgroupReduce('reduceSum', 'f32')];
  const make = (entry: string, wgs: [number, number]) =>
    createKernel(
      device,
      ctx.pipelines,
      { label: 'optim_clip', source, snippets, entry, overrides, io: CLIP_IO, step: true },
      buffers,
      wgs,
      ctx.stepInfo,
    );
  const kernels =
    kind === 'sgd'
      ? [await make('tnorm', [NT, R]), await make('update_sgd', dispatchSize(R * P, WG))]
      : [await make('update_adam', dispatchSize(R * P, WG))];
  const selectKernel: Kernel = { encode: (pass) => select.encode(pass) };
  return gpuOptimizer(ctx, [selectKernel, ...kernels], [...owned, ...select.buffers]);
}

export const clippedSgd: OptimizerDef = {
  name: 'clipped-sgd',
  description:
    'SGD on a gradient whose largest-magnitude fraction c of coordinates (over all parameters) is clipped to a common threshold.',
  rule: 'tau = sorted_desc(|g|)[floor(N c)] (the (floor(N c)+1)-th largest); g <- sign(g) min(|g|, tau scale); [g <- g sqrt(numel)/||g|| per tensor]; g += wd theta; torch momentum; theta -= lr d',
  source:
    'Pan & Li, "Toward Understanding Why Adam Converges Faster Than SGD for Transformers", 2023; panyan7/adam-vs-sgd torch_optimizer/sgd_clip.py',
  hyperparams: SGD_HPS,
  stateSlots: 1,
  ...SGD_SLOTS,
  createGpu: (ctx) => createGpu('sgd', ctx),
  cpuInit: (n) => cpuInit(1, n),
  cpuStep: cpuStepSgd,
  // Clipping only shrinks the step, so the linear line of the unclipped method applies; a
  // normalised step has no linear stability line.
  sharpnessThreshold: (hp, lr) => {
    if (flag(hp, 'normalize')) return undefined;
    const mu = num(hp, 'momentum');
    return momentumSgdThreshold(lr, mu, mu === 0 ? 0 : num(hp, 'dampening'), mu > 0 && flag(hp, 'nesterov'));
  },
};

export const clippedAdam: OptimizerDef = {
  name: 'clipped-adam',
  description:
    'Adam whose first moment takes the coordinate-clipped gradient (top fraction c clipped) and whose second moment takes the unclipped one.',
  rule: 'a = g + wd theta; tau = sorted_desc(|a|)[floor(N c)] (the (floor(N c)+1)-th largest); m <- b1 m + (1-b1) clip(a, tau scale); v <- b2 v + (1-b2) a^2; theta -= lr/bc1 m/(sqrt(v/bc2)+eps)',
  source:
    'Pan & Li, "Toward Understanding Why Adam Converges Faster Than SGD for Transformers", 2023; panyan7/adam-vs-sgd torch_optimizer/adam_clip.py',
  hyperparams: ADAM_HPS,
  stateSlots: 2,
  ...ADAM_SLOTS,
  createGpu: (ctx) => createGpu('adam', ctx),
  cpuInit: (n) => cpuInit(2, n),
  cpuStep: cpuStepAdam,
  precondThreshold: (hp, lr) => adamPrecondThreshold(lr, pair(hp, 'betas')[0]),
  preconditioner: adamPreconditioner,
};
