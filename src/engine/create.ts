/** Build a Trainer for a validated experiment on the chosen backend. */
import type { Experiment } from '../schema/types';
import type { Trainer } from './trainer';
import type { GpuHandle } from './webgpu/device';
import type { PipelineCache } from './webgpu/pipelines';
import type { Checkpoint } from './checkpoint';

export type BackendName = 'webgpu' | 'cpu';

export interface CreateTrainerOptions {
  backend: BackendName;
  /** WebGPU only: reuse this device (and its pipeline cache). */
  gpu?: GpuHandle;
  pipelines?: PipelineCache;
  stepsPerSubmit?: number;
  /**
   * Continue from this checkpoint instead of step 0. A checkpoint from either backend resumes on
   * either (float32 state from the GPU becomes float64 on the CPU and back).
   */
  resume?: Checkpoint;
}

export async function createTrainer(exp: Experiment, opts: CreateTrainerOptions): Promise<Trainer> {
  if (opts.backend === 'cpu') {
    const { createCpuTrainer } = await import('./cpu/trainer');
    return createCpuTrainer(exp, { resume: opts.resume });
  }
  const { GpuTrainer } = await import('./webgpu/trainer');
  return GpuTrainer.create(exp, {
    gpu: opts.gpu,
    pipelines: opts.pipelines,
    stepsPerSubmit: opts.stepsPerSubmit,
    resume: opts.resume,
  });
}
