/**
 * Training checkpoints: everything a Trainer needs to continue an experiment from step S on either
 * backend, laid out per run and per named state tensor so a WebGPU checkpoint resumes on the CPU
 * and back. Float32 arrays come from the GPU, float64 from the CPU; both resume on both.
 *
 * What is NOT stored, because it is a function of the step: the minibatch of step t
 * (batchIndices(seed_r, t - 1)), optimizer noise (keyed by (seed_r, t)), the scheduled lr and
 * every bias correction (stepScalars(hp, t, lr)). The sharpness estimates' warm-start vectors are
 * stored (RunCheckpoint.warm), so a resumed run's next estimate starts where the uninterrupted one's
 * does, with the same product budget (metrics/sharpness_budget.ts).
 */
import type { Experiment } from '../schema/types';

export const CHECKPOINT_VERSION = 1;

export type FloatArray = Float32Array | Float64Array;

export interface RunCheckpoint {
  /** theta_S of this run (model/layout.ts order). */
  params: FloatArray;
  /**
   * Optimizer state by name: `slot0` .. `slot{k-1}` are the def's per-parameter state arrays
   * ([paramCount] each, in the def's slot order); other names are internal state, e.g. SGD-SaI's
   * `gsnr` (one value per tensor), matching CpuOptimizerState.extra.
   */
  state: Record<string, FloatArray>;
  /** theta_{S-1} when the backend kept it (period2_distance at step S + 1 needs it). */
  prevParams?: FloatArray;
  /** First step at which the run's loss or parameters were not finite (it is frozen since). */
  divergedAt: number | null;
  /** First step of a freeze for another reason (e.g. zero loss), when the trainer supports one. */
  frozenAt?: number | null;
  /**
   * The sharpness estimates' warm starts ([paramCount] each): `eig` (sharpness) and `precondEig`
   * (precond_sharpness), the last Ritz vectors, and with metrics.sharpness.k > 1 `eigSpan`, the
   * normalised sum of the last top-k Ritz vectors that the next top-k estimate starts from.
   * Absent or zero: the next estimate starts from `eig`, else from the probe.
   */
  warm?: Partial<Record<WarmName, FloatArray>>;
}

/** Names of the warm-start vectors a checkpoint may hold (the CPU's CurvatureCarry fields). */
export const WARM_NAMES = ['eig', 'eigSpan', 'precondEig'] as const;
export type WarmName = (typeof WARM_NAMES)[number];

export interface Checkpoint {
  version: typeof CHECKPOINT_VERSION;
  /** Steps completed: the next advance() runs step S + 1. */
  step: number;
  /** Backend that took it. */
  from: 'webgpu' | 'cpu';
  /** experimentFingerprint() of the experiment it belongs to. */
  fingerprint: string;
  paramCount: number;
  /** One per run of the experiment, in experiment order. */
  runs: RunCheckpoint[];
}

/** A checkpoint that does not fit the experiment it is resumed into. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Name of optimizer state slot i. */
export function slotName(i: number): string {
  return `slot${i}`;
}

const fingerprints = new WeakMap<Experiment, string>();

/**
 * A short hash (FNV-1a, 32 bits, hex) of the experiment's JSON: same experiment, same fingerprint.
 * Memoized per object (experiments are not mutated once validated), so a large inline CSV is hashed once.
 */
export function experimentFingerprint(exp: Experiment): string {
  const hit = fingerprints.get(exp);
  if (hit) return hit;
  const s = JSON.stringify(exp);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const fp = `${s.length.toString(16)}-${h.toString(16).padStart(8, '0')}`;
  fingerprints.set(exp, fp);
  return fp;
}

/** Throws a CheckpointError unless `ck` can resume `exp` (runs, parameter count, step range, fingerprint). */
export function checkCheckpoint(ck: Checkpoint, exp: Experiment, paramCount: number): void {
  const fail = (m: string): never => {
    throw new CheckpointError(`resume: ${m}`);
  };
  if (ck.version !== CHECKPOINT_VERSION)
    fail(`checkpoint version ${String(ck.version)}, expected ${CHECKPOINT_VERSION}`);
  if (ck.fingerprint !== experimentFingerprint(exp)) fail('the checkpoint belongs to another experiment');
  if (!Number.isInteger(ck.step) || ck.step < 0 || ck.step > exp.steps)
    fail(`checkpoint step ${ck.step} is outside 0..${exp.steps}`);
  if (ck.runs.length !== exp.runs.length) fail(`checkpoint has ${ck.runs.length} runs, expected ${exp.runs.length}`);
  if (ck.paramCount !== paramCount) fail(`checkpoint has ${ck.paramCount} parameters per run, expected ${paramCount}`);
  ck.runs.forEach((r, i) => {
    if (r.params.length !== paramCount) fail(`runs[${i}].params has ${r.params.length} values, expected ${paramCount}`);
    if (r.prevParams && r.prevParams.length !== paramCount)
      fail(`runs[${i}].prevParams has ${r.prevParams.length} values, expected ${paramCount}`);
  });
}

/** Optimizer state `name` of run `r`, checked to hold `length` values. */
export function stateOf(ck: Checkpoint, r: number, name: string, length: number): FloatArray {
  const v = ck.runs[r].state[name];
  if (!v) throw new CheckpointError(`resume: runs[${r}] has no optimizer state "${name}"`);
  if (v.length !== length)
    throw new CheckpointError(`resume: runs[${r}].state.${name} has ${v.length} values, expected ${length}`);
  return v;
}
