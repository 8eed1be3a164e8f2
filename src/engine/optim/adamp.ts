/**
 * AdamP and SGDP (Heo et al., ICLR 2021; clovaai/AdamP): Adam / SGD whose update of each dense
 * weight loses its radial component when the gradient is nearly orthogonal to the weight
 * (the weight looks scale-invariant), with weight decay scaled by wdRatio there (docs/optimizers.md).
 * GPU: three dispatches per step for all runs (shaders/optim_adamp.wgsl: rows, decide, update).
 */
import adampWgsl from '../../../shaders/optim_adamp.wgsl?raw';
import { dispatchSize, storageBuffer } from '../webgpu/buffers';
import { unrollWgsl } from '../webgpu/unroll';
import type { TensorInfo } from '../model/layout';
import { adamPrecondThreshold, adamPreconditioner, flag, momentumSgdThreshold, num, betaSlots, pair } from './hp';
import { betasSpec, checkTensorTiling, epsSpec, flagSpec, gpuOptimizer, lrSpec, momentumSpec, wdSpec } from './common';
import { createKernel } from './kernel';
import { read, rw, workgroupReduce } from '../webgpu/kernel_io';
import { isProjected, projectUpdate, projectionTables } from './rowproj';
import { namedSlots, slotSnippet, type SlotFields } from './slots';
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

const EPS: HyperSpec = {
  ...epsSpec(1e-8, 'Guards the norms in the cosine and the projection (and the Adam denominator).'),
  minExclusive: true,
};

const PROJECTION_HPS: HyperSpec[] = [
  EPS,
  wdSpec(0, 'Decoupled weight decay: theta <- theta (1 - lr wd factor) before the step.'),
  {
    key: 'delta',
    type: 'number',
    default: 0.1,
    min: 0,
    description: 'Projection fires when max cosine(g, theta) < delta / sqrt(row length).',
  },
  {
    key: 'wdRatio',
    type: 'number',
    default: 0.1,
    min: 0,
    max: 1,
    description: 'Weight-decay factor for tensors whose update was projected.',
  },
  flagSpec('nesterov', false, 'Nesterov form of the update.'),
];

const ADAMP_HPS: HyperSpec[] = [lrSpec(1e-3), betasSpec([0.9, 0.999]), ...PROJECTION_HPS];

const SGDP_HPS: HyperSpec[] = [
  lrSpec(1e-3), // the reference requires lr; 1e-3 as torch SGD
  momentumSpec(0, 'Momentum factor; the buffer starts at zero.'),
  {
    key: 'dampening',
    type: 'number',
    default: 0,
    min: 0,
    max: 1,
    description: 'Dampening: buf <- momentum buf + (1 - dampening) g.',
  },
  ...PROJECTION_HPS,
];

type Kind = 'adamp' | 'sgdp';

/** The projection's hyper slots, shared by both kinds. */
function projectionValues(hp: Hyper) {
  return {
    eps: num(hp, 'eps'),
    weightDecay: num(hp, 'weightDecay'),
    delta: num(hp, 'delta'),
    nesterov: flag(hp, 'nesterov') ? 1 : 0,
  };
}

const PROJECTION_SLOTS = ['eps', 'weightDecay', 'delta', 'nesterov'] as const;

/**
 * The decoupled decay factor of a step, as cpuStep forms it (float64): wdFactor is 1, or wdRatio
 * where the update was projected. The kernel picks one of the two (decay, decayProjected).
 */
function decayFactor(kind: Kind, hp: Hyper, lr: number, wdFactor: number): number {
  const wd = num(hp, 'weightDecay');
  return kind === 'adamp' ? 1 - lr * wd * wdFactor : 1 - (lr * wd * wdFactor) / (1 - num(hp, 'momentum'));
}

const ADAMP_SLOTS: SlotFields = namedSlots('adamp', {
  // oneMinusBeta1/2: 1 - beta in float64.
  hyper: ['beta1', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', ...PROJECTION_SLOTS],
  // stepSize = lr / bc1, sqrtBc2 = sqrt(bc2); decay, decayProjected: decayFactor() with 1 and wdRatio.
  scalars: ['lr', 'stepSize', 'sqrtBc2', 'decay', 'decayProjected'],
  packHyper(hp) {
    return { ...betaSlots(hp), ...projectionValues(hp) };
  },
  stepScalars(hp, t, lr) {
    const [b1, b2] = pair(hp, 'betas');
    return {
      lr,
      stepSize: lr / (1 - b1 ** t),
      sqrtBc2: Math.sqrt(1 - b2 ** t),
      decay: decayFactor('adamp', hp, lr, 1),
      decayProjected: decayFactor('adamp', hp, lr, num(hp, 'wdRatio')),
    };
  },
});

const SGDP_SLOTS: SlotFields = namedSlots('sgdp', {
  // oneMinusDampening: 1 - dampening in float64.
  hyper: ['momentum', 'oneMinusDampening', ...PROJECTION_SLOTS],
  scalars: ['lr', 'decay', 'decayProjected'],
  packHyper: (hp) => ({
    momentum: num(hp, 'momentum'),
    oneMinusDampening: 1 - num(hp, 'dampening'),
    ...projectionValues(hp),
  }),
  stepScalars: (hp, _t, lr) => ({
    lr,
    decay: decayFactor('sgdp', hp, lr, 1),
    decayProjected: decayFactor('sgdp', hp, lr, num(hp, 'wdRatio')),
  }),
});

function cpuInit(kind: Kind, paramCount: number): CpuOptimizerState {
  const n = kind === 'adamp' ? 2 : 1;
  return { slots: Array.from({ length: n }, () => new Float64Array(paramCount)), extra: {} };
}

/** Fill u over tensor t (advancing the state) and return it. */
function proposals(kind: Kind, a: CpuStepArgs, t: TensorInfo, u: Float64Array): void {
  const { grad: g, state, hp } = a;
  const nesterov = flag(hp, 'nesterov');
  const end = t.offset + t.size;
  if (kind === 'adamp') {
    const [b1, b2] = pair(hp, 'betas');
    const eps = num(hp, 'eps');
    const sbc2 = Math.sqrt(1 - b2 ** a.t);
    const [m, v] = state.slots;
    for (let i = t.offset; i < end; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const denom = Math.sqrt(v[i]) / sbc2 + eps;
      u[i] = nesterov ? (b1 * m[i] + (1 - b1) * g[i]) / denom : m[i] / denom;
    }
  } else {
    const mu = num(hp, 'momentum');
    const damp = num(hp, 'dampening');
    const [buf] = state.slots;
    for (let i = t.offset; i < end; i++) {
      buf[i] = mu * buf[i] + (1 - damp) * g[i];
      u[i] = nesterov ? g[i] + mu * buf[i] : buf[i];
    }
  }
}

function cpuStep(kind: Kind, a: CpuStepArgs): void {
  const { params: p, grad: g, hp, lr } = a;
  const wd = num(hp, 'weightDecay');
  const stepSize = kind === 'adamp' ? lr / (1 - pair(hp, 'betas')[0] ** a.t) : lr;
  const u = new Float64Array(p.length);
  for (const t of a.tensors) {
    proposals(kind, a, t, u);
    const wdFactor = isProjected(t)
      ? projectUpdate({ p, g, u, t, delta: num(hp, 'delta'), wdRatio: num(hp, 'wdRatio'), eps: num(hp, 'eps') })
      : 1;
    const decay = decayFactor(kind, hp, lr, wdFactor);
    for (let i = t.offset; i < t.offset + t.size; i++) {
      if (wd > 0) p[i] *= decay;
      p[i] -= stepSize * u[i];
    }
  }
}

/** The bindings of optim_adamp.wgsl's three entry points (one group, StepInfo in group 1). */
const ADAMP_IO = {
  params: rw(),
  grads: read(),
  state: rw(),
  hyperR: read(),
  scalars: read(),
  /** Per row segment: (start, length, row or NONE, tensor). */
  segs: read('array<vec4u>'),
  /** Per tensor: (offset, size, rows or 0, first row). */
  tensors: read('array<vec4u>'),
  /** Per projected row: (g.p, g.g, p.p, p.u). */
  rowStats: rw('array<vec4f>'),
  /** Per (run, tensor): (mode, layer coefficient). */
  decision: rw('array<vec2f>'),
};

async function createGpu(kind: Kind, ctx: GpuOptimizerContext): Promise<GpuOptimizer> {
  const { device, runs: R, paramCount: P } = ctx;
  const def = kind === 'adamp' ? adamp : sgdp;
  checkTensorTiling(ctx.tensors, P, kind);
  const tabs = projectionTables(ctx.tensors);
  if (tabs.segments > 65535)
    throw new Error(`adamp/sgdp: ${tabs.segments} row segments per run exceed the 65535 workgroup limit`);
  if (R > 65535) throw new Error(`adamp/sgdp: ${R} runs exceed the 65535 workgroup limit`);
  const NT = ctx.tensors.length;
  const owned = [
    storageBuffer(device, tabs.segs, 'adamp.segs'),
    storageBuffer(device, tabs.tensors, 'adamp.tensors'),
    storageBuffer(device, Math.max(1, R * tabs.rows * 4), 'adamp.rowStats'),
    storageBuffer(device, R * NT * 2, 'adamp.decision'),
  ];
  const [segs, tensors, rowStats, decision] = owned;
  const buffers = {
    params: ctx.params,
    grads: ctx.grads,
    state: ctx.state,
    hyperR: ctx.hyper,
    scalars: ctx.stepScalars,
  };
  const overrides = { WG, R, P, NROWS: Math.max(1, tabs.rows), NT, HS: def.hyperSize };
  const source = unrollWgsl(adampWgsl, {}, { ADAMP: kind === 'adamp' });
  const snippets = [slotSnippet(def), workgroupReduce('rowSum', 'vec4f')];
  const make = (entry: string, wgs: [number, number]) =>
    createKernel(
      device,
      ctx.pipelines,
      { label: 'optim_adamp', source, snippets, entry, overrides, io: ADAMP_IO, step: true },
      { ...buffers, segs, tensors, rowStats, decision },
      wgs,
      ctx.stepInfo,
    );
  const kernels = [
    await make('rows', [tabs.segments, R]),
    await make('decide', dispatchSize(R * NT, WG)),
    await make('update', dispatchSize(R * P, WG)),
  ];
  return gpuOptimizer(ctx, kernels, owned);
}

export const adamp: OptimizerDef = {
  name: 'adamp',
  description:
    "Adam that removes the radial part of a weight's update when the gradient is nearly orthogonal to the weight (scale-invariant weights).",
  rule: 'm,v as Adam; u = m_hat/(sqrt(v_hat)+eps); if max_row cos(g,theta) < delta/sqrt(row dim) (channel, then layer view): u -= theta_hat <theta_hat,u>, decay *= wdRatio; theta <- theta(1 - lr wd) - lr/bc1 u',
  source: 'Heo et al., "AdamP", ICLR 2021; clovaai/AdamP adamp/adamp.py',
  hyperparams: ADAMP_HPS,
  stateSlots: 2,
  ...ADAMP_SLOTS,
  createGpu: (ctx) => createGpu('adamp', ctx),
  cpuInit: (n) => cpuInit('adamp', n),
  cpuStep: (a) => cpuStep('adamp', a),
  precondThreshold: (hp, lr) => adamPrecondThreshold(lr, pair(hp, 'betas')[0]),
  preconditioner: adamPreconditioner,
};

export const sgdp: OptimizerDef = {
  name: 'sgdp',
  description:
    "SGD (momentum buffer from zero) with AdamP's projection of the update of scale-invariant-looking weights.",
  rule: 'buf <- mu buf + (1-dampening) g; u = buf (or g + mu buf); project u as AdamP; theta <- theta(1 - lr wd factor/(1-mu)) - lr u',
  source: 'Heo et al., "AdamP", ICLR 2021; clovaai/AdamP adamp/sgdp.py',
  notes: [
    'The momentum buffer stays unprojected: the projection acts on a copy of it (u), as pytorch_optimizer ' +
      "does with buf.clone(). The authors' sgdp.py passes the buffer itself when nesterov is off, so when " +
      'the projection fires the buffer is projected in place and later steps build on it. The two agree ' +
      'without momentum, with nesterov, and while the projection does not fire; otherwise they drift apart ' +
      '(in an independent replay of both on a linear model with momentum, dampening and weight decay, the ' +
      'final weights ended about 0.11 apart).',
  ],
  hyperparams: SGDP_HPS,
  stateSlots: 1,
  ...SGDP_SLOTS,
  createGpu: (ctx) => createGpu('sgdp', ctx),
  cpuInit: (n) => cpuInit('sgdp', n),
  cpuStep: (a) => cpuStep('sgdp', a),
  sharpnessThreshold: (hp, lr) =>
    momentumSgdThreshold(lr, num(hp, 'momentum'), num(hp, 'dampening'), flag(hp, 'nesterov')),
};
