/**
 * Kernel resources declared once (kernel_io.ts): the WGSL binding lines, layouts and bind groups
 * derived from one declaration; the workgroup reduction snippet against a CPU sum on the real
 * adapter; and, over the whole shaders/ folder, that no kernel writes its own binding lines or
 * StepInfo struct any more.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testGpu } from './testing';
import {
  bindGroupOf,
  bindingLines,
  pick,
  pipelineLayoutOf,
  read,
  rw,
  snippet,
  stepInfoBinding,
  uniform,
  wgslSource,
  workgroupReduce,
  type KernelIo,
} from './kernel_io';
import { COPY_DST, COPY_SRC, MAP_READ, STORAGE, UNIFORM } from './buffers';

const createBuffer = (device: GPUDevice, size: number, usage: number, label: string) =>
  device.createBuffer({ size, usage, label });

const io = [
  { d: uniform('Dims'), x: read(), y: rw('array<f32, 7>'), n: read('array<u32>') },
  { step: stepInfoBinding(true) },
] as const satisfies KernelIo;

describe('binding lines', () => {
  it('are generated in declaration order, per group', () => {
    expect(bindingLines(io).split('\n')).toEqual([
      '@group(0) @binding(0) var<uniform> d: Dims;',
      '@group(0) @binding(1) var<storage, read> x: array<f32>;',
      '@group(0) @binding(2) var<storage, read_write> y: array<f32, 7>;',
      '@group(0) @binding(3) var<storage, read> n: array<u32>;',
      '@group(1) @binding(0) var<uniform> step: StepInfo;',
    ]);
  });

  it('keep the indices of a picked subset', () => {
    expect(bindingLines([pick(io[0], 'd', 'n')])).toBe(
      '@group(0) @binding(0) var<uniform> d: Dims;\n@group(0) @binding(3) var<storage, read> n: array<u32>;',
    );
    expect(() => pick(io[0], 'd', 'nope' as 'd')).toThrow('no binding "nope" (declared: d, x, y, n)');
  });

  it('reject a name that is not a WGSL identifier and a dynamic storage binding', () => {
    expect(() => bindingLines([{ 'a-b': read() }])).toThrow('"a-b" is not a WGSL identifier');
    expect(() => bindingLines([{ a: { access: 'read', type: 'array<f32>', dynamic: true } }])).toThrow(
      'only uniforms take a dynamic offset',
    );
  });
});

describe('wgslSource', () => {
  it('includes each snippet once, dependencies first, then the types the bindings need, then the kernel', () => {
    const a = snippet('a', '// a');
    const b = snippet('b', '// b', [a]);
    const src = wgslSource(io, '// kernel', [b, a, b]);
    expect(src.split('\n').slice(0, 3)).toEqual([
      '// a',
      '// b',
      'struct StepInfo { t: u32, slot: u32, runs: u32, paramCount: u32 }',
    ]);
    expect(src.endsWith('// kernel')).toBe(true);
    expect(src.match(/struct StepInfo/g)).toHaveLength(1);
  });
});

describe('bind groups by name (real adapter)', () => {
  it('bind every declared binding and name what is missing or extra', async () => {
    const { device } = await testGpu();
    const storage = createBuffer(device, 64, STORAGE, 'x');
    const u = createBuffer(device, 16, UNIFORM, 'u');
    const g = io[0];
    expect(() => bindGroupOf(device, 'k', g, { d: u, x: storage, y: storage } as never)).toThrow(
      'kernel k: no buffer for n (declared: d, x, y, n)',
    );
    expect(() =>
      bindGroupOf(device, 'k', g, { d: u, x: storage, y: storage, n: storage, z: storage } as never),
    ).toThrow('kernel k: no binding named z');
    const two = [{ y: rw() }] as const;
    expect(bindGroupOf(device, 'k', two[0], { y: storage })).toBeDefined();
    // The layouts are shared by signature: same access pattern, same object.
    expect(pipelineLayoutOf(device, [{ q: rw() }])).toBe(pipelineLayoutOf(device, two));
    storage.destroy();
    u.destroy();
  });

  it('the workgroup reduction sums like the CPU, for sizes that are not multiples of the workgroup', async () => {
    const { device, pipelines, gpu } = await testGpu();
    console.log(`[webgpu] kernel_io reduction on ${gpu.adapterDescription}`);
    const kio = [{ x: read(), out: rw() }] as const;
    const sum = workgroupReduce('wg_sum', 'f32');
    const amax = workgroupReduce('wg_argmax', 'vec2f', 'WG', 'select(b, a, a.x >= b.x)');
    const src = wgslSource(
      kio,
      `override WG: u32 = 64u;
override N: u32 = 1u;
@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) l: vec3u) {
  var acc = 0.0;
  var best = vec2f(-1e30, 0.0);
  for (var i = l.x; i < N; i += WG) {
    acc += x[i];
    if (x[i] > best.x) { best = vec2f(x[i], f32(i)); }
  }
  let total = wg_sum(l.x, acc);
  let m = wg_argmax(l.x, best);
  if (l.x == 0u) { out[0] = total; out[1] = m.x; out[2] = m.y; }
}`,
      [sum, amax],
    );
    for (const n of [1, 63, 64, 65, 300]) {
      const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 3 + 0.25);
      const xb = createBuffer(device, xs.byteLength, STORAGE | COPY_DST, 'x');
      device.queue.writeBuffer(xb, 0, xs);
      const ob = createBuffer(device, 16, STORAGE | COPY_SRC, 'out');
      const rb = createBuffer(device, 16, MAP_READ | COPY_DST, 'rb');
      const pipe = await pipelines.get('reduce', src, 'main', { WG: 64, N: n }, pipelineLayoutOf(device, kio));
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bindGroupOf(device, 'reduce', kio[0], { x: xb, out: ob }));
      pass.dispatchWorkgroups(1);
      pass.end();
      enc.copyBufferToBuffer(ob, 0, rb, 0, 16);
      device.queue.submit([enc.finish()]);
      await rb.mapAsync(1);
      const got = new Float32Array(rb.getMappedRange().slice(0));
      rb.unmap();
      const want = xs.reduce((a, v) => a + v, 0);
      expect(Math.abs(got[0] - want)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)));
      let bi = 0;
      xs.forEach((v, i) => (v > xs[bi] ? (bi = i) : 0));
      expect([got[1], got[2]]).toEqual([xs[bi], bi]);
      for (const b of [xb, ob, rb]) b.destroy();
    }
  });
});

describe('shaders/', () => {
  const dir = join(__dirname, '../../../shaders');
  const files = readdirSync(dir).filter((f) => f.endsWith('.wgsl'));

  it('declare no bindings and no StepInfo of their own (kernel_io declarations generate them)', () => {
    const offenders = files.filter((f) => /@binding|struct\s+StepInfo/.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
