/**
 * In-page A/B of the engine's tuning settings (`npm run bench:knobs`, bench/knobs.ts): the variants
 * alternate in one page, round after round, on the same adapter, so machine drift hits them alike
 * (run to run, whole benchmark runs on this 2-core machine differ by 10-30%). Results in window.__knobs.
 * Query: w (tiny | sweep64 | wide), steps, rounds, v = variants separated by ',', each a '/'-separated
 * list of setting:value (tile, minGroups, splitBackward: denseTuning in src/engine/model/mlp_gpu.ts).
 */
import { acquireGpu } from '../../src/engine/webgpu/device';
import { PipelineCache } from '../../src/engine/webgpu/pipelines';
import { GpuTrainer } from '../../src/engine/webgpu/trainer';
import { denseTuning } from '../../src/engine/model/mlp_gpu';
import { EXPERIMENTS } from '../workloads';

export interface KnobResult {
  variant: string;
  medianMs: number;
  minMs: number;
}

declare global {
  interface Window {
    __knobs?: { adapter: string; results: KnobResult[]; error?: string };
  }
}

const q = new URLSearchParams(location.search);
const defaults = { ...denseTuning };

function apply(variant: string): void {
  Object.assign(denseTuning, defaults);
  for (const kv of variant.split('/').filter(Boolean)) {
    const [k, v] = kv.split(':');
    if (!(k in denseTuning)) throw new Error(`unknown setting "${k}"; expected one of ${Object.keys(denseTuning)}`);
    (denseTuning as Record<string, number>)[k] = Number(v);
  }
}

async function main(): Promise<void> {
  const w = (q.get('w') ?? 'sweep64') as keyof typeof EXPERIMENTS;
  if (!(w in EXPERIMENTS)) throw new Error(`unknown workload "${w}"`);
  const steps = Number(q.get('steps') ?? 60);
  const rounds = Number(q.get('rounds') ?? 7);
  const variants = (q.get('v') ?? '').split(',');
  const gpu = await acquireGpu();
  const pipelines = new PipelineCache(gpu.device);
  const times = new Map<string, number[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++)
    for (const v of variants) {
      apply(v);
      const t = await GpuTrainer.create(EXPERIMENTS[w](steps + 5), { gpu, pipelines });
      await t.advance(5);
      const t0 = performance.now();
      await t.advance(steps);
      times.get(v)!.push((performance.now() - t0) / steps);
      t.dispose();
    }
  Object.assign(denseTuning, defaults);
  const results = variants.map((variant) => {
    const ms = times
      .get(variant)!
      .slice()
      .sort((a, b) => a - b);
    return { variant, medianMs: ms[ms.length >> 1], minMs: ms[0] };
  });
  window.__knobs = { adapter: gpu.adapterDescription, results };
  gpu.destroy();
}

main().catch((e: unknown) => {
  window.__knobs = { adapter: '', results: [], error: e instanceof Error ? e.message : String(e) };
});
