/**
 * The typed message protocol between the page and the training worker. Every message about a
 * training session carries `gen`, the generation the page assigned when it sent the experiment
 * (config) or a reset; the page drops anything from an older generation.
 */
import type { Experiment } from '../schema/types';
import type { LossSurface, MetricRow, ParamVector } from '../engine/trainer';

export type BackendPreference = 'auto' | 'webgpu' | 'cpu';

/** Page -> worker. */
export type ToWorker =
  /** Build a trainer for this (validated) experiment; replaces any current one. */
  | { type: 'config'; gen: number; experiment: Experiment; play: boolean; backend?: BackendPreference }
  | { type: 'play' }
  | { type: 'pause' }
  /** Advance n steps now (pauses first). */
  | { type: 'step'; n: number }
  /** Rebuild the current experiment at step 0, paused. */
  | { type: 'reset'; gen: number }
  /** Steps per advance() call while playing. */
  | { type: 'speed'; stepsPerFrame: number }
  /** Pause when this step is reached (null: run to the end). */
  | { type: 'stop-at'; step: number | null }
  /** Send every run's current parameters (answered by a 'params' message with the same id). */
  | { type: 'params'; id: number }
  /**
   * Record every step's parameters of these runs (the last `length` steps), for the path drawn on
   * a loss surface; [] stops recording. The session remembers it and applies it to every trainer
   * it builds later (config, reset, resume after a device loss).
   */
  | { type: 'track'; runs: number[]; length: number }
  /**
   * The loss on the plane of run `run`'s top two Hessian eigenvectors (points x points grid,
   * radius or 'auto'), with the tracked path projected on it (answered by a 'surface' message
   * with the same id).
   */
  | { type: 'surface'; id: number; run: number; points: number; radius: number | 'auto' };

export type RunState = 'idle' | 'building' | 'playing' | 'paused' | 'done';

export interface BackendInfo {
  backend: 'webgpu' | 'cpu';
  adapter: string;
  /** Why WebGPU is not used, when the backend is cpu. */
  fallbackReason?: string;
}

/** Worker -> page. */
export type FromWorker =
  | ({ type: 'backend'; gen: number } & BackendInfo)
  | { type: 'status'; gen: number; state: RunState; step: number; steps: number; stepsPerSecond: number }
  | { type: 'rows'; gen: number; rows: MetricRow[] }
  /**
   * Run `run` diverged at `step` (its loss or parameters stopped being finite; it is frozen). With
   * its last finite sharpness up to then, the step it was measured at and the stability threshold
   * logged with it (2/eta for GD), when sharpness is measured (divergence.ts).
   */
  | {
      type: 'diverged';
      gen: number;
      run: number;
      step: number;
      lastSharpness?: number;
      sharpnessStep?: number;
      threshold?: number;
    }
  /** Something the user should know that is not an error (e.g. training resumed after a device loss). */
  | { type: 'notice'; gen: number; message: string }
  | { type: 'error'; gen: number; message: string }
  /** Per run, its parameters (model/layout.ts) after `step` steps; empty when no trainer exists. */
  | { type: 'params'; gen: number; id: number; step: number; params: ParamVector[] }
  /**
   * The answer to a 'surface' request: null with the reason in `error` when it could not be
   * computed (no model yet, a backend without surfaces, a run out of range, the computation
   * failed). `error` beside a surface is a warning (the path could not be recorded).
   */
  | { type: 'surface'; gen: number; id: number; surface: LossSurface | null; error?: string };

export const DEFAULT_STEPS_PER_FRAME = 10;
export const MAX_STEPS_PER_FRAME = 1000;
