/**
 * The dense-layer kernels of an MLP graph (mlp_gpu.ts): the forward and backward pipelines compiled
 * from the WGSL templates for a layer, batch size and mode, with the explicit layouts every variant
 * shares, the bind-group and per-layer uniform helpers, and the context the graph builders
 * (mlp_gpu_train.ts, mlp_gpu_eval.ts) share.
 */
import activationsWgsl from '../../../shaders/activations.wgsl?raw';
import forwardWgsl from '../../../shaders/mlp_forward.wgsl?raw';
import backwardWgsl from '../../../shaders/mlp_backward.wgsl?raw';
import denseCommonWgsl from '../../../shaders/dense_common.wgsl?raw';
import type { ParamLayout } from './layout';
import type { LossCentre, LossOp, LossOpOptions } from './loss_gpu';
import type { MlpGpuOptions } from './mlp_gpu';
import { groupLayout, type Access, type PipelineCache } from '../webgpu/pipelines';
import { unrollWgsl, type Defines } from '../webgpu/unroll';
import { denseBackwardThreads, denseForwardThreads, denseTiles, denseWorkgroup } from './dense_tuning';

/** Workgroup size of the MLP graph's element-wise kernels (pair mask, per-example norms). */
export const WG = 128;

/** One step op of a graph: records its dispatches for step slot `slot`. */
export type Op = (pass: GPUComputePassEncoder, slot: number) => void;

export interface DenseKernel {
  pipe: GPUComputePipeline;
  /** Threads to dispatch. */
  n: number;
  wg: number;
}

export interface DenseKernels {
  /** The register tile of this device (denseTileFor). */
  tile: number;
  /**
   * The forward of layer l over b examples per run; mode is the input mode of layer 0 (1 minibatch
   * rows, 2 rows in order); storeZ: whether the layer writes its pre-activations (always for the
   * last layer, the logits).
   */
  forward(l: number, mode: number, b: number, storeZ: boolean): Promise<DenseKernel>;
  /**
   * The backward of layer l; scaled: the per-example-scaled variant (clipping); part: 0 both parts
   * of the backward, 1 the weight gradient only, 2 the previous delta only.
   */
  backward(l: number, mode: number, b: number, scaled: boolean, part?: number): Promise<DenseKernel>;
  /** A bind group of `entries` at bindings 0, 1, ... of `pipe`'s group. */
  bind(pipe: GPUComputePipeline, entries: GPUBuffer[], group?: number): GPUBindGroup;
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
  /** A storage buffer of `floats` floats, destroyed with the MlpGpu. */
  buffer(floats: number, label: string): GPUBuffer;
  /** A uniform buffer, destroyed with the MlpGpu. */
  uniform(words: Uint32Array | ArrayBuffer, label: string): GPUBuffer;
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
  const code = (template: string, l: number, b: number, defines: Defines) => {
    const ly = o.layout.layers[l];
    return [
      activationsWgsl,
      denseCommonWgsl,
      unrollWgsl(template, denseTiles(tile, b, ly.inDim, ly.outDim), defines),
    ].join('\n');
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
  // Explicit layouts: a mode switched off at compile time leaves some bindings unused, and an
  // 'auto' layout would drop them, so every variant of a kernel shares one layout.
  const denseLayout = (readOnly: number, writable: number): GPUPipelineLayout =>
    device.createPipelineLayout({
      bindGroupLayouts: [
        groupLayout(device, [
          'uniform',
          ...Array<Access>(readOnly).fill('read'),
          ...Array<Access>(writable).fill('rw'),
        ]),
      ],
    });
  const fwdLayout = denseLayout(4, 2);
  const bwdLayout = denseLayout(6, 2);
  const forward = async (l: number, mode: number, b: number, storeZ: boolean): Promise<DenseKernel> => {
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
    const pipe = await pipelines.get(
      'mlp_forward',
      code(forwardWgsl, l, b, defines),
      'main',
      { ...shape(l, b), WG: wg },
      fwdLayout,
    );
    return { pipe, n, wg };
  };
  const backward = async (l: number, mode: number, b: number, scaled: boolean, part = 0): Promise<DenseKernel> => {
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
    const pipe = await pipelines.get(
      'mlp_backward',
      code(backwardWgsl, l, b, defines),
      'main',
      {
        ...shape(l, b),
        WG: wg,
      },
      bwdLayout,
    );
    return { pipe, n, wg };
  };
  const bind = (pipe: GPUComputePipeline, entries: GPUBuffer[], group = 0): GPUBindGroup =>
    device.createBindGroup({
      layout: pipe.getBindGroupLayout(group),
      entries: entries.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  const layerDense = (l: number, rowOffset: number): Uint32Array => {
    const ly = o.layout.layers[l];
    return denseUniform([P, ly.weightOffset, Math.max(0, ly.biasOffset), rowOffset]);
  };
  return { tile, forward, backward, bind, layerDense };
}
