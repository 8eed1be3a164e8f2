/**
 * CI smoke test of the benchmark's Node side (issue 7 asks for a smoke run, not timings): each
 * workload runs a few steps on both backends and yields finite, positive figures. The figures
 * themselves are never asserted: speed is measured by `npm run bench`, not by tests.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testGpu } from '../src/engine/webgpu/testing';
import { GpuTrainer } from '../src/engine/webgpu/trainer';
import { measure } from '../bench/node_measure';
import { EXPERIMENTS, tinyExperiment } from '../bench/workloads';

const execFileP = promisify(execFile);

describe('bench smoke (a few steps per workload)', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    it(`tiny, sweep64 and wide on ${backend}`, async () => {
      const { gpu, pipelines } = await testGpu();
      for (const [name, make] of Object.entries(EXPERIMENTS)) {
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

describe('bench smoke: the bundled Node side-by-side (npm run bench:bundle, --node-tfjs)', () => {
  it('bundles bench/main.ts and runs tiny against TF.js on the same adapter', async () => {
    // Inside the checkout (out/ is ignored), where the bundle finds node_modules/webgpu.
    mkdirSync('out', { recursive: true });
    const dir = mkdtempSync(join('out', 'bench-smoke-'));
    try {
      await execFileP(process.execPath, ['scripts/bundle-bench.mjs', '--out', dir]);
      const json = join(dir, 'out.json');
      const { stdout } = await execFileP(
        process.execPath,
        [join(dir, 'main.mjs'), '--node-only', '--node-tfjs', '--quick', '--only', 'tiny', '--json', json],
        { maxBuffer: 1 << 24 },
      );
      const out = JSON.parse(readFileSync(json, 'utf8')) as {
        nodeSideBySide: { adapter: string; tfjsAdapter?: string; results: Record<string, Record<string, number>> };
      };
      const s = out.nodeSideBySide;
      console.log(`bundled side-by-side adapter: ${s.adapter}; TF.js WebGPU on: ${s.tfjsAdapter}`);
      expect(stdout).toContain('node side by side (Dawn)');
      expect(Object.keys(s.results)).toEqual(['tiny']);
      for (const k of ['ours', 'tfjsWebgpu', 'tfjsCpu', 'floor', 'replay'])
        expect(Number.isFinite(s.results.tiny[k]) && s.results.tiny[k] > 0, k).toBe(true);
      // Both contenders on one adapter: TF.js reports the vendor our engine's description starts with.
      expect(s.adapter.toLowerCase()).toContain((s.tfjsAdapter ?? '?').split(' ')[0].toLowerCase());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
