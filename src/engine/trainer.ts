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
   * Record every step's parameters of these runs from now on (the last `length` steps are kept,
   * the current parameters included); replaces the previous set. [] stops recording. The record
   * is what surface2d projects as the path; a new trainer (reset, resume) starts with none.
   */
  trackPath?(runs: readonly number[], length: number): void;
  /**
   * The training loss (over the curvature subset) on the plane through run r's current parameters
   * spanned by its top two Hessian eigenvectors, computed now (a fresh top-2 Lanczos estimate), with
   * the recorded path (trackPath) projected onto that plane. e1 and e2 are unit vectors, each
   * signed so that its largest-magnitude component is positive.
   */
  surface2d?(run: number, o: SurfaceOptions): Promise<LossSurface>;
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

/** Most grid points per axis of a loss surface (41 x 41 = 1681 loss evaluations). */
export const SURFACE_MAX_POINTS = 41;

export interface SurfaceOptions {
  /** Grid points per axis: an odd integer in [3, SURFACE_MAX_POINTS], so the centre is a grid point. */
  points: number;
  /**
   * Half-width of the grid along each unit eigenvector, or 'auto': 1.5 times the farthest |a| or
   * |b| among the last 32 recorded iterates, and at least the distance along e1 over which the
   * loss would double on its quadratic model (sqrt(2 L / lambda1)).
   */
  radius: number | 'auto';
}

/** One recorded iterate theta_s of the path, relative to the surface's centre theta. */
export interface PathPoint {
  step: number;
  /** (theta_s - theta) . e1 */
  a: number;
  /** (theta_s - theta) . e2 */
  b: number;
  /** |theta_s - theta - a e1 - b e2|: how far the iterate lies off the plane. */
  off: number;
}

export interface LossSurface {
  run: number;
  /** The step whose parameters are the centre. */
  step: number;
  /** lambda1 >= lambda2: the top two Ritz values of the Hessian at the centre (training loss over the curvature subset). */
  lambda: [number, number];
  /** Hessian-vector products the top-2 estimate took. */
  hvps: number;
  radius: number;
  /** Grid coordinates along either axis: coords[i] = -radius + 2 radius i / (points - 1). */
  coords: number[];
  /** loss[j * points + i] = L(theta + coords[i] e1 + coords[j] e2): rows follow e2, columns e1. */
  loss: Float64Array;
  /** The recorded iterates, oldest first, the centre (step, 0, 0, 0) last; empty without trackPath. */
  path: PathPoint[];
}
