/**
 * Shared pieces of the one-dispatch optimizers (part A): hyperparameter specs with PyTorch
 * names, the GPU frame (shaders/optim_common.wgsl + the optimizer's `update` function, bound with
 * the StepInfo record at a dynamic offset) and the tensor table some kernels need.
 */
import commonWgsl from '../../../shaders/optim_common.wgsl?raw';
import { floatsIn, perRunGrid, storageBuffer } from '../webgpu/buffers';
import { unrollWgsl } from '../webgpu/unroll';
import type { TensorInfo } from '../model/layout';
import { createKernel, type Kernel } from './kernel';
import { read, rw, snippet, type GroupDecl, type WgslSnippet } from '../webgpu/kernel_io';
import { hyperIndex, slotSnippet } from './slots';
import { STEP_SCALARS, type GpuOptimizer, type GpuOptimizerContext, type HyperSpec, type OptimizerDef } from './types';

/** Threads per workgroup of every part-A optimizer kernel (the WGSL `override WG`). */
export const OPTIM_WG = 64;

// ---- hyperparameter specs (PyTorch names, camelCase) ----------------------------------------

export const lrSpec = (def: number): HyperSpec => ({
  key: 'lr',
  type: 'number',
  default: def,
  min: 0,
  minExclusive: true,
  log: true,
  description: 'Peak learning rate (the schedule multiplies it).',
});

export const betasSpec = (
  def: [number, number],
  what = 'Decay rates of the first and second moment averages.',
): HyperSpec => ({
  key: 'betas',
  type: 'betas',
  default: def,
  min: 0,
  max: 1,
  maxExclusive: true,
  description: what,
});

export const epsSpec = (def: number, what = 'Added to the denominator for numerical stability.'): HyperSpec => ({
  key: 'eps',
  type: 'number',
  default: def,
  min: 0,
  log: true,
  description: what,
});

export const wdSpec = (def: number, what: string): HyperSpec => ({
  key: 'weightDecay',
  type: 'number',
  default: def,
  min: 0,
  description: what,
});

export const momentumSpec = (def: number, what: string): HyperSpec => ({
  key: 'momentum',
  type: 'number',
  default: def,
  min: 0,
  max: 1,
  maxExclusive: true,
  description: what,
});

export const flagSpec = (key: string, def: boolean, what: string): HyperSpec => ({
  key,
  type: 'boolean',
  default: def,
  description: what,
});

// ---- GPU frame ---------------------------------------------------------------------------------

/**
 * Group 0 of every part-A kernel (optim_common.wgsl): the per-coordinate arrays, whose lengths are
 * constants in the source (PARAMS_LEN, GRADS_LEN, STATE_LEN, from the bound buffers' sizes: on
 * SwiftShader a fixed-size array's accesses are cheaper than a runtime-sized one's,
 * docs/performance.md), then the per-run hyperparameters and this chunk's step scalars, then the
 * optimizer's own extras.
 */
export function frameIo<E extends GroupDecl>(extra: E = {} as E) {
  return {
    params: rw('array<f32, PARAMS_LEN>'),
    grads: read('array<f32, GRADS_LEN>'),
    state: rw('array<f32, STATE_LEN>'),
    hyper: read(),
    scalars: read(),
    ...extra,
  };
}

/**
 * Group 1 after StepInfo when the frame's update does the divergence guard's per-step work
 * (webgpu/diverge_guard.ts): the run's last good parameters, the stats the guard reads, its status.
 */
const GUARD_IO = {
  lastGood: rw('array<f32, PARAMS_LEN>'),
  guardStats: read(),
  guardStatus: rw('array<atomic<u32>>'),
};

/** An optimizer's extra group-0 bindings (after the frame's five) and their buffers, by name. */
export interface ExtraBindings {
  io: GroupDecl;
  buffers: Record<string, GPUBuffer>;
}

/** The WGSL of a one-dispatch optimizer: its own file, and what it is composed with. */
export interface OptimizerSource {
  /** The optimizer's own file, which defines `fn update(i: u32, r: u32)` (and any extra entry points). */
  own: string;
  /** The accessors of its named slots (hp_<name>, sc_<name>: slots.ts) and any helper snippets. */
  snippets: WgslSnippet[];
}

/**
 * The source of a one-dispatch optimizer: optim_common.wgsl (added by frameKernel, which fixes its
 * switches), the accessors of the def's named slots, any helper snippets, then its own file.
 */
export function optimizerSource(
  def: Pick<OptimizerDef, 'name' | 'hyper' | 'scalars'>,
  own: string,
  ...helpers: WgslSnippet[]
): OptimizerSource {
  return { own, snippets: [slotSnippet(def), ...helpers] };
}

export interface KernelOptions {
  label: string;
  /** optimizerSource(). */
  code: OptimizerSource;
  hyperSize: number;
  entry?: string;
  extra?: ExtraBindings;
  /** Workgroups to dispatch; default: one thread per coordinate of all runs. */
  workgroups?: [number, number];
  overrides?: Record<string, number>;
}

/**
 * Whether any run of the population has a nonzero value in hyper slot `slot` of `def`: kernels pass
 * it as an override so that a per-run option no run uses (AMSGrad, say) is compiled out. On
 * SwiftShader a branch no lane takes still costs what it would if taken (docs/performance.md).
 */
export function anyHyper(
  ctx: GpuOptimizerContext,
  def: Pick<OptimizerDef, 'name' | 'hyper' | 'hyperSize'>,
  slot: string,
): boolean {
  const k = hyperIndex(def, slot);
  for (let r = 0; r < ctx.runs; r++) if (ctx.hyperHost[r * def.hyperSize + k] !== 0) return true;
  return false;
}

/** Coordinates each thread of the frame's `main` visits (about). */
const PER_THREAD = 16;

/** Compile one kernel of the part-A frame bound to ctx's buffers (plus extras) and StepInfo. */
export async function frameKernel(ctx: GpuOptimizerContext, o: KernelOptions): Promise<Kernel> {
  if (o.hyperSize > 16) throw new Error(`${o.label}: hyperSize ${o.hyperSize}; the frame caches at most 16`);
  const io = frameIo(o.extra?.io);
  const entry = o.entry ?? 'main';
  // The divergence guard's per-step work rides along in `main`, which runs every update (see
  // optim_common.wgsl); the frame's other entry points (reductions) get the bindings unused.
  // It needs three more storage bindings; an adapter with too few keeps the guard's own kernels.
  const storage = Object.values(io).filter((b) => b.access !== 'uniform').length + 3;
  const g = ctx.guard && storage <= ctx.device.limits.maxStorageBuffersPerShaderStage ? ctx.guard : undefined;
  if (g && floatsIn(g.lastGood) !== floatsIn(ctx.params))
    throw new Error(`${o.label}: guard.lastGood holds ${floatsIn(g.lastGood)} floats, params ${floatsIn(ctx.params)}`);
  const defines = {
    PARAMS_LEN: floatsIn(ctx.params),
    GRADS_LEN: floatsIn(ctx.grads),
    STATE_LEN: floatsIn(ctx.state),
    GUARD: !!g,
    GUARD_NS: g?.ns ?? 0,
    GUARD_BATCH: g?.batchField ?? 0,
  };
  const frame = snippet('optim_common', unrollWgsl(commonWgsl, {}, defines));
  const kernel = await createKernel(
    ctx.device,
    ctx.pipelines,
    {
      label: o.label,
      source: o.code.own,
      snippets: [frame, ...o.code.snippets],
      entry,
      overrides: { WG: OPTIM_WG, HS: Math.max(1, o.hyperSize), SS: STEP_SCALARS, ...(o.overrides ?? {}) },
      io,
      step: true,
      stepIo: g ? GUARD_IO : {},
    },
    {
      params: ctx.params,
      grads: ctx.grads,
      state: ctx.state,
      hyper: ctx.hyper,
      scalars: ctx.stepScalars,
      ...(o.extra?.buffers ?? {}),
    },
    o.workgroups ?? perRunGrid('optimizer', ctx.runs, ctx.paramCount, OPTIM_WG, PER_THREAD),
    ctx.stepInfo,
    g ? { lastGood: g.lastGood, guardStats: g.stats, guardStatus: g.status } : {},
  );
  return { ...kernel, guarded: !!g && entry === 'main' };
}

/**
 * A GpuOptimizer running `kernels` in order each step; `owned` buffers are destroyed with it.
 * Nothing is dispatched for an empty population.
 */
export function gpuOptimizer(ctx: GpuOptimizerContext, kernels: Kernel[], owned: GPUBuffer[] = []): GpuOptimizer {
  const empty = ctx.runs * ctx.paramCount === 0;
  return {
    // The guard's work is done when one kernel (the frame's update) does it; no other kernel of a
    // step may write the parameters after it.
    guarded: kernels.some((k) => k.guarded),
    dispatches: empty ? 0 : kernels.length,
    encode(pass, stepInfoOffset) {
      if (empty) return;
      for (const k of kernels) k.encode(pass, stepInfoOffset);
    },
    destroy() {
      for (const b of owned) b.destroy();
    },
  };
}

/** The usual case: one elementwise update kernel over all coordinates of all runs. */
export async function createElementwiseGpu(
  ctx: GpuOptimizerContext,
  label: string,
  code: OptimizerSource,
  hyperSize: number,
  extra?: ExtraBindings,
  owned: GPUBuffer[] = [],
  overrides?: Record<string, number>,
): Promise<GpuOptimizer> {
  const k = await frameKernel(ctx, { label, code, hyperSize, extra, overrides });
  return gpuOptimizer(ctx, [k], owned);
}

// ---- tensors -------------------------------------------------------------------------------------

/**
 * Check that `tensors` tile one run's parameters [0, paramCount) in order, without gaps or
 * overlaps (per-tensor kernels rely on it); throws a specific error otherwise.
 */
export function checkTensorTiling(tensors: TensorInfo[], paramCount: number, who: string): void {
  let next = 0;
  tensors.forEach((t, k) => {
    if (t.offset !== next)
      throw new Error(
        `${who}: tensors[${k}] (${t.name}) starts at ${t.offset}, expected ${next} (tensors must tile the parameters in order)`,
      );
    if (!(t.size >= 1)) throw new Error(`${who}: tensors[${k}] (${t.name}) has size ${t.size}, expected >= 1`);
    next += t.size;
  });
  if (next !== paramCount) throw new Error(`${who}: tensors cover ${next} floats, expected paramCount = ${paramCount}`);
}

/** u32 vec4 per tensor: (offset, size, 1 for a bias / 0 for a weight, 0), uploaded as a storage buffer. */
export function tensorTableBuffer(ctx: GpuOptimizerContext, label: string): GPUBuffer {
  const table = new Uint32Array(Math.max(1, ctx.tensors.length) * 4);
  ctx.tensors.forEach((t, k) => table.set([t.offset, t.size, t.kind === 'bias' ? 1 : 0, 0], k * 4));
  return storageBuffer(ctx.device, table, label);
}

/** Index of the tensor holding coordinate j of a run (tensors tile the run, checked beforehand). */
export function tensorIndexOf(tensors: TensorInfo[], j: number): number {
  for (let k = 0; k < tensors.length; k++)
    if (j >= tensors[k].offset && j < tensors[k].offset + tensors[k].size) return k;
  return -1;
}
