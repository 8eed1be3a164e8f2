/**
 * Loss-landscape slice on the GPU: `points` copies of one run's parameters, moved along a unit
 * direction by alpha in [-radius, radius], evaluated as one population of `points` runs by the MLP
 * graph (mean loss over the first `subset` training points). Returns [{ alpha, loss }].
 */
import type { Activation, LossName } from '../../schema/types';
import type { ParamLayout } from '../model/layout';
import type { PipelineCache } from '../webgpu/pipelines';
import { readF32, storageBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import { NS, STAT, type GpuData, type OutputCentreGpu } from '../model/mlp_gpu';
import { createModelGpu } from '../model/model_gpu';
import type { SlicePoint } from '../trainer';

export async function lossSliceGpu(
  device: GPUDevice,
  pipelines: PipelineCache,
  o: {
    layout: ParamLayout;
    activation: Activation;
    loss: LossName;
    data: GpuData;
    subset: number;
    theta: Float32Array;
    direction: Float32Array;
    points: number;
    radius: number;
    /** model.outputScale: the run's own offsets F(w0, x) (1 run), shared by every slice point. */
    outputCentre?: OutputCentreGpu;
  },
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
  const params = new Float32Array(T * P);
  alphas.forEach((a, k) => {
    for (let i = 0; i < P; i++) params[k * P + i] = o.theta[i] + (a / n) * o.direction[i];
  });
  const bufs = [
    storageBuffer(device, params, 'slice-params'),
    storageBuffer(device, T * P, 'slice-grads'),
    storageBuffer(device, T * NS, 'slice-stats'),
    storageBuffer(device, 4, 'slice-idx'),
  ];
  const slots = new StepSlots(device, 1, T, P);
  slots.write(0, 1);
  const mlp = await createModelGpu(device, pipelines, {
    layout: o.layout,
    activation: o.activation,
    loss: o.loss,
    runs: T,
    batch: o.subset,
    fullBatch: true,
    idx: bufs[3],
    idxPerRun: false,
    data: o.data,
    params: bufs[0],
    grads: bufs[1],
    stats: bufs[2],
    steps: slots,
    evalTrain: 0,
    evalChunk: 1,
    outputCentre: o.outputCentre ? { ...o.outputCentre, offRuns: 1 } : undefined,
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  mlp.encodeTrainStep(pass, 0);
  pass.end();
  device.queue.submit([enc.finish()]);
  const stats = await readF32(device, bufs[2], T * NS);
  mlp.destroy();
  slots.destroy();
  for (const b of bufs) b.destroy();
  return alphas.map((alpha, k) => ({ alpha, loss: stats[k * NS + STAT.batchLoss] / o.subset }));
}
