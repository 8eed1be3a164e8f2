/**
 * The kernels of the CNN ops (cnn_gpu.ts): which WGSL kernel file each op of the op list uses, with
 * the override constants of its shape, the bindings of each kernel file and entry point (declared
 * once here: CNN_ROLES and CNN_*_IO; kernel_io.ts derives the WGSL binding lines, the explicit
 * layouts and the bind groups by name), where its parameters sit in the parameter vector, and where
 * a stage reads its input.
 */
import commonWgsl from '../../../shaders/cnn_common.wgsl?raw';
import conv2dWgsl from '../../../shaders/cnn_conv2d.wgsl?raw';
import poolWgsl from '../../../shaders/cnn_pool.wgsl?raw';
import denseWgsl from '../../../shaders/cnn_dense.wgsl?raw';
import actWgsl from '../../../shaders/cnn_act.wgsl?raw';
import patchHeadWgsl from '../../../shaders/cnn_patch_head.wgsl?raw';
import gatherWgsl from '../../../shaders/cnn_gather.wgsl?raw';
import type { Overrides, PipelineCache } from '../webgpu/pipelines';
import {
  bindGroupOf,
  pick,
  pipelineLayoutOf,
  read,
  rw,
  snippet,
  uniform,
  wgslSource,
  workgroupReduce,
  type GroupDecl,
  type KernelIo,
  type WgslSnippet,
} from '../webgpu/kernel_io';
import type { CnnOp } from './cnn_spec';
import { CNN_WG } from './cnn_gpu_plan';
import { ACTIVATIONS } from './mlp_gpu_kernels';

const WG = CNN_WG;

/** shaders/cnn_common.wgsl: the Dims struct, the overrides every CNN kernel shares, flat_index. */
export const CNN_COMMON = snippet('cnn_common', commonWgsl);

/**
 * The bindings of the CNN kernels: one index per role in every kernel file, so every op binds its
 * buffers the same way. o: the Dims uniform; params; inp: the op's input; outZ: its output (the
 * pre-activation with a fused act); outA: the post-activation (fused act); dOut: the gradient
 * w.r.t. the op's output; zPrev: the pre-activation of its input (for a fused act'); dIn: the
 * gradient w.r.t. its input; grads. Each kernel file declares the roles its entry points use, at
 * these indices (CNN_*_IO).
 */
export const CNN_ROLES = {
  o: uniform('Dims'),
  params: read(),
  inp: read(),
  outZ: rw(),
  outA: rw(),
  dOut: read(),
  zPrev: read(),
  dIn: rw(),
  grads: rw(),
} as const satisfies GroupDecl;

export type CnnRole = keyof typeof CNN_ROLES;

/** Buffers of a CNN dispatch, by role (exactly the roles its entry point uses). */
export type CnnBuffers = { [K in CnnRole]?: GPUBuffer };

/** The bindings of a CNN kernel file: its WGSL binding lines, and each entry point's own group. */
export interface CnnKernelIo<E extends string = string> {
  /** Every role some entry point uses (the module's binding lines). */
  module: KernelIo;
  /** Group 0 of each entry point: the roles it uses, at their indices (its explicit layout). */
  entries: Record<E, GroupDecl>;
}

/** A kernel file's declaration from the roles each of its entry points uses. */
function cnnIo<E extends string>(entries: Record<E, readonly CnnRole[]>): CnnKernelIo<E> {
  const roles = Object.keys(CNN_ROLES) as CnnRole[];
  const names = Object.keys(entries) as E[];
  const inRoleOrder = (used: readonly CnnRole[]) => roles.filter((r) => used.includes(r));
  const groups = {} as Record<E, GroupDecl>;
  for (const e of names) groups[e] = pick(CNN_ROLES, ...inRoleOrder(entries[e]));
  return { module: [pick(CNN_ROLES, ...inRoleOrder(names.flatMap((e) => entries[e])))], entries: groups };
}

/** shaders/cnn_conv2d.wgsl. */
export const CNN_CONV2D_IO = cnnIo({
  forward: ['o', 'params', 'inp', 'outZ', 'outA'],
  backward_data: ['o', 'params', 'dOut', 'zPrev', 'dIn'],
  backward_weights: ['o', 'inp', 'dOut', 'grads'],
});

/** shaders/cnn_dense.wgsl. */
export const CNN_DENSE_IO = cnnIo({
  forward: ['o', 'params', 'inp', 'outZ', 'outA'],
  backward: ['o', 'params', 'inp', 'dOut', 'zPrev', 'dIn', 'grads'],
});

/** shaders/cnn_pool.wgsl. */
export const CNN_POOL_IO = cnnIo({
  forward: ['o', 'inp', 'outZ'],
  backward_data: ['o', 'inp', 'dOut', 'zPrev', 'dIn'],
});

/** shaders/cnn_act.wgsl. */
export const CNN_ACT_IO = cnnIo({
  forward: ['o', 'inp', 'outZ'],
  backward_data: ['o', 'inp', 'dOut', 'dIn'],
});

/** shaders/cnn_patch_head.wgsl (its backward reads no uniform and no input). */
export const CNN_PATCH_HEAD_IO = cnnIo({
  forward: ['o', 'inp', 'outZ'],
  backward_data: ['dOut', 'zPrev', 'dIn'],
});

/**
 * The conv2d weight gradient's workgroup sum (wg_sum in shaders/cnn_conv2d.wgsl backward_weights):
 * the same tree, pairs and order as the loop it replaced.
 */
const WEIGHT_SUM = workgroupReduce('wg_sum', 'f32');

/** Where a stage reads its input: value k of example b of run r is buf[off + r * rs + b * inSize + k]. */
export interface Source {
  buf: GPUBuffer;
  off: number;
  rs: number;
}

interface KernelFile {
  io: CnnKernelIo;
  code: string;
}
const file = (io: CnnKernelIo, source: string, extra: WgslSnippet[] = []): KernelFile => ({
  io,
  code: wgslSource(io.module, source, [ACTIVATIONS, CNN_COMMON, ...extra]),
});
const KERNELS = {
  conv2d: file(CNN_CONV2D_IO, conv2dWgsl, [WEIGHT_SUM]),
  pool: file(CNN_POOL_IO, poolWgsl),
  dense: file(CNN_DENSE_IO, denseWgsl),
  act: file(CNN_ACT_IO, actWgsl),
  patch: file(CNN_PATCH_HEAD_IO, patchHeadWgsl),
};

/** An op's kernel file: its WGSL, shape override constants and bindings. */
export interface CnnKernel {
  label: string;
  /** The WGSL source: the activations and CNN_COMMON snippets, the binding lines, the kernel file. */
  code: string;
  overrides: Overrides;
  io: CnnKernelIo;
}

/** A compiled entry point of a CNN kernel and the bindings it uses. */
export interface CnnEntry {
  label: string;
  pipe: GPUComputePipeline;
  group: GroupDecl;
}

/**
 * The WGSL source and shape override constants of an op's kernel file, with its bindings; entry
 * points forward, backward_data, backward_weights (conv2d) or backward (dense). Exported for the
 * per-kernel tests.
 */
export function cnnKernel(op: CnnOp): CnnKernel {
  const k = opKernel(op);
  const f = KERNELS[k.kind];
  return { label: `cnn_${k.kind}`, code: f.code, overrides: { WG, ...k.ov }, io: f.io };
}

/** Compile entry point `entry` of kernel `k` with `overrides`, its layout the bindings the entry uses. */
export async function cnnEntry(
  device: GPUDevice,
  pipelines: PipelineCache,
  k: CnnKernel,
  entry: string,
  overrides: Overrides,
): Promise<CnnEntry> {
  const group = (k.io.entries as Record<string, GroupDecl | undefined>)[entry];
  if (!group)
    throw new Error(`${k.label}: no entry point "${entry}" (declared: ${Object.keys(k.io.entries).join(', ')})`);
  const pipe = await pipelines.get(k.label, k.code, entry, overrides, pipelineLayoutOf(device, [group]));
  return { label: `${k.label}:${entry}`, pipe, group };
}

/** The bind group of entry point `e` with `buffers` by role (throws on a role it does not use, or a missing one). */
export function cnnBindGroup(device: GPUDevice, e: CnnEntry, buffers: CnnBuffers): GPUBindGroup {
  return bindGroupOf(device, e.label, e.group, buffers);
}

/** The shape override constants of an op's kernel, and which kernel file it uses. */
function opKernel(op: CnnOp): { kind: keyof typeof KERNELS; ov: Overrides } {
  switch (op.op) {
    case 'conv2d': {
      const [CI, H, W] = op.inShape;
      const [CO, OH, OW] = op.outShape;
      const { kh: KH, kw: KW, sh: SH, sw: SW, ph: PH, pw: PW } = op;
      const HAS_BIAS = op.biasOffset >= 0 ? 1 : 0;
      return { kind: 'conv2d', ov: { CI, H, W, CO, OH, OW, KH, KW, SH, SW, PH, PW, HAS_BIAS } };
    }
    case 'maxpool':
    case 'avgpool': {
      const [C, H, W] = op.inShape;
      const [, OH, OW] = op.outShape;
      const MAX = op.op === 'maxpool' ? 1 : 0;
      return { kind: 'pool', ov: { C, H, W, OH, OW, KH: op.kh, KW: op.kw, SH: op.sh, SW: op.sw, MAX } };
    }
    case 'dense':
      return { kind: 'dense', ov: { IN: op.inDim, OUT: op.outDim, HAS_BIAS: op.biasOffset >= 0 ? 1 : 0 } };
    case 'act':
      return { kind: 'act', ov: { SIZE: op.size } };
    case 'patch-head':
      return { kind: 'patch', ov: { M: op.filters, NP: op.positions } };
  }
}

/** The weight and bias offsets of an op with parameters ([0, 0] for the others). */
export function paramOffsets(op: CnnOp): [number, number] {
  return op.op === 'conv2d' || op.op === 'dense' ? [op.weightOffset, Math.max(0, op.biasOffset)] : [0, 0];
}

/** The bindings of the minibatch gather (shaders/cnn_gather.wgsl): data rows X, indices idx, the gathered rows outX. */
export const CNN_GATHER_IO = [{ X: read(), idx: read('array<u32>'), outX: rw() }] as const satisfies KernelIo;

/** The gather kernel for RG index streams of B rows of IN values. */
export function cnnGatherPipeline(
  device: GPUDevice,
  pipelines: PipelineCache,
  overrides: { WG: number; RG: number; B: number; IN: number },
): Promise<GPUComputePipeline> {
  const io = CNN_GATHER_IO;
  return pipelines.get('cnn_gather', wgslSource(io, gatherWgsl), 'main', overrides, pipelineLayoutOf(device, io));
}
