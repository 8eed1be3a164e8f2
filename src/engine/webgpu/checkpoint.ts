/**
 * Checkpoint <-> a GPU population: one copy of every state buffer into a staging buffer (enqueued
 * when the checkpoint is asked for, mapped asynchronously), and writes of a checkpoint back into a
 * fresh population. Layout in the buffers: params and prev2 [run][P], optimizer state slot s of run
 * r at (s * R + r) * P, internal optimizer state [run][n] (e.g. SGD-SaI's gsnr, n = tensors).
 */
import type { GpuOptimizer } from '../optim/types';
import { COPY_DST, MAP_READ } from './buffers';
import { DivergeGuard, type GuardStatus } from './diverge_guard';
import {
  CHECKPOINT_VERSION,
  CheckpointError,
  experimentFingerprint,
  slotName,
  stateOf,
  type Checkpoint,
  type RunCheckpoint,
  type WarmName,
} from '../checkpoint';
import type { Experiment } from '../../schema/types';
import { isLogStep } from '../hyper';

/** Optimizer state a GpuOptimizer keeps in a buffer of its own, [run][floatsPerRun]. */
export interface InternalState {
  /** The name in checkpoints; the same as the CPU def's state.extra key. */
  name: string;
  buffer: GPUBuffer;
  floatsPerRun: number;
}

/** The internal state buffers an optimizer exposes (GpuOptimizer.internalState; none for most). */
export function internalStateOf(opt: GpuOptimizer): InternalState[] {
  return opt.internalState ?? [];
}

/** The state buffers of one population (Population.stateBuffers()). */
export interface PopulationState {
  runs: number;
  paramCount: number;
  params: GPUBuffer;
  /** Optimizer state, stateSlots * runs * paramCount floats. */
  state: GPUBuffer;
  stateSlots: number;
  internal: InternalState[];
  guard: DivergeGuard;
  /** theta_{s-2} of the next logged step s (written at step s - 1). */
  prev2: GPUBuffer;
  /** The sharpness estimates' warm-start vectors, [run][paramCount] each (CurvatureGpu.warmBuffers()). */
  warm?: { name: WarmName; buffer: GPUBuffer }[];
}

interface Section {
  offset: number;
  bytes: number;
}

/** A population's state copied to a staging buffer, decoded once mapped. */
export interface PendingPopulationCheckpoint {
  read(): Promise<RunCheckpoint[]>;
}

/**
 * Enqueue on `enc` the copies of `pop`'s state; `withPrev` also copies prev2, which holds
 * theta_{S-1} when step S + 1 is a logged step. Map the result after submitting `enc`.
 */
export function encodePopulationCheckpoint(
  device: GPUDevice,
  enc: GPUCommandEncoder,
  pop: PopulationState,
  withPrev: boolean,
): PendingPopulationCheckpoint {
  const { runs: R, paramCount: P } = pop;
  let offset = 0;
  const section = (bytes: number): Section => {
    const s = { offset, bytes };
    offset += Math.ceil(bytes / 16) * 16;
    return s;
  };
  const params = section(R * P * 4);
  const state = section(pop.stateSlots * R * P * 4);
  const internal = pop.internal.map((s) => section(R * s.floatsPerRun * 4));
  const status = section(pop.guard.statusBytes);
  const prev = withPrev ? section(R * P * 4) : undefined;
  const warm = (pop.warm ?? []).map(() => section(R * P * 4));
  const staging = device.createBuffer({ size: Math.max(16, offset), usage: MAP_READ | COPY_DST, label: 'checkpoint' });
  const copy = (src: GPUBuffer, s: Section) => {
    if (s.bytes > 0) enc.copyBufferToBuffer(src, 0, staging, s.offset, s.bytes);
  };
  copy(pop.params, params);
  copy(pop.state, state);
  pop.internal.forEach((s, k) => copy(s.buffer, internal[k]));
  copy(pop.guard.status, status);
  if (prev) copy(pop.prev2, prev);
  pop.warm?.forEach((w, k) => copy(w.buffer, warm[k]));
  return {
    async read() {
      await staging.mapAsync(MAP_READ);
      const data = staging.getMappedRange().slice(0);
      staging.unmap();
      staging.destroy();
      const f32 = (s: Section) => new Float32Array(data, s.offset, s.bytes / 4);
      const flags = DivergeGuard.decode(new Uint32Array(data, status.offset, status.bytes / 4), R);
      const all = f32(params);
      const st = f32(state);
      const prevAll = prev ? f32(prev) : undefined;
      return Array.from({ length: R }, (_, r): RunCheckpoint => {
        const named: Record<string, Float32Array> = {};
        for (let s = 0; s < pop.stateSlots; s++) named[slotName(s)] = st.slice((s * R + r) * P, (s * R + r + 1) * P);
        pop.internal.forEach((s, k) => {
          const n = s.floatsPerRun;
          named[s.name] = f32(internal[k]).slice(r * n, (r + 1) * n);
        });
        return {
          params: all.slice(r * P, (r + 1) * P),
          state: named,
          prevParams: prevAll?.slice(r * P, (r + 1) * P),
          divergedAt: flags.divergedAt[r],
          frozenAt: flags.frozenAt[r],
          warm: Object.fromEntries((pop.warm ?? []).map((w, k) => [w.name, f32(warm[k]).slice(r * P, (r + 1) * P)])),
        };
      });
    },
  };
}

/**
 * Write the checkpointed state of the population's runs (`runIds`, global indices into ck.runs)
 * into its buffers; the guard's last good parameters become the checkpoint's.
 */
export function restorePopulation(device: GPUDevice, pop: PopulationState, ck: Checkpoint, runIds: number[]): void {
  const { runs: R, paramCount: P } = pop;
  const params = new Float32Array(R * P);
  const state = new Float32Array(pop.stateSlots * R * P);
  const prev = new Float32Array(R * P);
  let anyPrev = false;
  const flags: GuardStatus = { divergedAt: [], frozenAt: [] };
  runIds.forEach((g, r) => {
    const c = ck.runs[g];
    params.set(c.params, r * P);
    for (let s = 0; s < pop.stateSlots; s++) state.set(stateOf(ck, g, slotName(s), P), (s * R + r) * P);
    if (c.prevParams) {
      prev.set(c.prevParams, r * P);
      anyPrev = true;
    }
    flags.divergedAt.push(c.divergedAt);
    flags.frozenAt.push(c.frozenAt ?? null);
  });
  const q = device.queue;
  if (params.length > 0) q.writeBuffer(pop.params, 0, params);
  if (state.length > 0) q.writeBuffer(pop.state, 0, state);
  if (anyPrev && prev.length > 0) q.writeBuffer(pop.prev2, 0, prev);
  for (const s of pop.internal) {
    const host = new Float32Array(R * s.floatsPerRun);
    runIds.forEach((g, r) => host.set(stateOf(ck, g, s.name, s.floatsPerRun), r * s.floatsPerRun));
    if (host.length > 0) q.writeBuffer(s.buffer, 0, host);
  }
  for (const w of pop.warm ?? []) {
    const host = new Float32Array(R * P);
    runIds.forEach((g, r) => {
      const v = ck.runs[g].warm?.[w.name];
      if (v && v.length !== P)
        throw new CheckpointError(`resume: runs[${g}].warm.${w.name} has ${v.length} values, expected ${P}`);
      if (v) host.set(v, r * P);
    });
    if (host.length > 0) q.writeBuffer(w.buffer, 0, host);
  }
  pop.guard.writeStatus(flags);
  pop.guard.takeParamsAsLastGood();
}

export interface GpuCheckpointInput {
  device: GPUDevice;
  exp: Experiment;
  /** Steps completed. */
  step: number;
  paramCount: number;
  /** Every population with the global indices of its runs. */
  pops: { state: PopulationState; runIds: number[] }[];
  /** Per run, as the host knows them now: divergence step, stop (zero-loss) step. */
  diverged: (number | null)[];
  stopped: (number | null)[];
}

/**
 * The checkpoint of a GPU trainer after `step` steps: the copies are enqueued at once (so later
 * submits cannot change what is captured), then mapped; the promise resolves with host arrays.
 */
export async function takeGpuCheckpoint(o: GpuCheckpointInput): Promise<Checkpoint> {
  const { device, exp, step } = o;
  const withPrev = step + 1 <= exp.steps && isLogStep(step + 1, exp.metrics.every, exp.steps);
  const enc = device.createCommandEncoder();
  const parts = o.pops.map((p) => encodePopulationCheckpoint(device, enc, p.state, withPrev));
  device.queue.submit([enc.finish()]);
  const diverged = o.diverged.slice();
  const stopped = o.stopped.slice();
  const runs: RunCheckpoint[] = new Array<RunCheckpoint>(exp.runs.length);
  const read = await Promise.all(parts.map((p) => p.read()));
  read.forEach((list, pi) =>
    list.forEach((rc, r) => {
      const run = o.pops[pi].runIds[r];
      // The device's exact step, or the host's (a non-finite logged loss), whichever came first.
      const d = [rc.divergedAt, diverged[run]].filter((v): v is number => v !== null && v <= step);
      runs[run] = { ...rc, divergedAt: d.length ? Math.min(...d) : null, frozenAt: stopped[run] };
    }),
  );
  return {
    version: CHECKPOINT_VERSION,
    step,
    from: 'webgpu',
    fingerprint: experimentFingerprint(exp),
    paramCount: o.paramCount,
    runs,
  };
}
