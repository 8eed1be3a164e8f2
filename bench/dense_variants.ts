/**
 * `npm run bench:dense -- [B IN OUT]`: throughput of one dense forward layer Z = X W^T (default the
 * first layer of `wide`: B 128, IN 784, OUT 256) for different kernel shapes, on the Node WebGPU
 * adapter. The experiment behind the engine's register-tiled kernels (docs/performance.md): on
 * SwiftShader every storage load is a per-lane gather, so what counts is multiply-adds per load.
 * Each variant is checked against a CPU product before it is timed. A benchmark, not a test.
 */
import { acquireGpu } from '../src/engine/webgpu/device';
import { unrollWgsl } from '../src/engine/webgpu/unroll';
import { readF32, storageBuffer } from '../src/engine/webgpu/buffers';

const [B, IN, OUT] = process.argv
  .slice(2)
  .map(Number)
  .concat([128, 784, 256].slice(process.argv.length - 2));
const REPS = 5;
const gpu = await acquireGpu();
const device = gpu.device;
console.log(`adapter: ${gpu.adapterDescription}; B ${B}, IN ${IN}, OUT ${OUT}`);

const header = `
@group(0) @binding(0) var<storage, read> W: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> Z: array<f32>;
override B: u32; override IN: u32; override OUT: u32;`;

/** One thread per TB x TJ tile of Z (TB = TJ = 1: one output per thread), scalar loads. */
function tiled(TB: number, TJ: number): string {
  return unrollWgsl(
    `${header}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  let nJ = (OUT + TJ - 1u) / TJ;
  if (g.x >= ((B + TB - 1u) / TB) * nJ) { return; }
  let j0 = (g.x % nJ) * TJ;
  let b0 = (g.x / nJ) * TB;
  //#each v<TJ: let w{v} = min(j0 + {v}u, OUT - 1u) * IN;
  //#each u<TB: let x{u} = min(b0 + {u}u, B - 1u) * IN;
  //#each u<TB, v<TJ: var a{u}_{v} = 0.0;
  for (var k = 0u; k < IN; k++) {
    //#each v<TJ: let pw{v} = W[w{v} + k];
    //#each u<TB: let px{u} = X[x{u} + k];
    //#each u<TB, v<TJ: a{u}_{v} += pw{v} * px{u};
  }
  //#each u<TB, v<TJ: if (b0 + {u}u < B && j0 + {v}u < OUT) { Z[(b0 + {u}u) * OUT + j0 + {v}u] = a{u}_{v}; }
}`,
    { TB, TJ },
  );
}

/** One output per thread with vec4 loads along k (needs IN % 4 == 0). */
const vec4k = `${header.replace(/array<f32>;\n@group\(0\) @binding\(1\) var<storage, read> X: array<f32>/, 'array<vec4f>;\n@group(0) @binding(1) var<storage, read> X: array<vec4f>')}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= B * OUT) { return; }
  let j = g.x % OUT; let b = g.x / OUT; let K = IN / 4u;
  var acc = vec4f(0.0);
  for (var k = 0u; k < K; k++) { acc += W[j * K + k] * X[b * K + k]; }
  Z[g.x] = acc.x + acc.y + acc.z + acc.w;
}`;

const variants: [string, string, number][] = [
  ['1 output per thread', tiled(1, 1), B * OUT],
  ...(IN % 4 === 0 ? [['1 output, vec4 loads', vec4k, B * OUT] as [string, string, number]] : []),
  ...[
    [4, 4],
    [8, 8],
    [16, 8],
    [16, 16],
  ].map(([tb, tj]): [string, string, number] => [
    `${tb}x${tj} register tile`,
    tiled(tb, tj),
    Math.ceil(B / tb) * Math.ceil(OUT / tj),
  ]),
];

const rnd = () => Math.random() - 0.5;
const w = Float32Array.from({ length: OUT * IN }, rnd);
const x = Float32Array.from({ length: B * IN }, rnd);
const ref = new Float64Array(B * OUT);
for (let b = 0; b < B; b++)
  for (let j = 0; j < OUT; j++) {
    let s = 0;
    for (let k = 0; k < IN; k++) s += w[j * IN + k] * x[b * IN + k];
    ref[b * OUT + j] = s;
  }
const wBuf = storageBuffer(device, w, 'W');
const xBuf = storageBuffer(device, x, 'X');
const zBuf = storageBuffer(device, B * OUT, 'Z');

for (const [name, code, threads] of variants) {
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code }), entryPoint: 'main', constants: { B, IN, OUT } },
  });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [wBuf, xBuf, zBuf].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const run = async (n: number) => {
    const enc = device.createCommandEncoder();
    for (let i = 0; i < n; i++) {
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(Math.ceil(threads / 64));
      pass.end();
    }
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
  };
  await run(1);
  const z = await readF32(device, zBuf, B * OUT);
  let err = 0;
  for (let i = 0; i < z.length; i++) err = Math.max(err, Math.abs(z[i] - ref[i]));
  if (!(err < 1e-3)) throw new Error(`${name}: max error ${err} against the CPU product`);
  const t0 = performance.now();
  await run(REPS);
  const ms = (performance.now() - t0) / REPS;
  console.log(
    `${name.padEnd(22)} ${ms.toFixed(2).padStart(8)} ms  ${((B * IN * OUT) / ms / 1e3).toFixed(0).padStart(6)} M multiply-adds/s`,
  );
}
gpu.destroy();
