/**
 * `npm run bench:lanczos -- [--runs R] [--sizes P1,P2,...]`: the two kinds of GPU Lanczos step side
 * by side (LanczosGpuOptions.fused: one dispatch per step, one 4-thread workgroup per run; or six
 * dispatches over many workgroups) on an operator that costs next to nothing (w = d * u, a fixed
 * positive diagonal d), so what is timed is the steps. For each size: one warm estimate's 8 steps
 * (start, 8 x (operator, step), finish, report), 5 per submit, median of 5 alternating rounds, and
 * the same with the steps left out. A benchmark, not a test: quote the figures of one run.
 */
import { acquireGpu } from '../src/engine/webgpu/device';
import { PipelineCache } from '../src/engine/webgpu/pipelines';
import { dispatchSize, storageBuffer, uniformBuffer } from '../src/engine/webgpu/buffers';
import {
  bindGroupOf,
  pipelineLayoutOf,
  read,
  rw,
  uniform,
  wgslSource,
  type KernelIo,
} from '../src/engine/webgpu/kernel_io';
import { LanczosGpu } from '../src/engine/metrics/lanczos_gpu';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const R = Number(opt('--runs', '1'));
const sizes = opt('--sizes', '1218,16384,65536,270000').split(',').map(Number);
for (const x of [R, ...sizes])
  if (!Number.isInteger(x) || x < 1) throw new Error(`--runs and --sizes take positive integers, got ${x}`);

const DIAG_IO = [{ mc: uniform('DiagCfg'), d: read(), x: read(), y: rw() }] as const satisfies KernelIo;
const DIAG_WGSL = `
struct DiagCfg { n: u32, _p0: u32, _p1: u32, _p2: u32 }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = gid.x + gid.y * nwg.x * 64u;
  if (k >= mc.n) { return; }
  y[k] = d[k] * x[k];
}`;

const gpu = await acquireGpu();
const { device } = gpu;
console.log(`adapter: ${gpu.adapterDescription}`);
const pipelines = new PipelineCache(device);
const diag = await pipelines.get(
  'bench-diag',
  wgslSource(DIAG_IO, DIAG_WGSL),
  'main',
  {},
  pipelineLayoutOf(device, DIAG_IO),
);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

type Kind = 'six' | 'fused' | 'no steps';
for (const P of sizes) {
  const n = R * P;
  const buffers: GPUBuffer[] = [];
  const own = (b: GPUBuffer) => (buffers.push(b), b);
  const d = own(
    storageBuffer(
      device,
      Float32Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 1000) / 1000),
    ),
  );
  const mc = own(uniformBuffer(device, new Uint32Array([n, 0, 0, 0])));
  const estimate = async (kind: Kind) => {
    const u = own(
      storageBuffer(
        device,
        Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1)),
      ),
    );
    const w = own(storageBuffer(device, n));
    const out = own(storageBuffer(device, R * 4));
    const l = await LanczosGpu.create(device, pipelines, {
      runs: R,
      P,
      maxIters: 20,
      tol: 0,
      u,
      w,
      fused: kind !== 'six',
      out: { buffer: out, stride: 4, hvps: 3 },
    });
    const g = bindGroupOf(device, 'bench-diag', DIAG_IO[0], { mc, d, x: u, y: w });
    const apply = (p: GPUComputePassEncoder) => {
      p.setPipeline(diag);
      p.setBindGroup(0, g);
      p.dispatchWorkgroups(...dispatchSize(n, 64));
    };
    return {
      l,
      time: async () => {
        const t0 = performance.now();
        for (let rep = 0; rep < 5; rep++) {
          const enc = device.createCommandEncoder();
          const pass = enc.beginComputePass();
          if (kind === 'no steps') {
            l.start(pass);
            for (let i = 0; i < 8; i++) apply(pass);
            l.finish(pass);
            l.report(pass);
          } else l.encode(pass, apply, 8);
          pass.end();
          device.queue.submit([enc.finish()]);
        }
        await device.queue.onSubmittedWorkDone();
        return (performance.now() - t0) / 5;
      },
    };
  };
  const kinds: Kind[] = ['six', 'fused', 'no steps'];
  const runs = await Promise.all(kinds.map(estimate));
  for (const r of runs) await r.time();
  const ms: number[][] = kinds.map(() => []);
  for (let round = 0; round < 5; round++) for (let k = 0; k < kinds.length; k++) ms[k].push(await runs[k].time());
  const [six, fused, none] = ms.map(median);
  console.log(
    `P = ${P}, ${R} run(s): one 8-step estimate ${six.toFixed(2)} ms with six-dispatch steps, ${fused.toFixed(2)} ms fused, ` +
      `${none.toFixed(2)} ms without steps; the steps alone ${(six - none).toFixed(2)} -> ${(fused - none).toFixed(2)} ms`,
  );
  for (const r of runs) r.l.destroy();
  for (const b of buffers) b.destroy();
}
gpu.destroy();
