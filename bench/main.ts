/**
 * `npm run bench`: training throughput of the engine in Node, WebGPU (the system adapter) and CPU
 * backends, measured side by side in one process. A benchmark, not a test: figures vary by machine.
 *   npm run bench -- [--json FILE] [--quick]
 */
import { writeFileSync } from 'node:fs';
import type { Experiment } from '../src/experiment/types';
import { createTrainer, type BackendName } from '../src/engine/create';
import { acquireGpu } from '../src/engine/gpu/device';
import { PipelineCache } from '../src/engine/gpu/pipelines';
import { tinyExperiment, wideExperiment } from './workloads';

interface Figure {
  workload: string;
  backend: BackendName;
  runs: number;
  steps: number;
  seconds: number;
  stepsPerSec: number;
  runStepsPerSec: number;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;

async function measure(
  name: string,
  make: (steps: number) => Experiment,
  backend: BackendName,
  steps: number,
  gpu?: Awaited<ReturnType<typeof acquireGpu>>,
  pipelines?: PipelineCache,
): Promise<Figure> {
  const warm = Math.max(2, Math.floor(steps / 5));
  const exp = make(warm + steps);
  const trainer = await createTrainer(exp, { backend, gpu, pipelines });
  await trainer.advance(warm);
  const t0 = performance.now();
  const rows = await trainer.advance(steps);
  const seconds = (performance.now() - t0) / 1000;
  const last = rows.find((r) => r.metric === 'train_loss');
  if (!last || !Number.isFinite(last.value)) throw new Error(`${name}/${backend}: no finite loss at the end`);
  trainer.dispose();
  const runs = exp.runs.length;
  return { workload: name, backend, runs, steps, seconds, stepsPerSec: steps / seconds, runStepsPerSec: (runs * steps) / seconds };
}

async function main(): Promise<void> {
  const gpu = await acquireGpu();
  const pipelines = new PipelineCache(gpu.device);
  console.log(`adapter: ${gpu.adapterDescription}`);
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
  if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ adapter: gpu.adapterDescription, figures }, null, 2));
  gpu.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
