/**
 * CI smoke test of the benchmark's Node side (issue 7 asks for a smoke run, not timings): each
 * workload runs a few steps on both backends and yields finite, positive figures. The figures
 * themselves are never asserted: speed is measured by `npm run bench`, not by tests.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../src/engine/gpu/testing';
import { GpuTrainer } from '../src/engine/gpu_trainer';
import { measure } from '../bench/node_measure';
import { tinyExperiment, wideExperiment } from '../bench/workloads';

describe('bench smoke (a few steps per workload)', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`tiny, sweep64 and wide on ${backend}`, async () => {
      const { gpu, pipelines } = await testGpu();
      for (const [name, make] of [
        ['tiny', (n: number) => tinyExperiment(1, n)],
        ['sweep64', (n: number) => tinyExperiment(64, n)],
        ['wide', (n: number) => wideExperiment(n)],
      ] as const) {
        const f = await measure(name, make, backend, 2, gpu, pipelines);
        expect(Number.isFinite(f.stepsPerSec) && f.stepsPerSec > 0, name).toBe(true);
        expect(f.runs).toBe(name === 'sweep64' ? 64 : 1);
      }
    });
  }

  it('sharpness workload: a 3-iteration estimate on tiny is finite', async () => {
    const { gpu, pipelines } = await testGpu();
    const exp = tinyExperiment(1, 2);
    exp.metrics = { every: 2, evalSubset: 64, sharpness: { every: 2, iters: 3, subset: 64 } };
    const t = await GpuTrainer.create(exp, { gpu, pipelines });
    const rows = await t.advance(2);
    t.dispose();
    const s = rows.filter((r) => r.metric === 'sharpness');
    expect(s.length).toBeGreaterThan(0);
    for (const r of s) expect(Number.isFinite(r.value)).toBe(true);
  });
});
