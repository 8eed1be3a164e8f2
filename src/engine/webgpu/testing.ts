/**
 * Shared real-WebGPU device for tests (Node, SwiftShader here). Never skips: when no adapter is
 * found the test fails with the reason. Logs the adapter once per process.
 */
import { afterAll, afterEach } from 'vitest';
import { acquireGpu, type GpuHandle } from './device';
import { PipelineCache } from './pipelines';

let handle: Promise<{ gpu: GpuHandle; pipelines: PipelineCache }> | undefined;

export function testGpu(): Promise<{ gpu: GpuHandle; device: GPUDevice; pipelines: PipelineCache }> {
  if (!handle) {
    handle = acquireGpu().then((gpu) => {
      console.log(`[webgpu] tests run on adapter: ${gpu.adapterDescription}`);
      return { gpu, pipelines: new PipelineCache(gpu.device) };
    });
  }
  return handle.then((h) => ({ ...h, device: h.gpu.device }));
}

// A GPU validation error that nobody captured fails the test that caused it.
afterEach(async () => {
  if (!handle) return;
  const h = await handle;
  if (h.gpu.errors.length > 0) {
    const errs = h.gpu.errors.splice(0);
    throw new Error(`uncaptured WebGPU errors:\n${errs.join('\n')}`);
  }
});

// Dawn in Node aborts at process exit while a device is alive: destroy it after each test file.
afterAll(async () => {
  if (handle) {
    const h = await handle;

    h.gpu.destroy();
    handle = undefined;
  }
});
