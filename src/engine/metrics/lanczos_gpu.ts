/**
 * Lanczos on the GPU for a population of R runs (shaders/lanczos.wgsl): the f32 counterpart of
 * lanczosTop (lanczos.ts), with full reorthogonalisation (two classical Gram-Schmidt passes every
 * step, so the host never branches), a per-run basis of up to 32 vectors kept on the device, the
 * tridiagonal eigenproblem solved on the device (implicit QL, one thread per run) and per-run stop
 * flags, so runs stop at their own step while the population iterates together.
 *
 * The operator is the caller's: between `start` and `finish`, each step is "apply the operator to
 * u, writing w" (Hessian-vector products in the trainer; a dense matrix in the oracle test)
 * followed by `step`. u holds the start vector before `start` (the warm start: any non-zero
 * length) and the top Ritz vector after `finish`. With k > 1 `finish` also writes the unit sum of
 * the top k Ritz vectors (signed as lanczosTop's span) into the `lz-warm` buffer, and `start` takes
 * that instead of u while it is non-zero: the next top-k estimate's warm start, as on the CPU.
 */
import lanczosWgsl from '../../../shaders/lanczos.wgsl?raw';
import lanczosFusedWgsl from '../../../shaders/lanczos_fused.wgsl?raw';
import type { PipelineCache } from '../webgpu/pipelines';
import { dispatchSize, readF32, uniformBuffer } from '../webgpu/buffers';
import {
  bindGroupOf,
  pipelineLayoutOf,
  rw,
  uniform,
  wgslSource,
  workgroupReduce,
  type KernelIo,
} from '../webgpu/kernel_io';
import { isCpuBacked, reduceThreads } from '../model/dense_tuning';
import { allocateTable, required, type TableBuffers } from '../webgpu/buffer_table';
import { LANCZOS_MAX_ITERS, LANCZOS_MAX_K, LANCZOS_TOL_CAP } from './lanczos';
import { LANCZOS_BUFFERS, LANCZOS_STATE } from './lanczos_buffers';

export { LANCZOS_BUFFERS, LANCZOS_STATE };

const S = { J: 64, active: 65, converged: 66, invariant: 67, scale: 68, values: 71, residuals: 76 } as const;

const WG = 64;
/**
 * Threads of the per-(run, vector) reductions. 64 rather than the 256 of the curvature kernels:
 * lz_dots launches up to 32 workgroups per run twice a step, and on SwiftShader (the tests' and the
 * CLI's adapter) a 256-thread workgroup's barriers made a sharpness measurement 4x slower (the
 * edge-of-stability preset: 48.6 s against 12.5 s with 64; power iteration took 18.9 s). CPU-backed
 * adapters take 4 (reduceThreads), and run the fused step, which needs none of these kernels but lz_norm.
 */
const RWG = 64;

/**
 * The bindings of lanczos.wgsl (one layout for every entry point): the config, the vector the
 * operator is applied to (`u`), its product (`w`, reorthogonalised in place), the basis, the
 * coefficients (Gram-Schmidt dots, then the Ritz coordinates), the per-run state, the QL scratch,
 * the caller's per-run record that lz_report fills and the top-k warm start (`wv`, used with k > 1).
 */
export const LANCZOS_IO = [
  { cfg: uniform('LzCfg'), u: rw(), w: rw(), q: rw(), c: rw(), st: rw(), z: rw(), out: rw(), wv: rw() },
] as const satisfies KernelIo;

const SUM = workgroupReduce('lz_sum', 'vec2f', 'RWG');

const ENTRIES = [
  'lz_norm',
  'lz_start',
  'lz_dots',
  'lz_sub',
  'lz_ritz',
  'lz_next',
  'lz_step',
  'lz_final',
  'lz_form',
  'lz_report',
] as const;
type Entry = (typeof ENTRIES)[number];

export interface LanczosGpuOptions {
  runs: number;
  P: number;
  /** Most operator applications per run (1..32): the basis size. */
  maxIters: number;
  /** Ritz pairs whose residuals the stop rule checks (1..5, default 1). */
  k?: number;
  /** Stop when each pair's residual <= tol |theta| (or the f32 floor); setTolerance changes it. */
  tol: number;
  /** The operator's input and output, R * P floats each. */
  u: GPUBuffer;
  w: GPUBuffer;
  /**
   * Per-run records that `report` fills, `stride` floats per run: the top Ritz value, its residual
   * and the converged flag at 0, 1, 2, the product count at `hvps`, and with `more` (> 0) the
   * Ritz values 2..k at more, more + 1, ... (left as they were beyond the product count).
   */
  out: { buffer: GPUBuffer; stride: number; hvps: number; more?: number };
  /**
   * One dispatch per step (lz_step, one workgroup of 4 threads per run) instead of six (lz_dots,
   * lz_sub, lz_dots, lz_sub, lz_ritz, lz_next, spread over many workgroups). By default fused on
   * CPU-backed adapters, where it was measured faster at every size tried (`npm run bench:lanczos`,
   * SwiftShader, both kinds with 4-thread reductions: the 8 steps of one warm estimate 5.3 -> 4.2
   * ms at P = 1,218, 818 -> 677 ms at P = 270,000, 785 -> 585 ms for 16 runs of P = 16,384), and
   * not on GPUs, where a 4-thread workgroup per run would leave a large P to a handful of threads
   * (not measured: no GPU was at hand).
   */
  fused?: boolean;
  /** The basis and state buffers (LANCZOS_BUFFERS with M = maxIters), when the caller allocates them. */
  buffers?: TableBuffers<typeof LANCZOS_BUFFERS>;
}

export interface LanczosRunResult {
  /** The top min(k, hvps) Ritz values, most positive first. */
  values: number[];
  residuals: number[];
  hvps: number;
  converged: boolean;
  invariant: boolean;
  /** Largest |A q| seen (the scale of the f32 floors). */
  scale: number;
}

export class LanczosGpu {
  private readonly bufs: GPUBuffer[] = [];
  private readonly pipes = new Map<Entry, GPUComputePipeline>();
  private readonly groups: GPUBindGroup[] = [];
  private readonly cfgs: { buf: GPUBuffer; raw: ArrayBuffer }[] = [];
  readonly state: GPUBuffer;
  readonly steps: number;
  /** Whether a step is the one fused dispatch (lz_step) rather than six. */
  readonly fused: boolean;
  private k: number;

  private constructor(
    readonly device: GPUDevice,
    readonly o: LanczosGpuOptions,
  ) {
    const k = o.k ?? 1;
    if (!Number.isInteger(o.maxIters) || o.maxIters < 1 || o.maxIters > LANCZOS_MAX_ITERS)
      throw new Error(`lanczos gpu: maxIters must be an integer in [1, ${LANCZOS_MAX_ITERS}], got ${o.maxIters}`);
    this.checkK(k);
    this.k = k;
    this.steps = Math.min(o.maxIters, o.P);
    this.fused = o.fused ?? isCpuBacked(device);
    const b =
      o.buffers ??
      allocateTable(device, LANCZOS_BUFFERS, { R: o.runs, P: o.P, M: o.maxIters }, {}, (x) => {
        this.bufs.push(x);
        return x;
      });
    this.state = required(b, 'lz-state');
    for (const pass of [0, 1]) {
      const raw = new ArrayBuffer(48);
      const w = new Uint32Array(raw);
      w.set([o.runs, o.P, o.maxIters, k, 0, pass, this.steps, o.out.stride, o.out.hvps, o.out.more ?? 0]);
      new Float32Array(raw)[4] = Math.min(o.tol, LANCZOS_TOL_CAP);
      const cfg = uniformBuffer(device, raw, `lz-cfg-${pass}`);
      this.bufs.push(cfg);
      this.cfgs.push({ buf: cfg, raw });
      this.groups.push(
        bindGroupOf(device, `lanczos.${pass}`, LANCZOS_IO[0], {
          cfg,
          u: o.u,
          w: o.w,
          q: required(b, 'lz-basis'),
          c: required(b, 'lz-coef'),
          st: this.state,
          z: required(b, 'lz-tri'),
          out: o.out.buffer,
          wv: required(b, 'lz-warm'),
        }),
      );
    }
  }

  static async create(device: GPUDevice, pipelines: PipelineCache, o: LanczosGpuOptions): Promise<LanczosGpu> {
    const l = new LanczosGpu(device, o);
    const layout = pipelineLayoutOf(device, LANCZOS_IO);
    const code = wgslSource(LANCZOS_IO, `${lanczosWgsl}\n${lanczosFusedWgsl}`, [SUM]);
    const sizes = { WG, RWG: reduceThreads(device, RWG) };
    for (const e of ENTRIES) l.pipes.set(e, await pipelines.get('lanczos', code, e, sizes, layout));
    return l;
  }

  private run(pass: GPUComputePassEncoder, entry: Entry, grid: [number, number], second = false): void {
    pass.setPipeline(this.pipes.get(entry)!);
    pass.setBindGroup(0, this.groups[second ? 1 : 0]);
    pass.dispatchWorkgroups(...grid);
  }

  private get elems(): [number, number] {
    return dispatchSize(this.o.runs * this.o.P, WG);
  }

  /** q_0 = u / |u| for every run (u is left holding q_0); the runs' state reset. */
  start(pass: GPUComputePassEncoder): void {
    this.run(pass, 'lz_norm', [this.o.runs, 1]);
    this.run(pass, 'lz_start', this.elems);
  }

  /** Step `it` (0-based) after the caller wrote w = A u: reorthogonalise, Ritz values, next u. */
  step(pass: GPUComputePassEncoder, it: number): void {
    const R = this.o.runs;
    if (this.fused) {
      this.run(pass, 'lz_step', [R, 1]);
      return;
    }
    for (const second of [false, true]) {
      this.run(pass, 'lz_dots', [it + 1, R], second);
      this.run(pass, 'lz_sub', this.elems, second);
    }
    this.run(pass, 'lz_ritz', [R, 1]);
    this.run(pass, 'lz_next', this.elems);
  }

  /** u = the top Ritz vector of each run. */
  finish(pass: GPUComputePassEncoder): void {
    this.run(pass, 'lz_final', [Math.ceil(this.o.runs / 64), 1]);
    this.run(pass, 'lz_form', this.elems);
  }

  /** The top pair of each run into the `out` records. */
  report(pass: GPUComputePassEncoder): void {
    this.run(pass, 'lz_report', [Math.ceil(this.o.runs / 64), 1]);
  }

  private checkK(k: number): void {
    if (!Number.isInteger(k) || k < 1 || k > LANCZOS_MAX_K || k > this.o.maxIters)
      throw new Error(`lanczos gpu: k must be an integer in [1, min(${LANCZOS_MAX_K}, maxIters)], got ${k}`);
  }

  /** Ritz pairs the stop rule checks and `report` writes, for the coming measurements (before the next submit). */
  setK(k: number): void {
    if (k === this.k) return;
    this.checkK(k);
    this.k = k;
    for (const c of this.cfgs) {
      new Uint32Array(c.raw)[3] = k;
      this.device.queue.writeBuffer(c.buf, 12, c.raw, 12, 4);
    }
  }

  /** A new stop tolerance for the coming measurements (written before the next submit). */
  setTolerance(tol: number): void {
    for (const c of this.cfgs) {
      new Float32Array(c.raw)[4] = Math.min(tol, LANCZOS_TOL_CAP);
      this.device.queue.writeBuffer(c.buf, 16, c.raw, 16, 4);
    }
  }

  /**
   * The whole method: start, n x (operator, step), finish, report, with n = min(budget, steps): a
   * warm estimate records fewer products than the basis holds (runs still active then simply stop).
   */
  encode(pass: GPUComputePassEncoder, apply: (pass: GPUComputePassEncoder) => void, budget = this.steps): void {
    if (!Number.isInteger(budget) || budget < 1)
      throw new Error(`lanczos gpu: budget must be an integer >= 1, got ${budget}`);
    this.start(pass);
    for (let it = 0; it < Math.min(budget, this.steps); it++) {
      apply(pass);
      this.step(pass, it);
    }
    this.finish(pass);
    this.report(pass);
  }

  /** Per-run results from the state buffer (a readback: tests and tools). */
  async results(): Promise<LanczosRunResult[]> {
    const st = await readF32(this.device, this.state, this.o.runs * LANCZOS_STATE);
    return Array.from({ length: this.o.runs }, (_, r) => decodeLanczosState(st, r, this.k));
  }

  destroy(): void {
    for (const b of this.bufs) b.destroy();
  }
}

/** Run r's results from a copy of the state buffer. */
export function decodeLanczosState(st: Float32Array, r: number, k: number): LanczosRunResult {
  const o = r * LANCZOS_STATE;
  const hvps = st[o + S.J];
  const n = Math.min(k, hvps);
  return {
    values: Array.from(st.subarray(o + S.values, o + S.values + n)),
    residuals: Array.from(st.subarray(o + S.residuals, o + S.residuals + n)),
    hvps,
    converged: st[o + S.converged] !== 0,
    invariant: st[o + S.invariant] !== 0,
    scale: st[o + S.scale],
  };
}
