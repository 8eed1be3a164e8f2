/**
 * `npm run bench`: (1) in headless Chromium, our engine vs TensorFlow.js (WebGPU and CPU backends) on
 * the same adapter, alternating contenders, plus the dispatch floor; (2) in Node (the CLI's runtime),
 * the engine on its WebGPU and CPU backends. A benchmark, not a test: quote ratios from one run.
 *   npm run bench -- [--json FILE] [--quick] [--node-only] [--browser-only]
 */
import { writeFileSync } from 'node:fs';
import type { Experiment } from '../src/experiment/types';
import type { BackendName } from '../src/engine/create';
import { acquireGpu } from '../src/engine/gpu/device';
import { PipelineCache } from '../src/engine/gpu/pipelines';
import { tinyExperiment, wideExperiment } from './workloads';
import { measure, type Figure } from './node_measure';
import { runBrowserBench, type BrowserBench } from './browser_run';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;

function printBrowser(b: BrowserBench): void {
  console.log(`\nbrowser (headless Chromium), adapter: ${b.adapter}`);
  for (const [name, r] of Object.entries(b.results)) {
    if (name === 'sharpness') {
      console.log(`sharpness: one 20-iteration estimate costs ${r.ours.toFixed(1)} training steps of tiny`);
      continue;
    }
    console.log(
      `${name.padEnd(8)} ours ${r.ours.toFixed(1)} ${r.unit}; tfjs-webgpu ${r.tfjsWebgpu.toFixed(2)} (x${(r.ours / r.tfjsWebgpu).toFixed(1)}); ` +
        `tfjs-cpu ${r.tfjsCpu.toFixed(1)} (x${(r.ours / r.tfjsCpu).toFixed(1)}); floor ${r.floor.toFixed(1)} (${((100 * r.ours) / r.floor).toFixed(0)}% of it; ${r.dispatchesPerStep} dispatches/step)`,
    );
  }
  if (b.error) console.log(`browser error: ${b.error}`);
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {};
  if (!args.includes('--node-only')) {
    const b = await runBrowserBench(quick);
    printBrowser(b);
    out.adapter = b.adapter;
    for (const [k, v] of Object.entries(b.results)) out[k] = v;
    if (b.error) throw new Error(`browser benchmark failed: ${b.error}`);
  }
  if (!args.includes('--browser-only')) out.node = await nodeBench();
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(out, null, 2));
}

async function nodeBench(): Promise<unknown> {
  const gpu = await acquireGpu();
  const pipelines = new PipelineCache(gpu.device);
  console.log(`\nnode (engine only), adapter: ${gpu.adapterDescription}`);
  const s = quick ? 0.1 : 1;
  const plan: [string, (n: number) => Experiment, BackendName, number][] = [
    ['tiny', (n) => tinyExperiment(1, n), 'webgpu', Math.ceil(400 * s)],
    ['tiny', (n) => tinyExperiment(1, n), 'cpu', Math.ceil(400 * s)],
    ['sweep64', (n) => tinyExperiment(64, n), 'webgpu', Math.ceil(100 * s)],
    ['sweep64', (n) => tinyExperiment(64, n), 'cpu', Math.ceil(20 * s)],
    ['wide', (n) => wideExperiment(n), 'webgpu', Math.ceil(20 * s)],
    ['wide', (n) => wideExperiment(n), 'cpu', Math.ceil(10 * s)],
  ];
  const figures: Figure[] = [];
  for (const [name, make, backend, steps] of plan) {
    const f = await measure(name, make, backend, steps, gpu, pipelines);
    figures.push(f);
    console.log(
      `${name.padEnd(8)} ${backend.padEnd(6)} runs=${String(f.runs).padStart(2)}  ${f.stepsPerSec.toFixed(1).padStart(8)} steps/s  ${f.runStepsPerSec.toFixed(1).padStart(9)} run-steps/s`,
    );
  }
  for (const name of ['tiny', 'sweep64', 'wide']) {
    const g = figures.find((f) => f.workload === name && f.backend === 'webgpu')!;
    const c = figures.find((f) => f.workload === name && f.backend === 'cpu')!;
    console.log(`${name}: webgpu / cpu = ${(g.runStepsPerSec / c.runStepsPerSec).toFixed(2)}x`);
  }
  gpu.destroy();
  return { adapter: gpu.adapterDescription, figures };
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
