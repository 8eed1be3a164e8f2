/**
 * The dense-layer kernels of an MLP graph (mlp_gpu.ts): the forward and backward pipelines compiled
 * from the WGSL templates for a layer, batch size and mode, their bindings declared once
 * (mlpForwardIo, mlpBackwardIo; kernel_io.ts derives the WGSL binding lines, the layouts every
 * variant shares and the bind groups by name), the paired ReLU mask kernel (RELU_PAIR_MASK_IO), the
 * WGSL snippets the model kernels share (ACTIVATIONS, DENSE_COMMON), the per-layer uniform helper,
 * and the context the graph builders (mlp_gpu_train.ts, mlp_gpu_eval.ts) share.
 */
import activationsWgsl from '../../../shaders/activations.wgsl?raw';
import forwardWgsl from '../../../shaders/mlp_forward.wgsl?raw';
import backwardWgsl from '../../../shaders/mlp_backward.wgsl?raw';
import denseCommonWgsl from '../../../shaders/dense_common.wgsl?raw';
import pairMaskWgsl from '../../../shaders/relu_pair_mask.wgsl?raw';
import type { ParamLayout } from './layout';
import type { LossCentre, LossOp, LossOpOptions } from './loss_gpu';
import type { MlpGpuOptions } from './mlp_gpu';
import type { MlpBufferDims } from './mlp_gpu_plan';
import type { PipelineCache } from '../webgpu/pipelines';
import {
  bindGroupOf,
  pipelineLayoutOf,
  read,
  rw,
  snippet,
  uniform,
  wgslSource,
  type GroupBuffers,
  type GroupDecl,
  type KernelIo,
} from '../webgpu/kernel_io';
import { unrollWgsl, type Defines } from '../webgpu/unroll';
import { dispatchSize, uniformBuffer } from '../webgpu/buffers';
import { denseBackwardThreads, denseForwardThreads, denseTiles, denseWorkgroup } from './dense_tuning';

/** Workgroup size of the MLP graph's element-wise kernels (pair mask, per-example norms). */
export const WG = 128;

/**
 * shaders/activations.wgsl: act(z), act_grad(z) and the ACT override that selects the function;
 * every model kernel that applies an activation (dense, tail, CNN) lists it.
 */
export const ACTIVATIONS = snippet('activations', activationsWgsl);

/** shaders/dense_common.wgsl: in_base, the input row of the dense kernels (uses their `o` and `idx`). */
export const DENSE_COMMON = snippet('dense_common', denseCommonWgsl);

/**
 * The bindings of the dense forward (shaders/mlp_forward.wgsl) for a variant of its template: the
 * outputs are fixed-size arrays (OUT_LEN = R * B * OUT floats, a define) where the variant stores
 * them (outZ with STORE_Z, outA unless IS_LAST), runtime-sized placeholders otherwise. Every
 * variant has the same layout.
 */
export function mlpForwardIo(d: { STORE_Z: boolean; IS_LAST: boolean }) {
  return [
    {
      o: uniform('Offsets'),
      params: read(),
      inActs: read(),
      X: read(),
      idx: read('array<u32>'),
      outZ: rw(d.STORE_Z ? 'array<f32, OUT_LEN>' : 'array<f32>'),
      outA: rw(d.IS_LAST ? 'array<f32>' : 'array<f32, OUT_LEN>'),
    },
  ] as const satisfies KernelIo;
}

/**
 * The bindings of the dense backward (shaders/mlp_backward.wgsl) for a variant of its template:
 * grads has GRAD_LEN = R * P floats; zPrevOrScale (act'(Z) of the previous layer, or the
 * per-example scales with SCALED) and deltaPrev have PREV_LEN = R * B * IN where the variant
 * computes the previous delta (NEED_PREV), runtime sizes otherwise. Every variant has the same
 * layout.
 */
export function mlpBackwardIo(d: { NEED_PREV: boolean }) {
  const prev = d.NEED_PREV ? 'array<f32, PREV_LEN>' : 'array<f32>';
  return [
    {
      o: uniform('Offsets'),
      params: read(),
      delta: read(),
      inActs: read(),
      X: read(),
      idx: read('array<u32>'),
      zPrevOrScale: read(prev),
      grads: rw('array<f32, GRAD_LEN>'),
      deltaPrev: rw(prev),
    },
  ] as const satisfies KernelIo;
}

export type MlpForwardGroup = ReturnType<typeof mlpForwardIo>[0];
export type MlpBackwardGroup = ReturnType<typeof mlpBackwardIo>[0];

/** The bindings of the paired ReLU mask (shaders/relu_pair_mask.wgsl), MLP and CNN graphs alike. */
export const RELU_PAIR_MASK_IO = [
  { d: uniform('PairDims'), Z: read(), A: rw(), zMid: rw() },
] as const satisfies KernelIo;

/** The paired ReLU mask kernel with workgroup size `wg`. */
export function reluPairMaskPipeline(
  device: GPUDevice,
  pipelines: PipelineCache,
  wg: number,
): Promise<GPUComputePipeline> {
  const io = RELU_PAIR_MASK_IO;
  return pipelines.get(
    'relu_pair_mask',
    wgslSource(io, pairMaskWgsl),
    'main',
    { WG: wg },
    pipelineLayoutOf(device, io),
  );
}

/** One step op of a graph: records its dispatches for step slot `slot`. */
export type Op = (pass: GPUComputePassEncoder, slot: number) => void;

/**
 * The paired ReLU mask of one layer (curvature graphs, shaders/relu_pair_mask.wgsl): both halves of
 * the R = 2 x runs pairs use the midpoint's mask. Its uniform goes to `own`.
 */
export async function reluPairMaskOp(
  device: GPUDevice,
  pipelines: PipelineCache,
  o: { runs: number; batch: number; width: number; wg: number; label: string },
  buffers: { Z: GPUBuffer; A: GPUBuffer; zMid: GPUBuffer },
  own: (b: GPUBuffer) => void,
): Promise<Op> {
  const pipe = await reluPairMaskPipeline(device, pipelines, o.wg);
  const d = uniformBuffer(device, new Uint32Array([o.runs, o.batch, o.width, 0]), o.label);
  own(d);
  const bg = bindGroupOf(device, o.label, RELU_PAIR_MASK_IO[0], { d, ...buffers });
  const grid = dispatchSize(o.runs * o.batch * o.width, o.wg);
  return (pass) => {
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(...grid);
  };
}

export interface DenseKernel<G extends GroupDecl> {
  pipe: GPUComputePipeline;
  /** Threads to dispatch. */
  n: number;
  wg: number;
  /** The kernel's bind group of `buffers`, by binding name (mlpForwardIo, mlpBackwardIo). */
  bind(label: string, buffers: GroupBuffers<G>): GPUBindGroup;
}

export interface DenseKernels {
  /** The register tile of this device (denseTileFor). */
  tile: number;
  /**
   * The forward of layer l over b examples per run; mode is the input mode of layer 0 (1 minibatch
   * rows, 2 rows in order); storeZ: whether the layer writes its pre-activations (always for the
   * last layer, the logits).
   */
  forward(l: number, mode: number, b: number, storeZ: boolean): Promise<DenseKernel<MlpForwardGroup>>;
  /**
   * The backward of layer l; scaled: the per-example-scaled variant (clipping); part: 0 both parts
   * of the backward, 1 the weight gradient only, 2 the previous delta only.
   */
  backward(l: number, mode: number, b: number, scaled: boolean, part?: number): Promise<DenseKernel<MlpBackwardGroup>>;
  /** The dense uniform of layer l: param count, weight and bias offsets, first row. */
  layerDense(l: number, rowOffset: number): Uint32Array;
}

/** The options of buildLossOp that a graph builder chooses (the rest come from the MLP's options). */
export type GraphLossOptions = Omit<
  LossOpOptions,
  'runs' | 'loss' | 'outDim' | 'nClasses' | 'targetDim' | 'ns' | 'stats' | 'dummy' | 'steps' | 'idxPerRun'
>;

/** What the graph builders of one MlpGpu share: its options, kernels, placeholders and allocators. */
export interface MlpGraphContext {
  device: GPUDevice;
  pipelines: PipelineCache;
  o: MlpGpuOptions;
  /** ACT_CODE of the hidden layers' activation. */
  act: number;
  k: DenseKernels;
  /** Placeholders for unused read-only and writable bindings (one buffer may not be bound both ways). */
  dummy: GPUBuffer;
  dummyW: GPUBuffer;
  /** The graph's buffer `label`, allocated with the MlpGpu from its table (mlp_gpu_plan.ts). */
  buf(label: string): GPUBuffer;
  /** What sized that table. */
  dims: MlpBufferDims;
  /** A uniform buffer, destroyed with the MlpGpu. */
  uniform(words: Uint32Array | ArrayBuffer, label: string): GPUBuffer;
  /** Destroy `b` with the MlpGpu. */
  own(b: GPUBuffer): void;
  /** model.outputScale: the centring of a set whose offsets F(w0, x) hold `rows` rows per run. */
  centre(offsets: GPUBuffer | undefined, rows: number): LossCentre | undefined;
  /** A loss op over this MLP's logits (its uniform destroyed with the MlpGpu). */
  lossOp(x: GraphLossOptions): Promise<LossOp>;
}

function denseUniform(w: number[]): Uint32Array {
  return new Uint32Array(w);
}

/** The dense kernels of an MLP of `layout` over `runs` runs on `device` with register tile `tile`. */
export function denseKernels(
  device: GPUDevice,
  pipelines: PipelineCache,
  o: { layout: ParamLayout; runs: number; idxPerRun: boolean; act: number; tile: number },
): DenseKernels {
  const { tile, act } = o;
  const L = o.layout.layers.length;
  const R = o.runs;
  const P = o.layout.paramCount;
  const widths = o.layout.widths;
  // Modes are compile-time switches of the templates (unrollWgsl's //#if), not override constants.
  const code = (io: KernelIo, template: string, l: number, b: number, defines: Defines) => {
    const ly = o.layout.layers[l];
    return wgslSource(io, unrollWgsl(template, denseTiles(tile, b, ly.inDim, ly.outDim), defines), [
      ACTIVATIONS,
      DENSE_COMMON,
    ]);
  };
  const shape = (l: number, b: number) => {
    const ly = o.layout.layers[l];
    return {
      WG,
      ACT: act,
      R,
      B: b,
      IN: ly.inDim,
      OUT: ly.outDim,
      IDX_PER_RUN: o.idxPerRun ? 1 : 0,
      HAS_BIAS: ly.biasOffset >= 0 ? 1 : 0,
    };
  };
  // Explicit layouts (pipelineLayoutOf): a mode switched off at compile time leaves some bindings
  // unused, and an 'auto' layout would drop them, so every variant of a kernel shares one layout.
  const forward = async (
    l: number,
    mode: number,
    b: number,
    storeZ: boolean,
  ): Promise<DenseKernel<MlpForwardGroup>> => {
    const n = denseForwardThreads(tile, R, b, widths[l], widths[l + 1]);
    const wg = denseWorkgroup(n);
    const t = denseTiles(tile, b, widths[l], widths[l + 1]);
    const defines = {
      IN_MODE: l === 0 ? mode : 0,
      IS_LAST: l === L - 1,
      FULL_TILES: b % t.TB === 0 && widths[l + 1] % t.TJ === 0,
      STORE_Z: storeZ || l === L - 1,
      OUT_LEN: R * b * widths[l + 1],
    };
    const io = mlpForwardIo(defines);
    const pipe = await pipelines.get(
      'mlp_forward',
      code(io, forwardWgsl, l, b, defines),
      'main',
      { ...shape(l, b), WG: wg },
      pipelineLayoutOf(device, io),
    );
    return { pipe, n, wg, bind: (label, buffers) => bindGroupOf(device, label, io[0], buffers) };
  };
  const backward = async (
    l: number,
    mode: number,
    b: number,
    scaled: boolean,
    part = 0,
  ): Promise<DenseKernel<MlpBackwardGroup>> => {
    const needPrev = l > 0 && !scaled;
    if (part !== 0 && !needPrev) throw new Error(`dense backward: part ${part} needs the previous delta`);
    const nGrad = denseBackwardThreads(tile, R, b, widths[l], widths[l + 1], false);
    const nAll = denseBackwardThreads(tile, R, b, widths[l], widths[l + 1], needPrev);
    const n = part === 1 ? nGrad : part === 2 ? nAll - nGrad : nAll;
    const wg = denseWorkgroup(n);
    const t = denseTiles(tile, b, widths[l], widths[l + 1]);
    const defines = {
      IN_MODE: l === 0 ? mode : 0,
      FULL_GRAD: widths[l + 1] % t.TJ === 0 && widths[l] % t.TK === 0,
      FULL_PREV: b % t.TB === 0 && widths[l] % t.TK === 0,
      NEED_PREV: needPrev,
      SCALED: scaled,
      PART: part,
      GRAD_LEN: R * P,
      PREV_LEN: R * b * widths[l],
    };
    const io = mlpBackwardIo(defines);
    const pipe = await pipelines.get(
      'mlp_backward',
      code(io, backwardWgsl, l, b, defines),
      'main',
      {
        ...shape(l, b),
        WG: wg,
      },
      pipelineLayoutOf(device, io),
    );
    return { pipe, n, wg, bind: (label, buffers) => bindGroupOf(device, label, io[0], buffers) };
  };
  const layerDense = (l: number, rowOffset: number): Uint32Array => {
    const ly = o.layout.layers[l];
    return denseUniform([P, ly.weightOffset, Math.max(0, ly.biasOffset), rowOffset]);
  };
  return { tile, forward, backward, layerDense };
}
