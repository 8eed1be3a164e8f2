/**
 * The metrics of a GpuTrainer (trainer.ts): which curvature probes are due at a logged step and
 * their per-run parameters, the copy of the logged stats and curvature records into staging
 * buffers at the end of a submit, and, once those are mapped, their metric rows.
 */
import type { Experiment } from '../../schema/types';
import type { MetricRow } from '../trainer';
import type { Dataset } from '../data/types';
import { MAP_READ, COPY_DST, type BufferPool } from './buffers';
import type { ParamLayout } from '../model/layout';
import { NS, STAT } from '../model/mlp_gpu';
import type { Population } from './population';
import { alignmentDirections } from '../model/directions';
import { statsToRows } from '../metrics/rows';
import { CURV_KINDS, SC, type CurvatureRequest } from '../metrics/curvature_gpu';
import { curvatureRows } from '../metrics/curvature_rows';
import type { EvalSetSpec } from '../metrics/eval_sets';
import { sharpnessBudget } from '../metrics/sharpness_budget';

/** A logged step of one population: its step, the runs' learning rates and the curvature probes due. */
export interface LogEntry {
  step: number;
  lr: number[];
  curv?: CurvatureRequest;
}

/** The staged records of one population and one submit, waiting to be mapped. */
export interface Pending {
  pop: Population;
  staging: GPUBuffer;
  /** The logged records, in staging order. */
  logs: LogEntry[];
  /** Curvature scalar records of the same logs (only those with curv), in order. */
  curvStaging?: GPUBuffer;
}

/** What turning records into rows reads from the trainer. */
export interface RowContext {
  experiment: Experiment;
  dataset: Dataset;
  layout: ParamLayout;
  evalSets: EvalSetSpec[];
  staging: BufferPool;
  /** Scheduled lr of step t (1-based) for global run i. */
  lr: (i: number, t: number) => number;
}

/** Which curvature measurements are due at logged step s. */
export function curvRequest(exp: Experiment, s: number): CurvatureRequest | undefined {
  const m = exp.metrics;
  const req: CurvatureRequest = {};
  if (m.sharpness && m.sharpness.every > 0 && s % m.sharpness.every === 0) {
    req.sharpness = { iters: sharpnessBudget(m, exp.steps, s, 'sharpness'), k: m.sharpness.k ?? 1 };
    // precond_sharpness is reported from step 1 on (the optimizer's state after a step), as on the CPU.
    if (s > 0) req.precond = { iters: sharpnessBudget(m, exp.steps, s, 'precond') };
    if (s > 0) req.directional = true;
  }
  if (m.trace && m.trace.every > 0 && s % m.trace.every === 0) req.trace = { samples: m.trace.samples };
  return req.sharpness || req.trace ? req : undefined;
}

/** The curvature probe's per-run parameters for step slot `slot` (logged step s). */
export function prepareCurvature(pop: Population, slot: number, s: number): void {
  if (!pop.curvature) return;
  const { def, hps, seeds } = pop.spec;
  pop.curvature.writeParams(
    slot,
    hps.map((hp, r) => {
      const pre = def.preconditioner?.(hp, Math.max(1, s));
      return { scale: pre?.scale ?? 1, vScale: pre?.vScale ?? 1, eps: pre?.eps ?? 1, seed: seeds[r] };
    }),
  );
}

/** Copy the stats (and curvature) records of the logged `slots` into staging buffers from `pool`. */
export function stageRecords(
  enc: GPUCommandEncoder,
  pool: BufferPool,
  pop: Population,
  slots: number[],
  logs: LogEntry[],
): Pending {
  const rec = pop.R * NS * 4;
  const staging = pool.acquire(slots.length * rec, MAP_READ | COPY_DST);
  slots.forEach((slot, j) => enc.copyBufferToBuffer(pop.stats, slot * rec, staging, j * rec, rec));
  const curvSlots = slots.filter((_, j) => logs[j].curv);
  let curvStaging: GPUBuffer | undefined;
  if (pop.curvature && curvSlots.length > 0) {
    const crec = CURV_KINDS.length * pop.R * SC * 4;
    curvStaging = pool.acquire(curvSlots.length * crec, MAP_READ | COPY_DST);
    curvSlots.forEach((slot, j) =>
      enc.copyBufferToBuffer(pop.curvature!.records, slot * crec, curvStaging!, j * crec, crec),
    );
  }
  return { pop, staging, logs, curvStaging };
}

/** Map the staged records of `p` (releasing the buffers to the pool) and turn them into metric rows. */
export async function collectRows(c: RowContext, p: Pending): Promise<MetricRow[]> {
  await p.staging.mapAsync(MAP_READ);
  const data = new Float32Array(p.staging.getMappedRange().slice(0));
  p.staging.unmap();
  c.staging.release(p.staging);
  let curvData: Float32Array | undefined;
  if (p.curvStaging) {
    await p.curvStaging.mapAsync(MAP_READ);
    curvData = new Float32Array(p.curvStaging.getMappedRange().slice(0));
    p.curvStaging.unmap();
    c.staging.release(p.curvStaging);
  }
  let curvIndex = 0;
  const rows: MetricRow[] = [];
  const { pop } = p;
  const ds = c.dataset;
  const nTrain = ds.train.n;
  const evalTrain = c.experiment.metrics.evalSubset > 0 ? Math.min(c.experiment.metrics.evalSubset, nTrain) : nTrain;
  p.logs.forEach((log, j) => {
    pop.spec.runIds.forEach((run, r) => {
      const base = (j * pop.R + r) * NS;
      rows.push(
        ...statsToRows({
          run,
          step: log.step,
          stats: data.subarray(base, base + NS),
          lr: log.step > 0 ? log.lr[r] : undefined,
          batch: pop.batch,
          evalTrain,
          nTest: ds.test.n,
          classification: ds.nClasses > 0,
          featureNoise: c.experiment.data.kind === 'feature-noise',
          alignment: !!alignmentDirections(c.layout, ds.meta),
          w0Norm: pop.w0Norms[r],
          extra: c.evalSets.map((e, k) => ({
            metric: e.metric,
            report: e.report,
            n: e.n,
            field: STAT.extra + 2 * k,
          })),
        }),
      );
    });
    if (log.curv && curvData) {
      const block = curvData.subarray(
        curvIndex * CURV_KINDS.length * pop.R * SC,
        (curvIndex + 1) * CURV_KINDS.length * pop.R * SC,
      );
      curvIndex++;
      rows.push(...curvatureBlockRows(c, pop, log, block));
    }
  });
  return rows;
}

/** The curvature rows of every run of `pop` at one logged step, from its block of records. */
function curvatureBlockRows(c: RowContext, pop: Population, log: LogEntry, block: Float32Array): MetricRow[] {
  const rows: MetricRow[] = [];
  pop.spec.runIds.forEach((run, r) => {
    const rec = (k: number) => block.subarray((k * pop.R + r) * SC, (k * pop.R + r + 1) * SC);
    const hp = pop.spec.hps[r];
    const lr = log.step > 0 ? log.lr[r] : c.lr(run, 1);
    rows.push(
      ...curvatureRows({
        run,
        step: log.step,
        req: log.curv!,
        sharp: rec(0),
        precond: pop.spec.def.preconditioner && log.step > 0 ? rec(1) : undefined,
        trace: rec(2),
        directional: rec(3),
        sharpnessThreshold: pop.spec.def.sharpnessThreshold?.(hp, lr),
        precondThreshold: pop.spec.def.precondThreshold?.(hp, lr),
      }),
    );
  });
  return rows;
}
