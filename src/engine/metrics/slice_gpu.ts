/**
 * Losses at many parameter points on the GPU, evaluated as populations of perturbed parameter
 * vectors by one model graph (mean loss over the first `subset` training points, forward only):
 * the 1-D loss slice (lossSliceGpu) and the 2-D surface's grid (surface_gpu.ts). Points go in
 * chunks small enough for the graph's buffers (CHUNK_FLOATS), each one submit and one readback.
 */
import type { Activation, LossName } from '../../schema/types';
import type { ParamLayout } from '../model/layout';
import type { PipelineCache } from '../webgpu/pipelines';
import { readF32, storageBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import { NS, STAT, type GpuData, type OutputCentreGpu } from '../model/mlp_gpu';
import { createModelGpu, type ModelGpu } from '../model/model_gpu';
import type { SlicePoint } from '../trainer';

/** Floats a chunk's graph may take, roughly (parameters and activations): 32 MiB. */
export const CHUNK_FLOATS = 8 * 1024 * 1024;

export interface PointsModel {
  layout: ParamLayout;
  activation: Activation;
  loss: LossName;
  data: GpuData;
  subset: number;
  /** model.outputScale: the run's own offsets F(w0, x) (1 run), shared by every point. */
  outputCentre?: OutputCentreGpu;
}

/**
 * Points per chunk: the graph holds, per point, its parameters and about two activations per unit
 * per example (an MLP's widths; a convolutional model is charged 16 floats per input float instead,
 * a coarse bound on its feature maps).
 */
export function pointsPerChunk(m: Pick<PointsModel, 'layout' | 'subset'>, count: number): number {
  const L = m.layout;
  const act = L.cnn ? 16 * L.widths[0] : L.widths.reduce((a, w) => a + w, 0);
  const perPoint = 2 * L.paramCount + 2 * m.subset * act;
  return Math.max(1, Math.min(count, Math.floor(CHUNK_FLOATS / perPoint)));
}

/**
 * The mean loss over the first `subset` training points at many parameter points, by one model
 * graph of `chunk` runs built once: each chunk is the graph's forward-only evaluation of the
 * training set (encodeEval 'train', its loss sum into the record's train_loss field), one submit
 * and one readback.
 */
export class PointsLoss {
  private constructor(
    private readonly device: GPUDevice,
    private readonly m: PointsModel,
    /** Runs of the graph: points per chunk. */
    readonly chunk: number,
    private readonly graph: ModelGpu,
    private readonly bufs: GPUBuffer[],
    private readonly slots: StepSlots,
  ) {}

  static async create(device: GPUDevice, pipelines: PipelineCache, m: PointsModel, chunk: number): Promise<PointsLoss> {
    const P = m.layout.paramCount;
    const T = Math.max(1, Math.floor(chunk));
    const bufs = [
      storageBuffer(device, T * P, 'points-params'),
      storageBuffer(device, T * P, 'points-grads'),
      storageBuffer(device, T * NS, 'points-stats'),
      storageBuffer(device, 4, 'points-idx'),
    ];
    const slots = new StepSlots(device, 1, T, P);
    slots.write(0, 1);
    try {
      const graph = await createModelGpu(device, pipelines, {
        layout: m.layout,
        activation: m.activation,
        loss: m.loss,
        runs: T,
        // Only the evaluation graph is used: the training batch is a single unused example.
        batch: 1,
        fullBatch: false,
        idx: bufs[3],
        idxPerRun: false,
        data: m.data,
        params: bufs[0],
        grads: bufs[1],
        stats: bufs[2],
        steps: slots,
        evalTrain: m.subset,
        evalChunk: m.subset,
        outputCentre: m.outputCentre ? { ...m.outputCentre, offRuns: 1 } : undefined,
      });
      return new PointsLoss(device, m, T, graph, bufs, slots);
    } catch (e) {
      slots.destroy();
      for (const b of bufs) b.destroy();
      throw e;
    }
  }

  /** The loss at `count` points; fill(k, out) writes point k's parameters into out (P floats). */
  async evaluate(count: number, fill: (k: number, out: Float32Array) => void): Promise<Float64Array> {
    const { device, m, chunk: T } = this;
    const P = m.layout.paramCount;
    const out = new Float64Array(count);
    const host = new Float32Array(T * P);
    for (let k0 = 0; k0 < count; k0 += T) {
      const n = Math.min(T, count - k0);
      for (let k = 0; k < n; k++) fill(k0 + k, host.subarray(k * P, (k + 1) * P));
      device.queue.writeBuffer(this.bufs[0], 0, host, 0, n * P);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      this.graph.encodeEval(pass, 'train', 0);
      pass.end();
      device.queue.submit([enc.finish()]);
      const stats = await readF32(device, this.bufs[2], n * NS);
      for (let k = 0; k < n; k++) out[k0 + k] = stats[k * NS + STAT.trainLoss] / m.subset;
    }
    return out;
  }

  destroy(): void {
    this.graph.destroy();
    this.slots.destroy();
    for (const b of this.bufs) b.destroy();
  }
}

/** The loss at `count` points by a PointsLoss made for them (`chunk` overrides pointsPerChunk: tests). */
export async function lossAtPointsGpu(
  device: GPUDevice,
  pipelines: PipelineCache,
  m: PointsModel,
  count: number,
  fill: (k: number, out: Float32Array) => void,
  chunk = pointsPerChunk(m, count),
): Promise<Float64Array> {
  const e = await PointsLoss.create(device, pipelines, m, Math.min(chunk, count));
  try {
    return await e.evaluate(count, fill);
  } finally {
    e.destroy();
  }
}

/**
 * Loss-landscape slice: `points` copies of one run's parameters, moved along a unit direction by
 * alpha in [-radius, radius]. Returns [{ alpha, loss }].
 */
export async function lossSliceGpu(
  device: GPUDevice,
  pipelines: PipelineCache,
  o: PointsModel & { theta: Float32Array; direction: Float32Array; points: number; radius: number },
): Promise<SlicePoint[]> {
  const P = o.layout.paramCount;
  if (!Number.isInteger(o.points) || o.points < 2 || o.points > 1025)
    throw new Error(`slice points: expected an integer in [2, 1025], got ${o.points}`);
  if (!(o.radius > 0) || !Number.isFinite(o.radius))
    throw new Error(`slice radius: expected a positive number, got ${o.radius}`);
  let n = 0;
  for (let i = 0; i < P; i++) n += o.direction[i] * o.direction[i];
  n = Math.sqrt(n);
  if (!(n > 0) || !Number.isFinite(n))
    throw new Error('slice direction: expected a non-zero finite vector (measure sharpness first for "eigen")');
  const T = o.points;
  const alphas = Array.from({ length: T }, (_, k) => -o.radius + (2 * o.radius * k) / (T - 1));
  const loss = await lossAtPointsGpu(device, pipelines, o, T, (k, out) => {
    for (let i = 0; i < P; i++) out[i] = o.theta[i] + (alphas[k] / n) * o.direction[i];
  });
  return alphas.map((alpha, k) => ({ alpha, loss: loss[k] }));
}
