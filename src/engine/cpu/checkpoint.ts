/** Checkpoint <-> CPU trainer state (float64), for the CPU Trainer (cpu/trainer.ts). */
import type { CpuOptimizerState } from '../optim/types';
import { CheckpointError, WARM_NAMES, slotName, stateOf, type Checkpoint, type RunCheckpoint } from '../checkpoint';
import type { CurvatureCarry } from '../metrics/curvature_rows_cpu';

/** The mutable state of one CPU run that a checkpoint holds. */
export interface CpuRunView {
  params: Float64Array;
  state: CpuOptimizerState;
  prev?: Float64Array;
  diverged: number | null;
  /** The sharpness estimates' warm starts. */
  carry: CurvatureCarry;
}

/** A copy of one run's state, in the backend-neutral layout of checkpoint.ts. */
export function cpuRunCheckpoint(run: CpuRunView): RunCheckpoint {
  const state: Record<string, Float64Array> = {};
  run.state.slots.forEach((s, i) => (state[slotName(i)] = Float64Array.from(s)));
  for (const [name, values] of Object.entries(run.state.extra)) {
    if (/^slot\d+$/.test(name)) throw new Error(`optimizer extra state may not be named "${name}"`);
    state[name] = Float64Array.from(values);
  }
  return {
    params: Float64Array.from(run.params),
    state,
    prevParams: run.prev ? Float64Array.from(run.prev) : undefined,
    divergedAt: run.diverged,
    warm: Object.fromEntries(WARM_NAMES.flatMap((n) => (run.carry[n] ? [[n, Float64Array.from(run.carry[n])]] : []))),
  };
}

/**
 * Load run r of `ck` into `run` (whose state comes fresh from the def's cpuInit, so its slot count
 * is the def's). Float32 values from a GPU checkpoint become float64. Internal state such as
 * SGD-SaI's gsnr goes back to state.extra under its name.
 */
export function loadCpuRun(ck: Checkpoint, r: number, run: CpuRunView): void {
  const c = ck.runs[r];
  const P = run.params.length;
  run.params = Float64Array.from(c.params);
  run.state.slots = run.state.slots.map((_, i) => Float64Array.from(stateOf(ck, r, slotName(i), P)));
  const extra: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(c.state)) {
    if (/^slot\d+$/.test(name)) {
      if (Number(name.slice(4)) >= run.state.slots.length)
        throw new CheckpointError(`resume: runs[${r}].state.${name} is not a state slot of this optimizer`);
      continue;
    }
    extra[name] = Array.from(values);
  }
  run.state.extra = extra;
  run.prev = c.prevParams ? Float64Array.from(c.prevParams) : undefined;
  run.diverged = c.divergedAt;
  run.carry = {};
  for (const n of WARM_NAMES) {
    const v = c.warm?.[n];
    if (!v) continue;
    if (v.length !== P) throw new CheckpointError(`resume: runs[${r}].warm.${n} has ${v.length} values, expected ${P}`);
    // A GPU checkpoint holds zeros where no estimate was made yet.
    if (v.some((x) => x !== 0)) run.carry[n] = Float64Array.from(v);
  }
}
