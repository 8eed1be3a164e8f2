/**
 * The side-by-side benchmark of issue 7, shared by the browser page (bench/browser/main.ts) and Node
 * (`npm run bench -- --node-tfjs`, for machines with a GPU but no browser): our engine vs
 * TensorFlow.js (WebGPU and CPU backends) on the same adapter, alternating the contenders in rounds,
 * plus the dispatch floor (the same number of empty dispatches and submits per step as our engine)
 * and the replay (our own dispatches with empty kernels).
 */
import type { Experiment } from '../src/schema/types';
import { acquireGpu, type GpuHandle } from '../src/engine/webgpu/device';
import { PipelineCache } from '../src/engine/webgpu/pipelines';
import { GpuTrainer } from '../src/engine/webgpu/trainer';
import { generateDataset } from '../src/engine/data/index';
import { initParams } from '../src/engine/model/init';
import { experimentLayout, outputDim } from '../src/engine/model/shape';
import { EXPERIMENTS, tinyExperiment, WORKLOADS, type WorkloadName } from './workloads';
import { atLeast } from './timing';
import { buildModel, selectBackend, tfjsWebgpuAdapter, type TfBackend } from './tfjs';

export interface WorkloadResult {
  ours: number;
  tfjsWebgpu: number;
  tfjsCpu: number;
  floor: number;
  /**
   * Steps/s of our own dispatch stream with empty kernels (every entry point returns at once:
   * PipelineCache's emptyEntryPoints): the same pipelines, bind groups, grids and submits as
   * `ours`, without the work. `floor` replays only bare one-workgroup dispatches.
   */
  replay?: number;
  dispatchesPerStep?: number;
  unit: string;
  /** Sharpness rows: the lowest and highest of the rounds' figures (`ours` is their median). */
  range?: [number, number];
}

export interface SideBySide {
  /** Our engine's adapter (its description). */
  adapter: string;
  /** The adapter TF.js's WebGPU backend reported (vendor and architecture). */
  tfjsAdapter?: string;
  results: Record<string, WorkloadResult>;
  error?: string;
}

export interface SideBySideOptions {
  /** A smoke run: about 5% of the steps, one round. */
  quick?: boolean;
  /** Only these workloads (default: all). */
  only?: readonly WorkloadName[];
  log?: (line: string) => void;
  /** Called with the partial results after each workload (the browser page publishes them). */
  progress?: (s: SideBySide) => void;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function ours(
  gpu: GpuHandle,
  pipelines: PipelineCache,
  exp: Experiment,
  warm: number,
  steps: number,
  checkLoss = true,
) {
  const t = await GpuTrainer.create(exp, { gpu, pipelines });
  await t.advance(warm);
  const t0 = performance.now();
  const rows = await t.advance(steps);
  const secs = (performance.now() - t0) / 1000;
  const loss = rows.find((r) => r.metric === 'train_loss')?.value;
  const d = t.dispatchesPerStep;
  t.dispose();
  if (checkLoss && (loss === undefined || !Number.isFinite(loss))) throw new Error('our engine: no finite loss');
  return { secs, stepsPerSec: steps / secs, dispatches: d };
}

async function tfjs(backend: TfBackend, exp: Experiment, warm: number, steps: number, models = 1) {
  await selectBackend(backend);
  const ds = generateDataset(exp.data, exp.seed);
  const layout = experimentLayout(exp, ds);
  const built = exp.runs.slice(0, models).map((run) =>
    buildModel(layout, initParams(layout, exp.model, exp.seed), ds, {
      batch: exp.batchSize as number,
      lr: run.optimizer.lr as number,
      loss: exp.loss === 'cross-entropy' ? 'cross-entropy' : 'mse',
      outDim: outputDim(exp.loss, ds),
    }),
  );
  for (const m of built) await m.train(warm);
  const t0 = performance.now();
  let loss = 0;
  // Its best arrangement for many models on this adapter: each model trained in turn.
  for (const m of built) loss = await m.train(steps);
  const secs = (performance.now() - t0) / 1000;
  for (const m of built) m.dispose();
  if (!Number.isFinite(loss)) throw new Error(`tfjs-${backend}: no finite loss`);
  return (steps * models) / secs;
}

/** Steps/s if a step cost only its dispatches: `dispatches` empty dispatches per step, one submit per `perSubmit` steps. */
async function floor(gpu: GpuHandle, dispatches: number, steps: number, perSubmit: number) {
  const device = gpu.device;
  const module = device.createShaderModule({ code: '@compute @workgroup_size(64) fn main() {}' });
  const pipe = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const read = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const src = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_SRC });
  const t0 = performance.now();
  for (let s = 0; s < steps; s += perSubmit) {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    for (let k = 0; k < Math.min(perSubmit, steps - s) * dispatches; k++) pass.dispatchWorkgroups(1);
    pass.end();
    if (s + perSubmit >= steps) enc.copyBufferToBuffer(src, 0, read, 0, 16);
    device.queue.submit([enc.finish()]);
  }
  await read.mapAsync(GPUMapMode.READ);
  const secs = (performance.now() - t0) / 1000;
  read.destroy();
  src.destroy();
  return { secs, stepsPerSec: steps / secs };
}

export async function runSideBySide(opts: SideBySideOptions = {}): Promise<SideBySide> {
  const log = opts.log ?? (() => {});
  const only = new Set<WorkloadName>(opts.only ?? WORKLOADS);
  const gpu = await acquireGpu();
  const pipelines = new PipelineCache(gpu.device);
  const emptyPipelines = new PipelineCache(gpu.device, { emptyEntryPoints: true });
  const out: SideBySide = { adapter: gpu.adapterDescription, results: {} };
  const results = out.results;
  log(`adapter: ${gpu.adapterDescription}`);
  const f = opts.quick ? 0.05 : 1;
  const n = (x: number) => Math.max(2, Math.ceil(x * f));
  const rounds = opts.quick ? 1 : 3;
  // Our engine's and the floor's timed runs last at least this long (more steps where needed).
  const minSeconds = opts.quick ? 0 : 0.5;
  const plan = [
    { name: 'tiny', exp: EXPERIMENTS.tiny, ours: n(400), tfw: n(30), tfc: n(200), models: 1 },
    { name: 'sweep64', exp: EXPERIMENTS.sweep64, ours: n(100), tfw: n(3), tfc: n(10), models: 64 },
    { name: 'wide', exp: EXPERIMENTS.wide, ours: n(20), tfw: n(10), tfc: n(10), models: 1 },
  ].filter((w) => only.has(w.name as WorkloadName));
  try {
    for (const w of plan) {
      const o: number[] = [];
      const tw: number[] = [];
      const tc: number[] = [];
      const fl: number[] = [];
      const rp: number[] = [];
      let dispatches = 0;
      for (let r = 0; r < rounds; r++) {
        const a = await atLeast(w.ours, minSeconds, (k) => ours(gpu, pipelines, w.exp(5 + k), 5, k));
        o.push(a.stepsPerSec * w.models);
        dispatches = a.dispatches;
        // The floor is measured in every round too (empty dispatches are cheap: at least 400 steps).
        fl.push((await atLeast(400, minSeconds, (k) => floor(gpu, dispatches, k, 64))).stepsPerSec);
        // Our dispatch stream without the work (its loss is not computed, so not checked).
        const e = await atLeast(w.ours, minSeconds, (k) => ours(gpu, emptyPipelines, w.exp(5 + k), 5, k, false));
        rp.push(e.stepsPerSec * w.models);
        tw.push(await tfjs('webgpu', w.exp(100), 2, w.tfw, w.models));
        out.tfjsAdapter ??= tfjsWebgpuAdapter();
        tc.push(await tfjs('cpu', w.exp(100), 2, w.tfc, w.models));
      }
      results[w.name] = {
        ours: median(o),
        tfjsWebgpu: median(tw),
        tfjsCpu: median(tc),
        floor: median(fl) * w.models,
        replay: median(rp),
        dispatchesPerStep: dispatches,
        unit: w.models > 1 ? 'run-steps/s' : 'steps/s',
      };
      log(`${w.name}: ${JSON.stringify(results[w.name])}`);
      opts.progress?.(out);
    }
    // Sharpness: one warm estimate (iters 20, tol 0: the whole warm budget of 8 products) on `tiny`,
    // in units of one training step of the same run. With SGD a logged step measures sharpness and
    // the directional sharpness of the update (one more product); with Adam also precond_sharpness.
    if (only.has('sharpness')) {
      for (const [key, optimizer, unit] of [
        ['sharpness', 'sgd', 'training steps per warm sharpness estimate (8 products, + 1 directional)'],
        ['sharpness+precond', 'adam', 'training steps per warm sharpness + precond_sharpness estimate (17 products)'],
      ] as const) {
        const plainExp = (steps: number): Experiment => ({
          ...tinyExperiment(1, steps + 1, optimizer),
          metrics: { every: 10, evalSubset: 64 },
        });
        const withS = (steps: number): Experiment => ({
          ...plainExp(steps),
          metrics: { every: 10, evalSubset: 64, sharpness: { every: 10, iters: 20, tol: 0, subset: 64 } },
        });
        const time = async (e: Experiment, steps: number) => {
          const t = await GpuTrainer.create(e, { gpu, pipelines });
          await t.advance(1);
          const t0 = performance.now();
          await t.advance(steps);
          const secs = (performance.now() - t0) / 1000;
          t.dispose();
          return { secs };
        };
        // As many steps (a multiple of 10) as make the plain run last minSeconds.
        const steps =
          10 * (await atLeast(Math.ceil(n(200) / 10), minSeconds, (k) => time(plainExp(10 * k), 10 * k))).steps;
        // Each round times the plain run and the run with estimates back to back and takes their
        // ratio there, so a machine that slows down between rounds moves both sides of a ratio
        // alike; the figure is the median round's (7 rounds, 1 with --quick), its range beside it.
        const evals = Math.floor(steps / 10);
        const perRound: number[] = [];
        for (let r = 0; r < (opts.quick ? 1 : 7); r++) {
          const a = (await time(plainExp(steps), steps)).secs;
          const b = (await time(withS(steps), steps)).secs;
          perRound.push((b - a) / evals / (a / steps));
        }
        const sorted = [...perRound].sort((x, y) => x - y);
        results[key] = {
          ours: median(perRound),
          tfjsWebgpu: NaN,
          tfjsCpu: NaN,
          floor: NaN,
          unit,
          range: [sorted[0], sorted[sorted.length - 1]],
        };
        log(`${key}: ${JSON.stringify(results[key])}`);
        opts.progress?.(out);
      }
    }
  } catch (e) {
    out.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
    log(`error: ${out.error}`);
  } finally {
    gpu.destroy();
  }
  return out;
}
