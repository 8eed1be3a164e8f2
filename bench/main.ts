/**
 * `npm run bench`: (1) in headless Chromium, our engine vs TensorFlow.js (WebGPU and CPU backends) on
 * the same adapter, alternating contenders, plus the dispatch floor; (2) in Node (the CLI's runtime),
 * the engine on its WebGPU and CPU backends; (3) with --node-tfjs, the side-by-side of (1) in Node,
 * TF.js's WebGPU backend on the same Dawn adapter as ours (for machines with a GPU but no browser).
 * --tile N sets the dense kernels' register tile (denseTuning.tile; default: by
 * adapter); --only a,b limits the runs to those workloads (tiny, sweep64, wide, sharpness).
 * A benchmark, not a test: quote ratios from one run.
 *   npm run bench -- [--json FILE] [--quick] [--node-only] [--browser-only] [--node-tfjs] [--tile N] [--only LIST]
 */
import { writeFileSync } from 'node:fs';
import type { BackendName } from '../src/engine/create';
import { acquireGpu, nodeGpuInstance, type GpuHandle } from '../src/engine/webgpu/device';
import { PipelineCache } from '../src/engine/webgpu/pipelines';
import { denseTileFor, denseTuning } from '../src/engine/model/mlp_gpu';
import { EXPERIMENTS, SWEEP_OPTIMIZERS, WORKLOADS, tinyExperiment, type WorkloadName } from './workloads';
import { measure, type Figure } from './node_measure';
import type { SideBySide } from './side_by_side';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',') : [...WORKLOADS];
for (const w of only)
  if (!(WORKLOADS as readonly string[]).includes(w))
    throw new Error(`--only: unknown workload "${w}"; expected a comma-separated list of ${WORKLOADS.join(', ')}`);
const tileAt = args.indexOf('--tile');
if (tileAt >= 0) {
  const t = Number(args[tileAt + 1]);
  if (!Number.isInteger(t) || t < 1 || t > 16)
    throw new Error(`--tile: expected an integer 1..16, got "${args[tileAt + 1]}"`);
  denseTuning.tile = t;
}

function printSideBySide(where: string, b: SideBySide): void {
  console.log(`\n${where}, adapter: ${b.adapter}${b.tfjsAdapter ? ` (TF.js WebGPU: ${b.tfjsAdapter})` : ''}`);
  for (const [name, r] of Object.entries(b.results)) {
    if (name.startsWith('sharpness')) {
      const range = r.range ? ` (rounds ${r.range.map((x) => x.toFixed(1)).join(' to ')})` : '';
      console.log(`${name}: ${r.ours.toFixed(1)} ${r.unit} of tiny${range}`);
      continue;
    }
    console.log(
      `${name.padEnd(8)} ours ${r.ours.toFixed(1)} ${r.unit}; tfjs-webgpu ${r.tfjsWebgpu.toFixed(2)} (x${(r.ours / r.tfjsWebgpu).toFixed(1)}); ` +
        `tfjs-cpu ${r.tfjsCpu.toFixed(1)} (x${(r.ours / r.tfjsCpu).toFixed(1)}); floor ${r.floor.toFixed(1)} (${((100 * r.ours) / r.floor).toFixed(0)}% of it; ${r.dispatchesPerStep} dispatches/step)` +
        (r.replay ? `; replay ${r.replay.toFixed(1)} (${((100 * r.ours) / r.replay).toFixed(0)}% of it)` : ''),
    );
  }
  if (b.error) console.log(`${where} error: ${b.error}`);
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {};
  if (!args.includes('--node-only')) {
    // Loaded only here: the Node-only runs (and their bundle, scripts/bundle-bench.mjs) need no Vite or Playwright.
    const { runBrowserBench } = await import('./browser_run');
    const b = await runBrowserBench(quick, only as WorkloadName[], denseTuning.tile || undefined);
    printSideBySide('browser (headless Chromium)', b);
    out.adapter = b.adapter;
    out.tfjsAdapter = b.tfjsAdapter;
    for (const [k, v] of Object.entries(b.results)) out[k] = v;
    if (b.error) throw new Error(`browser benchmark failed: ${b.error}`);
  }
  if (!args.includes('--browser-only')) out.node = await nodeBench();
  if (args.includes('--node-tfjs')) {
    const b = await nodeSideBySide();
    printSideBySide('node side by side (Dawn)', b);
    out.nodeSideBySide = b;
    if (b.error) throw new Error(`node side-by-side benchmark failed: ${b.error}`);
  }
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify(out, null, 2));
}

/** The side-by-side in Node: TF.js finds its WebGPU through navigator.gpu, set before it is loaded. */
async function nodeSideBySide(): Promise<SideBySide> {
  const gpu = await nodeGpuInstance();
  const g = globalThis as { navigator?: { gpu?: GPU } };
  g.navigator = { ...(g.navigator ?? {}), gpu };
  const { runSideBySide } = await import('./side_by_side').catch((e: unknown) => {
    throw new Error(
      `--node-tfjs: TF.js did not load (${e instanceof Error ? e.message : e}). Its ES modules load in Node only ` +
        'bundled: npm run bench:bundle && node out/bench/main.mjs --node-only --node-tfjs',
    );
  });
  return runSideBySide({ quick, only: only as WorkloadName[], log: (s) => console.log(s) });
}

async function nodeBench(): Promise<unknown> {
  const gpu = await acquireGpu();
  const pipelines = new PipelineCache(gpu.device);
  console.log(`\nnode (engine only), adapter: ${gpu.adapterDescription}; dense tile ${denseTileFor(gpu.device)}`);
  const s = quick ? 0.1 : 1;
  const plan: [keyof typeof EXPERIMENTS, BackendName, number][] = [
    ['tiny', 'webgpu', 400],
    ['tiny', 'cpu', 400],
    ['sweep64', 'webgpu', 100],
    ['sweep64', 'cpu', 20],
    ['wide', 'webgpu', 20],
    ['wide', 'cpu', 10],
  ];
  const figures: Figure[] = [];
  for (const [name, backend, steps] of plan.filter(([name]) => only.includes(name))) {
    const f = await measure(name, EXPERIMENTS[name], backend, Math.ceil(steps * s), gpu, pipelines, quick ? 0 : 0.5);
    figures.push(f);
    console.log(
      `${name.padEnd(8)} ${backend.padEnd(6)} runs=${String(f.runs).padStart(2)}  ${f.stepsPerSec.toFixed(1).padStart(8)} steps/s  ${f.runStepsPerSec.toFixed(1).padStart(9)} run-steps/s`,
    );
  }
  for (const name of ['tiny', 'sweep64', 'wide'].filter((n) => only.includes(n))) {
    const g = figures.find((f) => f.workload === name && f.backend === 'webgpu')!;
    const c = figures.find((f) => f.workload === name && f.backend === 'cpu')!;
    console.log(`${name}: webgpu / cpu = ${(g.runStepsPerSec / c.runStepsPerSec).toFixed(2)}x`);
  }
  if (only.includes('sweep64')) figures.push(...(await optimizerRows(gpu, pipelines, s)));
  gpu.destroy();
  return { adapter: gpu.adapterDescription, figures };
}

/**
 * sweep64 (64 runs of the tiny MLP) per optimizer of SWEEP_OPTIMIZERS on the WebGPU backend, as a
 * cost ratio against Adam's run-steps/s (TF.js has no Muon, SAM, Shampoo or Schedule-Free to race).
 * The optimizers alternate over three rounds and each keeps its median, so a change in the
 * machine's load touches all of them alike.
 */
async function optimizerRows(gpu: GpuHandle, pipelines: PipelineCache, s: number): Promise<Figure[]> {
  const rounds = quick ? 1 : 3;
  const seen = new Map<string, Figure[]>();
  for (let k = 0; k < rounds; k++)
    for (const opt of SWEEP_OPTIMIZERS) {
      const make = (steps: number) => tinyExperiment(64, steps, opt);
      const f = await measure(`sweep64 ${opt}`, make, 'webgpu', Math.ceil(40 * s), gpu, pipelines, quick ? 0 : 0.5);
      seen.set(opt, [...(seen.get(opt) ?? []), f]);
    }
  const median = (fs: Figure[]) => fs.slice().sort((a, b) => a.runStepsPerSec - b.runStepsPerSec)[fs.length >> 1];
  const rows = SWEEP_OPTIMIZERS.map((opt) => median(seen.get(opt)!));
  const adam = rows[0].runStepsPerSec;
  for (const f of rows)
    console.log(
      `${f.workload.padEnd(18)} webgpu ${f.runStepsPerSec.toFixed(1).padStart(9)} run-steps/s  (cost ${(adam / f.runStepsPerSec).toFixed(2)}x Adam's; median of ${rounds})`,
    );
  return rows;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
