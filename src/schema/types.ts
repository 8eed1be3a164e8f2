/**
 * The experiment format, version 1. This is the public contract shared by the URL hash,
 * the CLI's input file, the UI store and the engine. Extend it; never rename a field without a
 * version bump and a migration that reads the old version.
 */

export const EXPERIMENT_VERSION = 1 as const;

export type Activation = 'relu' | 'relu2' | 'tanh' | 'sigmoid' | 'gelu' | 'linear';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'relu2', 'tanh', 'sigmoid', 'gelu', 'linear'];

export type LossName = 'cross-entropy' | 'logistic' | 'mse' | 'hinge';
export const LOSSES: readonly LossName[] = ['cross-entropy', 'logistic', 'mse', 'hinge'];

/** Data generators. Every constant of a generator is a parameter. */
export type DataConfig =
  | FeatureNoiseData
  | CircleData
  | XorData
  | GaussData
  | SpiralData
  | TeacherStudentData
  | LmsData
  | Ms57Data
  | LsnData
  | OpposingSignalsData
  | ImagesData
  | CsvData;

interface DataCommon {
  /** Number of training points. */
  nTrain: number;
  /** Number of test points. */
  nTest: number;
}

/**
 * Benign-oscillation feature-noise data (docs/data.md, a reconstruction): x is P patches of
 * dimension d, concatenated (input dimension P*d). Patch 0 holds the weak feature y*weakNorm*v in
 * every point; patch 1 holds the strong feature y*strongNorm*u with probability strongFraction,
 * otherwise noise; patches 2..P-1 are noise N(0, noiseStd^2) orthogonal to u and v. The test set
 * has the weak feature only (patch 1 is noise).
 */
export interface FeatureNoiseData extends DataCommon {
  kind: 'feature-noise';
  patchDim: number;
  numPatches: number;
  weakNorm: number;
  strongNorm: number;
  strongFraction: number;
  noiseStd: number;
}
export interface CircleData extends DataCommon {
  kind: 'circle';
  noise: number;
}
export interface XorData extends DataCommon {
  kind: 'xor';
  noise: number;
}
export interface GaussData extends DataCommon {
  kind: 'gauss';
  nClasses: number;
  separation: number;
  noise: number;
}
export interface SpiralData extends DataCommon {
  kind: 'spiral';
  nClasses: number;
  turns: number;
  noise: number;
}
/** Regression: y = teacher(x) + noise*N(0,1), x ~ N(0, I). */
export interface TeacherStudentData extends DataCommon {
  kind: 'teacher-student';
  inputDim: number;
  outputDim: number;
  teacherHidden: number[];
  teacherActivation: Activation;
  noise: number;
}

/**
 * Simplicity-bias slab data (docs/data.md; Shah et al. 2020). Labels y in {0, 1}. `width` W: coordinates
 * lie in [-W, W]; margins are fractions of W. `corruptLinear` / `corruptSlab`: fraction of the points
 * of each split whose linear coordinate is sign-flipped / whose slab coordinates are moved to a slab
 * of the other class. `randomRotation`: multiply every point by one seeded random orthonormal matrix.
 * `linCoord`: index the linear coordinate is swapped to (before any rotation).
 */
interface SlabCommon extends DataCommon {
  /** Input dimension. */
  dim: number;
  width: number;
  slabMargin: number;
  corruptSlab: number;
  randomRotation: boolean;
}
/** LMS-k: 1 linear + (dim - 1) k-slab coordinates. */
export interface LmsData extends SlabCommon {
  kind: 'lms';
  /** k: 3, 5 or 7 slabs per slab coordinate. */
  slabs: number;
  linearMargin: number;
  corruptLinear: number;
  linCoord: number;
}
/** MS-(5,7): one 5-slab + (dim - 1) 7-slab coordinates, no linear coordinate. */
export interface Ms57Data extends SlabCommon {
  kind: 'ms57';
}
/** LSN: 1 linear + 1 three-slab + (dim - 2) noise coordinates (noise ~ W * U[0, 1)). */
export interface LsnData extends SlabCommon {
  kind: 'lsn';
  linearMargin: number;
  corruptLinear: number;
  linCoord: number;
}
/**
 * Opposing-signals toy data (docs/data.md; a reconstruction). x = (x0, x1..x_dim). Clean points:
 * x0 = 0, y ~ Bernoulli(1/2), x1 = (2y - 1) * signal, x2.. ~ N(0, noiseStd^2). Outliers (exactly
 * round(outlierFraction * n) per split): x0 = +alpha or -alpha (fair coin), label outlierClass,
 * x1 = +-signal with a fair sign independent of the label, x2.. as for clean points.
 */
export interface OpposingSignalsData extends DataCommon {
  kind: 'opposing-signals';
  dim: number;
  alpha: number;
  outlierFraction: number;
  signal: number;
  noiseStd: number;
  outlierClass: number;
}
/**
 * Synthetic images for CNN demos: size x size, `channels` channels, class c in 0..nClasses-1 draws
 * shape c (0 horizontal bar, 1 vertical bar, 2 diagonal bar, 3 anti-diagonal bar, 4 blob, 5 ring)
 * at a random position with a random per-channel intensity, plus N(0, noise^2) pixel noise.
 */
export interface ImagesData extends DataCommon {
  kind: 'images';
  size: number;
  channels: number;
  nClasses: number;
  noise: number;
}
/**
 * User-supplied CSV (header row, numeric feature columns, one label column), inline. Limits: at
 * most 5 MB of text and 100000 data rows. Rows are shuffled by the seed; the first nTest go to the
 * test set, the next nTrain to the train set (nTrain + nTest <= rows).
 */
export interface CsvData extends DataCommon {
  kind: 'csv';
  text: string;
  labelColumn: string;
  /** 'auto': regression when some label is a non-integer number, else classification. */
  task: 'auto' | 'classification' | 'regression';
}

export type DataKind = DataConfig['kind'];

export interface MlpModel {
  kind: 'mlp';
  /** Hidden layer widths; [] is a linear model. */
  hidden: number[];
  activation: Activation;
  /** Weights ~ N(0, (initScale^2) / fanIn); biases start at 0. */
  initScale: number;
  /** Whether dense layers have a bias (default true). */
  bias: boolean;
}
/**
 * A small convolutional network. Activations are [channels, height, width] per example, row-major
 * (PyTorch's NCHW without the batch). `layers` are the hidden layers in order; an output dense layer
 * with one unit per output is appended. Every conv2d and dense hidden layer is followed by
 * `activation`. A dense layer after a spatial layer flattens it first (as torch.flatten does).
 * Weights of a conv layer are [out, in, kh, kw] (PyTorch's), ~ N(0, initScale^2 / (in kh kw)).
 */
export interface CnnModel {
  kind: 'cnn';
  /** [channels, height, width] of one input; absent: images data gives [channels, size, size], other data [1, 1, inputDim]. */
  inputShape?: [number, number, number];
  layers: CnnLayer[];
  activation: Activation;
  initScale: number;
  bias: boolean;
}
/** Sizes are [height, width] after validation (a single number in a file means a square). */
export type CnnLayer =
  | { type: 'conv2d'; channels: number; kernel: [number, number]; stride: [number, number]; padding: [number, number] }
  | { type: 'maxpool' | 'avgpool'; size: [number, number]; stride: [number, number] }
  | { type: 'flatten' }
  | { type: 'dense'; units: number };
export type CnnLayerType = CnnLayer['type'];

/**
 * The two-layer patch CNN of the benign-oscillation paper (docs/models.md; architecture confirmed only
 * through reviews): 2m filters w_j in R^d applied to each of the P patches of x,
 * f(W, x) = sum_p sum_j s_j act(<w_j, x_p>) / m with s_j = +1 for j < m and -1 otherwise; the
 * second layer (s_j / m) is fixed. One output; no bias. Filters ~ N(0, initScale^2 / d).
 */
export interface PatchCnnModel {
  kind: 'patch-cnn';
  /** m: filters per output sign (2m filters in all). */
  filters: number;
  /** Patch dimension d; absent: the feature-noise data's patchDim (other data: required). */
  patchDim?: number;
  activation: Activation;
  initScale: number;
}
/**
 * Output scale alpha, common to every model kind (docs/metrics.md "Output scale", a reconstruction): when set, the
 * network output is the centred alpha * (F(w, x) - F(w0, x)) and the loss is multiplied by
 * 1 / alpha^2. Absent: the plain output F(w, x).
 */
interface OutputScale {
  outputScale?: number;
}
export type ModelConfig = (MlpModel | CnnModel | PatchCnnModel) & OutputScale;
export type ModelKind = ModelConfig['kind'];

/** Optimizer hyperparameters: names follow PyTorch (camelCase); `betas` is a pair. */
export type HyperValue = number | boolean | [number, number];
export interface OptimizerConfig {
  name: string;
  [hyper: string]: HyperValue | string;
}

export type ScheduleName = 'constant' | 'step' | 'exponential' | 'linear' | 'cosine' | 'refined';
export interface ScheduleConfig {
  name: ScheduleName;
  /** Linear warmup steps (0 = none). */
  warmup?: number;
  /** step: multiply by gamma every stepSize steps. exponential: multiply by gamma each step. */
  stepSize?: number;
  gamma?: number;
  /** cosine: the floor, as a fraction of the peak lr. */
  minFactor?: number;
  /** refined: per-step multipliers of the peak lr (length = steps), derived from a finished run. */
  factors?: number[];
}

export interface RunConfig {
  label: string;
  /** CSS colour; the UI assigns one from a colour-blind-safe palette when absent. */
  color?: string;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
}

export interface MetricsConfig {
  /** Log the cheap metrics (loss, accuracy, norms, lr) every `every` steps. */
  every: number;
  /** Evaluate train loss/accuracy on at most this many training points (0 = all). */
  evalSubset: number;
  /**
   * Top Hessian eigenvalue; absent or every=0 disables it. k (1..5, default 1): the top k
   * eigenvalues, as the metrics sharpness, sharpness_2 .. sharpness_k.
   */
  sharpness?: { every: number; iters: number; tol?: number; subset?: number; k?: number };
  /** Hutchinson trace and Frobenius norm. */
  trace?: { every: number; samples: number; subset?: number };
  /**
   * Slab data (lms, ms57, lsn): which S-randomized test accuracies to log (docs/metrics.md), each the test
   * accuracy after permuting those coordinates across test points. Absent: every choice the data
   * has ('linear' needs a linear coordinate, which ms57 lacks); [] logs none.
   */
  sRandomized?: SRandomizedChoice[];
}
/** 'linear': the linear coordinate; 'slab': the slab coordinates; 'complex': every non-linear one. */
export type SRandomizedChoice = 'linear' | 'slab' | 'complex';
export const S_RANDOMIZED_CHOICES: readonly SRandomizedChoice[] = ['linear', 'slab', 'complex'];

export interface Experiment {
  version: typeof EXPERIMENT_VERSION;
  seed: number;
  data: DataConfig;
  model: ModelConfig;
  loss: LossName;
  steps: number;
  batchSize: number | 'full';
  /** false (default): every run shares init weights and minibatch order. true: run i uses seed+i. */
  varySeedPerRun: boolean;
  runs: RunConfig[];
  metrics: MetricsConfig;
  /**
   * Hinge loss only (docs/metrics.md, `zero_loss_step`): a run whose logged train_loss is exactly 0 stops training there (its
   * parameters freeze, later steps are not logged) and logs zero_loss_step = that step (t* = lr x
   * zero_loss_step). Absent: false.
   */
  stopAtZeroLoss?: boolean;
}

/** A validation problem: the field path (e.g. "runs[1].optimizer.lr") and what was expected. */
export interface ValidationError {
  path: string;
  message: string;
}
export type Result<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };
