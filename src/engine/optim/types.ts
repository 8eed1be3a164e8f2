/**
 * The optimizer registry contract. Each optimizer lives in one file of this folder and exports
 * an OptimizerDef: its hyperparameter schema (read by the validator, the CLI and the UI), its
 * CPU reference step (float64, the oracle) and its fused WGSL update for a whole population.
 */
import type { TensorInfo } from '../model/layout';
import type { PipelineCache } from '../webgpu/pipelines';

export type HyperType = 'number' | 'boolean' | 'betas';

export interface HyperSpec {
  key: string;
  type: HyperType;
  default: number | boolean | [number, number];
  /** Inclusive bounds for numbers (and for each beta). */
  min?: number;
  max?: number;
  /** When true the lower bound is exclusive (e.g. lr > 0). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** Integer-valued number. */
  integer?: boolean;
  /** UI hint: log-scale slider. */
  log?: boolean;
  description: string;
}

/** Resolved hyperparameters of one run (defaults filled in). */
export type Hyper = Record<string, number | boolean | [number, number]>;

export interface CpuOptimizerState {
  /** Per-parameter state arrays, each of length paramCount. */
  slots: Float64Array[];
  /** Free-form scalar state (e.g. frozen per-tensor scales). */
  extra: Record<string, number[]>;
}

export interface CpuStepArgs {
  params: Float64Array;
  grad: Float64Array;
  state: CpuOptimizerState;
  hp: Hyper;
  /** 1-based step number. */
  t: number;
  /** Scheduled learning rate of this step. */
  lr: number;
  tensors: TensorInfo[];
  /** Seed for any noise the optimizer draws (DP-SGD); counter-based PRNG keyed by (seed, t). */
  seed: number;
  /** Minibatch size B of this experiment (the lot size for DP-SGD). */
  batchSize: number;
  /** Only for optimizers with perExampleClip: (1/B) * sum_i clip(g_i, C) over the batch. */
  clippedGrad?: Float64Array;
}

/** What an optimizer reads to say where a step's gradient is taken (cpuGradientPoint, cpuPerturb). */
export interface CpuPointArgs {
  params: Float64Array;
  state: CpuOptimizerState;
  hp: Hyper;
  /** 1-based step number. */
  t: number;
  tensors: TensorInfo[];
}

/** Buffers and layout handed to an optimizer's GPU implementation. */
export interface GpuOptimizerContext {
  device: GPUDevice;
  pipelines: PipelineCache;
  /** Runs in the population and floats per run. */
  runs: number;
  paramCount: number;
  tensors: TensorInfo[];
  /** f32 [runs * paramCount]. */
  params: GPUBuffer;
  /** f32 [runs * paramCount]; the minibatch gradient of this step (mean over the batch). */
  grads: GPUBuffer;
  /** f32 [stateSlots * runs * paramCount]; slot s of run r at (s * runs + r) * paramCount. Zeroed at start. */
  state: GPUBuffer;
  /** f32 [runs * hyperSize]: packHyper() of each run. */
  hyper: GPUBuffer;
  /** The same values on the host, for kernels compiled to fit the population (anyHyper in common.ts). */
  hyperHost: Float32Array;
  /** Each run's hyperparameters (float64), for tables the host derives from them (frugal.ts). */
  hps: Hyper[];
  /** f32 [chunkSteps * runs * STEP_SCALARS]: stepScalars() of each run for each step slot of a chunk. */
  stepScalars: GPUBuffer;
  /** Uniform buffer of StepInfo records, one per step slot, bound with a dynamic offset. */
  stepInfo: GPUBuffer;
  /** Byte stride between StepInfo records (the device's minUniformBufferOffsetAlignment or more). */
  stepInfoStride: number;
  /** Minibatch size B of this experiment (the lot size for DP-SGD). */
  batchSize: number;
  /** Per-run seeds (u32 [runs]) for counter-based noise. */
  seeds: GPUBuffer;
  /**
   * Only for optimizers with perExampleClip: f32 [runs * paramCount] holding
   * (1/B) * sum_i g_i * min(1, C/(||g_i|| + 1e-6)), ||g_i|| the norm of example i's gradient over
   * all parameters. The engine fills it in the backward pass (ghost norms, no per-example grads).
   */
  clippedGrads?: GPUBuffer;
  /**
   * The population's divergence guard (src/engine/webgpu/diverge_guard.ts), for optimizers that do its
   * per-step work in their update (the one-dispatch frame, optim_common.wgsl): they then report
   * `guarded` and the guard only puts frozen runs back.
   */
  guard?: FrameGuard;
}

/** Buffers of the divergence guard an optimizer update writes to (optim_common.wgsl, GUARD). */
export interface FrameGuard {
  /** f32 [runs * paramCount]: the update saves theta_{t-1} here. */
  lastGood: GPUBuffer;
  /** The per-step stats records [slot][run][ns]; the batch loss sum in field `batchField`. */
  stats: GPUBuffer;
  ns: number;
  batchField: number;
  /** u32 [runs * 2]: (divergedAt, frozenAt); the update atomicMins divergedAt. */
  status: GPUBuffer;
}

/** Floats per run per step in ctx.stepScalars; slot 0 is always the scheduled lr. */
export const STEP_SCALARS = 8; // optim_common.wgsl caches at most 8 (MAX_SS)

/**
 * WGSL struct matching each StepInfo record (16 bytes used):
 *   struct StepInfo { t: u32, slot: u32, runs: u32, paramCount: u32 }
 * t is the 1-based step number; slot indexes ctx.stepScalars: (slot * runs + r) * STEP_SCALARS + q.
 */
export interface StepInfo {
  t: number;
  slot: number;
}

export interface GpuOptimizer {
  /**
   * Record this step's update (any number of dispatches) into `pass`. `stepInfoOffset` is the
   * dynamic offset of this step's StepInfo record in ctx.stepInfo.
   */
  encode(pass: GPUComputePassEncoder, stepInfoOffset: number): void;
  destroy(): void;
  /**
   * True when ctx.guard was given and this optimizer's update does the guard's per-step work:
   * saves every parameter's previous value to guard.lastGood and records a non-finite parameter
   * or batch loss in guard.status (optim_common.wgsl, GUARD).
   */
  guarded?: boolean;
  /** Dispatches per step of encode (default 1). */
  dispatches?: number;
  /**
   * Optimizers whose gradient is not taken at the parameters (OptimizerDef.cpuGradientPoint,
   * cpuPerturb): before the step's forward, params <- the point the gradient is taken at, the
   * parameters saved (Schedule-Free: y).
   */
  encodeGradientPoint?(pass: GPUComputePassEncoder, stepInfoOffset: number): void;
  /**
   * SAM: after the first gradient, params <- the perturbed point, the parameters and the step's stats
   * record saved; the engine then takes a second gradient on the same minibatch into ctx.grads.
   */
  encodePerturb?(pass: GPUComputePassEncoder, stepInfoOffset: number): void;
  /** After the step's last gradient: the parameters (and the stats record) back exactly as saved. */
  encodeRestore?(pass: GPUComputePassEncoder, stepInfoOffset: number): void;
  /** Dispatches of the three above per step (the second gradient's own are the model's). */
  pointDispatches?: number;
  /**
   * f32 [runs * paramCount]: the step's minibatch gradient at the parameters, when ctx.grads holds
   * another one after the step (SAM: the second gradient, at theta + e). The step's gradient metrics
   * read it instead of ctx.grads (grad_eig_cosine; the CPU's cpuPerturb keeps the first gradient too).
   */
  gradsAtParams?: GPUBuffer;
  /**
   * State the optimizer keeps in buffers of its own that persists across steps (checkpoints save
   * and restore it), each [run][floatsPerRun] f32, named as the CPU def's state.extra key.
   */
  internalState?: { name: string; buffer: GPUBuffer; floatsPerRun: number }[];
}

export interface OptimizerDef {
  name: string;
  /** One line: what it does. */
  description: string;
  /** The update rule in one line (docs/optimizers.md). */
  rule: string;
  /** Paper and reference code it follows. */
  source: string;
  /** Where this implementation departs from, or chooses between, references (docs/optimizers.md "Note" lines). */
  notes?: string[];
  hyperparams: HyperSpec[];
  /** Per-parameter state arrays needed (the max over any hyperparameter setting). */
  stateSlots: number;
  /**
   * Names of the per-run hyperparameter slots of ctx.hyper, in order: the kernel reads slot `x` with
   * the generated accessor hp_x(r) (slots.ts). Values the kernel would otherwise derive (1 - beta1,
   * ...) get slots of their own, computed in float64 on the host.
   */
  hyper: readonly string[];
  /**
   * Names of the per-step scalars of ctx.stepScalars, in order ('lr', the scheduled learning rate,
   * first; at most STEP_SCALARS): bias corrections, lr * wd products and the like, computed in
   * float64 on the host each step; the kernel reads scalar `x` with sc_x(r).
   */
  scalars: readonly string[];
  /** Floats per run in ctx.hyper (= hyper.length). */
  hyperSize: number;
  /** The hyper slots of one run in declaration order (namedSlots() makes it from values by name). */
  packHyper(hp: Hyper): number[];
  /** The step scalars of step t (1-based) with scheduled lr in declaration order (namedSlots()). */
  stepScalars(hp: Hyper, t: number, lr: number): number[];
  /**
   * The buffers of its own that createGpu allocates for a population of `runs` runs (scratch and
   * internal state), each with its size in floats, so the memory plan lists them (memory_plan.ts).
   * Omitted: none beyond ctx's.
   */
  gpuBuffers?(tensors: TensorInfo[], runs: number, hps: Hyper[]): { label: string; floats: number; what: string }[];
  /** Create the GPU update for a population (compiles pipelines). */
  createGpu(ctx: GpuOptimizerContext): Promise<GpuOptimizer>;
  cpuInit(paramCount: number, tensors: TensorInfo[], hp: Hyper): CpuOptimizerState;
  /** One float64 step, in place on params and state. */
  cpuStep(args: CpuStepArgs): void;
  /**
   * Schedule-Free: the point the step's gradient is taken at (y), when it is not the parameters; a
   * new array. The logged metrics are those of the parameters (x, the averaged point); the batch
   * loss is the one at this point.
   */
  cpuGradientPoint?(args: CpuPointArgs): Float64Array;
  /**
   * SAM: given the gradient g at the parameters, the point (a new array) where a second gradient on
   * the same minibatch is taken; that gradient replaces g in cpuStep. grad_norm and the batch loss
   * stay those at the parameters.
   */
  cpuPerturb?(args: CpuPointArgs & { grad: Float64Array }): Float64Array;
  /** One sentence every chart shows under its note when a run of this optimizer is on it. */
  chartNote?: string;
  /**
   * Optimizers that replace the learning-rate schedule (Schedule-Free): why; their runs must use
   * the constant schedule (the validator says so).
   */
  ownSchedule?: string;
  /**
   * The optimizer's stability line for the top Hessian eigenvalue at learning rate lr, when
   * one applies (2/lr for GD); undefined otherwise.
   */
  sharpnessThreshold?(hp: Hyper, lr: number): number | undefined;
  /**
   * DP-SGD / DiceSGD: the per-example clipping norm C of this run. When defined, the engine
   * also computes ctx.clippedGrads (GPU) / args.clippedGrad (CPU) each step.
   */
  perExampleClip?(hp: Hyper): number;
  /**
   * Adam family: the diagonal preconditioner after step t, P_i = scale * (sqrt(vScale * state[slot][i]) + eps),
   * e.g. Adam: slot of v, scale = 1 - beta1^t, vScale = 1 / (1 - beta2^t) (docs/metrics.md). Used for precond_sharpness.
   */
  preconditioner?(hp: Hyper, t: number): { slot: number; scale: number; vScale: number; eps: number };
  /** Adam-family: preconditioned-sharpness line (2+2b1)/(lr(1-b1)). */
  precondThreshold?(hp: Hyper, lr: number): number | undefined;
}
