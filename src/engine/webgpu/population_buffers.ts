/**
 * A population's own buffers (population.ts), declared once: Population allocates them from this
 * table and the memory plan lists them from it (memory_plan_parts.ts). The model's graphs, the
 * curvature probe, the divergence guard and the alignment probes declare theirs beside their code.
 */
import type { Experiment } from '../../schema/types';
import { NS } from '../model/stats_layout';
import { STEP_SCALARS, type OptimizerDef } from '../optim/types';
import type { BufferTable, TableData } from './buffer_table';

/** What sizes a population's buffers, known before allocation. */
export interface PopulationDims {
  /** The optimizer's name (for messages). */
  optimizer: string;
  /** Runs, and parameters per run. */
  R: number;
  P: number;
  /** Steps per submit (records of the per-step buffers). */
  capacity: number;
  /** Examples per step; the whole training set in full-batch mode. */
  batch: number;
  fullBatch: boolean;
  /** One minibatch index stream per run (seeds vary per run) rather than one shared. */
  idxPerRun: boolean;
  hyperSize: number;
  stateSlots: number;
  /** The optimizer clips per-example gradients (DP-SGD and DiceSGD). */
  perExampleClip: boolean;
}

export function populationDims(o: {
  exp: Pick<Experiment, 'batchSize' | 'varySeedPerRun'>;
  nTrain: number;
  R: number;
  P: number;
  capacity: number;
  def: Pick<OptimizerDef, 'name' | 'hyperSize' | 'stateSlots' | 'perExampleClip'> | undefined;
  /** The optimizer's name when `def` is undefined (an unknown name: planned with no state). */
  name?: string;
}): PopulationDims {
  const fullBatch = o.exp.batchSize === 'full' || o.exp.batchSize >= o.nTrain;
  return {
    optimizer: o.def?.name ?? o.name ?? '?',
    R: o.R,
    P: o.P,
    capacity: o.capacity,
    batch: fullBatch ? o.nTrain : (o.exp.batchSize as number),
    fullBatch,
    idxPerRun: o.exp.varySeedPerRun && o.R > 1,
    hyperSize: o.def?.hyperSize ?? 0,
    stateSlots: o.def?.stateSlots ?? 0,
    perExampleClip: !!o.def?.perExampleClip,
  };
}

const RP = (d: PopulationDims) => d.R * d.P;

/** Points per evaluation chunk: the larger of the train and test sets, at most 1024. */
export function evalChunk(nTrain: number, nTest: number): number {
  return Math.min(1024, Math.max(nTrain, nTest, 1));
}

export const POPULATION_BUFFERS = {
  params: { floats: RP, sizedBy: 'params', what: (d) => `the parameters of ${d.R} runs` },
  grads: { floats: RP, sizedBy: 'params', what: (d) => `the gradients of ${d.R} runs` },
  'prev-params': { floats: RP, sizedBy: 'params', what: (d) => `the previous parameters of ${d.R} runs` },
  'prev2-params': { floats: RP, sizedBy: 'params', what: (d) => `the parameters two steps back of ${d.R} runs` },
  w0: { floats: RP, sizedBy: 'params', what: (d) => `the initial parameters of ${d.R} runs` },
  stats: { floats: (d) => d.capacity * d.R * NS, sizedBy: 'steps', what: () => 'the metric records' },
  'step-scalars': {
    floats: (d) => d.capacity * d.R * STEP_SCALARS,
    sizedBy: 'steps',
    what: () => 'the per-step scalars',
  },
  seeds: { floats: (d) => d.R, sizedBy: 'runs', what: () => 'the run seeds' },
  'batch-idx': {
    floats: (d) => (d.idxPerRun ? d.R : 1) * d.batch,
    sizedBy: 'batch',
    what: () => 'the minibatch indices',
  },
  /** The one seed of a shared minibatch stream. */
  seed0: {
    floats: () => 1,
    when: (d) => !d.fullBatch && !d.idxPerRun,
    sizedBy: 'runs',
    what: () => 'the shared seeds',
  },
  'clipped-grads': {
    floats: RP,
    when: (d) => d.perExampleClip,
    sizedBy: 'params',
    what: (d) => `the clipped gradients of ${d.R} runs`,
  },
  'clip-norms': { floats: (d) => d.R, when: (d) => d.perExampleClip, sizedBy: 'runs', what: () => 'the clip norms' },
  hyper: { floats: (d) => Math.max(1, d.R * d.hyperSize), sizedBy: 'runs', what: () => 'the hyperparameters' },
  'opt-state': {
    floats: (d) => Math.max(1, d.stateSlots * RP(d)),
    sizedBy: 'params',
    what: (d) => `the ${d.optimizer} optimizer state of ${d.R} runs`,
  },
} satisfies BufferTable<PopulationDims>;

/**
 * The initial contents of a population's buffers: every run's initial parameters (also w0), the
 * seeds (and the shared stream's one seed), per-example clip norms, packed hyperparameters.
 */
export function populationData(
  d: PopulationDims,
  o: { init: Float32Array[]; seeds: number[]; hyper: Float32Array; clipNorms?: number[] },
): TableData<typeof POPULATION_BUFFERS> {
  const init = new Float32Array(d.R * d.P);
  o.init.forEach((p, r) => init.set(p, r * d.P));
  const data: TableData<typeof POPULATION_BUFFERS> = {
    params: init,
    w0: init,
    seeds: new Uint32Array(o.seeds.map((s) => s >>> 0)),
    hyper: o.hyper,
  };
  if (POPULATION_BUFFERS.seed0.when(d)) data.seed0 = new Uint32Array([o.seeds[0] >>> 0]);
  if (o.clipNorms) data['clip-norms'] = new Float32Array(o.clipNorms);
  return data;
}
