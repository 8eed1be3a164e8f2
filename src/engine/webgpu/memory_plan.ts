/**
 * Memory planning and device-limit checks, done before anything is allocated. planMemory mirrors
 * the allocation code (trainer.ts, population.ts, model/mlp_gpu.ts, metrics/curvature_gpu.ts,
 * step_slots.ts): when one of those changes the buffers it creates, change the plan here too
 * (memory_plan.test.ts pins the sizes of a small experiment). checkDeviceLimits turns a plan into
 * specific ValidationErrors that say what to reduce. Pure arithmetic: no device, no DOM.
 */
import type { Experiment, ValidationError } from '../../schema/types';
import { mlpParamCount, networkOutputs } from '../../schema/limits';
import { dataShape } from '../data/shape';
import { getOptimizer } from '../optim/registry';
import { STEP_SCALARS } from '../optim/types';
import { BufferPool, dispatchSize } from './buffers';
import type { CnnSpec } from '../model/cnn_spec';
import { cnnEvalDispatch, cnnGpuBufferFloats, cnnTrainDispatches } from '../model/cnn_gpu_plan';
import { experimentLayout } from '../model/shape';
import { NS } from '../model/stats_layout';

/** Floats per run in a stats record: NS (model/stats_layout.ts); a curvature scalar record: SC. */
const SC = 16;
const CURV_KINDS = 4;
/** Workgroup size of the element-wise kernels (mlp_gpu, curvature, optimizers). */
const ELEM_WG = 64;
/** Step-info record stride: max(256, minUniformBufferOffsetAlignment); 256 on every adapter we know. */
const STEP_STRIDE = 256;
const DEFAULT_STEPS_PER_SUBMIT = 64;
const EVAL_CHUNK = 1024;
const DEFAULT_CURV_SUBSET = 1024;

export interface DataDims {
  inputDim: number;
  /** Output units of the network. */
  outDim: number;
  nTrain: number;
  nTest: number;
}

export interface PlannedBuffer {
  label: string;
  /** Bytes as created (rounded up to 16, at least 16). */
  bytes: number;
  /** Bound as a storage buffer (whole), so maxStorageBufferBindingSize applies. */
  storage: boolean;
  /** The config field that sizes it, and what to reduce when it is too big. */
  path: string;
  what: string;
  reduce: string;
}

export interface PlannedDispatch {
  label: string;
  /** Invocations of a 1-D kernel (split over x and y by dispatchSize), or workgroups for per-run kernels. */
  threads: number;
  workgroupSize: number;
  path: string;
  reduce: string;
}

export interface MemoryPlan {
  buffers: PlannedBuffer[];
  dispatches: PlannedDispatch[];
  totalBytes: number;
}

export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/** The network's data dimensions implied by a (valid) config, without generating the data. */
export function dataDims(exp: Pick<Experiment, 'data' | 'loss'>): DataDims {
  const s = dataShape(exp.data);
  return { inputDim: s.inputDim, outDim: networkOutputs(exp.loss, s), nTrain: exp.data.nTrain, nTest: exp.data.nTest };
}

const REDUCE_WIDTH = 'reduce the width, the batch size or the number of runs';
const REDUCE_PARAMS = 'reduce model.hidden widths, the input dimension or the number of runs';

/** Every GPU buffer (and the large dispatches) a GpuTrainer for `exp` would create. */
export function planMemory(exp: Experiment, shape: DataDims, opts: { stepsPerSubmit?: number } = {}): MemoryPlan {
  const buffers: PlannedBuffer[] = [];
  const dispatches: PlannedDispatch[] = [];
  const add = (label: string, floats: number, path: string, what: string, reduce: string, storage = true): void => {
    buffers.push({ label, bytes: BufferPool.round(floats * 4), storage, path, what, reduce });
  };
  const { inputDim, nTrain, nTest } = shape;
  // The patch CNN always has one output (with "mse" on 2-class data: the binary squared loss).
  const outDim = exp.model.kind === 'patch-cnn' ? 1 : shape.outDim;
  const classification = dataShape(exp.data).nClasses > 0;
  const targetDim = classification ? 1 : outDim;
  const dataReduce = 'reduce data.nTrain/data.nTest or the input dimension';
  add('x-train', nTrain * inputDim, 'data.nTrain', 'the training inputs', dataReduce);
  add('y-train', nTrain * targetDim, 'data.nTrain', 'the training targets', dataReduce);
  add('x-test', nTest > 0 ? nTest * inputDim : 1, 'data.nTest', 'the test inputs', dataReduce);
  add('y-test', nTest > 0 ? nTest * targetDim : 1, 'data.nTest', 'the test targets', dataReduce);

  // Extra evaluation sets (metrics/eval_sets.ts), shared by every population. Their sizes depend on
  // the generated data, so the plan uses bounds: an S-randomized set is the test set (one per
  // choice: linear, slab, complex at most); an opposing-signals group is at most the train set.
  const evalSets: { key: string; n: number }[] = [];
  if ((exp.data.kind === 'lms' || exp.data.kind === 'ms57' || exp.data.kind === 'lsn') && nTest > 0) {
    const choices = exp.metrics.sRandomized ?? ['linear', 'slab', 'complex'];
    for (const c of choices) evalSets.push({ key: `s-randomized-${c}`, n: nTest });
  }
  if (exp.data.kind === 'opposing-signals')
    for (const g of ['pos', 'neg']) evalSets.push({ key: `group-${g}`, n: nTrain });
  for (const e of evalSets) {
    add(`x-${e.key}`, e.n * inputDim, 'metrics', `the ${e.key} evaluation inputs`, dataReduce);
    add(`y-${e.key}`, e.n * targetDim, 'metrics', `the ${e.key} evaluation targets`, dataReduce);
  }

  const capacity = Math.max(1, Math.min(opts.stepsPerSubmit ?? DEFAULT_STEPS_PER_SUBMIT, exp.steps));
  const model = exp.model;
  // Convolutional models: parameters from their layout; activations from planCnnActivations.
  const cnnLayout = model.kind === 'mlp' ? undefined : experimentLayout(exp, dataShape(exp.data));
  const widths = model.kind === 'mlp' ? [inputDim, ...model.hidden, outDim] : [inputDim, outDim];
  const P = model.kind === 'mlp' ? mlpParamCount(widths, model.bias) : cnnLayout!.paramCount;
  const paramPath = model.kind === 'mlp' ? 'model.hidden' : model.kind === 'cnn' ? 'model.layers' : 'model.filters';
  const reduceParams =
    model.kind === 'mlp' ? REDUCE_PARAMS : `reduce ${paramPath}, the input dimension or the number of runs`;
  const groups = new Map<string, number>();
  for (const run of exp.runs) groups.set(run.optimizer.name, (groups.get(run.optimizer.name) ?? 0) + 1);

  for (const [name, R] of groups) {
    const def = getOptimizer(name);
    const tag = groups.size > 1 ? ` (${name})` : '';
    const RP = R * P;
    const params = (label: string, floats: number, what: string) =>
      add(label + tag, floats, paramPath, what, reduceParams);
    params('params', RP, `the parameters of ${R} runs`);
    params('grads', RP, `the gradients of ${R} runs`);
    params('prev-params', RP, `the previous parameters of ${R} runs`);
    params('prev2-params', RP, `the parameters two steps back of ${R} runs`);
    params('w0', RP, `the initial parameters of ${R} runs`);
    params('guard-last-good', RP, `the last finite parameters of ${R} runs`);
    add('guard-status' + tag, 2 * R, 'runs', 'the divergence and stop flags', 'reduce the number of runs');
    if (model.outputScale !== undefined) {
      const f0 = (label: string, rows: number, path: string) =>
        add(label + tag, R * rows * outDim, path, 'the outputs at initialisation F(w0, x)', dataReduce);
      f0('f0-train', nTrain, 'data.nTrain');
      f0('f0-test', nTest, 'data.nTest');
      for (const e of evalSets) f0(`f0-${e.key}`, e.n, 'metrics');
    }
    const perStep = 'reduce the steps per submit or the number of runs';
    add('stats' + tag, capacity * R * NS, 'runs', 'the metric records', perStep);
    add('step-scalars' + tag, capacity * R * STEP_SCALARS, 'runs', 'the per-step scalars', perStep);
    add('step-info' + tag, (STEP_STRIDE * capacity) / 4, 'runs', 'the step records', perStep, false);
    const fullBatch = exp.batchSize === 'full' || exp.batchSize >= nTrain;
    const batch = fullBatch ? nTrain : (exp.batchSize as number);
    const idxPerRun = exp.varySeedPerRun && R > 1;
    add('seeds' + tag, R, 'runs', 'the run seeds', 'reduce the number of runs');
    add('batch-idx' + tag, (idxPerRun ? R : 1) * batch, 'batchSize', 'the minibatch indices', REDUCE_WIDTH);
    if (!fullBatch && !idxPerRun) add('seed0' + tag, 1, 'runs', 'the shared seeds', '');
    if (def?.perExampleClip) {
      params('clipped-grads', RP, `the clipped gradients of ${R} runs`);
      add('clip-norms' + tag, R, 'runs', 'the clip norms', 'reduce the number of runs');
    }
    add(
      'hyper' + tag,
      Math.max(1, R * (def?.hyperSize ?? 0)),
      'runs',
      'the hyperparameters',
      'reduce the number of runs',
    );
    params('opt-state', Math.max(1, (def?.stateSlots ?? 0) * RP), `the ${name} optimizer state of ${R} runs`);
    dispatches.push({
      label: `optimizer update${tag}`,
      threads: RP,
      workgroupSize: ELEM_WG,
      path: paramPath,
      reduce: reduceParams,
    });
    dispatches.push({
      label: `per-run reductions${tag}`,
      threads: R * 1,
      workgroupSize: 1,
      path: 'runs',
      reduce: 'reduce the number of runs',
    });
    // Alignment directions in the first layer's input space (model/directions.ts).
    if (exp.data.kind === 'feature-noise' && (model.kind === 'mlp' ? widths.length > 2 : model.kind === 'patch-cnn'))
      add('dirs' + tag, 2 * (cnnLayout ? cnnLayout.layers[0].inDim : inputDim), 'data', 'the feature directions', '');

    if (cnnLayout?.cnn)
      buffers.push(
        ...planCnnActivations(cnnLayout.cnn, dispatches, {
          tag,
          R,
          batch,
          evalChunk: Math.min(EVAL_CHUNK, Math.max(nTrain, nTest, 1)),
          path: paramPath,
          prefix: '',
          fullBatch,
          idxPerRun,
        }),
      );
    else
      planMlp(add, dispatches, {
        tag,
        widths,
        R,
        batch,
        clip: !!def?.perExampleClip,
        pairedReluMask: false,
        relu: exp.model.activation === 'relu',
        evalChunk: Math.min(EVAL_CHUNK, Math.max(nTrain, nTest, 1)),
        where: (l) => (l < widths.length - 2 ? `model.hidden[${l}]` : 'model'),
        evalPath: 'model.hidden',
        reduce: REDUCE_WIDTH,
        prefix: '',
      });

    const m = exp.metrics;
    if (m.sharpness || m.trace) {
      const subset = Math.min(nTrain, m.sharpness?.subset ?? m.trace?.subset ?? DEFAULT_CURV_SUBSET);
      const subsetPath = m.sharpness ? 'metrics.sharpness.subset' : 'metrics.trace.subset';
      const curvReduce = `reduce ${subsetPath}, the width or the number of runs`;
      const c = (label: string, floats: number, what: string) => add(label + tag, floats, subsetPath, what, curvReduce);
      c('curv-prm', capacity * R * 8, 'the curvature parameters');
      c('curv-records', capacity * CURV_KINDS * R * SC, 'the curvature records');
      for (const k of ['sc-sharp', 'sc-pre', 'sc-trace', 'sc-dir']) c(k, R * SC, 'the curvature scalar records');
      for (const k of ['v-eig', 'v-pre', 'v-dir', 'hv']) params(k, RP, `the curvature directions of ${R} runs`);
      params('pert', 2 * RP, `the perturbed parameters (2 x ${R} runs) of the curvature probe`);
      params('g-pm', 2 * RP, `the perturbed gradients (2 x ${R} runs) of the curvature probe`);
      c('curv-stats', capacity * 2 * R * NS, 'the curvature probe stats');
      c('curv-idx', 4, 'the curvature probe indices');
      if (cnnLayout?.cnn)
        buffers.push(
          ...planCnnActivations(cnnLayout.cnn, dispatches, {
            tag,
            R: 2 * R,
            batch: subset,
            evalChunk: 1,
            path: subsetPath,
            prefix: 'curvature ',
            fullBatch: true,
            idxPerRun: false,
            pairedReluMask: true,
          }),
        );
      else
        planMlp(add, dispatches, {
          tag,
          widths,
          R: 2 * R,
          batch: subset,
          clip: false,
          evalChunk: 1,
          pairedReluMask: exp.model.activation === 'relu',
          relu: exp.model.activation === 'relu',
          where: () => subsetPath,
          evalPath: subsetPath,
          reduce: curvReduce,
          prefix: 'curvature ',
        });
      dispatches.push({
        label: `curvature element-wise${tag}`,
        threads: RP,
        workgroupSize: ELEM_WG,
        path: paramPath,
        reduce: reduceParams,
      });
      // Staging for the curvature records copied out at logged steps (mapped, not bound).
      add(
        'curv-staging' + tag,
        capacity * CURV_KINDS * R * SC,
        subsetPath,
        'the curvature readback',
        'reduce the number of runs',
        false,
      );
    }
    add('stats-staging' + tag, capacity * R * NS, 'runs', 'the metrics readback', 'reduce the number of runs', false);
  }
  // The divergence guards' status words, read back after each advance (diverge_guard.ts).
  let guardBytes = 0;
  for (const R of groups.values()) guardBytes += Math.ceil((8 * R) / 16) * 16;
  add('guard-staging', Math.max(16, guardBytes) / 4, 'runs', 'the divergence flags readback', '', false);
  const totalBytes = buffers.reduce((a, b) => a + b.bytes, 0);
  return { buffers, dispatches, totalBytes };
}

export interface CnnPlan {
  /** Appended to buffer and dispatch labels (the optimizer name when several are used). */
  tag: string;
  /** Runs (2R for the curvature graph) and points per forward/backward. */
  R: number;
  batch: number;
  /** Points per evaluation chunk. */
  evalChunk: number;
  /** Config path to name in errors. */
  path: string;
  /** Prepended to dispatch labels. */
  prefix: string;
  /** Whether the graph trains on the full batch (no gather buffer). Absent: false (the larger plan). */
  fullBatch?: boolean;
  /** Whether minibatch indices are per run ([R][B] gathered rows). Absent: true (the larger plan). */
  idxPerRun?: boolean;
  /** Curvature graphs: paired ReLU masks (extra midpoint buffers per ReLU stage). */
  pairedReluMask?: boolean;
}

/**
 * The activation, delta and evaluation buffers of one CnnGpu over R runs x o.batch points (and its
 * dispatches, pushed into `dispatches`), from the list CnnGpu itself allocates
 * (model/cnn_gpu_plan.ts), as planMlp mirrors MlpGpu's.
 */
export function planCnnActivations(spec: CnnSpec, dispatches: PlannedDispatch[], o: CnnPlan): PlannedBuffer[] {
  const plan = {
    spec,
    runs: o.R,
    batch: o.batch,
    fullBatch: o.fullBatch ?? false,
    idxPerRun: o.idxPerRun ?? true,
    evalChunk: o.evalChunk,
    pairedReluMask: o.pairedReluMask ?? false,
  };
  const reduce = `reduce ${o.path}, the batch size or the number of runs`;
  for (const d of [...cnnTrainDispatches(plan), cnnEvalDispatch(plan)])
    dispatches.push({ ...d, label: `${o.prefix}${d.label}${o.tag}`, path: o.path, reduce });
  return cnnGpuBufferFloats(plan).map(({ label, floats }) => ({
    label: `cnn-${label}${o.tag}`,
    bytes: BufferPool.round(Math.max(1, floats) * 4),
    storage: true,
    path: o.path,
    what: `the ${o.prefix}CNN buffer ${label} (${o.R} runs x ${label.startsWith('eval') ? o.evalChunk : o.batch} points)`,
    reduce,
  }));
}

interface MlpPlan {
  tag: string;
  widths: number[];
  R: number;
  batch: number;
  clip: boolean;
  /** Curvature graph of a ReLU network: midpoint pre-activations per hidden layer (zmid). */
  pairedReluMask: boolean;
  /** A ReLU network: hidden layers keep Z only for the paired mask (their backward reads A). */
  relu: boolean;
  evalChunk: number;
  /** Config path of layer l's activations. */
  where: (l: number) => string;
  evalPath: string;
  reduce: string;
  /** Prepended to dispatch labels (the engine labels the buffers the same in both graphs). */
  prefix: string;
}

/** The buffers of one MlpGpu (model/mlp_gpu.ts). */
function planMlp(
  add: (label: string, floats: number, path: string, what: string, reduce: string) => void,
  dispatches: PlannedDispatch[],
  o: MlpPlan,
): void {
  const { widths, R, batch: B, tag, prefix } = o;
  const L = widths.length - 1;
  add(`dummy-read${tag}`, 4, o.evalPath, 'the placeholders', '');
  add(`dummy-write${tag}`, 4, o.evalPath, 'the placeholders', '');
  for (let l = 0; l < L; l++) {
    const n = R * B * widths[l + 1];
    const what = `the activations of layer ${l} (${R} runs x ${B} points x ${widths[l + 1]} units)`;
    if (l === L - 1 || o.pairedReluMask || !o.relu) add(`Z${l}${tag}`, Math.max(1, n), o.where(l), what, o.reduce);
    if (l < L - 1) add(`A${l}${tag}`, Math.max(1, n), o.where(l), what, o.reduce);
    if (o.pairedReluMask && l < L - 1) add(`zmid${l}${tag}`, Math.max(1, n), o.where(l), what, o.reduce);
    add(`delta${l}${tag}`, Math.max(1, n), o.where(l), what, o.reduce);
    dispatches.push({
      label: `${prefix}forward layer ${l}${tag}`,
      threads: n,
      workgroupSize: ELEM_WG,
      path: o.where(l),
      reduce: o.reduce,
    });
    const bwd = R * widths[l + 1] * (widths[l] + 1) + (l > 0 ? R * B * widths[l] : 0);
    dispatches.push({
      label: `${prefix}backward layer ${l}${tag}`,
      threads: bwd,
      workgroupSize: ELEM_WG,
      path: o.where(l),
      reduce: o.reduce,
    });
  }
  dispatches.push({
    label: `${prefix}loss${tag}`,
    threads: R,
    workgroupSize: 1,
    path: 'runs',
    reduce: 'reduce the number of runs',
  });
  if (o.clip) add(`pe-scale${tag}`, Math.max(1, R * B), 'batchSize', 'the per-example scales', o.reduce);
  const E = Math.max(1, o.evalChunk);
  const maxW = Math.max(...widths.slice(1));
  const what = `the evaluation buffers (${R} runs x ${E} points x ${maxW} units)`;
  const reduce = 'reduce the widest layer or the number of runs';
  for (const k of ['evalA0', 'evalA1', 'evalZ']) add(`${k}${tag}`, Math.max(1, R * E * maxW), o.evalPath, what, reduce);
  dispatches.push({
    label: `${prefix}evaluation forward${tag}`,
    threads: R * E * maxW,
    workgroupSize: ELEM_WG,
    path: o.evalPath,
    reduce,
  });
}

/** "1.2 GiB", "256 MiB", "12 KiB", "80 B". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const s = u === 0 ? String(Math.round(v)) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${s.replace(/\.0+$|(\.\d*?)0+$/, '$1')} ${units[u]}`;
}

/**
 * Problems that stop this experiment on a device with these limits (and an optional memory budget
 * in bytes), one per config path and kind of limit, each saying what to reduce. [] when it fits.
 */
export function checkDeviceLimits(
  exp: Experiment,
  shape: DataDims,
  limits: DeviceLimits,
  budgetBytes?: number,
  opts: { stepsPerSubmit?: number } = {},
): ValidationError[] {
  const plan = planMemory(exp, shape, opts);
  const errors: ValidationError[] = [];
  const seen = new Set<string>();
  const report = (key: string, path: string, message: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    errors.push({ path, message });
  };
  // Largest first, so the one error per path names the worst buffer.
  const bySize = plan.buffers.slice().sort((a, b) => b.bytes - a.bytes);
  for (const b of bySize) {
    const then = b.reduce ? `; ${b.reduce}` : '';
    if (b.storage && b.bytes > limits.maxStorageBufferBindingSize) {
      report(
        `bind:${b.path}`,
        b.path,
        `${b.what} need ${formatBytes(b.bytes)}, more than this GPU's ${formatBytes(limits.maxStorageBufferBindingSize)} storage binding limit${then}`,
      );
    } else if (b.bytes > limits.maxBufferSize) {
      report(
        `buf:${b.path}`,
        b.path,
        `${b.what} need ${formatBytes(b.bytes)}, more than this GPU's ${formatBytes(limits.maxBufferSize)} buffer size limit${then}`,
      );
    }
  }
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  for (const d of plan.dispatches) {
    const [x, y] = d.workgroupSize === 1 ? [Math.max(1, d.threads), 1] : dispatchSize(d.threads, d.workgroupSize);
    if (x > maxDim || y > maxDim) {
      report(
        `dispatch:${d.path}`,
        d.path,
        `the ${d.label} kernel needs ${x} x ${y} workgroups, more than this GPU's ${maxDim} per dimension; ${d.reduce}`,
      );
    }
  }
  if (budgetBytes !== undefined && plan.totalBytes > budgetBytes) {
    const top = bySize
      .slice(0, 3)
      .map((b) => `${b.label} ${formatBytes(b.bytes)}`)
      .join(', ');
    errors.push({
      path: 'runs',
      message:
        `this experiment needs ${formatBytes(plan.totalBytes)} of GPU memory, more than the ${formatBytes(budgetBytes)} available ` +
        `(largest: ${top}); reduce the number of runs, model.hidden widths, the batch size or the curvature subset`,
    });
  }
  return errors;
}
