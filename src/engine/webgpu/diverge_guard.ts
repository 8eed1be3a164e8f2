/**
 * The per-run freeze guard of a population (shaders/diverge_guard.wgsl). After every optimizer
 * step, `encodeCheck` records the first step at which a run's batch loss or any of its parameters
 * is not finite, and `encodeHold` then keeps every frozen run at its last finite parameters (the
 * others save theirs as the new last good values). The status buffer holds two words per run,
 * (divergedAt, frozenAt), NONE when unset: the host reads it back after each advance(). With
 * `stopAtZeroLoss`, the logged-step check also records in frozenAt the first logged step whose train
 * loss is exactly 0, and the hold kernel keeps such a run at theta_f from then on (a diverged run
 * keeps theta_{d-1}). Everything stays on the device, so no host round trip delays a freeze.
 *
 * An optimizer whose update runs in the one-dispatch frame (optim_common.wgsl) does the per-step
 * part itself when given frameGuard(): it saves theta_{t-1} to lastGood as it reads each parameter
 * and records a non-finite new value or batch loss in the status words (`optimizerChecks`). Then
 * only logged steps run the check (for the train loss), and a step ends with `restore`, which puts
 * the frozen runs back and leaves the others alone: the parameters are read and written once per
 * step instead of three times.
 */
import guardWgsl from '../../../shaders/diverge_guard.wgsl?raw';
import type { PipelineCache } from './pipelines';
import { BufferPool, COPY_DST, MAP_READ, floatsIn, perRunGrid, uniformBuffer } from './buffers';
import { unrollWgsl } from './unroll';
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
  type KernelIo,
} from './kernel_io';
import type { FrameGuard } from '../optim/types';
import { allocateTable, required, type BufferTable } from './buffer_table';

/**
 * The bindings of diverge_guard.wgsl (one layout for its three entry points): its GuardDims, the
 * population's parameters, the last good parameters (both fixed-length arrays, PARAMS_LEN and
 * LAST_LEN written in front of the source), the stats rows and the status words; group 1 the
 * step's StepInfo record at a dynamic offset.
 */
export const DIVERGE_GUARD_IO = [
  {
    d: uniform('GuardDims'),
    params: rw('array<f32, PARAMS_LEN>'),
    lastGood: rw('array<f32, LAST_LEN>'),
    stats: read(),
    status: rw('array<atomic<u32>>'),
  },
  { step: stepInfoBinding(true) },
] as const satisfies KernelIo;

/** One entry point of the guard: its pipeline and the fixed grid it is dispatched on. */
interface GuardKernel {
  pipe: GPUComputePipeline;
  grid: [number, number];
}

/** An unset status word. */
export const GUARD_NONE = 0xffffffff;
const WG = 64;
/** Parameters each guard thread visits (about): fewer, longer threads are cheaper on a CPU-backed adapter. */
const PER_THREAD = 16;

export interface DivergeGuardOptions {
  runs: number;
  paramCount: number;
  /** f32 [runs * paramCount], the population's parameters. */
  params: GPUBuffer;
  /** The per-step stats records [slot][run][ns]: batch loss sum in `batchField`, train loss sum in `trainField`. */
  stats: GPUBuffer;
  ns: number;
  batchField: number;
  trainField: number;
  /** StepInfo records (step_slots.ts), bound with a dynamic offset. */
  stepInfo: GPUBuffer;
  /** Freeze a run at the first logged step whose train loss is exactly 0 (experiment.stopAtZeroLoss). */
  stopAtZeroLoss?: boolean;
}

/** The guard's buffers, declared once (the memory plan lists the same table). */
export const GUARD_BUFFERS = {
  /** Per run: the step it diverged at (or GUARD_NONE) and its stop flag. */
  'guard-status': { floats: (d) => Math.max(1, 2 * d.R), sizedBy: 'runs', what: () => 'the divergence and stop flags' },
  'guard-last-good': {
    floats: (d) => Math.max(1, d.R * d.P),
    sizedBy: 'params',
    what: (d) => `the last finite parameters of ${d.R} runs`,
  },
} satisfies BufferTable<{ R: number; P: number }>;

/** Per-run step numbers decoded from a status buffer. */
export interface GuardStatus {
  divergedAt: (number | null)[];
  frozenAt: (number | null)[];
}

export class DivergeGuard {
  /** u32 [runs * 2]: (divergedAt, frozenAt) per run, GUARD_NONE when unset. */
  readonly status: GPUBuffer;
  /** f32 [runs * paramCount]: each run's parameters after its last good step. */
  readonly lastGood: GPUBuffer;
  private readonly owned: GPUBuffer[];

  private constructor(
    private readonly device: GPUDevice,
    readonly o: DivergeGuardOptions,
    private readonly groups: [GPUBindGroup, GPUBindGroup],
    private readonly check: GuardKernel,
    private readonly checkLogged: GuardKernel,
    private readonly hold: GuardKernel,
    private readonly restore: GuardKernel,
    bufs: { status: GPUBuffer; lastGood: GPUBuffer; dims: GPUBuffer },
  ) {
    this.status = bufs.status;
    this.lastGood = bufs.lastGood;
    this.owned = [bufs.status, bufs.lastGood, bufs.dims];
  }

  static async create(device: GPUDevice, pipelines: PipelineCache, o: DivergeGuardOptions): Promise<DivergeGuard> {
    const d = { R: o.runs, P: o.paramCount };
    const noFlags = new Uint32Array(GUARD_BUFFERS['guard-status'].floats(d)).fill(GUARD_NONE);
    const b = allocateTable(device, GUARD_BUFFERS, d, { 'guard-status': noFlags });
    const status = required(b, 'guard-status');
    const lastGood = required(b, 'guard-last-good');
    const dims = uniformBuffer(
      device,
      new Uint32Array([o.runs, o.paramCount, o.ns, o.batchField, o.trainField, 0, 0, 0]),
      'guard-dims',
    );
    // Fixed array lengths (cheaper accesses on SwiftShader, as in the optimizer frame).
    const code = wgslSource(
      DIVERGE_GUARD_IO,
      unrollWgsl(guardWgsl, {}, { PARAMS_LEN: floatsIn(o.params), LAST_LEN: floatsIn(lastGood) }),
    );
    const layout = pipelineLayoutOf(device, DIVERGE_GUARD_IO);
    const kernel = async (entry: string, grid: [number, number], checkTrain = 0): Promise<GuardKernel> => ({
      pipe: await pipelines.get(
        'diverge_guard',
        code,
        entry,
        { WG, CHECK_TRAIN: checkTrain, STOP_AT_ZERO: o.stopAtZeroLoss ? 1 : 0 },
        layout,
      ),
      grid,
    });
    const groups: [GPUBindGroup, GPUBindGroup] = [
      bindGroupOf(device, 'diverge_guard.g0', DIVERGE_GUARD_IO[0], {
        d: dims,
        params: o.params,
        lastGood,
        stats: o.stats,
        status,
      }),
      bindGroupOf(device, 'diverge_guard.g1', DIVERGE_GUARD_IO[1], { step: windowOf(o.stepInfo, STEP_INFO_BYTES) }),
    ];
    const wgs = perRunGrid('diverge guard', o.runs, o.paramCount, WG, PER_THREAD);
    const check = await kernel('check', wgs);
    const checkLogged = await kernel('check', wgs, 1);
    const hold = await kernel('hold', wgs);
    // One workgroup row per run: the restore has work only for frozen runs.
    const restore = await kernel('restore', [1, wgs[1]]);
    const guard = new DivergeGuard(device, o, groups, check, checkLogged, hold, restore, {
      status,
      lastGood,
      dims,
    });
    guard.takeParamsAsLastGood();
    return guard;
  }

  /**
   * Whether the optimizer's update does this guard's per-step work (GpuOptimizer.guarded, given
   * frameGuard() in its context): then a step that logs nothing needs no check, and the step ends
   * with a restore of the frozen runs instead of the hold.
   */
  optimizerChecks = false;

  /** The buffers an optimizer update writes to when it does the guard's work (GpuOptimizerContext.guard). */
  frameGuard(): FrameGuard {
    const { stats, ns, batchField } = this.o;
    return { lastGood: this.lastGood, stats, ns, batchField, status: this.status };
  }

  /**
   * Record this step's non-finite runs: after the optimizer update and, on a logged step (`logged`:
   * its train loss is checked too), after the evaluation.
   */
  encodeCheck(pass: GPUComputePassEncoder, stepInfoOffset: number, logged: boolean): void {
    if (this.o.runs * this.o.paramCount === 0 || (this.optimizerChecks && !logged)) return;
    this.dispatch(pass, logged ? this.checkLogged : this.check, stepInfoOffset);
  }

  /** Put frozen runs back at their last good parameters; save the others' (last thing of a step). */
  encodeHold(pass: GPUComputePassEncoder, stepInfoOffset: number): void {
    if (this.o.runs * this.o.paramCount > 0)
      this.dispatch(pass, this.optimizerChecks ? this.restore : this.hold, stepInfoOffset);
  }

  private dispatch(pass: GPUComputePassEncoder, k: GuardKernel, stepInfoOffset: number): void {
    pass.setPipeline(k.pipe);
    pass.setBindGroup(0, this.groups[0]);
    pass.setBindGroup(1, this.groups[1], [stepInfoOffset]);
    pass.dispatchWorkgroups(...k.grid);
  }

  /** The current parameters become every run's last good ones (at creation and after a resume). */
  takeParamsAsLastGood(): void {
    const bytes = this.o.runs * this.o.paramCount * 4;
    if (bytes === 0) return;
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(this.o.params, 0, this.lastGood, 0, bytes);
    this.device.queue.submit([enc.finish()]);
  }

  /** Overwrite the status words (resume from a checkpoint). */
  writeStatus(s: GuardStatus): void {
    const host = new Uint32Array(2 * this.o.runs);
    for (let r = 0; r < this.o.runs; r++) {
      host[2 * r] = s.divergedAt[r] ?? GUARD_NONE;
      host[2 * r + 1] = s.frozenAt[r] ?? GUARD_NONE;
    }
    if (host.length > 0) this.device.queue.writeBuffer(this.status, 0, host);
  }

  static decode(words: Uint32Array, runs: number): GuardStatus {
    const at = (w: number) => (w === GUARD_NONE ? null : w);
    const divergedAt: (number | null)[] = [];
    const frozenAt: (number | null)[] = [];
    for (let r = 0; r < runs; r++) {
      divergedAt.push(at(words[2 * r]));
      frozenAt.push(at(words[2 * r + 1]));
    }
    return { divergedAt, frozenAt };
  }

  /**
   * Copy the status of every guard to one staging buffer now (queue order: after everything
   * submitted so far) and decode it once mapped. With `pool`, the staging buffer is reused from it.
   */
  static read(device: GPUDevice, guards: DivergeGuard[], pool?: BufferPool): Promise<GuardStatus[]> {
    const offsets: number[] = [];
    let size = 0;
    for (const g of guards) {
      offsets.push(size);
      size += Math.ceil(g.statusBytes / 16) * 16;
    }
    const staging = pool
      ? pool.acquire(size, MAP_READ | COPY_DST)
      : device.createBuffer({ size: Math.max(16, size), usage: MAP_READ | COPY_DST, label: 'guard-staging' });
    const done = () => (pool ? pool.release(staging) : staging.destroy());
    const enc = device.createCommandEncoder();
    guards.forEach((g, k) => {
      if (g.statusBytes > 0) enc.copyBufferToBuffer(g.status, 0, staging, offsets[k], g.statusBytes);
    });
    device.queue.submit([enc.finish()]);
    return staging.mapAsync(MAP_READ).then(
      () => {
        const words = new Uint32Array(staging.getMappedRange().slice(0));
        staging.unmap();
        done();
        return guards.map((g, k) => DivergeGuard.decode(words.subarray(offsets[k] / 4), g.o.runs));
      },
      (e: unknown) => {
        done();
        throw e;
      },
    );
  }

  /** Bytes of the status buffer that hold the runs' words. */
  get statusBytes(): number {
    return 8 * this.o.runs;
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
  }
}
