/**
 * The memory plan of one model graph (memory_plan.ts): the activation, delta and evaluation buffers
 * and the large dispatches of an MlpGpu (model/mlp_gpu.ts) or a CnnGpu (model/cnn_gpu.ts) over R runs,
 * used for the training graph of each population and for its curvature graph (2R runs).
 */
import { BufferPool } from './buffers';
import type { CnnSpec } from '../model/cnn_spec';
import { cnnEvalDispatch, cnnGpuBufferFloats, cnnTrainDispatches } from '../model/cnn_gpu_plan';
import type { PlannedBuffer, PlannedDispatch } from './memory_plan';
import { tableEntries } from './buffer_table';
import { mlpBufferTable } from '../model/mlp_gpu_plan';

/** Workgroup size of the element-wise kernels (mlp_gpu, curvature, optimizers). */
export const ELEM_WG = 64;

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

export interface MlpPlan {
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

/** The buffers of one MlpGpu (model/mlp_gpu.ts), and its dispatches, pushed into `dispatches`. */
export function planMlp(
  add: (label: string, floats: number, path: string, what: string, reduce: string) => void,
  dispatches: PlannedDispatch[],
  o: MlpPlan,
): void {
  const { widths, R, batch: B, tag, prefix } = o;
  const L = widths.length - 1;
  // The buffers, from the table MlpGpu allocates (model/mlp_gpu_plan.ts); the config path to name
  // depends on what sizes each.
  const dims = {
    R,
    batch: B,
    widths,
    evalChunk: o.evalChunk,
    relu: o.relu,
    paired: o.pairedReluMask && o.relu,
    clip: o.clip,
  };
  const evalReduce = 'reduce the widest layer or the number of runs';
  for (const { name, floats, decl } of tableEntries(mlpBufferTable(L), dims)) {
    const layer = /^(?:Z|A|zmid|delta)(\d+)$/.exec(name);
    const [path, reduce] = layer
      ? [o.where(Number(layer[1])), o.reduce]
      : name === 'pe-scale'
        ? ['batchSize', o.reduce]
        : name.startsWith('eval')
          ? [o.evalPath, evalReduce]
          : [o.evalPath, ''];
    add(`${name}${tag}`, floats, path, decl.what(dims), reduce);
  }
  for (let l = 0; l < L; l++) {
    const n = R * B * widths[l + 1];
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
  const E = Math.max(1, o.evalChunk);
  const maxW = Math.max(...widths.slice(1));
  dispatches.push({
    label: `${prefix}evaluation forward${tag}`,
    threads: R * E * maxW,
    workgroupSize: ELEM_WG,
    path: o.evalPath,
    reduce: evalReduce,
  });
}
