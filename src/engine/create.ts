/** Build a Trainer for a validated experiment on the chosen backend. */
import type { Experiment } from '../experiment/types';
import type { Trainer } from './trainer';
import type { GpuHandle } from './gpu/device';
import type { PipelineCache } from './gpu/pipelines';

export type BackendName = 'webgpu' | 'cpu';

export interface CreateTrainerOptions {
  backend: BackendName;
  /** WebGPU only: reuse this device (and its pipeline cache). */
  gpu?: GpuHandle;
  pipelines?: PipelineCache;
  stepsPerSubmit?: number;
}

export async function createTrainer(exp: Experiment, opts: CreateTrainerOptions): Promise<Trainer> {
  if (opts.backend === 'cpu') {
    const { createCpuTrainer } = await import('./cpu/trainer');
    return createCpuTrainer(exp);
  }
  const { GpuTrainer } = await import('./gpu_trainer');
  return GpuTrainer.create(exp, { gpu: opts.gpu, pipelines: opts.pipelines, stepsPerSubmit: opts.stepsPerSubmit });
}
