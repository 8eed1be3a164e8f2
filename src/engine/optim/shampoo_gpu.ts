/**
 * Shampoo's GPU update for a population (shaders/optim_shampoo.wgsl): two dispatches per step, each
 * over every tensor of every run at once. `factors` (one workgroup per factor and run) accumulates
 * the factors and, on refresh steps, recomputes their inverse fourth roots by the coupled Newton
 * iteration inside the workgroup; `update` (one workgroup per tensor and run) advances the moments
 * and steps. The factors and roots are internal state (checkpoints save them).
 */
import shampooWgsl from '../../../shaders/optim_shampoo.wgsl?raw';
import { storageBuffer } from '../webgpu/buffers';
import { pick, read, rw, workgroupReduce, type GroupDecl } from '../webgpu/kernel_io';
import type { PipelineCache } from '../webgpu/pipelines';
import { unrollWgsl } from '../webgpu/unroll';
import type { TensorInfo } from '../model/layout';
import { checkTensorTiling, gpuOptimizer } from './common';
import { createKernel, type Kernel } from './kernel';
import { identityRoots, shampooLayout, type ShampooLayout } from './shampoo_cpu';
import { slotSnippet } from './slots';
import type { GpuOptimizer, GpuOptimizerContext, OptimizerDef } from './types';

/** Threads per workgroup of both kernels. */
export const SHAMPOO_WG = 64;
/** The coupled Newton iteration's stop: max |M - I| <= tolerance, or this many iterations. */
export const NEWTON_MAX_ITERATIONS = 40;
export const NEWTON_TOLERANCE = 1e-5;
/** Side of the register tile each thread computes in every matrix product of both kernels. */
const TILE = 4;

const NONE = 0xffffffff;

/** Every binding of optim_shampoo.wgsl; each entry point binds its subset (FACTORS_IO, UPDATE_IO). */
export const SHAMPOO_IO = {
  params: rw(),
  grads: read(),
  state: rw(),
  hyperR: read(),
  scalars: read(),
  /** Per tensor two vec4u, then one per factor (optim_shampoo.wgsl). */
  tables: read('array<vec4u>'),
  /** [run][FR]: the factors. */
  facs: rw(),
  /** [run][FR]: their inverse fourth roots. */
  roots: rw(),
  /** [run][4 FR]: the Newton iteration's scratch matrices. */
  newton: rw(),
  /** [run][2 P]: Linv m_hat and the preconditioned direction. */
  work: rw(),
};
const FACTORS_IO = pick(SHAMPOO_IO, 'grads', 'hyperR', 'scalars', 'tables', 'facs', 'roots', 'newton');
const UPDATE_IO = pick(SHAMPOO_IO, 'params', 'grads', 'state', 'hyperR', 'scalars', 'tables', 'roots', 'work');

/** The tables buffer's contents (see optim_shampoo.wgsl). */
export function shampooTables(layout: ShampooLayout): Uint32Array {
  const nt = layout.tensors.length;
  const out = new Uint32Array(Math.max(1, 2 * nt + layout.factors.length) * 4);
  layout.tensors.forEach((t, k) => {
    out.set([t.offset, t.rows, t.cols, t.preconditioned ? 1 : 0], 8 * k);
    out.set([t.lOff < 0 ? NONE : t.lOff, t.rOff < 0 ? NONE : t.rOff, 0, 0], 8 * k + 4);
  });
  layout.factors.forEach((f, i) => out.set([f.n, f.off, f.tensor, f.side], 4 * (2 * nt + i)));
  return out;
}

/** The buffers createShampooGpu allocates, with their sizes in floats (OptimizerDef.gpuBuffers). */
export function shampooGpuBuffers(tensors: TensorInfo[], runs: number) {
  const layout = shampooLayout(tensors);
  const P = tensors.reduce((a, t) => a + t.size, 0);
  const fr = Math.max(1, runs * layout.floats);
  return [
    { label: 'shampoo.facs', floats: fr, what: 'the Kronecker factors of every weight matrix' },
    { label: 'shampoo.roots', floats: fr, what: 'their inverse fourth roots' },
    { label: 'shampoo.newton', floats: 4 * fr, what: 'the scratch matrices of the inverse-root iteration' },
    { label: 'shampoo.work', floats: Math.max(1, 2 * runs * P), what: 'the preconditioned directions' },
    {
      label: 'shampoo.tables',
      floats: Math.max(1, 2 * tensors.length + layout.factors.length) * 4,
      what: 'the tensor and factor tables',
    },
  ];
}

/** The two kernels bound to the given buffers (the oracle test drives them directly). */
export async function shampooKernels(
  device: GPUDevice,
  pipelines: PipelineCache,
  def: Pick<OptimizerDef, 'name' | 'hyper' | 'scalars' | 'hyperSize'>,
  dims: { runs: number; paramCount: number; layout: ShampooLayout; tensors: number },
  buffers: Record<keyof typeof SHAMPOO_IO, GPUBuffer>,
  stepInfo: GPUBuffer,
): Promise<{ factors?: Kernel; update: Kernel }> {
  const { runs: R, paramCount: P, layout } = dims;
  const overrides = {
    WG: SHAMPOO_WG,
    R,
    P,
    FR: Math.max(1, layout.floats),
    NT: dims.tensors,
    HS: def.hyperSize,
    MAX_IT: NEWTON_MAX_ITERATIONS,
    TOL: NEWTON_TOLERANCE,
  };
  const snippets = [
    slotSnippet(def),
    workgroupReduce('pairSum', 'vec2f', 'WG'),
    workgroupReduce('errMax', 'f32', 'WG', 'max(a, b)'),
  ];
  const make = async <G extends GroupDecl>(entry: string, io: G, grid: [number, number]) => {
    const bound = Object.fromEntries(Object.keys(io).map((k) => [k, buffers[k as keyof typeof SHAMPOO_IO]]));
    const source = unrollWgsl(shampooWgsl, { TS: TILE }, { FACTORS: entry === 'factors' });
    return createKernel(
      device,
      pipelines,
      { label: `optim_shampoo.${entry}`, source, snippets, entry, overrides, io, step: true },
      bound as Record<keyof G, GPUBuffer>,
      grid,
      stepInfo,
    );
  };
  if (R > 65535) throw new Error(`shampoo: ${R} runs exceed the 65535 workgroup limit`);
  const nf = layout.factors.length;
  return {
    factors: nf > 0 ? await make('factors', FACTORS_IO, [nf, R]) : undefined,
    update: await make('update', UPDATE_IO, [Math.max(1, dims.tensors), R]),
  };
}

export async function createShampooGpu(
  ctx: GpuOptimizerContext,
  def: Pick<OptimizerDef, 'name' | 'hyper' | 'scalars' | 'hyperSize'>,
): Promise<GpuOptimizer> {
  const { device, runs: R, paramCount: P } = ctx;
  checkTensorTiling(ctx.tensors, P, 'shampoo');
  const layout = shampooLayout(ctx.tensors);
  const sizes = Object.fromEntries(shampooGpuBuffers(ctx.tensors, R).map((b) => [b.label, b.floats]));
  const facs = storageBuffer(device, sizes['shampoo.facs'], 'shampoo.facs');
  const roots = storageBuffer(device, sizes['shampoo.roots'], 'shampoo.roots');
  if (R * layout.floats > 0) {
    // Every root starts as the identity (as the reference's and cpuInit's do).
    const eye = Float32Array.from(identityRoots(layout));
    for (let r = 0; r < R; r++) device.queue.writeBuffer(roots, r * layout.floats * 4, eye);
  }
  const newton = storageBuffer(device, sizes['shampoo.newton'], 'shampoo.newton');
  const work = storageBuffer(device, sizes['shampoo.work'], 'shampoo.work');
  const tables = storageBuffer(device, shampooTables(layout), 'shampoo.tables');
  const k = await shampooKernels(
    device,
    ctx.pipelines,
    def,
    { runs: R, paramCount: P, layout, tensors: ctx.tensors.length },
    {
      params: ctx.params,
      grads: ctx.grads,
      state: ctx.state,
      hyperR: ctx.hyper,
      scalars: ctx.stepScalars,
      tables,
      facs,
      roots,
      newton,
      work,
    },
    ctx.stepInfo,
  );
  const kernels = k.factors ? [k.factors, k.update] : [k.update];
  const opt = gpuOptimizer(ctx, kernels, [facs, roots, newton, work, tables]);
  return {
    ...opt,
    internalState: [
      { name: 'factors', buffer: facs, floatsPerRun: layout.floats },
      { name: 'roots', buffer: roots, floatsPerRun: layout.floats },
    ],
  };
}
