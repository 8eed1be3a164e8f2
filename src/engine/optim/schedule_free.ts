/**
 * Schedule-Free SGD and AdamW (Defazio et al., "The Road Less Scheduled", NeurIPS 2024), as
 * facebookresearch/schedule_free's sgd_schedulefree.py and adamw_schedulefree.py step them:
 *   y_t = (1 - beta1) z_t + beta1 x_t, the gradient g is taken at y_t;
 *   z_{t+1} = z_t - lr_t gn,  gn = g (SGD) or g / (sqrt(v_hat) + eps) (AdamW), plus wd y_t;
 *   x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1},
 *   c_t = t^r lrmax_t^p / sum_{j <= t} j^r lrmax_j^p, lr_t = lr min(1, t / warmupSteps).
 * The reference keeps y in the model and z in the state, and swaps x in for evaluation (eval()).
 * Here the parameters are x, so every logged metric, checkpoint and export is x's, as the
 * reference's eval mode gives them; the state holds d = z - x (zero at the start, when z = x), and
 * the engine takes the gradient at y (OptimizerDef.cpuGradientPoint; GPU: encodeGradientPoint and
 * encodeRestore around the step's forward and backward). The same sequences, rounded differently:
 * schedule_free.test.ts checks a transcription of the reference's step to 1e-12.
 *
 * GPU: the point and restore kernels (shaders/optim_schedule_free_point.wgsl) and one update
 * (shaders/optim_schedule_free.wgsl) through the frame.
 */
import sfWgsl from '../../../shaders/optim_schedule_free.wgsl?raw';
import pointWgsl from '../../../shaders/optim_schedule_free_point.wgsl?raw';
import { dispatchSize, storageBuffer } from '../webgpu/buffers';
import { read, rw } from '../webgpu/kernel_io';
import { unrollWgsl } from '../webgpu/unroll';
import { betasSpec, createElementwiseGpu, epsSpec, lrSpec, momentumSpec, optimizerSource, wdSpec } from './common';
import { num, pair } from './hp';
import { createKernel } from './kernel';
import { namedSlots, slotSnippet } from './slots';
import type {
  CpuPointArgs,
  CpuStepArgs,
  GpuOptimizer,
  GpuOptimizerContext,
  Hyper,
  HyperSpec,
  OptimizerDef,
} from './types';

const WG = 64;

/** The bindings of optim_schedule_free_point.wgsl (StepInfo in group 1). */
const SF_POINT_IO = {
  params: rw(),
  state: read(),
  hyper: read(),
  /** x, saved by point for restore. */
  save: rw(),
};

/** Prefix sums sum_{j <= t} j^r s_j^p (s_j = min(1, j / W)), per (r, p, W), grown on demand. */
const weightSums = new Map<string, number[]>();

/** The weight of step t in the average, up to the factor lr^p: t^r min(1, t / W)^p. */
function weightOf(t: number, r: number, p: number, warmup: number): number {
  const s = warmup > 0 ? Math.min(1, t / warmup) : 1;
  return t ** r * s ** p;
}

/**
 * c_t of step t (1-based): the weight of z_t in x_t. The reference's lr_max is the warmed-up lr
 * itself (it never decreases), so lr^p cancels and c_t depends on t, r, p and the warm-up only.
 */
export function scheduleFreeC(t: number, r: number, p: number, warmup: number): number {
  const key = `${r},${p},${warmup}`;
  let sums = weightSums.get(key);
  if (!sums) weightSums.set(key, (sums = [0]));
  for (let j = sums.length; j <= t; j++) sums.push(sums[j - 1] + weightOf(j, r, p, warmup));
  const w = weightOf(t, r, p, warmup);
  return sums[t] > 0 ? w / sums[t] : 0;
}

/** lr_t: the peak lr after the linear warm-up of `warmupSteps` steps. */
function warmedLr(hp: Hyper, t: number, lr: number): number {
  const w = num(hp, 'warmupSteps');
  return w > 0 && t < w ? (lr * t) / w : lr;
}

function cOf(hp: Hyper, t: number): number {
  return scheduleFreeC(t, num(hp, 'r'), num(hp, 'weightLrPower'), num(hp, 'warmupSteps'));
}

function beta1Of(adam: boolean, hp: Hyper): number {
  return adam ? pair(hp, 'betas')[0] : num(hp, 'momentum');
}

/** y = x + (1 - beta1) d: where the step's gradient is taken. */
function gradientPoint(adam: boolean, { params, state, hp }: CpuPointArgs): Float64Array {
  const k = 1 - beta1Of(adam, hp);
  const d = state.slots[0];
  return params.map((x, i) => x + k * d[i]);
}

function cpuStep(adam: boolean, { params: x, grad, state, hp, t, lr }: CpuStepArgs): void {
  const k = 1 - beta1Of(adam, hp);
  const wd = num(hp, 'weightDecay');
  const lrT = warmedLr(hp, t, lr);
  const c = cOf(hp, t);
  const [d, v] = state.slots;
  const b2 = adam ? pair(hp, 'betas')[1] : 0;
  const sbc2 = Math.sqrt(1 - b2 ** t);
  const eps = adam ? num(hp, 'eps') : 0;
  for (let i = 0; i < x.length; i++) {
    const y = x[i] + k * d[i];
    const g = grad[i];
    let gn = g;
    if (adam) {
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      gn = g / (Math.sqrt(v[i]) / sbc2 + eps);
    }
    gn += wd * y;
    const e = d[i] - lrT * gn;
    x[i] += c * e;
    d[i] = (1 - c) * e;
  }
}

async function createGpu(def: OptimizerDef, adam: boolean, ctx: GpuOptimizerContext): Promise<GpuOptimizer> {
  const { device, runs: R, paramCount: P } = ctx;
  const update = await createElementwiseGpu(
    ctx,
    `optim_${def.name}`,
    optimizerSource(def, unrollWgsl(sfWgsl, {}, { ADAM: adam })),
    def.hyperSize,
  );
  const save = storageBuffer(device, Math.max(1, R * P), `${def.name}.save`);
  const make = (entry: string) =>
    createKernel(
      device,
      ctx.pipelines,
      {
        label: 'optim_schedule_free_point',
        source: pointWgsl,
        snippets: [slotSnippet(def)],
        entry,
        overrides: { WG, R: Math.max(1, R), P: Math.max(1, P), HS: def.hyperSize },
        io: SF_POINT_IO,
        step: true,
      },
      { params: ctx.params, state: ctx.state, hyper: ctx.hyper, save },
      dispatchSize(R * P, WG),
      ctx.stepInfo,
    );
  const point = await make('point');
  const restore = await make('restore');
  const empty = R * P === 0;
  return {
    ...update,
    pointDispatches: empty ? 0 : 2,
    encodeGradientPoint(pass, off) {
      if (!empty) point.encode(pass, off);
    },
    encodeRestore(pass, off) {
      if (!empty) restore.encode(pass, off);
    },
    destroy() {
      update.destroy();
      save.destroy();
    },
  };
}

/** lr's description: no schedule multiplies it (lrSpec's says one does). */
const SF_LR = 'Learning rate of the z steps (no schedule: warmupSteps ramps it up, then it stays).';

const SF_COMMON: HyperSpec[] = [
  {
    key: 'warmupSteps',
    type: 'number',
    default: 0,
    min: 0,
    integer: true,
    description: 'Linear warm-up of lr over this many steps (the schedule of a schedule-free run).',
  },
  {
    key: 'r',
    type: 'number',
    default: 0,
    min: 0,
    description: 'Polynomial weighting: step t weighs t^r in the average x.',
  },
  {
    key: 'weightLrPower',
    type: 'number',
    default: 2,
    min: 0,
    description: 'Step t weighs lr_max^p in the average x (during warm-up; 0 = no weighting).',
  },
];

/** The hyper slots the kernels read (beta1 is SGD's momentum). */
const SGD_SLOTS: readonly string[] = ['beta1', 'oneMinusBeta1', 'weightDecay'];
const ADAM_SLOTS: readonly string[] = [...SGD_SLOTS, 'beta2', 'oneMinusBeta2', 'eps'];

const NOTES = [
  "Metrics are those of x, the averaged point (the reference's eval() mode); the batch loss and grad_norm are y's, where the gradient is taken.",
  'The state holds d = z - x instead of z (it starts at zero, as z starts at x); the reference keeps y in the model and z in the state. The same sequences in exact arithmetic.',
  'Runs take no learning-rate schedule: the warm-up is warmupSteps, as in the reference.',
];

function makeScheduleFree(adam: boolean): OptimizerDef {
  const name = adam ? 'sf-adamw' : 'sf-sgd';
  const def: OptimizerDef = {
    name,
    description: adam
      ? 'Schedule-Free AdamW: Adam-normalised SGD steps on z, evaluated at a running average x, no lr schedule needed.'
      : 'Schedule-Free SGD: SGD steps on z, gradient at an interpolation y, evaluated at the running average x.',
    rule:
      (adam ? 'v = b2*v + (1-b2)*g^2; gn = g/(sqrt(v/bc2)+eps) + wd*y' : 'gn = g + wd*y') +
      '; g at y = (1-b1)*z + b1*x; z -= lr_t*gn; x = (1-c)*x + c*z, c = t^r lr_t^p / sum_j j^r lr_j^p',
    source:
      'Defazio et al., "The Road Less Scheduled", NeurIPS 2024; facebookresearch/schedule_free ' +
      (adam ? 'schedulefree/adamw_schedulefree.py' : 'schedulefree/sgd_schedulefree.py'),
    notes: adam
      ? [...NOTES, "The reference's inner_momentum option (an EMA of g inside the Adam step) is not offered."]
      : NOTES,
    hyperparams: adam
      ? [
          { ...lrSpec(0.0025), description: SF_LR },
          betasSpec([0.9, 0.999]),
          epsSpec(1e-8, 'Added to sqrt(v_hat) in the denominator (outside the square root).'),
          wdSpec(0, 'Weight decay, applied at y: gn += wd y.'),
          ...SF_COMMON,
        ]
      : [
          { ...lrSpec(1.0), description: SF_LR },
          {
            ...momentumSpec(0.9, 'beta: y = (1 - beta) z + beta x.'),
            min: 0,
            max: 1,
            minExclusive: true,
            maxExclusive: true,
          },
          wdSpec(0, 'Weight decay, applied at y: g += wd y.'),
          ...SF_COMMON,
        ],
    stateSlots: adam ? 2 : 1,
    ...namedSlots(name, {
      hyper: adam ? ADAM_SLOTS : SGD_SLOTS,
      scalars: ['lr', 'ck', 'oneMinusCk', 'invSqrtBc2'],
      packHyper(hp) {
        const b1 = beta1Of(adam, hp);
        const common = { beta1: b1, oneMinusBeta1: 1 - b1, weightDecay: num(hp, 'weightDecay') };
        if (!adam) return common;
        const b2 = pair(hp, 'betas')[1];
        return { ...common, beta2: b2, oneMinusBeta2: 1 - b2, eps: num(hp, 'eps') };
      },
      stepScalars(hp, t, lr) {
        const c = cOf(hp, t);
        const b2 = adam ? pair(hp, 'betas')[1] : 0;
        return { lr: warmedLr(hp, t, lr), ck: c, oneMinusCk: 1 - c, invSqrtBc2: 1 / Math.sqrt(1 - b2 ** t) };
      },
    }),
    gpuBuffers: (tensors, runs) => [
      {
        label: `${name}.save`,
        floats: Math.max(1, runs * tensors.reduce((a, t) => a + t.size, 0)),
        what: 'x while the gradient is taken at y',
      },
    ],
    createGpu: (ctx) => createGpu(def, adam, ctx),
    cpuInit: (n) => ({ slots: Array.from({ length: adam ? 2 : 1 }, () => new Float64Array(n)), extra: {} }),
    cpuStep: (a) => cpuStep(adam, a),
    cpuGradientPoint: (a) => gradientPoint(adam, a),
    chartNote:
      'Schedule-Free runs are measured at x, the running average of their iterates (the reference’s eval mode); ' +
      'their batch loss and grad_norm are taken at y, where the gradient is.',
    ownSchedule: 'replaces the learning-rate schedule (its warm-up is the warmupSteps hyperparameter)',
    ...(adam
      ? {
          preconditioner: (hp: Hyper, t: number) => ({
            slot: 1,
            scale: 1,
            vScale: 1 / (1 - pair(hp, 'betas')[1] ** t),
            eps: num(hp, 'eps'),
          }),
        }
      : {}),
  };
  return def;
}

export const sfSgd = makeScheduleFree(false);
export const sfAdamw = makeScheduleFree(true);
