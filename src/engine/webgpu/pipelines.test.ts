/**
 * The pipeline cache's benchmark mode (emptyEntryPoints): the same dispatch stream without the
 * work, used by the side-by-side benchmark for the "replay" floor (bench/side_by_side.ts).
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from './testing';
import { emptyEntryPoint, PipelineCache } from './pipelines';
import { GpuTrainer } from './trainer';
import type { Experiment } from '../../schema/types';
import { circleData, mlp, run, testExperiment } from '../../test_fixtures';

// Three Adam runs of a 2-16-16-2 network on the circle data, logging at steps 10 and 20.
const experiment: Experiment = testExperiment({
  data: circleData({ nTrain: 256, nTest: 64 }),
  model: mlp({ hidden: [16, 16] }),
  batchSize: 32,
  runs: [1e-3, 1e-2, 1e-1].map((lr) => run(`adam ${lr}`, { name: 'adam', lr })),
  metrics: { every: 10, evalSubset: 64 },
});

describe('emptyEntryPoint', () => {
  const code = `fn mainHelper(x: f32) -> f32 { return x; }
@compute @workgroup_size(8)
fn main(@builtin(global_invocation_id) g: vec3u,
        @builtin(num_workgroups) n: vec3u) {
  let i = g.x;
}
@compute @workgroup_size(8) fn other() { }`;

  it('returns at the start of the named entry point only', () => {
    const out = emptyEntryPoint(code, 'main');
    expect(out).toContain('@builtin(num_workgroups) n: vec3u) {\n  if (true) { return; }\n  let i = g.x;');
    expect(out).toContain('fn mainHelper(x: f32) -> f32 { return x; }');
    expect(out).toContain('fn other() { }');
    expect(emptyEntryPoint(code, 'other')).toContain('fn other() {\n  if (true) { return; } }');
  });

  it('names the entry point it cannot find', () => {
    expect(() => emptyEntryPoint(code, 'missing')).toThrow('no function "missing"');
  });
});

describe('PipelineCache with emptyEntryPoints', () => {
  it('a trainer records the same dispatches, its bind groups fit, and nothing changes', async () => {
    const { gpu } = await testGpu();
    const exp = experiment;
    const real = await GpuTrainer.create(exp, { gpu, pipelines: new PipelineCache(gpu.device) });
    const empty = await GpuTrainer.create(exp, {
      gpu,
      pipelines: new PipelineCache(gpu.device, { emptyEntryPoints: true }),
    });
    expect(empty.dispatchesPerStep).toBe(real.dispatchesPerStep);
    const start = Array.from(await empty.getParams(1));
    await real.advance(20);
    await empty.advance(20);
    expect(Array.from(await empty.getParams(1))).toEqual(start);
    expect(Array.from(await real.getParams(1))).not.toEqual(start);
    real.dispose();
    empty.dispose();
    // testing.ts fails the test on any uncaptured WebGPU (validation) error.
  });
});
