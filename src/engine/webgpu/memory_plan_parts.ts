/**
 * The parts of planMemory (memory_plan.ts), in the order the allocation code creates them: the
 * data, then per population (one per optimizer kind) its run state, its training graph, its
 * curvature probe and its readback, then the divergence guards' readback. Each mirrors the code
 * named in its comment.
 */
import type { Experiment } from '../../schema/types';
import { mlpParamCount } from '../../schema/limits';
import { dataShape } from '../data/shape';
import { resolveHyper } from '../hyper';
import { getOptimizer } from '../optim/registry';
import type { OptimizerDef } from '../optim/types';
import { BufferPool } from './buffers';
import { tableEntries, type BufferTable, type SizedBy } from './buffer_table';
import { evalChunk, POPULATION_BUFFERS, populationDims } from './population_buffers';
import { MIN_STEP_STRIDE, slotCapacity } from './step_slots';
import { DATA_BUFFERS } from './data_buffers';
import { GUARD_BUFFERS } from './diverge_guard';
import { CURVATURE_BUFFERS, CURV_KINDS, SC, lanczosBasis } from '../metrics/curvature_buffers';
import { curvatureSubset } from '../metrics/curvature_rows_cpu';
import { mlpLayout, type ParamLayout, type TensorInfo } from '../model/layout';
import { experimentLayout } from '../model/shape';
import { NS } from '../model/stats_layout';
import type { DataDims, PlannedBuffer, PlannedDispatch } from './memory_plan';
import { ELEM_WG, planCnnActivations, planMlp } from './memory_plan_graphs';

/** Curvature record kinds. */
const CURV_KIND_COUNT = CURV_KINDS.length;

const REDUCE_WIDTH = 'reduce the width, the batch size or the number of runs';
const REDUCE_PARAMS = 'reduce model.hidden widths, the input dimension or the number of runs';

/** The plan being built and what every part of it reads. */
export interface PlanContext {
  exp: Experiment;
  buffers: PlannedBuffer[];
  dispatches: PlannedDispatch[];
  /** Append a buffer of `floats` floats (bound as storage unless `storage` is false). */
  add: (label: string, floats: number, path: string, what: string, reduce: string, storage?: boolean) => void;
  inputDim: number;
  nTrain: number;
  nTest: number;
  /** Network outputs (1 for the patch CNN) and target values per example. */
  outDim: number;
  targetDim: number;
  dataReduce: string;
  /** The extra evaluation sets, with bounds on their sizes. */
  evalSets: { key: string; n: number }[];
  /** Steps per submit: the records of the per-step buffers. */
  capacity: number;
  /** Convolutional models: their layout (parameters and op list). */
  cnnLayout: ParamLayout | undefined;
  /** MLP widths (input, hidden, output); [input, output] for the convolutional models. */
  widths: number[];
  /** Parameters per run. */
  P: number;
  /** One run's parameter tensors. */
  tensors: TensorInfo[];
  /** The config field that sizes the parameters, and what to reduce. */
  paramPath: string;
  reduceParams: string;
}

/** Where to look when a buffer of each kind is too big: [config path, what to reduce]. */
type SizedByAdvice = Record<SizedBy, [string, string]>;

function advice(c: PlanContext, subsetPath = 'metrics'): SizedByAdvice {
  const runs = 'reduce the number of runs';
  return {
    params: [c.paramPath, c.reduceParams],
    runs: ['runs', runs],
    steps: ['runs', 'reduce the steps per submit or the number of runs'],
    batch: ['batchSize', REDUCE_WIDTH],
    data: ['data.nTrain', c.dataReduce],
    test: ['data.nTest', c.dataReduce],
    subset: [subsetPath, `reduce ${subsetPath}, the width or the number of runs`],
  };
}

/** Every buffer of `table` that exists for `d`, as the allocation code creates it (buffer_table.ts). */
function planTable<D>(c: PlanContext, table: BufferTable<D>, d: D, tag: string, subsetPath?: string): void {
  const a = advice(c, subsetPath);
  for (const { name, floats, decl } of tableEntries(table, d)) {
    const [path, reduce] = a[decl.sizedBy];
    c.add(name + tag, floats, path, decl.what(d), reduce);
  }
}

/** One population: R runs of optimizer `name`. */
interface PopulationPlan {
  name: string;
  R: number;
  def: OptimizerDef | undefined;
  /** Appended to labels when there are several populations. */
  tag: string;
  RP: number;
  fullBatch: boolean;
  batch: number;
  idxPerRun: boolean;
}

/** The dimensions, model size and config paths of the plan, and its empty lists. */
export function planContext(exp: Experiment, shape: DataDims, opts: { stepsPerSubmit?: number }): PlanContext {
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
  const capacity = slotCapacity(exp.steps, opts.stepsPerSubmit);
  const model = exp.model;
  // Convolutional models: parameters from their layout; activations from planCnnActivations.
  const cnnLayout = model.kind === 'mlp' ? undefined : experimentLayout(exp, dataShape(exp.data));
  const widths = model.kind === 'mlp' ? [inputDim, ...model.hidden, outDim] : [inputDim, outDim];
  const P = model.kind === 'mlp' ? mlpParamCount(widths, model.bias) : cnnLayout!.paramCount;
  const paramPath = model.kind === 'mlp' ? 'model.hidden' : model.kind === 'cnn' ? 'model.layers' : 'model.filters';
  const reduceParams =
    model.kind === 'mlp' ? REDUCE_PARAMS : `reduce ${paramPath}, the input dimension or the number of runs`;
  return {
    exp,
    buffers,
    dispatches,
    add,
    inputDim,
    nTrain,
    nTest,
    outDim,
    targetDim,
    dataReduce,
    evalSets,
    capacity,
    cnnLayout,
    widths,
    P,
    tensors: model.kind === 'mlp' ? mlpLayout(widths, model.bias).tensors : cnnLayout!.tensors,
    paramPath,
    reduceParams,
  };
}

/** The training and test sets and the extra evaluation sets (webgpu/trainer.ts), shared by every population. */
export function planData(c: PlanContext): void {
  const { add, inputDim, nTrain, nTest, targetDim, dataReduce } = c;
  planTable(c, DATA_BUFFERS, { nTrain, nTest, inputDim, targetDim }, '');
  // The extra sets' sizes depend on the generated data: bounds (planContext).
  for (const e of c.evalSets) {
    add(`x-${e.key}`, e.n * inputDim, 'metrics', `the ${e.key} evaluation inputs`, dataReduce);
    add(`y-${e.key}`, e.n * targetDim, 'metrics', `the ${e.key} evaluation targets`, dataReduce);
  }
}

/** Every buffer of the population of R runs of optimizer `name` (webgpu/population.ts). */
export function planPopulation(c: PlanContext, name: string, R: number, tagged: boolean): void {
  const exp = c.exp;
  const tag = tagged ? ` (${name})` : '';
  const def = getOptimizer(name);
  const d = populationDims({ exp, nTrain: c.nTrain, R, P: c.P, capacity: c.capacity, def, name });
  const p: PopulationPlan = {
    name,
    R,
    def,
    tag,
    RP: R * c.P,
    fullBatch: d.fullBatch,
    batch: d.batch,
    idxPerRun: d.idxPerRun,
  };
  planTable(c, POPULATION_BUFFERS, d, tag);
  planRunState(c, p);
  planTrainGraph(c, p);
  planOptimizer(c, p);
  const m = exp.metrics;
  if (m.sharpness || m.trace) planCurvature(c, p);
  c.add('stats-staging' + tag, c.capacity * R * NS, 'runs', 'the metrics readback', 'reduce the number of runs', false);
}

/** The optimizer's own buffers (OptimizerDef.gpuBuffers), as its createGpu allocates them. */
function planOptimizer(c: PlanContext, p: PopulationPlan): void {
  if (!p.def?.gpuBuffers) return;
  const hps = c.exp.runs.filter((r) => r.optimizer.name === p.name).map((r) => resolveHyper(p.def!, r.optimizer));
  for (const b of p.def.gpuBuffers(c.tensors, p.R, hps))
    c.add(b.label + p.tag, b.floats, c.paramPath, b.what, c.reduceParams);
}

/**
 * The guard, output offsets, step records and alignment directions, with the per-run dispatches
 * (the population's own buffers come from its table, population_buffers.ts).
 */
function planRunState(c: PlanContext, p: PopulationPlan): void {
  const { add, exp, capacity, outDim, dataReduce, paramPath, reduceParams } = c;
  const { R, RP, tag } = p;
  const model = exp.model;
  planTable(c, GUARD_BUFFERS, { R, P: c.P }, tag);
  if (model.outputScale !== undefined) {
    const f0 = (label: string, rows: number, path: string) =>
      add(label + tag, R * rows * outDim, path, 'the outputs at initialisation F(w0, x)', dataReduce);
    f0('f0-train', c.nTrain, 'data.nTrain');
    f0('f0-test', c.nTest, 'data.nTest');
    for (const e of c.evalSets) f0(`f0-${e.key}`, e.n, 'metrics');
  }
  const perStep = 'reduce the steps per submit or the number of runs';
  add('step-info' + tag, (MIN_STEP_STRIDE * capacity) / 4, 'runs', 'the step records', perStep, false);
  c.dispatches.push({
    label: `optimizer update${tag}`,
    threads: RP,
    workgroupSize: ELEM_WG,
    path: paramPath,
    reduce: reduceParams,
  });
  c.dispatches.push({
    label: `per-run reductions${tag}`,
    threads: R * 1,
    workgroupSize: 1,
    path: 'runs',
    reduce: 'reduce the number of runs',
  });
  // Alignment directions in the first layer's input space (model/directions.ts).
  const { cnnLayout, widths } = c;
  if (exp.data.kind === 'feature-noise' && (model.kind === 'mlp' ? widths.length > 2 : model.kind === 'patch-cnn'))
    add('dirs' + tag, 2 * (cnnLayout ? cnnLayout.layers[0].inDim : c.inputDim), 'data', 'the feature directions', '');
}

/** The population's training graph: its MlpGpu or CnnGpu over R runs x the batch. */
function planTrainGraph(c: PlanContext, p: PopulationPlan): void {
  const { exp, cnnLayout, widths, nTrain, nTest } = c;
  const { tag, R, batch, def } = p;
  if (cnnLayout?.cnn)
    c.buffers.push(
      ...planCnnActivations(cnnLayout.cnn, c.dispatches, {
        tag,
        R,
        batch,
        evalChunk: evalChunk(nTrain, nTest),
        path: c.paramPath,
        prefix: '',
        fullBatch: p.fullBatch,
        idxPerRun: p.idxPerRun,
      }),
    );
  else
    planMlp(c.add, c.dispatches, {
      tag,
      widths,
      R,
      batch,
      clip: !!def?.perExampleClip,
      pairedReluMask: false,
      relu: exp.model.activation === 'relu',
      evalChunk: evalChunk(nTrain, nTest),
      where: (l) => (l < widths.length - 2 ? `model.hidden[${l}]` : 'model'),
      evalPath: 'model.hidden',
      reduce: REDUCE_WIDTH,
      prefix: '',
    });
}

/**
 * The curvature probe (metrics/curvature_gpu.ts): its records, directions, perturbed parameters
 * and gradients, its graph over 2R runs x the subset, and its readback.
 */
function planCurvature(c: PlanContext, p: PopulationPlan): void {
  const { add, exp, capacity, cnnLayout, widths } = c;
  const { tag, R, RP } = p;
  const m = exp.metrics;
  const subset = curvatureSubset(m, c.nTrain);
  const subsetPath = m.sharpness ? 'metrics.sharpness.subset' : 'metrics.trace.subset';
  const curvReduce = `reduce ${subsetPath}, the width or the number of runs`;
  const M = lanczosBasis(m.sharpness?.iters);
  planTable(c, CURVATURE_BUFFERS, { R, P: c.P, capacity, M }, tag, subsetPath);
  if (cnnLayout?.cnn)
    c.buffers.push(
      ...planCnnActivations(cnnLayout.cnn, c.dispatches, {
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
    planMlp(add, c.dispatches, {
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
  c.dispatches.push({
    label: `curvature element-wise${tag}`,
    threads: RP,
    workgroupSize: ELEM_WG,
    path: c.paramPath,
    reduce: c.reduceParams,
  });
  // Staging for the curvature records copied out at logged steps (mapped, not bound).
  add(
    'curv-staging' + tag,
    capacity * CURV_KIND_COUNT * R * SC,
    subsetPath,
    'the curvature readback',
    'reduce the number of runs',
    false,
  );
}

/** The divergence guards' status words, read back after each advance (diverge_guard.ts). */
export function planGuardStaging(c: PlanContext, groups: Map<string, number>): void {
  let guardBytes = 0;
  for (const R of groups.values()) guardBytes += Math.ceil((8 * R) / 16) * 16;
  c.add('guard-staging', Math.max(16, guardBytes) / 4, 'runs', 'the divergence flags readback', '', false);
}
