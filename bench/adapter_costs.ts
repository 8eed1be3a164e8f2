/**
 * `npm run bench:costs`: what single operations cost on the Node WebGPU adapter (on this project's
 * machines, SwiftShader), from small synthetic kernels: an empty dispatch by workgroup count, a
 * storage load or store through a runtime-sized versus a fixed-size array, straight-line code
 * behind a branch no lane takes, and a loop's per-iteration overhead. The evidence behind the
 * dense kernels' design (docs/performance.md). A benchmark, not a test: times are per dispatch,
 * the median of 5 submits of 100 dispatches each.
 */
import { acquireGpu } from '../src/engine/webgpu/device';
import { storageBuffer } from '../src/engine/webgpu/buffers';
import { bindGroupOf, pipelineLayoutOf, read, rw } from '../src/engine/webgpu/kernel_io';

const gpu = await acquireGpu();
const device = gpu.device;
console.log(`adapter: ${gpu.adapterDescription}`);
const SIZE = 1 << 20;
const x = storageBuffer(device, SIZE, 'X');
const z = storageBuffer(device, SIZE, 'Z');
// The layout only depends on access; each case writes its own binding lines (runtime-sized or
// fixed-size arrays are what it measures).
const io = [{ X: read(), Z: rw() }];
const group = bindGroupOf(device, 'costs', io[0], { X: x, Z: z });
const layout = pipelineLayoutOf(device, io);

const THREADS = 4096; // 64 workgroups of 64
const head = (xLen: string, zLen: string) => `
@group(0) @binding(0) var<storage, read> X: array<f32${xLen}>;
@group(0) @binding(1) var<storage, read_write> Z: array<f32${zLen}>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {`;
const fixed = `, ${SIZE}`;
const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');
const loads = (len: string) =>
  `${head(len, '')} var s = 0.0; for (var i = 0u; i < 512u; i += 8u) { let b = g.x * 512u + i; ${repeat(8, (j) => `s += X[b + ${j}u];`)} } Z[g.x] = s; }`;
const stores = (len: string) => `${head('', len)} for (var i = 0u; i < 64u; i++) { Z[g.x * 64u + i] = f32(i); } }`;
const cases: { name: string; groups: number; code: string; per?: number; what?: string }[] = [
  { name: 'empty kernel, 1 workgroup', groups: 1, code: `${head('', '')} if (g.x == 0xffffffffu) { Z[0] = X[0]; } }` },
  { name: 'empty kernel, 4 workgroups', groups: 4, code: `${head('', '')} if (g.x == 0xffffffffu) { Z[0] = X[0]; } }` },
  {
    name: 'empty kernel, 16 workgroups',
    groups: 16,
    code: `${head('', '')} if (g.x == 0xffffffffu) { Z[0] = X[0]; } }`,
  },
  {
    name: 'empty kernel, 64 workgroups',
    groups: 64,
    code: `${head('', '')} if (g.x == 0xffffffffu) { Z[0] = X[0]; } }`,
  },
  { name: '512 loads, runtime-sized array', groups: 64, code: loads(''), per: 512, what: 'load' },
  { name: '512 loads, fixed-size array', groups: 64, code: loads(fixed), per: 512, what: 'load' },
  { name: '64 stores, runtime-sized array', groups: 64, code: stores(''), per: 64, what: 'store' },
  { name: '64 stores, fixed-size array', groups: 64, code: stores(fixed), per: 64, what: 'store' },
  {
    name: '64 copies behind a branch no lane takes',
    groups: 64,
    code: `${head('', '')} if (g.x < 0xffffffffu) { return; } ${repeat(64, (i) => `Z[g.x * 64u + ${i}u] = X[g.x * 64u + ${i}u];`)} }`,
    per: 64,
    what: 'skipped copy',
  },
  {
    name: '512 multiply-adds, loop of 512',
    groups: 64,
    code: `${head('', '')} var s = X[g.x]; for (var i = 0u; i < 512u; i++) { s = s * 1.0001 + 0.5; } Z[g.x] = s; }`,
    per: 512,
    what: 'multiply-add',
  },
  {
    name: '512 multiply-adds, loop of 64 x 8',
    groups: 64,
    code: `${head('', '')} var s = X[g.x]; for (var i = 0u; i < 64u; i++) { ${repeat(8, () => 's = s * 1.0001 + 0.5;')} } Z[g.x] = s; }`,
    per: 512,
    what: 'multiply-add',
  },
];

const DISPATCHES = 100;
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
const results: number[][] = cases.map(() => []);
const pipes = cases.map((c) =>
  device.createComputePipeline({
    layout,
    compute: { module: device.createShaderModule({ code: c.code }), entryPoint: 'main' },
  }),
);
for (let round = 0; round < 6; round++) {
  for (let i = 0; i < cases.length; i++) {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipes[i]);
    pass.setBindGroup(0, group);
    for (let d = 0; d < DISPATCHES; d++) pass.dispatchWorkgroups(cases[i].groups);
    pass.end();
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    if (round) results[i].push(((performance.now() - t0) / DISPATCHES) * 1000);
  }
}
const empty64 = median(results[cases.findIndex((c) => c.name === 'empty kernel, 64 workgroups')]);
cases.forEach((c, i) => {
  const us = median(results[i]);
  const per = c.per ? `  ${(((us - empty64) * 1000) / (THREADS * c.per)).toFixed(2)} ns per ${c.what} per thread` : '';
  console.log(`${c.name.padEnd(42)} ${us.toFixed(1).padStart(9)} us/dispatch${per}`);
});
gpu.destroy();
