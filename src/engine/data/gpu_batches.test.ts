import { describe, expect, it } from 'vitest';
import { testGpu } from '../webgpu/testing';
import { readBuffer, storageBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import { batchIndices } from './batches';
import { GpuBatches } from './gpu_batches';

/**
 * Encode steps t0+1 .. t0+K in one submit (one StepInfo record per step, no CPU work per step),
 * copying the index buffer out after each step; compare with batchIndices(seed_r, t - 1).
 */
async function check(seeds: number[], n: number, B: number, K: number, t0s: number[]): Promise<void> {
  const { device, pipelines } = await testGpu();
  const runs = seeds.length;
  const seedBuf = storageBuffer(device, new Uint32Array(seeds.map((s) => s >>> 0)));
  const out = storageBuffer(device, runs * B);
  const slots = new StepSlots(device, K, runs, 1);
  const batches = await GpuBatches.create(device, pipelines, {
    seeds: seedBuf,
    runs,
    n,
    batch: B,
    out,
    stepInfo: slots.buffer,
    stepInfoStride: slots.stride,
  });
  const bytes = runs * B * 4;
  const all = storageBuffer(device, (K * bytes) / 4);
  const want = new Uint32Array(B);
  for (const t0 of t0s) {
    slots.write(t0, K);
    const enc = device.createCommandEncoder();
    for (let k = 0; k < K; k++) {
      const pass = enc.beginComputePass();
      batches.encode(pass, slots.offset(k));
      pass.end();
      enc.copyBufferToBuffer(out, 0, all, k * bytes, bytes);
    }
    device.queue.submit([enc.finish()]);
    const got = new Uint32Array(await readBuffer(device, all, K * bytes));
    let bad = 0;
    let first = '';
    for (let k = 0; k < K; k++) {
      const t = t0 + k + 1;
      for (let r = 0; r < runs; r++) {
        batchIndices(seeds[r], t - 1, n, B, want);
        for (let j = 0; j < B; j++) {
          const g = got[(k * runs + r) * B + j];
          if (g !== want[j]) {
            bad++;
            first ||= `t=${t} run=${r} j=${j}: gpu ${g}, cpu ${want[j]}`;
          }
        }
      }
    }
    expect(bad, first).toBe(0);
  }
  batches.destroy();
  slots.destroy();
  for (const b of [seedBuf, out, all]) b.destroy();
}

describe('batch_indices.wgsl', () => {
  it('matches batchIndices for runs with different seeds across epoch boundaries (n not a multiple of B)', async () => {
    // nb = 10 batches per epoch, 3 points dropped; 25 steps span epochs 0..2; runs * B = 30.
    await check([1, 2, 0xffffffff], 103, 10, 25, [0, 997]);
  });

  it('matches for large n, B = 1, one batch per epoch, and a full batch', async () => {
    await check([7, 8], 100_000, 1000, 3, [0, 123_456]); // runs * B = 2000, not a multiple of 64
    await check([5, 6, 7], 13, 1, 30, [0]);
    await check([5], 13, 8, 4, [0]);
    await check([3, 4], 37, 37, 2, [0, 50]);
  });

  it('rejects bad sizes', async () => {
    const { device, pipelines } = await testGpu();
    const seeds = storageBuffer(device, new Uint32Array([1]));
    const out = storageBuffer(device, 4);
    const slots = new StepSlots(device, 1, 1, 1);
    const o = { seeds, runs: 1, n: 10, batch: 11, out, stepInfo: slots.buffer, stepInfoStride: slots.stride };
    await expect(GpuBatches.create(device, pipelines, o)).rejects.toThrow(
      /batch size must be an integer in \[1, n = 10\]/,
    );
    await expect(GpuBatches.create(device, pipelines, { ...o, batch: 8 })).rejects.toThrow(
      /output buffer holds 16 bytes, needs 32/,
    );
    await expect(GpuBatches.create(device, pipelines, { ...o, batch: 2, runs: 5 })).rejects.toThrow(
      /seeds buffer holds 16 bytes, needs 20/,
    );
    slots.destroy();
    seeds.destroy();
    out.destroy();
  });
});
