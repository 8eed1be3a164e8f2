import { describe, expect, it } from 'vitest';
import { testGpu } from './testing';
import { COPY_DST, COPY_SRC, MAP_READ, STORAGE, UNIFORM, storageBuffer, readF32, dispatchSize } from './buffers';
import { ShaderError } from './pipelines';

describe('gpu runtime', () => {
  it('finds a real adapter and runs a compute shader', async () => {
    const { device, pipelines, gpu } = await testGpu();
    expect(gpu.adapterDescription.length).toBeGreaterThan(0);
    const n = 1000; // not a multiple of the workgroup size
    const code = `@group(0) @binding(0) var<storage, read_write> a: array<f32>;
override WG: u32 = 64u;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = g.x + g.y * nw.x * WG;
  if (i < arrayLength(&a)) { a[i] = a[i] * 2.0 + 1.0; }
}`;
    const pipe = await pipelines.get('double', code, 'main', { WG: 64 });
    expect(await pipelines.get('double', code, 'main', { WG: 64 })).toBe(pipe);
    const data = new Float32Array(n).map((_, i) => i);
    const buf = storageBuffer(device, data);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: buf, size: n * 4 } }],
      }),
    );
    pass.dispatchWorkgroups(...dispatchSize(n, 64));
    pass.end();
    device.queue.submit([enc.finish()]);
    const out = await readF32(device, buf, n);
    for (let i = 0; i < n; i++) expect(out[i]).toBe(2 * i + 1);
  });

  it('surfaces the WGSL compiler message', async () => {
    const { pipelines } = await testGpu();
    await expect(pipelines.get('broken', '@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }')).rejects.toThrow(
      ShaderError,
    );
    await expect(pipelines.get('broken2', '@compute @workgroup_size(1) fn main() { undefined_fn(); }')).rejects.toThrow(
      /undefined_fn|unresolved/,
    );
  });

  it("names the buffer usage flags with the implementation's GPUBufferUsage values", async () => {
    await testGpu(); // in Node, loading the implementation defines GPUBufferUsage
    expect({ MAP_READ, COPY_SRC, COPY_DST, UNIFORM, STORAGE }).toEqual({
      MAP_READ: GPUBufferUsage.MAP_READ,
      COPY_SRC: GPUBufferUsage.COPY_SRC,
      COPY_DST: GPUBufferUsage.COPY_DST,
      UNIFORM: GPUBufferUsage.UNIFORM,
      STORAGE: GPUBufferUsage.STORAGE,
    });
  });
});
