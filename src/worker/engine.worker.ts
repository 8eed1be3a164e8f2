/// <reference lib="webworker" />
/**
 * The engine inside a Web Worker: one WebGPU device at a time (pipelines cached across
 * experiments; a new device after a loss), the CPU backend when WebGPU is unavailable, and the
 * TrainingSession loop (which resumes from its last checkpoint when the device is lost).
 */
import { createTrainer } from '../engine/create';
import { acquireGpu, type GpuHandle } from '../engine/webgpu/device';
import { PipelineCache } from '../engine/webgpu/pipelines';
import type { Experiment } from '../schema/types';
import type { Checkpoint } from '../engine/checkpoint';
import type { FromWorker, ToWorker } from './protocol';
import { TrainingSession } from './session';

declare const self: DedicatedWorkerGlobalScope;

let gpu: Promise<{ handle: GpuHandle; pipelines: PipelineCache }> | undefined;

function getGpu(): Promise<{ handle: GpuHandle; pipelines: PipelineCache }> {
  if (!gpu) {
    gpu = acquireGpu().then((handle) => {
      void handle.lost.then((info) => {
        gpu = undefined;
        session.deviceLost(info.message || info.reason || 'unknown reason');
      });
      return { handle, pipelines: new PipelineCache(handle.device) };
    });
    // A failed acquisition is not cached: the next build (e.g. after a device loss) tries again.
    gpu.catch(() => (gpu = undefined));
  }
  return gpu;
}

async function build(exp: Experiment, backend: 'webgpu' | 'cpu', resume?: Checkpoint) {
  if (backend === 'cpu') return createTrainer(exp, { backend: 'cpu', resume });
  const { handle, pipelines } = await getGpu();
  return createTrainer(exp, { backend: 'webgpu', gpu: handle, pipelines, resume });
}

const session = new TrainingSession({
  post: (msg: FromWorker) => self.postMessage(msg),
  createTrainer: build,
  yieldToEvents: () => new Promise((resolve) => setTimeout(resolve, 0)),
  now: () => performance.now(),
});

self.addEventListener('message', (ev: MessageEvent<ToWorker>) => session.handle(ev.data));
