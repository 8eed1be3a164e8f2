/**
 * GPU-vs-CPU parity of the MLP kernels (forward, every loss, backward, evaluation, ghost-norm
 * per-example clipping) for a population of runs with different parameters, on shapes that are not
 * multiples of the workgroup sizes. The CPU side is the float64 reference in src/engine/cpu.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testGpu } from '../webgpu/testing';
import { readF32, storageBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import { MlpGpu, NS, STAT, denseTileFor, denseTuning, isCpuBacked, splitBackward, tailPlan } from './mlp_gpu';
import { mlpLayout } from './layout';
import { lossAndGrad, evalSet } from '../cpu/mlp';
import { clippedBatchGrad } from '../cpu/per_example';
import type { Activation, LossName } from '../../schema/types';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Case {
  act: Activation;
  loss: LossName;
  widths: number[];
  nClasses: number;
  targetDim: number;
  clip?: number;
  /** Train on the whole train set (input mode 2) instead of per-run minibatch indices. */
  fullBatch?: boolean;
  /** Layers without biases (default: with). */
  noBias?: boolean;
  /** Minibatch size (default 37, not a multiple of any tile). */
  batch?: number;
}

async function runCase(c: Case, seed: number) {
  const { device, pipelines } = await testGpu();
  const rnd = rng(seed);
  const R = 3;
  const nTrain = 53;
  const B = c.fullBatch ? nTrain : (c.batch ?? 37);
  const nTest = 29;
  const layout = mlpLayout(c.widths, !c.noBias);
  const P = layout.paramCount;
  const D = c.widths[0];
  const params = new Float32Array(R * P).map(() => (rnd() * 2 - 1) * 0.8);
  const mkX = (n: number) => new Float32Array(n * D).map(() => rnd() * 2 - 1);
  const mkY = (n: number) =>
    c.nClasses > 0
      ? new Float32Array(n).map(() => Math.floor(rnd() * c.nClasses))
      : new Float32Array(n * c.targetDim).map(() => rnd() * 2 - 1);
  const xTrain = mkX(nTrain);
  const yTrain = mkY(nTrain);
  const xTest = mkX(nTest);
  const yTest = mkY(nTest);
  const idx = c.fullBatch
    ? new Uint32Array(R * B).map((_, i) => i % B)
    : new Uint32Array(R * B).map(() => Math.floor(rnd() * nTrain));
  const slots = new StepSlots(device, 2, R, P);
  slots.write(0, 2);
  const grads = storageBuffer(device, R * P);
  const stats = storageBuffer(device, 2 * R * NS);
  const clipped = storageBuffer(device, R * P);
  const clipNorms = [0.05, 0.3, 100];
  const data = {
    xTrain: storageBuffer(device, xTrain),
    yTrain: storageBuffer(device, yTrain),
    xTest: storageBuffer(device, xTest),
    yTest: storageBuffer(device, yTest),
    nTrain,
    nTest,
    nClasses: c.nClasses,
    targetDim: c.targetDim,
  };
  const mlp = await MlpGpu.create(device, pipelines, {
    layout,
    activation: c.act,
    loss: c.loss,
    runs: R,
    batch: B,
    fullBatch: !!c.fullBatch,
    idx: storageBuffer(device, idx),
    idxPerRun: true,
    data,
    params: storageBuffer(device, params),
    grads,
    stats,
    steps: slots,
    evalTrain: 41,
    evalChunk: 16,
    clip: c.clip ? { clipNorm: storageBuffer(device, new Float32Array(clipNorms)), clipped } : undefined,
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  mlp.encodeTrainStep(pass, 0);
  mlp.encodeEval(pass, 'train', 1);
  mlp.encodeEval(pass, 'test', 1);
  pass.end();
  device.queue.submit([enc.finish()]);
  const g = await readF32(device, grads, R * P);
  const st = await readF32(device, stats, 2 * R * NS);
  const cg = c.clip ? await readF32(device, clipped, R * P) : undefined;
  const model = { activation: c.act };
  for (let r = 0; r < R; r++) {
    const p = Array.from(params.subarray(r * P, (r + 1) * P));
    const rows = Array.from(idx.subarray(r * B, (r + 1) * B));
    const ref = lossAndGrad(p, layout, model, c.loss, xTrain, yTrain, rows, c.nClasses);
    const scale = Math.max(...ref.grad.map(Math.abs), 1e-3);
    for (let i = 0; i < P; i++) expect(Math.abs(g[r * P + i] - ref.grad[i]) / scale).toBeLessThan(2e-4);
    expect(st[r * NS + STAT.batchLoss] / B).toBeCloseTo(ref.loss, 4);
    const tr = evalSet(p, layout, model, c.loss, { x: xTrain, y: yTrain, n: nTrain }, c.nClasses, 41);
    const te = evalSet(p, layout, model, c.loss, { x: xTest, y: yTest, n: nTest }, c.nClasses);
    const o = NS * R + r * NS;
    expect(st[o + STAT.trainLoss] / 41).toBeCloseTo(tr.loss, 4);
    expect(st[o + STAT.testLoss] / nTest).toBeCloseTo(te.loss, 4);
    if (c.nClasses > 0) {
      expect(st[o + STAT.trainCorrect]).toBe(tr.correct);
      expect(st[o + STAT.testCorrect]).toBe(te.correct);
      expect(st[r * NS + STAT.batchCorrect]).toBe(ref.correct);
    }
    if (cg) {
      const cref = clippedBatchGrad(p, layout, model, c.loss, xTrain, yTrain, rows, c.nClasses, clipNorms[r]);
      const cs = Math.max(...cref.clipped.map(Math.abs), 1e-6);
      for (let i = 0; i < P; i++) expect(Math.abs(cg[r * P + i] - cref.clipped[i]) / cs).toBeLessThan(5e-4);
    }
  }
  mlp.destroy();
}

describe('MLP kernels vs the float64 CPU reference', () => {
  const acts: Activation[] = ['relu', 'relu2', 'tanh', 'sigmoid', 'gelu', 'linear'];
  for (const [i, act] of acts.entries()) {
    it(`activation ${act}, cross-entropy, 3 layers`, async () => {
      await runCase({ act, loss: 'cross-entropy', widths: [5, 13, 7, 3], nClasses: 3, targetDim: 1 }, 10 + i);
    });
  }
  it('logistic loss (binary, one output)', async () => {
    await runCase({ act: 'tanh', loss: 'logistic', widths: [4, 9, 1], nClasses: 2, targetDim: 1 }, 21);
  });
  it('hinge loss (binary, one output)', async () => {
    await runCase({ act: 'relu', loss: 'hinge', widths: [4, 9, 1], nClasses: 2, targetDim: 1 }, 22);
  });
  it('mse on classes (one-hot targets)', async () => {
    await runCase({ act: 'relu', loss: 'mse', widths: [3, 11, 4], nClasses: 4, targetDim: 1 }, 23);
  });
  it('mse regression, linear model (no hidden layer)', async () => {
    await runCase({ act: 'relu', loss: 'mse', widths: [6, 2], nClasses: 0, targetDim: 2 }, 24);
  });
  // Layers wider than two register tiles (8) with partial edge tiles, on both training input modes.
  it('wide layers with partial register tiles, minibatch', async () => {
    await runCase({ act: 'relu', loss: 'cross-entropy', widths: [19, 24, 17, 3], nClasses: 3, targetDim: 1 }, 26);
  });
  it('wide layers with partial register tiles, full batch', async () => {
    await runCase({ act: 'gelu', loss: 'mse', widths: [9, 33, 2], nClasses: 0, targetDim: 2, fullBatch: true }, 27);
  });
  // Batch and widths multiples of the 8x8 tile: the kernels' stores skip their bounds tests.
  it('whole register tiles (batch 32, widths 16-24-8-3)', async () => {
    await runCase(
      { act: 'relu', loss: 'cross-entropy', widths: [16, 24, 8, 3], nClasses: 3, targetDim: 1, batch: 32 },
      29,
    );
  });
  it('layers without biases', async () => {
    await runCase(
      { act: 'tanh', loss: 'cross-entropy', widths: [5, 17, 3], nClasses: 3, targetDim: 1, noBias: true },
      28,
    );
  });
  it('per-example clipping by ghost norms equals materialised per-example gradients', async () => {
    await runCase(
      { act: 'tanh', loss: 'cross-entropy', widths: [5, 13, 7, 3], nClasses: 3, targetDim: 1, clip: 1 },
      25,
    );
  });
});

// The tile edge is chosen by adapter (8 on CPU-backed adapters such as this machine's SwiftShader,
// 1 on GPUs): the other edges run the same parity cases here, 3 for partial tiles everywhere.
for (const tile of [1, 3]) {
  describe(`MLP kernels with register tile ${tile} vs the float64 CPU reference`, () => {
    beforeAll(() => {
      denseTuning.tile = tile;
    });
    afterAll(() => {
      denseTuning.tile = 0;
    });
    it('3 layers, minibatch, cross-entropy', async () => {
      await runCase(
        { act: 'relu', loss: 'cross-entropy', widths: [19, 24, 17, 3], nClasses: 3, targetDim: 1 },
        40 + tile,
      );
    });
    it('full batch, mse regression', async () => {
      await runCase(
        { act: 'tanh', loss: 'mse', widths: [9, 13, 2], nClasses: 0, targetDim: 2, fullBatch: true },
        50 + tile,
      );
    });
    it('no biases, per-example clipping', async () => {
      await runCase(
        { act: 'gelu', loss: 'cross-entropy', widths: [5, 13, 3], nClasses: 3, targetDim: 1, noBias: true, clip: 1 },
        60 + tile,
      );
    });
  });
}

// A large population runs each dense backward (that has a previous delta) as two dispatches, one per
// part (denseTuning.splitBackward); forcing the split on small shapes checks both parts' kernels.
for (const tile of [8, 3]) {
  describe(`MLP kernels with the backward split in two dispatches, tile ${tile}, vs the float64 CPU reference`, () => {
    const saved = { ...denseTuning };
    beforeAll(() => {
      denseTuning.tile = tile;
      denseTuning.splitBackward = 1;
    });
    afterAll(() => {
      Object.assign(denseTuning, saved);
    });
    it('3 layers, minibatch, cross-entropy', async () => {
      await runCase(
        { act: 'relu', loss: 'cross-entropy', widths: [19, 24, 17, 3], nClasses: 3, targetDim: 1 },
        70 + tile,
      );
    });
    it('full batch, mse regression, per-example clipping', async () => {
      await runCase(
        { act: 'tanh', loss: 'mse', widths: [9, 13, 6, 2], nClasses: 0, targetDim: 2, fullBatch: true, clip: 1 },
        80 + tile,
      );
    });
  });
}

// The last layer of a cross-entropy training step runs fused (shaders/mlp_tail.wgsl) on CPU-backed
// adapters; the parity cases above with cross-entropy run it (minibatch rows, per-run indices, a
// partial last tile at batch 37, no biases, whole tiles). These add full-batch rows and the
// separate kernels it replaces.
describe('the fused last layer (tailPlan)', () => {
  it('cross-entropy, full batch (rows by position, batch 53: a partial last tile)', async () => {
    await runCase(
      { act: 'relu', loss: 'cross-entropy', widths: [6, 11, 4], nClasses: 4, targetDim: 1, fullBatch: true },
      31,
    );
  });
  it('the separate kernels it replaces still match the CPU (fuseTail 0)', async () => {
    const saved = { ...denseTuning };
    try {
      denseTuning.fuseTail = 0;
      await runCase({ act: 'relu', loss: 'cross-entropy', widths: [7, 10, 9, 3], nClasses: 3, targetDim: 1 }, 32);
      await runCase(
        { act: 'tanh', loss: 'cross-entropy', widths: [6, 11, 4], nClasses: 4, targetDim: 1, fullBatch: true },
        33,
      );
    } finally {
      Object.assign(denseTuning, saved);
    }
  });
  it('applies only where it was built for', () => {
    const limits = {
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupSizeX: 256,
      maxComputeWorkgroupStorageSize: 16384,
    };
    const device = { limits } as unknown as GPUDevice;
    const base = {
      loss: 'cross-entropy',
      centred: false,
      clip: false,
      widths: [2, 32, 32, 2],
      batch: 64,
    };
    // tiny: 8 threads of 8 examples; 8 * (2 * 32 + 2 + 2) floats of workgroup memory.
    expect(tailPlan(device, 8, base)).toEqual({ TB: 8, NB: 8, partFloats: 544 });
    expect(tailPlan(device, 8, { ...base, batch: 37 })).toEqual({ TB: 8, NB: 5, partFloats: 340 });
    expect(tailPlan(device, 1, base)).toBeNull(); // GPUs
    expect(tailPlan(device, 8, { ...base, loss: 'mse' })).toBeNull();
    expect(tailPlan(device, 8, { ...base, centred: true })).toBeNull();
    expect(tailPlan(device, 8, { ...base, clip: true })).toBeNull();
    expect(tailPlan(device, 8, { ...base, widths: [2, 2] })).toBeNull(); // no hidden layer
    expect(tailPlan(device, 8, { ...base, widths: [2, 32, 8] })).not.toBeNull();
    expect(tailPlan(device, 8, { ...base, widths: [2, 32, 9] })).toBeNull(); // more than 8 outputs
    expect(tailPlan(device, 8, { ...base, batch: 4096 })).toBeNull(); // 512 threads
    expect(tailPlan(device, 8, { ...base, widths: [2, 512, 8], batch: 64 })).toBeNull(); // 131 kB of workgroup memory
    const saved = denseTuning.fuseTail;
    try {
      denseTuning.fuseTail = 0;
      expect(tailPlan(device, 8, base)).toBeNull();
    } finally {
      denseTuning.fuseTail = saved;
    }
  });
});

describe('when the dense backward is split', () => {
  it('only where both parts have denseTuning.splitBackward threads', () => {
    // tiny (one run, batch 64, 32->32, 8x8 tiles): 16 weight-gradient and 32 previous-delta threads.
    expect(splitBackward(8, 1, 64, 32, 32)).toBe(false);
    // sweep64: 64 times as many.
    expect(splitBackward(8, 64, 64, 32, 32)).toBe(true);
    // the thin output layer (32->2: 4 gradient and 32 previous-delta threads per run) splits at 64 runs, not 16.
    expect(splitBackward(8, 64, 64, 32, 2)).toBe(true);
    expect(splitBackward(8, 16, 64, 32, 2)).toBe(false);
  });
});

describe('dense tile choice by adapter', () => {
  const fake = (info: Partial<GPUAdapterInfo>) => ({ adapterInfo: info }) as unknown as GPUDevice;
  it('CPU-backed adapters get 8x8 tiles, GPUs one output per thread', () => {
    expect(isCpuBacked(fake({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: false }))).toBe(true);
    expect(isCpuBacked(fake({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(true);
    expect(isCpuBacked(fake({ vendor: 'intel', architecture: 'gen-12lp', isFallbackAdapter: true }))).toBe(true);
    expect(isCpuBacked(fake({ vendor: 'nvidia', architecture: 'hopper', isFallbackAdapter: false }))).toBe(false);
    expect(isCpuBacked({} as GPUDevice)).toBe(false);
    expect(denseTileFor(fake({ vendor: 'nvidia', architecture: 'hopper' }))).toBe(1);
    expect(denseTileFor(fake({ architecture: 'swiftshader' }))).toBe(8);
  });
  it("this machine's adapter is classified from its own description", async () => {
    const { gpu, device } = await testGpu();
    console.log(`[webgpu] ${gpu.adapterDescription}: dense tile ${denseTileFor(device)}`);
    expect(isCpuBacked(device)).toBe(/swiftshader|llvmpipe|lavapipe/i.test(gpu.adapterDescription));
  });
});
