/**
 * Muon's update for a population, as a short chain of dispatches batched over the runs:
 *
 *   prep   (optim_muon.wgsl, one workgroup per (tensor, run)): the momentum of every Muon matrix,
 *          its update u written wide (transposed when rows > cols) into x0, the per-run Frobenius
 *          norm by a workgroup reduction, and X = u / (||u||_F + 1e-7);
 *   gemm   (optim_muon_ns.wgsl), per Muon matrix and Newton–Schulz iteration, three batched matrix
 *          products, register-tiled: A = X X^T, B = b A + c A A, X' = a X + B X (X ping-pongs
 *          x0 <-> x1);
 *   main   (optim_muon.wgsl, the optimizer frame): every coordinate; a Muon matrix's steps with
 *          its orthogonalised X, every other tensor AdamW.
 *
 * Dispatches per step: 2 + 3 x (Newton–Schulz steps) x (Muon matrices), where the steps are the most
 * any run asks for and a matrix counts when any run orthogonalises it; a run with fewer steps (or
 * with the matrix on AdamW) skips, copying X forward. Each gemm reads its shape, operand offsets and
 * coefficients from a record of a small uniform table at a dynamic offset, so two pipelines (rhs
 * transposed or not) serve them all.
 */
import muonWgsl from '../../../shaders/optim_muon.wgsl?raw';
import nsWgsl from '../../../shaders/optim_muon_ns.wgsl?raw';
import { COPY_DST, dispatchSize, storageBuffer, UNIFORM } from '../webgpu/buffers';
import { unrollWgsl } from '../webgpu/unroll';
import { denseTileFor } from '../model/dense_tuning';
import {
  bindGroupOf,
  pipelineLayoutOf,
  read,
  rw,
  snippet,
  wgslSource,
  windowOf,
  workgroupReduce,
  type BindingDecl,
  type KernelIo,
} from '../webgpu/kernel_io';
import type { TensorInfo } from '../model/layout';
import { checkTensorTiling, frameKernel, gpuOptimizer, optimizerSource } from './common';
import { flag, num } from './hp';
import type { Kernel } from './kernel';
import { muonMatrices, NS_COEFFS, usesMuon, type MuonMatrix } from './muon_plan';
import { slotSnippet } from './slots';
import type { GpuOptimizer, GpuOptimizerContext, Hyper, OptimizerDef } from './types';

/** A Muon matrix of the population with its place in the scratch buffers. */
export interface NsLayer extends MuonMatrix {
  /** X is m x n with m = min(rows, cols) (wide); transposed when rows > cols. */
  m: number;
  n: number;
  /** Offset of its X in a run's stride of x0 / x1. */
  xOff: number;
}

export interface NsPlan {
  /** The matrices some run orthogonalises, in tensor order. */
  layers: NsLayer[];
  /** Floats per run of x0 and x1 (the sizes of the layers; at least 1). */
  xStride: number;
  /** Floats per run of the Gram buffers A and B (the largest m^2; at least 1). */
  gramStride: number;
  /** Newton–Schulz iterations dispatched (the most any run asks for). */
  steps: number;
}

/** The scratch layout of a population whose runs have hyperparameters `hps`. */
export function nsPlan(tensors: TensorInfo[], hps: Hyper[]): NsPlan {
  const layers: NsLayer[] = [];
  let xOff = 0;
  for (const mat of muonMatrices(tensors)) {
    if (!hps.some((hp) => usesMuon(mat, flag(hp, 'adamFirstLast')))) continue;
    const m = Math.min(mat.rows, mat.cols);
    const n = Math.max(mat.rows, mat.cols);
    layers.push({ ...mat, m, n, xOff });
    xOff += m * n;
  }
  const steps = layers.length ? Math.max(0, ...hps.map((hp) => num(hp, 'nsSteps'))) : 0;
  const gramStride = Math.max(1, ...layers.map((l) => l.m * l.m));
  return { layers, xStride: Math.max(1, xOff), gramStride, steps };
}

/** OptimizerDef.gpuBuffers: the storage buffers createMuonGpu allocates. */
export function muonGpuBuffers(tensors: TensorInfo[], runs: number, hps: Hyper[]) {
  const plan = nsPlan(tensors, hps);
  const x = 'the orthogonalised updates of the Muon matrices (Newton-Schulz ping-pong)';
  const g = 'the Newton-Schulz Gram matrices X X^T and their quintic term';
  return [
    { label: 'muon.tensors', floats: 8 * Math.max(1, tensors.length), what: 'the per-tensor Muon table' },
    { label: 'muon.x0', floats: runs * plan.xStride, what: x },
    { label: 'muon.x1', floats: runs * plan.xStride, what: x },
    { label: 'muon.gramA', floats: runs * plan.gramStride, what: g },
    { label: 'muon.gramB', floats: runs * plan.gramStride, what: g },
  ];
}

/** One row of the tensor table (MuonTensor in optim_muon.wgsl). */
const MUON_TENSOR = snippet(
  'MuonTensor',
  'struct MuonTensor { offset: u32, size: u32, rows: u32, cols: u32, xOff: u32, mode: u32, scale: f32, pad: u32 }',
);

/** mode of a table row: AdamW, Muon, or Muon unless the run's adamFirstLast is on. */
const MODE = { adam: 0, muon: 1, muonUnlessEnds: 2 } as const;

function tensorTable(tensors: TensorInfo[], plan: NsPlan): Uint32Array {
  const rows = new Uint32Array(8 * Math.max(1, tensors.length));
  const f = new Float32Array(rows.buffer);
  tensors.forEach((t, k) => {
    const l = plan.layers.find((x) => x.tensor === k);
    const mode = !l ? MODE.adam : l.end ? MODE.muonUnlessEnds : MODE.muon;
    rows.set([t.offset, t.size, l?.rows ?? 0, l?.cols ?? 0, l?.xOff ?? 0, mode], 8 * k);
    f[8 * k + 6] = l?.scale ?? 1;
  });
  return rows;
}

/** The record of one gemm dispatch (NsDims in optim_muon_ns.wgsl): 16 four-byte fields. */
const NS_DIMS = snippet(
  'NsDims',
  [
    'struct NsDims {',
    '  m: u32, k: u32, n: u32, transR: u32,',
    '  lOff: u32, lRs: u32, rOff: u32, rRs: u32,',
    '  eOff: u32, eRs: u32, oOff: u32, oRs: u32,',
    '  alpha: f32, beta: f32, iter: u32, flags: u32,',
    '}',
  ].join('\n'),
);
const NS_DIMS_BYTES = 64;
/** NsDims.flags: copy the addend to the output for a run that skips (X' of a finished run). */
export const NS_COPY = 1;
/** NsDims.flags: the matrix is the first or last (skipped by runs with adamFirstLast). */
export const NS_END = 2;

/** Group 0 of the gemm: C = alpha E + beta L op(R), per run. Group 1: its NsDims record. */
export const NS_IO = { hyperR: read(), lhs: read(), rhs: read(), addend: read(), out: rw() };
const DIMS: BindingDecl = {
  access: 'uniform',
  type: 'NsDims',
  dynamic: true,
  minBytes: NS_DIMS_BYTES,
  requires: NS_DIMS,
};
export const NS_KERNEL_IO: KernelIo = [NS_IO, { dims: DIMS }];

/** Threads per gemm workgroup (WG in optim_muon_ns.wgsl). */
const NS_WG = 64;

/** One gemm: shapes, operands (offset and per-run stride), epilogue coefficients, iteration, flags. */
export interface GemmRecord {
  m: number;
  k: number;
  n: number;
  transR: boolean;
  l: [number, number];
  r: [number, number];
  e: [number, number];
  o: [number, number];
  alpha: number;
  beta: number;
  iter: number;
  flags: number;
}

export function packGemm(g: GemmRecord): Uint32Array {
  const out = new Uint32Array(16);
  const f = new Float32Array(out.buffer);
  out.set([g.m, g.k, g.n, g.transR ? 1 : 0, ...g.l, ...g.r, ...g.e, ...g.o]);
  f[12] = g.alpha;
  f[13] = g.beta;
  out[14] = g.iter;
  out[15] = g.flags;
  return out;
}

/** The three gemms of iteration `iter` of layer `l` (A = X X^T, B = b A + c A A, X' = a X + B X). */
export function nsGemms(l: NsLayer, iter: number, plan: NsPlan): GemmRecord[] {
  const [a, b, c] = NS_COEFFS;
  const x: [number, number] = [l.xOff, plan.xStride];
  const gram: [number, number] = [0, plan.gramStride];
  const end = l.end ? NS_END : 0;
  const base = { iter, transR: false, beta: 1 };
  return [
    { ...base, m: l.m, k: l.n, n: l.m, transR: true, l: x, r: x, e: x, o: gram, alpha: 0, flags: end },
    { ...base, m: l.m, k: l.m, n: l.m, l: gram, r: gram, e: gram, o: gram, alpha: b, beta: c, flags: end },
    { ...base, m: l.m, k: l.m, n: l.n, l: gram, r: x, e: x, o: x, alpha: a, flags: end | NS_COPY },
  ];
}

/**
 * Workgroups of a gemm over `runs` runs with register tiles of tile x tile outputs: x (and y past
 * 65535) cover the tiles of one run in blocks of NS_WG, z is the run.
 */
export function gemmGrid(g: GemmRecord, runs: number, tile: number): [number, number, number] {
  if (runs > 65535) throw new Error(`muon: ${runs} runs exceed the 65535 workgroup limit`);
  const tiles = Math.ceil(g.m / tile) * Math.ceil(g.n / tile);
  const [x, y] = dispatchSize(tiles, NS_WG);
  return [x, y, Math.max(1, runs)];
}

/** The uniform table of gemm records, one per `stride` bytes, and the stride. */
export function recordTable(
  device: GPUDevice,
  records: GemmRecord[],
  label: string,
): { buffer: GPUBuffer; stride: number } {
  const align = device.limits.minUniformBufferOffsetAlignment;
  const stride = Math.ceil(NS_DIMS_BYTES / align) * align;
  const data = new Uint32Array((Math.max(1, records.length) * stride) / 4);
  records.forEach((g, q) => data.set(packGemm(g), (q * stride) / 4));
  const buffer = device.createBuffer({ size: data.byteLength, usage: UNIFORM | COPY_DST, label });
  device.queue.writeBuffer(buffer, 0, data);
  return { buffer, stride };
}

/** Operand buffers of a gemm by role: X (current and next) and the Gram pair. */
interface GemmBuffers {
  hyper: GPUBuffer;
  x: [GPUBuffer, GPUBuffer];
  gramA: GPUBuffer;
  gramB: GPUBuffer;
}

/**
 * The gemm pipeline for products with a transposed rhs or not, with register tiles of tile x tile
 * outputs (denseTileFor: 8 on CPU-backed adapters, 1 on GPUs). It serves every product of those.
 */
export async function gemmPipeline(
  device: GPUDevice,
  pipelines: GpuOptimizerContext['pipelines'],
  def: Pick<OptimizerDef, 'name' | 'hyper' | 'hyperSize'>,
  transR: boolean,
  tile = denseTileFor(device),
): Promise<GPUComputePipeline> {
  const layout = pipelineLayoutOf(device, NS_KERNEL_IO);
  // The products read hyper slots only (no step scalars: they run without StepInfo).
  const slots = slotSnippet({ name: `${def.name}-ns`, hyper: def.hyper, scalars: [] });
  const source = unrollWgsl(nsWgsl, { TM: tile, TN: tile }, { TRANS_R: transR });
  const code = wgslSource(NS_KERNEL_IO, source, [slots]);
  return pipelines.get('optim_muon_ns', code, 'gemm', { HS: Math.max(1, def.hyperSize), WG: NS_WG }, layout);
}

/** The bind group of a gemm record table (group 1, one record per dynamic offset). */
export function dimsGroup(device: GPUDevice, table: GPUBuffer): GPUBindGroup {
  return bindGroupOf(device, 'muon.ns.g1', NS_KERNEL_IO[1], { dims: windowOf(table, NS_DIMS_BYTES) });
}

/**
 * Kernels for the gemm records of the chain (three per iteration per layer, in order): iteration s
 * reads X from x[s % 2] and writes x[(s + 1) % 2].
 */
export async function gemmKernels(
  device: GPUDevice,
  pipelines: GpuOptimizerContext['pipelines'],
  def: Pick<OptimizerDef, 'name' | 'hyper' | 'hyperSize'>,
  records: GemmRecord[],
  bufs: GemmBuffers,
  runs: number,
): Promise<{ kernels: Kernel[]; owned: GPUBuffer[] }> {
  const tile = denseTileFor(device);
  const pipeline = [await gemmPipeline(device, pipelines, def, false, tile)];
  if (records.some((g) => g.transR)) pipeline.push(await gemmPipeline(device, pipelines, def, true, tile));
  const { buffer: table, stride } = recordTable(device, records, 'muon.ns-dims');
  const dims = dimsGroup(device, table);
  const group = (label: string, lhs: GPUBuffer, rhs: GPUBuffer, out: GPUBuffer) =>
    bindGroupOf(device, label, NS_IO, { hyperR: bufs.hyper, lhs, rhs, addend: rhs, out });
  const { x, gramA, gramB } = bufs;
  const groups = [0, 1].map((s) => [
    group(`muon.gram${s}`, x[s], x[s], gramA),
    group('muon.square', gramA, gramA, gramB),
    group(`muon.apply${s}`, gramB, x[s], x[1 - s]),
  ]);
  const kernels = records.map((g, q): Kernel => {
    const bg = groups[g.iter % 2][q % 3];
    const [wx, wy, wz] = gemmGrid(g, runs, tile);
    const p = pipeline[g.transR ? 1 : 0];
    return {
      encode(pass) {
        pass.setPipeline(p);
        pass.setBindGroup(0, bg);
        pass.setBindGroup(1, dims, [q * stride]);
        pass.dispatchWorkgroups(wx, wy, wz);
      },
    };
  });
  return { kernels, owned: [table] };
}

/** The Muon update of a population (see the file comment). */
export async function createMuonGpu(def: OptimizerDef, ctx: GpuOptimizerContext): Promise<GpuOptimizer> {
  const { device, runs: R } = ctx;
  checkTensorTiling(ctx.tensors, ctx.paramCount, 'muon');
  const plan = nsPlan(ctx.tensors, ctx.hps);
  const sizes = Object.fromEntries(muonGpuBuffers(ctx.tensors, R, ctx.hps).map((b) => [b.label, b.floats]));
  const table = storageBuffer(device, tensorTable(ctx.tensors, plan), 'muon.tensors');
  const x0 = storageBuffer(device, sizes['muon.x0'], 'muon.x0');
  const x1 = storageBuffer(device, sizes['muon.x1'], 'muon.x1');
  const gramA = storageBuffer(device, sizes['muon.gramA'], 'muon.gramA');
  const gramB = storageBuffer(device, sizes['muon.gramB'], 'muon.gramB');
  const owned = [table, x0, x1, gramA, gramB];

  const NT = Math.max(1, ctx.tensors.length);
  const code = optimizerSource(def, muonWgsl, workgroupReduce('muonSum', 'f32'));
  const io = { muonTensors: { ...read('array<MuonTensor>'), requires: MUON_TENSOR }, xs: rw(), xt: rw() };
  const extra = { io, buffers: { muonTensors: table, xs: x0, xt: x1 } };
  const overrides = { NT, XS: plan.xStride, FINAL: plan.steps % 2 };
  const common = { label: 'optim_muon', code, hyperSize: def.hyperSize, extra, overrides };
  const kernels: Kernel[] = [];
  if (plan.layers.length) {
    kernels.push(
      await frameKernel(ctx, { ...common, entry: 'prep', workgroups: [ctx.tensors.length, Math.max(1, R)] }),
    );
    const records = plan.layers.flatMap((l) =>
      Array.from({ length: plan.steps }, (_, s) => nsGemms(l, s, plan)).flat(),
    );
    const ns = await gemmKernels(
      device,
      ctx.pipelines,
      def,
      records,
      { hyper: ctx.hyper, x: [x0, x1], gramA, gramB },
      R,
    );
    kernels.push(...ns.kernels);
    owned.push(...ns.owned);
  }
  kernels.push(await frameKernel(ctx, common));
  return gpuOptimizer(ctx, kernels, owned);
}
