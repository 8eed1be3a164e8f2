/**
 * The dense kernels' tuning and the shape arithmetic that goes with it (shaders/mlp_forward.wgsl,
 * mlp_backward.wgsl): register tile edge by adapter, workgroup sizes, tile sizes, thread counts,
 * and when a backward runs as two dispatches. Used by MlpGpu (mlp_gpu.ts) and the benchmarks.
 */

/**
 * Register tile edge of the dense kernels (shaders/mlp_forward.wgsl, mlp_backward.wgsl): one thread
 * computes up to tile x tile outputs. 0 (the default) chooses by adapter: 8 on CPU-backed adapters
 * (SwiftShader), where it ran the 784->256 forward layer of the `wide` benchmark about 10x faster
 * than one output per thread (docs/performance.md); 1 on GPUs, which keeps the one-thread-per-output
 * parallelism a GPU needs (8x8 tiles would leave a 784->256 layer at batch 128 only 512 threads).
 * The GPU choice was measured on an NVIDIA H100 (docs/performance.md). The benchmarks set it.
 * `splitBackward`: a dense backward whose weight-gradient and previous-delta parts each have at
 * least this many threads runs as two dispatches, one per part (0: never); below it one dispatch
 * runs both, which suits a single small run (on SwiftShader every thread also pays for the code of
 * the part it skips, but an extra dispatch costs more when there are few threads).
 * `fuseTail`: 1 (default) runs the last layer of a training step as one dispatch where tailPlan
 * allows it, 0 never (the benchmarks compare).
 */
export const denseTuning = { tile: 0, minGroups: 4, splitBackward: 256, fuseTail: 1 };

/** Whether the device runs on the CPU: SwiftShader or another fallback adapter. */
export function isCpuBacked(device: GPUDevice): boolean {
  const info = (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  if (!info) return false;
  if (info.isFallbackAdapter) return true;
  return /swiftshader|llvmpipe|lavapipe|\bwarp\b/i.test(
    [info.vendor, info.architecture, info.device, info.description].join(' '),
  );
}

/**
 * Threads of a reduction that runs one workgroup per run (a norm or a dot product over a run's
 * parameters): `onGpu` on GPUs, 4 on CPU-backed adapters. SwiftShader runs a workgroup as groups of
 * 4 lanes and switches between the groups at every barrier of the tree reduction, which costs far
 * more than the arithmetic: with 4 threads a workgroup is one group. Measured on the curvature
 * probe's norms and dots over tiny's 1,218 parameters (`npm run bench:profile -- tiny-sharpness`,
 * two runs each): dir_norm 118 -> 14-48 us per step, gdot 68-70 -> 1-5, combine 58-68 -> 5-7.
 */
export function reduceThreads(device: GPUDevice, onGpu: number): number {
  return isCpuBacked(device) ? 4 : onGpu;
}

/** The dense register tile edge for this device (see denseTuning). */
export function denseTileFor(device: GPUDevice): number {
  if (denseTuning.tile > 0) return denseTuning.tile;
  return isCpuBacked(device) ? 8 : 1;
}

/**
 * Workgroup size of a dense dispatch of n threads: 128, or smaller (down to 8) so that at least
 * `denseTuning.minGroups` workgroups share the work (a CPU-backed adapter runs each workgroup on
 * one core; a tiled `tiny` layer is only 32 threads).
 */
export function denseWorkgroup(n: number): number {
  let wg = 128;
  while (wg > 8 && n < wg * denseTuning.minGroups) wg /= 2;
  return wg;
}

/** Tile sizes of a dense layer with batch B for tile edge `tile`: examples TB, output units TJ, inputs TK. */
export function denseTiles(
  tile: number,
  B: number,
  inDim: number,
  outDim: number,
): { TB: number; TJ: number; TK: number } {
  return { TB: Math.min(tile, B), TJ: Math.min(tile, outDim), TK: Math.min(tile, inDim) };
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

/** Threads of one dense forward dispatch (one per TB x TJ tile of each run). */
export function denseForwardThreads(tile: number, R: number, B: number, inDim: number, outDim: number): number {
  const t = denseTiles(tile, B, inDim, outDim);
  return R * ceilDiv(B, t.TB) * ceilDiv(outDim, t.TJ);
}

/** Threads of one dense backward dispatch: weight (and bias) tiles, then previous-delta tiles. */
export function denseBackwardThreads(
  tile: number,
  R: number,
  B: number,
  inDim: number,
  outDim: number,
  needPrev: boolean,
): number {
  const t = denseTiles(tile, B, inDim, outDim);
  const nK = ceilDiv(inDim, t.TK);
  return R * ceilDiv(outDim, t.TJ) * nK + (needPrev ? R * ceilDiv(B, t.TB) * nK : 0);
}

/** Whether a dense layer's backward (with the previous delta) runs as two dispatches (denseTuning.splitBackward). */
export function splitBackward(tile: number, R: number, B: number, inDim: number, outDim: number): boolean {
  const min = denseTuning.splitBackward;
  if (!(min > 0)) return false;
  const nGrad = denseBackwardThreads(tile, R, B, inDim, outDim, false);
  const nPrev = denseBackwardThreads(tile, R, B, inDim, outDim, true) - nGrad;
  return nGrad >= min && nPrev >= min;
}

/** Where the fused last layer of a training step (shaders/mlp_tail.wgsl) applies, its shape. */
export interface TailPlan {
  /** Examples per thread. */
  TB: number;
  /** Threads per workgroup (one workgroup per run). */
  NB: number;
  /** Floats of workgroup memory. */
  partFloats: number;
}

/**
 * The fused last layer (forward, softmax cross-entropy and backward in one dispatch,
 * shaders/mlp_tail.wgsl) or null where the separate kernels run: it needs cross-entropy without
 * output centring or per-example clipping, a hidden layer before the output, 2
 * to 8 outputs, and a register tile above 1 (CPU-backed adapters, where it was measured; one
 * workgroup per run would leave a GPU mostly idle), and the batch must fit one workgroup's threads
 * and memory.
 */
export function tailPlan(
  device: GPUDevice,
  tile: number,
  o: { loss: string; centred: boolean; clip: boolean; widths: readonly number[]; batch: number },
): TailPlan | null {
  const L = o.widths.length - 1;
  const out = o.widths[L];
  if (!denseTuning.fuseTail || tile <= 1 || L < 2 || o.loss !== 'cross-entropy') return null;
  if (o.centred || o.clip || out < 2 || out > 8) return null;
  const TB = Math.min(tile, o.batch);
  const NB = Math.ceil(o.batch / TB);
  const partFloats = NB * (out * o.widths[L - 1] + out + 2);
  const lim = device.limits;
  if (NB > Math.min(256, lim.maxComputeInvocationsPerWorkgroup, lim.maxComputeWorkgroupSizeX)) return null;
  if (partFloats * 4 > lim.maxComputeWorkgroupStorageSize) return null;
  return { TB, NB, partFloats };
}
