/**
 * The global top-c clipping threshold of Pan & Li (docs/optimizers.md, clipped-sgd): per run,
 * tau = sorted_desc(|a|)[floor(N c)] over all N parameters, the (floor(N c)+1)-th largest; c = 0: no clipping (tau = +inf);
 * c = 1 (or floor(N c) >= N): tau = 0; then tau <- tau * thresholdScale.
 *
 * c is stored for the GPU as the smallest f32 >= c (clipFractionF32), and both backends use
 * k = floor(N * that f32) exactly (the GPU with integer arithmetic), so they pick the same k;
 * rounding up keeps decimal fractions on the intended side (c = 0.7, N = 10 gives k = 7).
 *
 * GPU: a radix select over the f32 bit pattern of |a| (shaders/select_topc.wgsl), 8 dispatches
 * for all runs, exact: the same tau as a CPU sort of the same f32 values.
 */
import selectWgsl from '../../../shaders/select_topc.wgsl?raw';
import { dispatchSize, storageBuffer } from '../webgpu/buffers';
import type { PipelineCache } from '../webgpu/pipelines';
import { createKernel, type Kernel } from './kernel';
import { read, rw } from '../webgpu/kernel_io';

const WG = 256;
const ITEMS = 8;
const NONE = 0xffffffff;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The smallest f32 value >= c, for c in [0, 1]. */
export function clipFractionF32(c: number): number {
  f32[0] = c;
  if (f32[0] < c) u32[0] += 1;
  return f32[0];
}

/** k = floor(N * clipFractionF32(c)), exact while N < 2^29. */
export function clipRank(n: number, c: number): number {
  return Math.floor(n * clipFractionF32(c));
}

/** tau (already scaled) for the values a (length N), as the GPU computes it. */
export function topcThreshold(a: ArrayLike<number>, c: number, scale = 1): number {
  if (!(c > 0)) return Infinity;
  const n = a.length;
  const k = clipRank(n, c);
  if (c >= 1 || k >= n) return 0;
  const abs = Float64Array.from(a, Math.abs).sort();
  return abs[n - 1 - k] * scale;
}

/** a -> sign(a) min(|a|, tau). */
export function clipTo(a: number, tau: number): number {
  return Math.abs(a) <= tau ? a : Math.sign(a) * tau;
}

export interface TopcSelectOptions {
  device: GPUDevice;
  pipelines: PipelineCache;
  runs: number;
  paramCount: number;
  /** f32 [runs * paramCount]: the vector to select on (the gradient). */
  values: GPUBuffer;
  /** f32 [runs * paramCount]; read only when wdIndex is given. */
  params: GPUBuffer;
  /** f32 [runs * hyperSize]. */
  hyper: GPUBuffer;
  hyperSize: number;
  /** Index of c (stored via clipFractionF32) and of thresholdScale in a run's hyper record. */
  cIndex: number;
  scaleIndex: number;
  /** When given, select on a = values + hyper[wdIndex] * params (coupled weight decay first). */
  wdIndex?: number;
}

export interface TopcSelect {
  /** u32 [runs * 4]: (prefix, rank, mode, bits of tau * scale); tau of run r is f32 word 4r + 3. */
  readonly sel: GPUBuffer;
  /** The buffers it owns (sel and the histograms), for the caller to destroy. */
  readonly buffers: GPUBuffer[];
  /** Record the 8 dispatches that leave every run's tau in sel. */
  encode(pass: GPUComputePassEncoder): void;
  destroy(): void;
}

/** The bindings of select_topc.wgsl's two entry points. */
const SELECT_IO = {
  values: read(),
  params: read(),
  hyper: read(),
  /** Per run: (prefix, rank, mode, bits of tau * scale). */
  sel: rw('array<u32>'),
  /** 256 bins per run, as atomics. */
  hist: rw('array<atomic<u32>>'),
};

export async function createTopcSelect(o: TopcSelectOptions): Promise<TopcSelect> {
  const { device, runs: R, paramCount: P } = o;
  const chunks = Math.ceil(P / (WG * ITEMS));
  if (chunks > 65535 || R > 65535)
    throw new Error(`top-c select: ${R} runs x ${chunks} chunks exceed the 65535 workgroup limit`);
  const sel = storageBuffer(device, R * 4, 'topc.sel');
  const hist = storageBuffer(device, R * 256, 'topc.hist');
  const buffers = { values: o.values, params: o.params, hyper: o.hyper, sel, hist };
  const kernels: Kernel[] = [];
  for (let pass = 0; pass < 4; pass++) {
    const overrides = {
      WG,
      ITEMS,
      R,
      P,
      HS: o.hyperSize,
      C_INDEX: o.cIndex,
      SCALE_INDEX: o.scaleIndex,
      WD_INDEX: o.wdIndex ?? NONE,
      PASS: pass,
    };
    const spec = (entry: string) => ({
      label: 'select_topc',
      source: selectWgsl,
      entry,
      overrides,
      io: SELECT_IO,
      step: false,
    });
    kernels.push(await createKernel(device, o.pipelines, spec('histogram'), buffers, [chunks, R]));
    kernels.push(await createKernel(device, o.pipelines, spec('pick'), buffers, dispatchSize(R, WG)));
  }
  return {
    sel,
    buffers: [sel, hist],
    encode(pass) {
      for (const k of kernels) k.encode(pass, 0);
    },
    destroy() {
      sel.destroy();
      hist.destroy();
    },
  };
}
