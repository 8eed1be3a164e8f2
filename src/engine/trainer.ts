/**
 * The backend-agnostic training interface. A Trainer holds every run of one experiment (grouped
 * by optimizer kind into populations on the GPU) and advances them together.
 *
 * Semantics shared by every backend (the CPU backend is the oracle):
 * - Step t (1-based) draws minibatch batchIndices(seed_r, t-1) (full batch: all points in order),
 *   evaluates the mean minibatch loss and its gradient g_t at theta_{t-1}, computes
 *   lr_t = peakLr * scheduleFactor(t-1), and applies the optimizer's step t.
 * - Per-run seed: seed_r = varySeedPerRun ? (seed + r) >>> 0 : seed. It drives init, minibatch
 *   order and optimizer noise. The dataset uses the experiment seed only.
 * - Metrics are logged at step 0, at every multiple of metrics.every, and at the last step.
 *   See metrics/names.ts for the definitions.
 */
import type { Experiment } from '../schema/types';
import type { Checkpoint } from './checkpoint';

/** One run's flat parameters: Float64Array from the float64 CPU backend, Float32Array from the GPU. */
export type ParamVector = Float32Array | Float64Array;

export interface MetricRow {
  run: number;
  step: number;
  metric: string;
  value: number;
}

export interface Trainer {
  readonly backend: 'webgpu' | 'cpu';
  readonly adapterDescription: string;
  readonly experiment: Experiment;
  /** Steps completed. */
  readonly step: number;
  /**
   * Advance min(n, steps - step) steps. Resolves with the metric rows logged during those steps
   * (including step 0 on the first call), ordered by step, then run.
   */
  advance(n: number): Promise<MetricRow[]>;
  /**
   * Per run: the first step whose batch loss or resulting parameters were not finite (checked
   * after every step, logged or not; also a non-finite logged train_loss), else null. From then on
   * the run is frozen at its parameters of the step before; that step's rows are still logged
   * (they show the blow-up), later ones are not.
   */
  divergedAt(): (number | null)[];
  /**
   * Everything needed to continue from the current step on either backend (checkpoint.ts). The
   * state is captured when this is called; the promise resolves once it is copied to the host, so
   * the caller can go on advancing meanwhile.
   */
  checkpoint?(): Promise<Checkpoint>;
  /** WebGPU: resolves with the reason if the device this trainer runs on is lost (never otherwise). */
  readonly lost?: Promise<string>;
  /**
   * Per run: the logged step whose train_loss was exactly 0 when experiment.stopAtZeroLoss is set
   * (the run stopped there: its parameters keep that step's values and later steps are not
   * logged), else null. Optional: callers treat a missing method as "no run stopped".
   */
  stoppedAt?(): (number | null)[];
  /**
   * A 1-D slice of the training loss (over the curvature subset) through run r's current
   * parameters along its top Hessian eigenvector ('eigen', after a sharpness measurement) or its
   * last logged update ('update'): points alpha evenly spaced over [-radius, radius] along the unit
   * direction.
   */
  lossSlice?(run: number, o: SliceOptions): Promise<SlicePoint[]>;
  /**
   * Parameters of run r, per the layout in model/layout.ts: float64 from the CPU backend (its
   * parameters as trained), float32 from the GPU.
   */
  getParams(run: number): Promise<ParamVector>;
  dispose(): void;
}

export interface SliceOptions {
  direction: 'eigen' | 'update';
  points: number;
  radius: number;
}

export interface SlicePoint {
  alpha: number;
  loss: number;
}
