/**
 * The GPU trainer's views of the loss landscape around a run (trainer.ts): the 1-D slice
 * (lossSlice), the recorded path (trackPath, path_recorder.ts) and the 2-D surface on the plane of
 * the top two Hessian eigenvectors (surface2d, metrics/surface_gpu.ts). Each view evaluates the
 * training loss over the curvature subset, centred with the run's own F(w0, x) under
 * model.outputScale.
 */
import type { Experiment } from '../../schema/types';
import type { LossSurface, SliceOptions, SlicePoint, SurfaceOptions } from '../trainer';
import type { Dataset } from '../data/types';
import type { ParamLayout } from '../model/layout';
import type { GpuData } from '../model/mlp_gpu';
import type { PipelineCache } from './pipelines';
import { readF32, storageBuffer } from './buffers';
import type { Population } from './population';
import { PathRecorder } from './path_recorder';
import { curvatureSubset } from '../metrics/curvature_rows_cpu';
import { lossSliceGpu, type PointsModel } from '../metrics/slice_gpu';
import { surfaceGpu } from '../metrics/surface_gpu';
import { checkTrackedRuns, pathCapacity } from '../metrics/surface';

/** What the views read from the trainer. */
export interface LandscapeContext {
  device: GPUDevice;
  pipelines: PipelineCache;
  experiment: Experiment;
  dataset: Dataset;
  layout: ParamLayout;
  data: GpuData;
  pops: Population[];
  /** Steps completed. */
  step: () => number;
}

/** Run `run`'s population and its index there. */
function locate(c: LandscapeContext, run: number): { pop: Population; r: number } {
  const pop = c.pops.find((p) => p.spec.runIds.includes(run));
  if (!pop) throw new Error(`run: expected an index in 0..${c.experiment.runs.length - 1}, got ${run}`);
  return { pop, r: pop.spec.runIds.indexOf(run) };
}

/** The model of run r's loss over the curvature subset; `release` frees its centring buffer. */
function pointsModel(c: LandscapeContext, pop: Population, r: number): { m: PointsModel; release: () => void } {
  const cs = pop.spec.centre;
  const rows = c.dataset.train.n * c.layout.widths[c.layout.widths.length - 1];
  const f0 = cs ? storageBuffer(c.device, cs.train.slice(r * rows, (r + 1) * rows), 'landscape-f0') : undefined;
  const m: PointsModel = {
    layout: c.layout,
    activation: c.experiment.model.activation,
    loss: c.experiment.loss,
    data: c.data,
    subset: curvatureSubset(c.experiment.metrics, c.dataset.train.n),
    outputCentre: cs && f0 ? { alpha: cs.alpha, train: f0, test: f0 } : undefined,
  };
  return { m, release: () => f0?.destroy() };
}

async function paramsOf(c: LandscapeContext, pop: Population, r: number, buffer = pop.params): Promise<Float32Array> {
  return readF32(c.device, buffer, c.layout.paramCount, r * c.layout.paramCount);
}

export async function lossSliceOf(c: LandscapeContext, run: number, o: SliceOptions): Promise<SlicePoint[]> {
  const { pop, r } = locate(c, run);
  const theta = await paramsOf(c, pop, r);
  let direction: Float32Array;
  if (o.direction === 'eigen') {
    if (!pop.curvature) throw new Error('slice along the top eigenvector: enable metrics.sharpness first');
    direction = await pop.curvature.eigenvector(r);
  } else {
    const prev = await paramsOf(c, pop, r, pop.prevParams);
    direction = theta.map((v, i) => v - prev[i]);
  }
  const { m, release } = pointsModel(c, pop, r);
  try {
    return await lossSliceGpu(c.device, c.pipelines, { ...m, theta, direction, points: o.points, radius: o.radius });
  } finally {
    release();
  }
}

/** The path recorders of tracked runs: one per population that has some, and where each run sits. */
export class PathTracks {
  private recorders = new Map<Population, PathRecorder>();
  private where = new Map<number, { pop: Population; j: number }>();
  private ready: Promise<void> = Promise.resolve();

  /** Replace the tracked set (Trainer.trackPath); recording starts once `settled` resolves. */
  track(c: LandscapeContext, runs: readonly number[], length: number): void {
    const list = checkTrackedRuns(runs, c.experiment.runs.length);
    const H = list.length > 0 ? pathCapacity(length, list.length, c.layout.paramCount) : 0;
    const prev = this.ready;
    this.ready = (async () => {
      await prev.catch(() => undefined);
      this.clear();
      for (const pop of c.pops) {
        const mine = list.filter((run) => pop.spec.runIds.includes(run));
        if (mine.length === 0) continue;
        const local = mine.map((run) => pop.spec.runIds.indexOf(run));
        const rec = await PathRecorder.create(c.device, c.pipelines, {
          params: pop.params,
          slots: pop.slots,
          P: c.layout.paramCount,
          local,
          H,
          step: c.step,
        });
        this.recorders.set(pop, rec);
        mine.forEach((run, j) => this.where.set(run, { pop, j }));
      }
    })();
  }

  /**
   * Resolves when the last track() has taken effect (advance waits for it before encoding steps);
   * a failed one leaves nothing tracked and is reported by the next surface, not by advance.
   */
  settled(): Promise<void> {
    return this.ready.catch(() => undefined);
  }

  /** After step slot `slot` of `pop` is encoded: record its tracked runs. */
  encode(pop: Population, pass: GPUComputePassEncoder, slot: number): void {
    this.recorders.get(pop)?.encode(pass, slot);
  }

  /** Run `run`'s recorded iterates after `step` steps (none when it is not tracked). */
  async iterates(run: number, step: number): Promise<{ step: number; params: Float32Array }[]> {
    await this.ready;
    const w = this.where.get(run);
    const rec = w && this.recorders.get(w.pop);
    return w && rec ? rec.read(w.j, step) : [];
  }

  clear(): void {
    for (const rec of this.recorders.values()) rec.destroy();
    this.recorders.clear();
    this.where.clear();
  }
}

export async function surfaceOf(
  c: LandscapeContext,
  tracks: PathTracks,
  run: number,
  o: SurfaceOptions,
): Promise<LossSurface> {
  const { pop, r } = locate(c, run);
  const step = c.step();
  const iterates = await tracks.iterates(run, step);
  const theta = await paramsOf(c, pop, r);
  const { m, release } = pointsModel(c, pop, r);
  try {
    return await surfaceGpu(c.device, c.pipelines, m, { run, step, seed: pop.spec.seeds[r], theta, iterates }, o);
  } finally {
    release();
  }
}
