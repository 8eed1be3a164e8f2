/**
 * GPU curvature probes for one population (see shaders/curvature.wgsl): top Hessian eigenvalue by
 * warm-started Lanczos (lanczos_gpu.ts, shaders/lanczos.wgsl) with a relative residual stop;
 * preconditioned sharpness (the same on D^-1/2 H D^-1/2); Hutchinson trace / Frobenius norm;
 * directional sharpness of the last update; gradient-eigenvector cosine. Hessian-vector products
 * are central differences of the mean-loss gradient over the first `subset` training points,
 * evaluated for +h and -h as 2R runs of one MLP graph.
 */
import curvatureWgsl from '../../../shaders/curvature.wgsl?raw';
import type { Activation, LossName } from '../../schema/types';
import type { ParamLayout } from '../model/layout';
import type { PipelineCache } from '../webgpu/pipelines';
import { dispatchSize, uniformBuffer } from '../webgpu/buffers';
import {
  bindGroupOf,
  pipelineLayoutOf,
  read,
  rw,
  stepInfoBinding,
  STEP_INFO_BYTES,
  uniform,
  wgslSource,
  windowOf,
  workgroupReduce,
  type KernelIo,
} from '../webgpu/kernel_io';
import { PRNG } from '../webgpu/snippets';
import type { StepSlots } from '../webgpu/step_slots';
import type { GpuData, OutputCentreGpu } from '../model/mlp_gpu';
import { createModelGpu, type ModelGpu } from '../model/model_gpu';
import { allocateTable, required, type TableBuffers } from '../webgpu/buffer_table';
import { CURVATURE_BUFFERS, CURV_KINDS, SC, SC_HVPS, SC_MORE, lanczosBasis, type CurvKind } from './curvature_buffers';
import { LanczosGpu } from './lanczos_gpu';
import { reduceThreads } from '../model/dense_tuning';
import { LANCZOS_DEFAULT_TOL } from './lanczos';
import type { WarmName } from '../checkpoint';

export { SC, CURV_KINDS, type CurvKind };

/** Central-difference step along a unit direction in parameter space. */
export const FD_STEP = 1e-3;

const WG = 64;
/** Threads of the per-run reductions on GPUs (reduceThreads: 4 on CPU-backed adapters). */
const RWG = 256;

/**
 * The bindings of curvature.wgsl (every entry point uses this one layout): group 0 the probe's
 * config, the point the products are taken at (`base`), the direction `u`, the product `w`, the
 * +h / -h parameters and their gradients, the run's scalar record, the optimizer state or previous
 * parameters (`aux`) and the per-slot run parameters; group 1 the step's StepInfo record (one bind
 * group for every slot, at a dynamic offset).
 */
export const CURVATURE_IO = [
  {
    cfg: uniform('Cfg'),
    base: read(),
    u: rw(),
    w: rw(),
    pert: rw(),
    gpm: read(),
    sc: rw(),
    aux: read(),
    prm: read('array<u32>'),
  },
  { stp: stepInfoBinding(true) },
] as const satisfies KernelIo;

/** Workgroup sums of two f32 at once (one vec2f: the same f32 adds, in the same order, as two arrays). */
const REDUCE_PAIR = workgroupReduce('reduce_pair', 'vec2f', 'RWG');

export interface CurvatureOptions {
  layout: ParamLayout;
  activation: Activation;
  loss: LossName;
  runs: number;
  data: GpuData;
  subset: number;
  steps: StepSlots;
  params: GPUBuffer;
  prev: GPUBuffer;
  grads: GPUBuffer;
  /** Optimizer state buffer and the float offset of the preconditioner's slot, when it has one. */
  state?: GPUBuffer;
  precondOffset?: number;
  capacity: number;
  /**
   * metrics.sharpness: iters is the Lanczos product budget (min(iters, 32)), tol its relative
   * residual tolerance (one number for the experiment); absent: no sharpness.
   */
  sharpness?: { iters: number; tol?: number };
  /**
   * model.outputScale: the population's centring (offsets of R runs); the probe's 2R runs are the
   * +h / -h copies, so run r reads offset run r % R. The curvature is that of the training loss.
   */
  outputCentre?: OutputCentreGpu;
}

/**
 * What to measure at a logged step: the iters are this estimate's product budgets (sharpnessBudget;
 * the basis holds the full one given at creation), k the eigenvalues wanted (metrics.sharpness.k).
 */
export interface CurvatureRequest {
  sharpness?: { iters: number; k?: number };
  precond?: { iters: number };
  trace?: { samples: number };
  directional?: boolean;
}

export class CurvatureGpu {
  private readonly bufs: GPUBuffer[] = [];
  private pipes = new Map<string, GPUComputePipeline>();
  private stepGroup!: GPUBindGroup;
  private groups = new Map<string, GPUBindGroup>();
  private graph!: ModelGpu;
  readonly prm: GPUBuffer;
  /** [capacity][4][R*SC] scalar records copied out at logged steps. */
  readonly records: GPUBuffer;
  private readonly sc: Record<CurvKind, GPUBuffer>;
  private readonly vEig: GPUBuffer;
  private readonly vPre: GPUBuffer;
  private readonly vDir: GPUBuffer;
  private readonly w: GPUBuffer;
  private readonly pert: GPUBuffer;
  private readonly gpm: GPUBuffer;
  private readonly R: number;
  private readonly P: number;
  readonly mem: TableBuffers<typeof CURVATURE_BUFFERS>;
  private readonly M: number;
  private lanczos: Partial<Record<'sharpness' | 'precond', LanczosGpu>> = {};

  private constructor(
    readonly device: GPUDevice,
    readonly o: CurvatureOptions,
  ) {
    this.R = o.runs;
    this.P = o.layout.paramCount;
    this.M = lanczosBasis(o.sharpness?.iters);
    const dims = { R: this.R, P: this.P, capacity: o.capacity, M: this.M };
    const b = allocateTable(device, CURVATURE_BUFFERS, dims, {}, (x) => (this.bufs.push(x), x));
    this.mem = b;
    this.prm = required(b, 'curv-prm');
    this.records = required(b, 'curv-records');
    this.sc = {
      sharpness: required(b, 'sc-sharp'),
      precond: required(b, 'sc-pre'),
      trace: required(b, 'sc-trace'),
      directional: required(b, 'sc-dir'),
    };
    this.vEig = required(b, 'v-eig');
    this.vPre = required(b, 'v-pre');
    this.vDir = required(b, 'v-dir');
    this.w = required(b, 'hv');
    this.pert = required(b, 'pert');
    this.gpm = required(b, 'g-pm');
  }

  static async create(device: GPUDevice, pipelines: PipelineCache, o: CurvatureOptions): Promise<CurvatureGpu> {
    const c = new CurvatureGpu(device, o);
    await c.build(pipelines);
    return c;
  }

  private async build(pipelines: PipelineCache): Promise<void> {
    const { device, o } = this;
    const scratchStats = required(this.mem, 'curv-stats');
    const dummyIdx = required(this.mem, 'curv-idx');
    this.graph = await createModelGpu(device, pipelines, {
      layout: o.layout,
      activation: o.activation,
      loss: o.loss,
      runs: 2 * this.R,
      batch: o.subset,
      fullBatch: true,
      idx: dummyIdx,
      idxPerRun: false,
      data: o.data,
      params: this.pert,
      grads: this.gpm,
      stats: scratchStats,
      steps: o.steps,
      evalTrain: 0,
      evalChunk: 1,
      pairedReluMask: true,
      outputCentre: o.outputCentre ? { ...o.outputCentre, offRuns: this.R } : undefined,
    });
    const layout = pipelineLayoutOf(device, CURVATURE_IO);
    const code = wgslSource(CURVATURE_IO, curvatureWgsl, [PRNG, REDUCE_PAIR]);
    const sizes = { WG, RWG: reduceThreads(device, RWG) };
    for (const e of ['dir_norm', 'perturb', 'combine', 'combine_w', 'start', 'start_flags', 'fill_dir', 'gdot'])
      this.pipes.set(e, await pipelines.get('curvature', code, e, sizes, layout));
    if (this.M > 0) {
      // Sharpness and the preconditioned measurement run one after the other: one basis for both.
      const buffers = {
        'lz-basis': required(this.mem, 'lz-basis'),
        'lz-coef': required(this.mem, 'lz-coef'),
        'lz-state': required(this.mem, 'lz-state'),
        'lz-tri': required(this.mem, 'lz-tri'),
        'lz-warm': required(this.mem, 'lz-warm'),
      };
      const kinds = o.state ? (['sharpness', 'precond'] as const) : (['sharpness'] as const);
      for (const kind of kinds) {
        this.lanczos[kind] = await LanczosGpu.create(device, pipelines, {
          runs: this.R,
          P: this.P,
          maxIters: this.M,
          tol: o.sharpness?.tol ?? LANCZOS_DEFAULT_TOL,
          u: kind === 'precond' ? this.vPre : this.vEig,
          w: this.w,
          out: { buffer: this.sc[kind], stride: SC, hvps: SC_HVPS, more: SC_MORE },
          buffers,
        });
      }
    }
    this.stepGroup = bindGroupOf(device, 'curvature.step', CURVATURE_IO[1], {
      stp: windowOf(o.steps.buffer, STEP_INFO_BYTES),
    });
  }

  /** A bind group for (mode, sample, base, u, aux, sc). Cached by key. */
  private group(
    key: string,
    mode: number,
    sample: number,
    samples: number,
    base: GPUBuffer,
    u: GPUBuffer,
    aux: GPUBuffer,
    sc: GPUBuffer,
  ): GPUBindGroup {
    let g = this.groups.get(key);
    if (!g) {
      const stateOffset = key.startsWith('precond') ? (this.o.precondOffset ?? 0) : 0;
      const cfg = uniformBuffer(
        this.device,
        new Uint32Array([this.R, this.P, mode, stateOffset, sample, samples, 0, 0]),
        `curv-${key}`,
      );
      this.bufs.push(cfg);
      g = bindGroupOf(this.device, `curvature.${key}`, CURVATURE_IO[0], {
        cfg,
        base,
        u,
        w: this.w,
        pert: this.pert,
        gpm: this.gpm,
        sc,
        aux,
        prm: this.prm,
      });
      this.groups.set(key, g);
    }
    return g;
  }

  private run(
    pass: GPUComputePassEncoder,
    entry: string,
    group: GPUBindGroup,
    slot: number,
    kind: 'elem' | 'run' | 'flags',
  ): void {
    pass.setPipeline(this.pipes.get(entry)!);
    pass.setBindGroup(0, group);
    pass.setBindGroup(1, this.stepGroup, [this.o.steps.offset(slot)]);
    if (kind === 'elem') pass.dispatchWorkgroups(...dispatchSize(this.R * this.P, WG));
    else if (kind === 'run') pass.dispatchWorkgroups(this.R);
    else pass.dispatchWorkgroups(Math.ceil(this.R / 64));
  }

  /** One Hessian-vector product for the direction in the group's u (see perturb/combine; Lanczos: no dots). */
  private hvp(pass: GPUComputePassEncoder, g: GPUBindGroup, slot: number, dots = true): void {
    this.run(pass, 'perturb', g, slot, 'elem');
    this.graph.encodeTrainStep(pass, slot);
    this.run(pass, dots ? 'combine' : 'combine_w', g, slot, dots ? 'run' : 'elem');
  }

  /**
   * Top eigenvalue of H (or of D^-1/2 H D^-1/2) for every run: the start vector is the run's last
   * eigenvector (or the step's probe when there is none), then Lanczos with one product per step
   * for min(iters, 32, P) steps (iters: this estimate's budget); runs that converge early stop. The result lands in the
   * kind's scalar record (value, residual, converged flag, products) and u holds the Ritz vector.
   */
  private topEigen(pass: GPUComputePassEncoder, kind: 'sharpness' | 'precond', slot: number, iters: number): void {
    const lz = this.lanczos[kind];
    if (!lz) throw new Error(`curvature: ${kind} requested but metrics.sharpness was not configured`);
    const mode = kind === 'precond' ? 1 : 0;
    const u = kind === 'precond' ? this.vPre : this.vEig;
    const sc = this.sc[kind];
    const plain = this.group(`${kind}-plain`, 0, 0, 0, this.o.params, u, this.auxFor(kind), sc);
    const g = this.group(`${kind}-iter`, mode, 1, 0, this.o.params, u, this.auxFor(kind), sc);
    this.run(pass, 'dir_norm', plain, slot, 'run');
    this.run(pass, 'start', plain, slot, 'elem');
    // Resets the record; |dir| = 1 for the unit Lanczos vectors (mode 1 measures D^-1/2 u per product).
    this.run(pass, 'start_flags', plain, slot, 'flags');
    lz.encode(
      pass,
      (p) => {
        if (mode === 1) this.run(p, 'dir_norm', g, slot, 'run');
        this.hvp(p, g, slot, false);
      },
      iters,
    );
    if (kind === 'sharpness') {
      const gd = this.group('gdot', 0, 0, 0, this.o.grads, u, this.auxFor(kind), sc);
      this.run(pass, 'gdot', gd, slot, 'run');
    }
  }

  private auxFor(kind: CurvKind): GPUBuffer {
    if (kind === 'precond') return this.o.state ?? this.o.prev;
    return this.o.prev;
  }

  /**
   * Per-run parameters for step slots of the coming chunk: for each run, the preconditioner's
   * D = scale * (sqrt(vScale * v) + eps) (ignored without one) and its seed. (The Lanczos stop
   * tolerance is the experiment's, fixed when the probe is built.)
   */
  writeParams(slot: number, runs: { scale: number; vScale: number; eps: number; seed: number }[]): void {
    const buf = new ArrayBuffer(this.R * 8 * 4);
    const f = new Float32Array(buf);
    const u = new Uint32Array(buf);
    runs.forEach((p, r) => {
      f[r * 8] = FD_STEP;
      f[r * 8 + 2] = p.scale;
      f[r * 8 + 3] = p.vScale;
      f[r * 8 + 4] = p.eps;
      u[r * 8 + 5] = p.seed >>> 0;
    });
    this.device.queue.writeBuffer(this.prm, slot * this.R * 8 * 4, buf);
  }

  /** Encode the requested measurements at a logged step and copy the scalar records out. */
  encode(
    encoder: GPUCommandEncoder,
    pass: GPUComputePassEncoder,
    slot: number,
    req: CurvatureRequest,
  ): GPUComputePassEncoder {
    if (req.sharpness) {
      this.lanczos.sharpness?.setK(req.sharpness.k ?? 1);
      this.topEigen(pass, 'sharpness', slot, req.sharpness.iters);
    }
    if (req.precond && this.o.state) this.topEigen(pass, 'precond', slot, req.precond.iters);
    if (req.trace) {
      const reset = this.group('trace-reset', 0, 0, 0, this.o.params, this.vDir, this.o.prev, this.sc.trace);
      this.run(pass, 'start_flags', reset, slot, 'flags');
      for (let k = 0; k < req.trace.samples; k++) {
        const g = this.group(
          `trace-${k}-${req.trace.samples}`,
          2,
          k,
          req.trace.samples,
          this.o.params,
          this.vDir,
          this.o.prev,
          this.sc.trace,
        );
        this.run(pass, 'fill_dir', g, slot, 'elem');
        this.run(pass, 'dir_norm', g, slot, 'run');
        this.hvp(pass, g, slot);
      }
    }
    if (req.directional) {
      const reset = this.group('dir-reset', 0, 0, 0, this.o.params, this.vDir, this.o.prev, this.sc.directional);
      const fill = this.group('dir-fill', 4, 0, 0, this.o.params, this.vDir, this.o.prev, this.sc.directional);
      // The product is taken at theta_{s-1} (prev), where the update was computed.
      const at = this.group('dir-at', 0, 0, 0, this.o.prev, this.vDir, this.o.prev, this.sc.directional);
      this.run(pass, 'start_flags', reset, slot, 'flags');
      this.run(pass, 'fill_dir', fill, slot, 'elem');
      this.run(pass, 'dir_norm', at, slot, 'run');
      this.hvp(pass, at, slot);
    }
    pass.end();
    const rec = this.R * SC * 4;
    CURV_KINDS.forEach((k, j) => {
      encoder.copyBufferToBuffer(this.sc[k], 0, this.records, (slot * CURV_KINDS.length + j) * rec, rec);
    });
    return encoder.beginComputePass();
  }

  /** The warm starts checkpoints keep, [run][P] each (webgpu/checkpoint.ts); eigSpan: the top-k start (lanczos_gpu.ts). */
  warmBuffers(): { name: WarmName; buffer: GPUBuffer }[] {
    const span = this.M > 0 ? [{ name: 'eigSpan' as const, buffer: required(this.mem, 'lz-warm') }] : [];
    return [{ name: 'eig', buffer: this.vEig }, ...span, { name: 'precondEig', buffer: this.vPre }];
  }

  /** The run's top eigenvector (unit norm after a sharpness measurement; zeros before). */
  async eigenvector(run: number): Promise<Float32Array> {
    const { readF32 } = await import('../webgpu/buffers');
    return readF32(this.device, this.vEig, this.P, run * this.P);
  }

  destroy(): void {
    this.graph.destroy();
    for (const lz of Object.values(this.lanczos)) lz.destroy();
    for (const b of this.bufs) b.destroy();
  }
}
