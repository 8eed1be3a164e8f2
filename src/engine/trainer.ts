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
import type { Experiment } from '../experiment/types';

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
   * Per run: the first logged step whose batch_loss or train_loss was not finite, else null.
   * A diverged run keeps its last values; its later metrics are not logged.
   */
  divergedAt(): (number | null)[];
  /**
   * A 1-D slice of the training loss (over the curvature subset) through run r's current
   * parameters along its top Hessian eigenvector ('eigen', after a sharpness measurement) or its
   * last logged update ('update'): points alpha evenly spaced over [-radius, radius] along the unit
   * direction.
   */
  lossSlice?(run: number, o: SliceOptions): Promise<SlicePoint[]>;
  /** Parameters of run r, per the layout in model/layout.ts. */
  getParams(run: number): Promise<Float32Array>;
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
