/**
 * Validation and out-of-memory errors while a GpuTrainer allocates become a GpuSetupError with a
 * specific message (issue 8), not an uncaptured error and a trainer that computes nothing. A real
 * validation error is provoked through a device whose 'opt-state' buffer gets an invalid usage;
 * an out-of-memory error (which a test cannot cause safely) is reported by the device's error scope.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../schema/types';
import { testGpu } from './testing';
import { GpuSetupError, GpuTrainer } from './trainer';
import type { GpuHandle } from './device';
import { PipelineCache } from './pipelines';
import { MAP_READ, STORAGE } from './buffers';
import { run, testExperiment } from '../../test_fixtures';

function experiment(): Experiment {
  return testExperiment({
    steps: 5,
    runs: [run('adam', { name: 'adam', lr: 0.01 })],
    metrics: { every: 5, evalSubset: 0 },
  });
}

/** The test device behind a proxy whose methods can be replaced. */
function wrap(device: GPUDevice, override: Partial<Record<keyof GPUDevice, unknown>>): GPUDevice {
  return new Proxy(device, {
    get(target, prop) {
      if (prop in override) return override[prop as keyof GPUDevice];
      const v = (target as unknown as Record<PropertyKey, unknown>)[prop];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

async function handleWith(device: GPUDevice): Promise<{ gpu: GpuHandle; pipelines: PipelineCache }> {
  const { gpu } = await testGpu();
  return { gpu: { ...gpu, device }, pipelines: new PipelineCache(device) };
}

describe('GpuSetupError', () => {
  it('a validation error during allocation becomes "WebGPU rejected the setup ..." with the device message', async () => {
    const { device } = await testGpu();
    const bad = wrap(device, {
      createBuffer: (desc: GPUBufferDescriptor) =>
        device.createBuffer(desc.label === 'opt-state' ? { ...desc, usage: MAP_READ | STORAGE } : desc),
    });
    const { gpu, pipelines } = await handleWith(bad);
    const err = await GpuTrainer.create(experiment(), { gpu, pipelines }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuSetupError);
    expect((err as Error).message).toMatch(
      /^WebGPU rejected the setup of this experiment \(a bug or a device limit\): /,
    );
    expect((err as Error).message).toMatch(/usage/i);
  });

  it('an out-of-memory error during allocation says what to reduce', async () => {
    const { device } = await testGpu();
    const scopes: GPUErrorFilter[] = [];
    const oom = wrap(device, {
      pushErrorScope: (filter: GPUErrorFilter) => {
        scopes.push(filter);
        device.pushErrorScope(filter);
      },
      popErrorScope: async () => {
        const filter = scopes.pop();
        const real = await device.popErrorScope();
        return filter === 'out-of-memory' ? (real ?? { message: 'Out of memory allocating opt-state' }) : real;
      },
    });
    const { gpu, pipelines } = await handleWith(oom);
    const err = await GpuTrainer.create(experiment(), { gpu, pipelines }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuSetupError);
    expect((err as Error).message).toBe(
      "The GPU ran out of memory while allocating this experiment's buffers: reduce the number of runs, the batch size, the hidden widths or the dataset size (Out of memory allocating opt-state)",
    );
  });
});
