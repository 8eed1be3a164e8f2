/**
 * Setting up a GpuTrainer (trainer.ts): the device-limit check before anything is allocated, then
 * the data buffers and one Population per optimizer kind, allocated inside error scopes so that a
 * failure becomes a specific GpuSetupError rather than a trainer that silently computes nothing.
 */
import type { Experiment } from '../../schema/types';
import type { Dataset } from '../data/types';
import { acquireGpu, type GpuHandle } from './device';
import { PipelineCache } from './pipelines';
import { storageBuffer } from './buffers';
import { generateDataset } from '../data/index';
import { getOptimizer } from '../optim/registry';
import { initParams } from '../model/init';
import { experimentLayout } from '../model/shape';
import type { ParamLayout } from '../model/layout';
import type { GpuData } from '../model/mlp_gpu';
import { Population } from './population';
import { alignmentDirections } from '../model/directions';
import { resolveHyper, runSeed } from '../hyper';
import { checkDeviceLimits } from './memory_plan';
import { buildEvalSets, type EvalSetSpec } from '../metrics/eval_sets';
import { checkOutputScale, outputScaleOf, stackedInitOutputs } from '../cpu/output_scale';
import { DeviceLimitError, GpuSetupError } from './errors';
import type { GpuTrainerOptions } from './trainer';
import { DEFAULT_STEPS_PER_SUBMIT, slotCapacity } from './step_slots';
import { allocateTable, required, type TableBuffers } from './buffer_table';
import { DATA_BUFFERS } from './data_buffers';

/** Everything a GpuTrainer holds from its setup. */
export interface GpuSetup {
  gpu: GpuHandle;
  pipelines: PipelineCache;
  dataset: Dataset;
  layout: ParamLayout;
  pops: Population[];
  /** The data buffers: x-train, y-train, x-test, y-test, then the extra evaluation sets' x and y. */
  bufs: GPUBuffer[];
  data: GpuData;
  /** Extra evaluation sets (metrics/eval_sets.ts); their stats fields are STAT.extra + 2k. */
  evalSets: EvalSetSpec[];
}

/**
 * The device (opts.gpu or a new one), the dataset and layout, and the populations of `exp`. Throws
 * DeviceLimitError before allocating when the device cannot hold the experiment, GpuSetupError when
 * WebGPU rejects the allocation; a device acquired here is destroyed on failure.
 */
export async function setupGpuTrainer(exp: Experiment, opts: GpuTrainerOptions): Promise<GpuSetup> {
  const gpu = opts.gpu ?? (await acquireGpu());
  const device = gpu.device;
  const pipelines = opts.pipelines ?? new PipelineCache(device);
  const ds = opts.dataset ?? generateDataset(exp.data, exp.seed);
  const layout = experimentLayout(exp, ds);
  // Refuse, before any allocation, a config whose buffers this device cannot hold.
  const lim = device.limits;
  const problems = checkDeviceLimits(
    exp,
    { inputDim: ds.inputDim, outDim: layout.widths[layout.widths.length - 1], nTrain: ds.train.n, nTest: ds.test.n },
    {
      maxBufferSize: lim.maxBufferSize,
      maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
      maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
    },
    undefined,
    { stepsPerSubmit: opts.stepsPerSubmit ?? DEFAULT_STEPS_PER_SUBMIT },
  );
  if (problems.length > 0) {
    if (!opts.gpu) gpu.destroy();
    throw new DeviceLimitError(problems);
  }
  // Allocation and setup inside error scopes, so a failure becomes a specific message rather
  // than an uncaptured error and a trainer that silently computes nothing.
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const popScopes = async (): Promise<void> => {
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (oom)
      throw new GpuSetupError(
        `The GPU ran out of memory while allocating this experiment's buffers: reduce the number of runs, the batch size, the hidden widths or the dataset size (${oom.message})`,
      );
    if (validation)
      throw new GpuSetupError(
        `WebGPU rejected the setup of this experiment (a bug or a device limit): ${validation.message}`,
      );
  };
  let pops: Population[] = [];
  let bufs: GPUBuffer[] = [];
  let evalSets: EvalSetSpec[] = [];
  let data: GpuData | undefined;
  try {
    ({ pops, bufs, evalSets, data } = await allocate(exp, device, pipelines, ds, layout, opts));
  } catch (e) {
    await popScopes().catch(() => undefined);
    if (!opts.gpu) gpu.destroy();
    throw e;
  }
  try {
    await popScopes();
  } catch (e) {
    for (const p of pops) p.destroy();
    for (const b of bufs) b.destroy();
    if (!opts.gpu) gpu.destroy();
    throw e;
  }
  return { gpu, pipelines, dataset: ds, layout, pops, bufs, data, evalSets };
}

/** The GpuData view of the data buffers (the first four of `bufs`). */
function gpuData(b: TableBuffers<typeof DATA_BUFFERS>, ds: Dataset): GpuData {
  return {
    xTrain: required(b, 'x-train'),
    yTrain: required(b, 'y-train'),
    xTest: required(b, 'x-test'),
    yTest: required(b, 'y-test'),
    nTrain: ds.train.n,
    nTest: ds.test.n,
    nClasses: ds.nClasses,
    targetDim: ds.targetDim,
  };
}

/** Upload the data and extra evaluation sets, and create one Population per optimizer kind. */
async function allocate(
  exp: Experiment,
  device: GPUDevice,
  pipelines: PipelineCache,
  ds: Dataset,
  layout: ParamLayout,
  opts: GpuTrainerOptions,
): Promise<{ pops: Population[]; bufs: GPUBuffer[]; evalSets: EvalSetSpec[]; data: GpuData }> {
  checkOutputScale(
    exp,
    exp.runs.map((r) => getOptimizer(r.optimizer.name) ?? { name: r.optimizer.name }),
  );
  const evalSets = buildEvalSets(exp, ds);
  const bufs: GPUBuffer[] = [];
  const dims = { nTrain: ds.train.n, nTest: ds.test.n, inputDim: ds.inputDim, targetDim: ds.targetDim };
  const empty = new Float32Array(1);
  const init = {
    'x-train': ds.train.x,
    'y-train': ds.train.y,
    'x-test': ds.test.n > 0 ? ds.test.x : empty,
    'y-test': ds.test.n > 0 ? ds.test.y : empty,
  };
  const data = gpuData(
    allocateTable(device, DATA_BUFFERS, dims, init, (b) => (bufs.push(b), b)),
    ds,
  );
  // Extra evaluation sets: uploaded once, shared by every population.
  const sets = evalSets.map((spec) => {
    const x = storageBuffer(device, spec.x, `x-${spec.key}`);
    const y = storageBuffer(device, spec.y, `y-${spec.key}`);
    bufs.push(x, y);
    return { spec, x, y };
  });
  const alpha = outputScaleOf(exp);
  // model.outputScale: F(w0, x) of every run on every set, from the float64 CPU forward pass.
  const offsets = (init: Float32Array[], x: Float32Array, n: number) =>
    stackedInitOutputs(init, layout, exp.model.activation, x, n);
  const capacity = slotCapacity(exp.steps, opts.stepsPerSubmit);
  // Group runs by optimizer kind, keeping the experiment's order within each group.
  const groups = new Map<string, number[]>();
  exp.runs.forEach((run, i) => {
    const list = groups.get(run.optimizer.name) ?? [];
    list.push(i);
    groups.set(run.optimizer.name, list);
  });
  const pops: Population[] = [];
  for (const [name, runIds] of groups) {
    const def = getOptimizer(name);
    if (!def) throw new Error(`unknown optimizer "${name}"`);
    const seeds = runIds.map((i) => runSeed(exp.seed, i, exp.varySeedPerRun));
    const init = seeds.map((s) => initParams(layout, exp.model, s));
    pops.push(
      await Population.create(device, pipelines, {
        exp,
        layout,
        def,
        runIds,
        hps: runIds.map((i) => resolveHyper(def, exp.runs[i].optimizer)),
        seeds,
        init,
        data,
        capacity,
        directions: alignmentDirections(layout, ds.meta),
        evalSets: sets,
        centre:
          alpha === undefined
            ? undefined
            : {
                alpha,
                train: offsets(init, ds.train.x, ds.train.n),
                test: offsets(init, ds.test.x, ds.test.n),
                extra: evalSets.map((e) => offsets(init, e.x, e.n)),
              },
      }),
    );
  }
  return { pops, bufs, evalSets, data };
}
