import { describe, expect, it } from 'vitest';
import prngWgsl from '../../../shaders/prng.wgsl?raw';
import { testGpu } from '../webgpu/testing';
import { dispatchSize, readBuffer, storageBuffer } from '../webgpu/buffers';
import { hash32, rngNormal, rngRademacher, rngU32, rngUniform, STREAM_DP_NOISE, STREAM_PROBE } from './prng';

// Evaluates every PRNG function (and the snake_case aliases) on (seed, stream, counter) triples.
const KERNEL = `
@group(0) @binding(0) var<storage, read> inp: array<u32>;
@group(0) @binding(1) var<storage, read_write> outU: array<u32>;
@group(0) @binding(2) var<storage, read_write> outF: array<f32>;
override WG: u32 = 64u;
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= arrayLength(&inp) / 3u) { return; }
  let s = inp[3u * i];
  let st = inp[3u * i + 1u];
  let c = inp[3u * i + 2u];
  outU[2u * i] = hash32(c);
  outU[2u * i + 1u] = rngU32(s, st, c);
  outF[6u * i] = rngUniform(s, st, c);
  outF[6u * i + 1u] = rngNormal(s, st, c);
  outF[6u * i + 2u] = rngRademacher(s, st, c);
  outF[6u * i + 3u] = rng_uniform(s, st, c) - f32(rng_u32(s, st, c) >> 8u) / 16777216.0;
  outF[6u * i + 4u] = rng_normal(s, st, c);
  outF[6u * i + 5u] = rng_rademacher(s, st, c) * f32(STREAM_MASK + STREAM_INIT + STREAM_DATA + STREAM_BATCH);
}`;

describe('prng.wgsl', () => {
  it('matches prng.ts bit for bit (normals to f32 rounding)', async () => {
    const { device, pipelines } = await testGpu();
    const n = 4099; // not a multiple of the workgroup size
    const inp = new Uint32Array(3 * n);
    for (let i = 0; i < n; i++) {
      inp[3 * i] = i < 8 ? [0, 1, 0xffffffff, 7, 42, 0x80000000, 3, 12345][i] : hash32(i * 3 + 1);
      inp[3 * i + 1] = [STREAM_PROBE, STREAM_DP_NOISE, 0, 0xffffffff][i % 4];
      inp[3 * i + 2] = i < 2000 ? i : hash32(i);
    }
    const pipe = await pipelines.get('prng-test', prngWgsl + '\n' + KERNEL, 'main', { WG: 64 });
    const bIn = storageBuffer(device, inp);
    const bU = storageBuffer(device, 2 * n);
    const bF = storageBuffer(device, 6 * n);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: bIn, size: inp.byteLength } },
          { binding: 1, resource: { buffer: bU } },
          { binding: 2, resource: { buffer: bF } },
        ],
      }),
    );
    pass.dispatchWorkgroups(...dispatchSize(n, 64));
    pass.end();
    device.queue.submit([enc.finish()]);
    const u = new Uint32Array(await readBuffer(device, bU, 8 * n));
    const f = new Float32Array(await readBuffer(device, bF, 24 * n));
    let maxNormalErr = 0;
    let mismatches = 0;
    for (let i = 0; i < n; i++) {
      const [s, st, c] = [inp[3 * i], inp[3 * i + 1], inp[3 * i + 2]];
      if (u[2 * i] !== hash32(c)) mismatches++;
      if (u[2 * i + 1] !== rngU32(s, st, c)) mismatches++;
      if (f[6 * i] !== rngUniform(s, st, c)) mismatches++;
      if (f[6 * i + 2] !== rngRademacher(s, st, c)) mismatches++;
      if (f[6 * i + 3] !== 0) mismatches++;
      if (f[6 * i + 5] !== 12 * rngRademacher(s, st, c)) mismatches++;
      if (f[6 * i + 4] !== f[6 * i + 1]) mismatches++;
      const z = rngNormal(s, st, c);
      maxNormalErr = Math.max(maxNormalErr, Math.abs(f[6 * i + 1] - z) / Math.max(1, Math.abs(z)));
    }
    expect(mismatches).toBe(0);
    console.log(`[prng] max |normal_gpu - normal_cpu| / max(1, |z|) = ${maxNormalErr.toExponential(2)}`);
    expect(maxNormalErr).toBeLessThan(2e-6);
    for (const b of [bIn, bU, bF]) b.destroy();
  });

  it('evaluates -ln u and cos 2 pi u to f32 accuracy over the whole 2^-24 grid range', async () => {
    const { device, pipelines } = await testGpu();
    const code = `${prngWgsl}
@group(0) @binding(0) var<storage, read> m: array<u32>;
@group(0) @binding(1) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&m)) { return; }
  o[2u * i] = rngNegLog(f32(m[i] + 1u) / 16777216.0);
  o[2u * i + 1u] = rngCos2Pi(f32(m[i]) / 16777216.0);
}`;
    const ms: number[] = [
      0,
      1,
      2,
      3,
      2 ** 22 - 1,
      2 ** 22,
      2 ** 22 + 1,
      2 ** 23 - 1,
      2 ** 23,
      3 * 2 ** 22,
      2 ** 24 - 2,
      2 ** 24 - 1,
    ];
    for (let i = 0; i < 1000; i++) ms.push(hash32(i) >>> 8);
    const mArr = new Uint32Array(ms);
    const pipe = await pipelines.get('prng-series-test', code, 'main');
    const bm = storageBuffer(device, mArr);
    const bo = storageBuffer(device, 2 * ms.length);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: bm, size: mArr.byteLength } },
          { binding: 1, resource: { buffer: bo } },
        ],
      }),
    );
    pass.dispatchWorkgroups(Math.ceil(ms.length / 64));
    pass.end();
    device.queue.submit([enc.finish()]);
    const o = new Float32Array(await readBuffer(device, bo, 8 * ms.length));
    let errLog = 0;
    let errCos = 0;
    ms.forEach((mi, i) => {
      const nl = -Math.log((mi + 1) / 2 ** 24);
      errLog = Math.max(errLog, Math.abs(o[2 * i] - nl) / Math.max(nl, 2 ** -24));
      errCos = Math.max(errCos, Math.abs(o[2 * i + 1] - Math.cos((2 * Math.PI * mi) / 2 ** 24)));
    });
    expect(Math.abs(o[2 * (ms.length - 1 - 1000)])).toBe(0); // u = 1 gives exactly (+-)0
    console.log(
      `[prng] -ln u: max rel err ${errLog.toExponential(2)}; cos 2 pi u: max abs err ${errCos.toExponential(2)}`,
    );
    expect(errLog).toBeLessThan(1e-6);
    expect(errCos).toBeLessThan(1e-6);
    bm.destroy();
    bo.destroy();
  });
});
