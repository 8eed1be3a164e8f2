/**
 * SGD-SaI (Xu et al., "No More Adam: Learning Rate Scaling at Initialization is All You Need",
 * arXiv 2412.11768; AnonymousAlethiometer/SGD_SaI v1.0.3; docs/optimizers.md): SGD with EMA momentum where
 * each parameter tensor's lr is scaled by its gradient signal-to-noise ratio at step 1,
 * gsnr = ||g_1|| / (std(g_1) + eps) (unbiased std), frozen for the rest of training. Decoupled
 * decay theta *= 1 - lr wd. Differences from the reference, each behind an option:
 *  - one-element tensors: the reference's std is NaN -> 0, so gsnr = |g|/eps (huge); by default we
 *    use gsnr = 1 for them; `faithful` restores the reference behaviour;
 *  - momentum = 0 (undefined in the reference) uses b = g;
 *  - `normalizeGsnr` divides by the largest gsnr of the run (the reference's v1.0.4).
 * GPU: a per-(tensor, run) reduction kernel on step 1, then one update kernel (optim_sgd_sai.wgsl).
 */
import saiWgsl from '../../../shaders/optim_sgd_sai.wgsl?raw';
import { read, rw, workgroupReduce } from '../webgpu/kernel_io';
import { storageBuffer } from '../webgpu/buffers';
import {
  checkTensorTiling,
  epsSpec,
  flagSpec,
  frameKernel,
  gpuOptimizer,
  lrSpec,
  momentumSpec,
  optimizerSource,
  tensorTableBuffer,
  wdSpec,
} from './common';
import { flag, num } from './hp';
import { namedSlots } from './slots';
import type { CpuStepArgs, Hyper, OptimizerDef } from './types';

/** gsnr of one tensor's first gradient (float64, two-pass std). */
export function tensorGsnr(g: ArrayLike<number>, offset: number, size: number, hp: Hyper): number {
  let s1 = 0;
  let s2 = 0;
  for (let j = 0; j < size; j++) {
    s1 += g[offset + j];
    s2 += g[offset + j] ** 2;
  }
  if (size === 1 && !flag(hp, 'faithful')) return 1;
  const mean = s1 / size;
  let c2 = 0;
  for (let j = 0; j < size; j++) c2 += (g[offset + j] - mean) ** 2;
  const std = size > 1 ? Math.sqrt(c2 / (size - 1)) : 0; // torch: NaN for n = 1, mapped to 0
  return Math.sqrt(s2) / (std + num(hp, 'eps'));
}

function cpuStep({ params, grad, state, hp, t, lr, tensors }: CpuStepArgs): void {
  if (t === 1 || !state.extra.gsnr) {
    state.extra.gsnr = tensors.map((tn) => tensorGsnr(grad, tn.offset, tn.size, hp));
  }
  let scales = state.extra.gsnr;
  if (flag(hp, 'normalizeGsnr')) {
    const mx = Math.max(0, ...scales);
    scales = scales.map((s) => (mx > 0 ? s / mx : 0));
  }
  const mu = num(hp, 'momentum');
  const decay = 1 - lr * num(hp, 'weightDecay');
  const b = state.slots[0];
  tensors.forEach((tn, k) => {
    for (let i = tn.offset; i < tn.offset + tn.size; i++) {
      b[i] = t === 1 || mu === 0 ? grad[i] : mu * b[i] + (1 - mu) * grad[i];
      params[i] = params[i] * decay - lr * scales[k] * b[i];
    }
  });
}

/** SGD-SaI's bindings after the frame's (optim_sgd_sai.wgsl): the tensor table and the frozen gsnr per (run, tensor). */
const SAI_IO = { tensors: read('array<vec4u>'), gsnr: rw() };

export const sgdSai: OptimizerDef = {
  name: 'sgd-sai',
  description:
    'SGD-SaI: momentum SGD whose per-tensor lr is scaled once, at step 1, by the gradient signal-to-noise ratio of that tensor.',
  rule: 'step 1: gsnr_k = ||g_k|| / (std(g_k) + eps) per tensor k (frozen); b = g (step 1) else mu*b + (1-mu)*g; theta = theta*(1 - lr*wd) - lr*gsnr_k*b',
  source:
    'Xu et al., "No More Adam: Learning Rate Scaling at Initialization is All You Need", arXiv 2412.11768; AnonymousAlethiometer/SGD_SaI v1.0.3',
  hyperparams: [
    lrSpec(1e-2),
    momentumSpec(0.9, 'EMA momentum: b <- mu b + (1 - mu) g (b = g on the first step).'),
    epsSpec(1e-8, 'Added to the std in gsnr = ||g|| / (std + eps).'),
    wdSpec(1e-2, 'Decoupled weight decay: theta <- theta (1 - lr wd) (not scaled by gsnr).'),
    flagSpec(
      'faithful',
      false,
      'Reproduce the reference for one-element tensors (std NaN -> 0, so gsnr = |g|/eps); default: gsnr = 1 there.',
    ),
    flagSpec('normalizeGsnr', false, 'Divide every gsnr by the largest of the run (the reference v1.0.4).'),
  ],
  stateSlots: 1,
  ...namedSlots('sgd-sai', {
    // oneMinusMomentum: 1 - mu in float64; guard = 1: a one-element tensor gets gsnr = 1 (faithful off).
    hyper: ['momentum', 'oneMinusMomentum', 'eps', 'guard', 'normalizeGsnr'],
    // decay = 1 - lr wd
    scalars: ['lr', 'decay'],
    packHyper: (hp) => ({
      momentum: num(hp, 'momentum'),
      oneMinusMomentum: 1 - num(hp, 'momentum'),
      eps: num(hp, 'eps'),
      guard: flag(hp, 'faithful') ? 0 : 1,
      normalizeGsnr: flag(hp, 'normalizeGsnr') ? 1 : 0,
    }),
    stepScalars: (hp, _t, lr) => ({ lr, decay: 1 - lr * num(hp, 'weightDecay') }),
  }),
  async createGpu(ctx) {
    checkTensorTiling(ctx.tensors, ctx.paramCount, 'sgd-sai');
    const NT = Math.max(1, ctx.tensors.length);
    const table = tensorTableBuffer(ctx, 'sgd-sai tensors');
    const gsnr = storageBuffer(ctx.device, ctx.runs * NT, 'sgd-sai gsnr');
    const code = optimizerSource(sgdSai, saiWgsl, workgroupReduce('reduceSum', 'f32'));
    const extra = { io: SAI_IO, buffers: { tensors: table, gsnr } };
    const common = { label: 'optim_sgd_sai', code, hyperSize: sgdSai.hyperSize, extra, overrides: { NT } };
    const reduce = await frameKernel(ctx, { ...common, entry: 'snr', workgroups: [ctx.tensors.length, ctx.runs] });
    const update = await frameKernel(ctx, common);
    const opt = gpuOptimizer(ctx, [reduce, update], [table, gsnr]);
    return { ...opt, internalState: [{ name: 'gsnr', buffer: gsnr, floatsPerRun: NT }] };
  },
  cpuInit: (paramCount) => ({ slots: [new Float64Array(paramCount)], extra: {} }),
  cpuStep,
};
