/// <reference lib="webworker" />
/**
 * The engine inside a Web Worker: one WebGPU device for the worker's life (pipelines cached
 * across experiments), the CPU backend when WebGPU is unavailable, and the TrainingSession loop.
 */
import { createTrainer } from '../engine/create';
import { acquireGpu, type GpuHandle } from '../engine/gpu/device';
import { PipelineCache } from '../engine/gpu/pipelines';
import type { Experiment } from '../experiment/types';
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
  }
  return gpu;
}

async function build(exp: Experiment, backend: 'webgpu' | 'cpu') {
  if (backend === 'cpu') return createTrainer(exp, { backend: 'cpu' });
  const { handle, pipelines } = await getGpu();
  return createTrainer(exp, { backend: 'webgpu', gpu: handle, pipelines });
}

const session = new TrainingSession({
  post: (msg: FromWorker) => self.postMessage(msg),
  createTrainer: build,
  yieldToEvents: () => new Promise((resolve) => setTimeout(resolve, 0)),
  now: () => performance.now(),
});

self.addEventListener('message', (ev: MessageEvent<ToWorker>) => session.handle(ev.data));
