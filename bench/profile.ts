/**
 * `npm run bench:profile -- [tiny|sweep64|wide|tiny-sharpness ...] [--tile N]`: where a training step's GPU time
 * goes, per kernel, from timestamp queries (Node, the CLI's WebGPU). A benchmark tool, not a test.
 *
 * WebGPU timestamps belong to passes, so while profiling every dispatch the engine records is
 * moved into a compute pass of its own with begin/end timestamps (the encoder's beginComputePass is
 * wrapped). That adds a pass per dispatch: the per-kernel times include each pass's fixed cost,
 * which is what the smallest kernels show. `--tile N` sets the dense kernels' register tile
 * (denseTuning.tile; 1 = one output per thread) to compare.
 */
import { acquireGpu } from '../src/engine/webgpu/device';
import { PipelineCache } from '../src/engine/webgpu/pipelines';
import { GpuTrainer } from '../src/engine/webgpu/trainer';
import { denseTileFor, denseTuning } from '../src/engine/model/mlp_gpu';
import type { Experiment } from '../src/schema/types';
import { EXPERIMENTS, tinyExperiment } from './workloads';

const args = process.argv.slice(2);
const tileAt = args.indexOf('--tile');
if (tileAt >= 0) denseTuning.tile = Number(args[tileAt + 1]);
const names = args.filter((a, i) => !a.startsWith('--') && !(tileAt >= 0 && i === tileAt + 1));
const workloads: Record<string, { make: (n: number) => Experiment; steps: number }> = {
  tiny: { make: EXPERIMENTS.tiny, steps: 100 },
  sweep64: { make: EXPERIMENTS.sweep64, steps: 20 },
  wide: { make: EXPERIMENTS.wide, steps: 4 },
  // tiny on SGD measuring a warm sharpness estimate (8 products) every 10 steps, as the bench does
  'tiny-sharpness': {
    make: (n) => ({
      ...tinyExperiment(1, n, 'sgd'),
      metrics: { every: 10, evalSubset: 64, sharpness: { every: 10, iters: 20, tol: 0, subset: 64 } },
    }),
    steps: 100,
  },
};
for (const n of names)
  if (!workloads[n]) throw new Error(`unknown workload "${n}"; expected ${Object.keys(workloads).join(', ')}`);

const gpu = await acquireGpu({ features: ['timestamp-query'] });
const device = gpu.device;
if (!device.features.has('timestamp-query'))
  throw new Error(`adapter ${gpu.adapterDescription} has no timestamp-query`);
console.log(`adapter: ${gpu.adapterDescription}; dense tile ${denseTileFor(device)}`);
const pipelines = new PipelineCache(device);

const MAXQ = 4096; // the WebGPU maximum query count
const querySet = device.createQuerySet({ type: 'timestamp', count: MAXQ });
const resolveBuf = device.createBuffer({
  size: MAXQ * 8,
  usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
});
const readBuf = device.createBuffer({ size: MAXQ * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
let used = 0;
const labels: string[] = [];
let profiling = false;

type Groups = Map<number, [GPUBindGroup, number[] | undefined]>;
const encoderProto = (globalThis as unknown as { GPUCommandEncoder: { prototype: GPUCommandEncoder } })
  .GPUCommandEncoder.prototype;
const realBegin = encoderProto.beginComputePass;
encoderProto.beginComputePass = function (this: GPUCommandEncoder, desc?: GPUComputePassDescriptor) {
  if (!profiling) return realBegin.call(this, desc);
  const begin = (d: GPUComputePassDescriptor) => realBegin.call(this, d);
  let pipeline: GPUComputePipeline | undefined;
  const groups: Groups = new Map();
  const pass = {
    setPipeline(p: GPUComputePipeline) {
      pipeline = p;
    },
    setBindGroup(i: number, g: GPUBindGroup, offsets?: Iterable<number>) {
      groups.set(i, [g, offsets ? [...offsets] : undefined]);
    },
    dispatchWorkgroups(x: number, y = 1, z = 1) {
      const timed = used + 2 <= MAXQ;
      if (timed) labels.push(pipeline!.label);
      const p = begin(
        timed ? { timestampWrites: { querySet, beginningOfPassWriteIndex: used, endOfPassWriteIndex: used + 1 } } : {},
      );
      if (timed) used += 2;
      p.setPipeline(pipeline!);
      for (const [i, [g, offsets]] of groups) {
        if (offsets) p.setBindGroup(i, g, offsets);
        else p.setBindGroup(i, g);
      }
      p.dispatchWorkgroups(x, y, z);
      p.end();
    },
    end() {},
  };
  return pass as unknown as GPUComputePassEncoder;
};

async function profile(name: string): Promise<void> {
  const w = workloads[name];
  const t = await GpuTrainer.create(w.make(w.steps + 10), { gpu, pipelines });
  await t.advance(5);
  used = 0;
  labels.length = 0;
  profiling = true;
  await t.advance(w.steps);
  profiling = false;
  t.dispose();
  const enc = device.createCommandEncoder();
  enc.resolveQuerySet(querySet, 0, used, resolveBuf, 0);
  enc.copyBufferToBuffer(resolveBuf, 0, readBuf, 0, used * 8);
  device.queue.submit([enc.finish()]);
  await readBuf.mapAsync(GPUMapMode.READ);
  const ts = new BigUint64Array(readBuf.getMappedRange(0, used * 8).slice(0));
  readBuf.unmap();
  if (gpu.errors.length > 0) throw new Error(`WebGPU errors while profiling:\n${gpu.errors.join('\n')}`);
  const per = new Map<string, { n: number; ns: number }>();
  let total = 0;
  for (let i = 0; i < used / 2; i++) {
    const ns = Number(ts[2 * i + 1] - ts[2 * i]);
    const e = per.get(labels[i]) ?? { n: 0, ns: 0 };
    e.n++;
    e.ns += ns;
    total += ns;
    per.set(labels[i], e);
  }
  const us = (ns: number) => (ns / w.steps / 1000).toFixed(1).padStart(9);
  console.log(`\n${name}: ${w.steps} steps; kernel time ${us(total).trim()} us/step`);
  for (const [k, v] of [...per.entries()].sort((a, b) => b[1].ns - a[1].ns))
    console.log(
      `  ${k.padEnd(24)} ${us(v.ns)} us/step  ${((100 * v.ns) / total).toFixed(0).padStart(3)}%  (${v.n / w.steps} dispatches/step)`,
    );
  // Kernels dispatched several times a step (one per layer): each dispatch of the step on its own,
  // in the order the step records them (forward layers 0.., backward layers L-1..0).
  const seen = new Map<string, number>();
  const each = new Map<string, number>();
  for (let i = 0; i < used / 2; i++) {
    const perStep = per.get(labels[i])!.n / w.steps;
    // Kernels that run a whole number of times every step; what runs only on logged steps (curvature
    // probes, norms) has no per-step position.
    if (perStep <= 1 || !Number.isInteger(perStep)) continue;
    const q = seen.get(labels[i]) ?? 0;
    seen.set(labels[i], q + 1);
    const key = `${labels[i]} #${q % perStep}`;
    each.set(key, (each.get(key) ?? 0) + Number(ts[2 * i + 1] - ts[2 * i]));
  }
  for (const [k, ns] of [...each.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    console.log(`    ${k.padEnd(22)} ${us(ns)} us/step`);
}

for (const n of names.length ? names : Object.keys(workloads)) await profile(n);
gpu.destroy();
