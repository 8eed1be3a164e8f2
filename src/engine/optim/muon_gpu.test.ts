/**
 * Muon's GPU chain against float64 on the real WebGPU adapter (SwiftShader here): the batched tiled
 * product on random operands of sizes that are not multiples of the tile (16), and the whole
 * Newton–Schulz orthogonalisation of matrices wide, tall, square and 1 x n through the optimizer.
 */
import { describe, expect, it } from 'vitest';
import { mlpLayout, type TensorInfo } from '../model/layout';
import { readF32, storageBuffer } from '../webgpu/buffers';
import { bindGroupOf } from '../webgpu/kernel_io';
import { testGpu } from '../webgpu/testing';
import { harnessRng, maxAbsDiff, runGpuOptimizer } from './harness';
import { muon } from './muon';
import { dimsGroup, gemmGrid, gemmPipeline, NS_IO, recordTable, type GemmRecord } from './muon_gpu';
import { muonMatrices, newtonSchulz } from './muon_plan';
import { hyperOf } from './testing_cpu';

/** out = alpha E + beta L op(R) for one run, float64 (R stored n x k when transposed). */
function gemmCpu(g: GemmRecord, L: Float32Array, R: Float32Array, E: Float32Array, run: number): Float64Array {
  const out = new Float64Array(g.m * g.n);
  for (let i = 0; i < g.m; i++)
    for (let j = 0; j < g.n; j++) {
      let acc = 0;
      for (let k = 0; k < g.k; k++) {
        const l = L[g.l[0] + run * g.l[1] + i * g.k + k];
        const r = g.transR ? R[g.r[0] + run * g.r[1] + j * g.k + k] : R[g.r[0] + run * g.r[1] + k * g.n + j];
        acc += l * r;
      }
      const e = g.alpha !== 0 ? g.alpha * E[g.e[0] + run * g.e[1] + i * g.n + j] : 0;
      out[i * g.n + j] = e + g.beta * acc;
    }
  return out;
}

describe('muon: batched register-tiled product (optim_muon_ns.wgsl gemm) against float64', () => {
  // (m, k, n, transposed rhs): single elements, sizes around 8 and 16, tall and wide.
  const shapes: [number, number, number, boolean][] = [
    [1, 1, 1, false],
    [1, 37, 1, true],
    [2, 130, 2, true],
    [15, 17, 33, false],
    [17, 16, 15, true],
    [33, 5, 40, false],
    [16, 16, 16, false],
    [3, 64, 70, false],
  ];
  // Register tiles of 1 (GPUs), 8 (CPU-backed adapters) and 3 (no shape here is a multiple of it).
  it.each([1, 3, 8])('muon: every shape, three runs, alpha E + beta L R, tile %i', async (tile) => {
    const { device, pipelines } = await testGpu();
    const runs = 3;
    const pipes = [
      await gemmPipeline(device, pipelines, muon, false, tile),
      await gemmPipeline(device, pipelines, muon, true, tile),
    ];
    const hyper = new Float32Array(runs * muon.hyperSize);
    for (let r = 0; r < runs; r++)
      hyper.set(muon.packHyper(hyperOf(muon, { adamFirstLast: false })), r * muon.hyperSize);
    const hyperBuf = storageBuffer(device, hyper, 'test-hyper');
    const rng = harnessRng(11);
    for (const [m, k, n, transR] of shapes) {
      const pad = 3; // operands start past an offset and runs are spaced by more than a matrix
      const lRs = m * k + 5;
      const rRs = k * n + 2;
      const eRs = m * n + 7;
      const g: GemmRecord = {
        m,
        k,
        n,
        transR,
        l: [pad, lRs],
        r: [pad + 1, rRs],
        e: [2, eRs],
        o: [pad, eRs + 1],
        alpha: -1.25,
        beta: 0.75,
        iter: 0,
        flags: 0,
      };
      const L = rng.array(pad + runs * lRs);
      const R = rng.array(pad + 1 + runs * rRs);
      const E = rng.array(2 + runs * eRs);
      const outLen = pad + runs * (eRs + 1);
      const bufs = [storageBuffer(device, L), storageBuffer(device, R), storageBuffer(device, E)];
      const out = storageBuffer(device, outLen, 'test-out');
      const { buffer: table } = recordTable(device, [g], 'test-dims');
      const g0 = bindGroupOf(device, 'test.g0', NS_IO, {
        hyperR: hyperBuf,
        lhs: bufs[0],
        rhs: bufs[1],
        addend: bufs[2],
        out,
      });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipes[transR ? 1 : 0]);
      pass.setBindGroup(0, g0);
      pass.setBindGroup(1, dimsGroup(device, table), [0]);
      pass.dispatchWorkgroups(...gemmGrid(g, runs, tile));
      pass.end();
      device.queue.submit([enc.finish()]);
      const got = await readF32(device, out, outLen);
      for (let run = 0; run < runs; run++) {
        const want = gemmCpu(g, L, R, E, run);
        const o = g.o[0] + run * g.o[1];
        const err = maxAbsDiff(got.subarray(o, o + m * n), want) / Math.max(1, Math.sqrt(k));
        expect(err, `${m}x${k}x${n}${transR ? ' (R^T)' : ''} run ${run} tile ${tile}`).toBeLessThan(1e-5);
      }
      for (const b of [...bufs, out, table]) b.destroy();
    }
    hyperBuf.destroy();
  });
});

/** Weight tensors of the given shapes ([out, in] or [out, in, kh, kw]), one layer each, no biases. */
function matrices(shapes: number[][]): { tensors: TensorInfo[]; paramCount: number } {
  let offset = 0;
  const tensors = shapes.map((shape, layer): TensorInfo => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = { name: `w${layer}`, offset, size, shape, layer, kind: 'weight' as const };
    offset += size;
    return t;
  });
  return { tensors, paramCount: offset };
}

describe('muon: the Newton-Schulz chain through the optimizer (GPU f32 vs newtonSchulz in float64)', () => {
  it('muon: wide, tall, square, 1 x n, n x 1 and conv matrices, nsSteps 5, 2 and 0 in one population', async () => {
    // momentum 0 and lr 1 from theta = 0: theta_1 = -sqrt(max(1, rows/cols)) NS(g).
    const shapes: number[][] = [
      [1, 37],
      [37, 1],
      [2, 2],
      [17, 17],
      [40, 23],
      [20, 45],
      [16, 48],
      [5, 2, 3, 3], // conv filters: [5, 18] and, tall, [20, 4]
      [20, 1, 2, 2],
    ];
    const { tensors, paramCount: P } = matrices(shapes);
    const over = { lr: 1, momentum: 0, adamFirstLast: false };
    const hps = [
      hyperOf(muon, over),
      hyperOf(muon, { ...over, nsSteps: 2 }),
      hyperOf(muon, { ...over, nesterov: false }),
    ];
    const rng = harnessRng(5);
    const grads = [rng.array(hps.length * P)];
    const gpu = await runGpuOptimizer(muon, {
      hps,
      tensors,
      paramCount: P,
      init: new Float32Array(hps.length * P),
      grads,
    });
    const mats = muonMatrices(tensors);
    hps.forEach((hp, r) => {
      for (const mat of mats) {
        const g = Float64Array.from(grads[0].subarray(r * P + mat.offset, r * P + mat.offset + mat.rows * mat.cols));
        const want = newtonSchulz(g, mat.rows, mat.cols, hp.nsSteps as number).map((v) => -mat.scale * v);
        const at = r * P + mat.offset;
        const err = maxAbsDiff(gpu.params[0].subarray(at, at + want.length), want);
        expect(err, `run ${r} [${mat.rows}, ${mat.cols}]`).toBeLessThan(2e-5 * mat.scale);
      }
    });
  });

  it('muon: dispatches per step on a 2-128-128-2 MLP: 2 + 3 x 5 x (Muon matrices)', async () => {
    const { device, pipelines } = await testGpu();
    const layout = mlpLayout([2, 128, 128, 2]);
    const count = async (adamFirstLast: boolean) => {
      const hps = [hyperOf(muon, { adamFirstLast }), hyperOf(muon, { adamFirstLast })];
      const R = hps.length;
      const P = layout.paramCount;
      const b = (n: number) => storageBuffer(device, n);
      const owned = [b(R * P), b(R * P), b(2 * R * P), b(R * muon.hyperSize), b(8 * R), b(R)];
      const stepInfo = device.createBuffer({ size: 256, usage: 0x40 | 0x08 });
      const opt = await muon.createGpu({
        device,
        pipelines,
        runs: R,
        paramCount: P,
        tensors: layout.tensors,
        params: owned[0],
        grads: owned[1],
        state: owned[2],
        hyper: owned[3],
        hyperHost: new Float32Array(hps.flatMap((hp) => muon.packHyper(hp))),
        hps,
        stepScalars: owned[4],
        stepInfo,
        stepInfoStride: 256,
        batchSize: 1,
        seeds: owned[5],
      });
      const n = opt.dispatches;
      opt.destroy();
      for (const x of [...owned, stepInfo]) x.destroy();
      return n;
    };
    expect(await count(true)).toBe(2 + 3 * 5 * 1);
    expect(await count(false)).toBe(2 + 3 * 5 * 3);
  });
});
