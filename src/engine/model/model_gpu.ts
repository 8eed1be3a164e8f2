/**
 * One entry point for the per-population model graph on the GPU: the MLP kernels (model/mlp_gpu.ts)
 * or, when the layout carries a convolutional op list, the CNN kernels (model/cnn_gpu.ts). Both
 * take the same options and expose the same surface, so populations, curvature graphs and loss
 * slices work for every model kind.
 */
import type { PipelineCache } from '../webgpu/pipelines';
import { CnnGpu } from './cnn_gpu';
import { MlpGpu, type MlpGpuOptions } from './mlp_gpu';

export interface ModelGpu {
  /** Forward, loss (batch stats into the step's slot) and backward into `grads`. */
  encodeTrainStep(pass: GPUComputePassEncoder, slot: number): void;
  /** Loss sums and correct counts of 'train', 'test' or an extra evaluation set into the slot's record. */
  encodeEval(pass: GPUComputePassEncoder, which: string, slot: number): void;
  readonly dispatchesPerStep: number;
  destroy(): void;
}

export function createModelGpu(device: GPUDevice, pipelines: PipelineCache, o: MlpGpuOptions): Promise<ModelGpu> {
  return o.layout.cnn ? CnnGpu.create(device, pipelines, o) : MlpGpu.create(device, pipelines, o);
}
