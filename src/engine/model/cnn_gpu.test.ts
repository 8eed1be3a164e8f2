/**
 * GPU-vs-CPU parity of CnnGpu against the float64 oracle in cpu/cnn.ts, for populations of R = 3
 * runs with different parameters, on shapes that are not multiples of the workgroup size.
 * Tolerance: max |gpu - cpu| / max |cpu| < 2e-4 per tensor. Whole models: batch loss, correct count
 * and the mean-loss gradient in the three batch modes (shared indices, per-run indices, full batch),
 * train/test/extra evaluation in chunks, bit-identical repeats, and the dispatch count of the
 * default preset. The single kernels are tested in cnn_gpu_kernels.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../webgpu/testing';
import { readF32, storageBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import type { LossName } from '../../schema/types';
import { evalSet, lossAndGrad } from '../cpu/mlp';
import { NS, STAT } from './mlp_gpu';
import { buildCnnSpec, buildPatchCnnSpec, cnnLayout, type CnnSpec } from './cnn_spec';
import { CnnGpu, cnnDispatchesPerStep, cnnGpuBufferFloats } from './cnn_gpu';
import { cnnModel, conv, parityCheck, pool, rand, rng } from './cnn_gpu_testing';

const expectClose = parityCheck('cnn_gpu');

// ---------------------------------------------------------------- whole models

type Mode = 'shared idx' | 'per-run idx' | 'full batch';

interface ModelCase {
  spec: CnnSpec;
  loss: LossName;
  nClasses: number;
}

async function checkModel(c: ModelCase, mode: Mode, seed: number): Promise<void> {
  const { device, pipelines } = await testGpu();
  const rnd = rng(seed);
  const R = 3;
  const nTrain = 53;
  const nTest = 29;
  const nExtra = 18;
  const fullBatch = mode === 'full batch';
  const B = fullBatch ? nTrain : 37;
  const idxPerRun = mode === 'per-run idx';
  const layout = cnnLayout(c.spec);
  const P = layout.paramCount;
  const D = c.spec.inShape[0] * c.spec.inShape[1] * c.spec.inShape[2];
  const params = rand(R * P, rnd, -0.6, 0.6);
  const mkX = (n: number) => rand(n * D, rnd);
  const mkY = (n: number) => new Float32Array(n).map(() => Math.floor(rnd() * c.nClasses));
  const [xTrain, yTrain, xTest, yTest, xExtra, yExtra] = [
    mkX(nTrain),
    mkY(nTrain),
    mkX(nTest),
    mkY(nTest),
    mkX(nExtra),
    mkY(nExtra),
  ];
  const idx = new Uint32Array((idxPerRun ? R : 1) * B).map((_, i) => (fullBatch ? i : Math.floor(rnd() * nTrain)));
  const slots = new StepSlots(device, 2, R, P);
  slots.write(0, 2);
  const grads = storageBuffer(device, R * P);
  const stats = storageBuffer(device, 2 * R * NS);
  const own = [grads, stats];
  const sb = (a: Float32Array | Uint32Array) => {
    const b = storageBuffer(device, a);
    own.push(b);
    return b;
  };
  const data = {
    xTrain: sb(xTrain),
    yTrain: sb(yTrain),
    xTest: sb(xTest),
    yTest: sb(yTest),
    nTrain,
    nTest,
    nClasses: c.nClasses,
    targetDim: 1,
  };
  const opts = {
    layout,
    activation: 'relu' as const,
    loss: c.loss,
    runs: R,
    batch: B,
    fullBatch,
    idx: sb(idx),
    idxPerRun,
    data,
    params: sb(params),
    grads,
    stats,
    steps: slots,
    evalTrain: 41,
    evalChunk: 16,
    extraEvalSets: [{ key: 'extra', x: sb(xExtra), y: sb(yExtra), n: nExtra, field: STAT.stepSq }],
  };
  const cnn = await CnnGpu.create(device, pipelines, opts);
  expect(cnn.dispatchesPerStep).toBe(cnnDispatchesPerStep(c.spec, fullBatch));
  const step = async () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    cnn.encodeTrainStep(pass, 0);
    cnn.encodeEval(pass, 'train', 1);
    cnn.encodeEval(pass, 'test', 1);
    cnn.encodeEval(pass, 'extra', 1);
    pass.end();
    device.queue.submit([enc.finish()]);
    return { g: await readF32(device, grads, R * P), st: await readF32(device, stats, 2 * R * NS) };
  };
  const { g, st } = await step();
  const again = await step();
  expect(Array.from(again.g)).toEqual(Array.from(g)); // bit-identical repeats
  expect(Array.from(again.st)).toEqual(Array.from(st));
  const model = { activation: 'relu' as const };
  for (let r = 0; r < R; r++) {
    const p = Array.from(params.subarray(r * P, (r + 1) * P));
    const rows = fullBatch
      ? Array.from({ length: B }, (_, i) => i)
      : Array.from(idx.subarray((idxPerRun ? r : 0) * B).slice(0, B));
    const ref = lossAndGrad(p, layout, model, c.loss, xTrain, yTrain, rows, c.nClasses);
    for (const t of layout.tensors)
      expectClose(
        `${mode} ${t.name} gradient run ${r}`,
        g.subarray(r * P + t.offset, r * P + t.offset + t.size),
        ref.grad.subarray(t.offset, t.offset + t.size),
      );
    expectClose(`${mode} batch loss run ${r}`, [st[r * NS + STAT.batchLoss] / B], [ref.loss]);
    expect(st[r * NS + STAT.batchCorrect]).toBe(ref.correct);
    const o = NS * R + r * NS;
    const sets = [
      {
        field: STAT.trainLoss,
        ref: evalSet(p, layout, model, c.loss, { x: xTrain, y: yTrain, n: nTrain }, c.nClasses, 41),
      },
      { field: STAT.testLoss, ref: evalSet(p, layout, model, c.loss, { x: xTest, y: yTest, n: nTest }, c.nClasses) },
      { field: STAT.stepSq, ref: evalSet(p, layout, model, c.loss, { x: xExtra, y: yExtra, n: nExtra }, c.nClasses) },
    ];
    for (const s of sets) {
      expectClose(`${mode} eval loss sum run ${r}`, [st[o + s.field]], [s.ref.lossSum]);
      expect(st[o + s.field + 1]).toBe(s.ref.correct);
    }
  }
  cnn.destroy();
  slots.destroy();
  for (const b of own) b.destroy();
}

const imagesSpec = buildCnnSpec(
  cnnModel(
    [
      conv(5, [3, 3], [1, 1], [1, 1]),
      pool('maxpool', [2, 2], [2, 2]),
      conv(4, [2, 3], [2, 1], [1, 0]),
      { type: 'flatten' },
      { type: 'dense', units: 9 },
    ],
    'relu',
  ),
  [2, 7, 6],
  3,
);
const patchSpec = buildPatchCnnSpec({ kind: 'patch-cnn', filters: 3, activation: 'relu2', initScale: 1 }, 20, 4, 1);
const modes: Mode[] = ['shared idx', 'per-run idx', 'full batch'];

describe('CnnGpu: loss, gradient and evaluation vs the CPU oracle', () => {
  modes.forEach((mode, i) => {
    it(`images CNN (conv, maxpool, strided conv, dense), cross-entropy, ${mode}`, async () => {
      await checkModel({ spec: imagesSpec, loss: 'cross-entropy', nClasses: 3 }, mode, 20 + i);
    });
    it(`patch CNN (relu2, fixed head), logistic, ${mode}`, async () => {
      await checkModel({ spec: patchSpec, loss: 'logistic', nClasses: 2 }, mode, 30 + i);
    });
  });
});

describe('CnnGpu: plan and options', () => {
  const preset = buildCnnSpec(
    cnnModel(
      [
        conv(8, [3, 3], [1, 1], [1, 1]),
        pool('maxpool', [2, 2], [2, 2]),
        { type: 'flatten' },
        { type: 'dense', units: 32 },
      ],
      'relu',
    ),
    [1, 8, 8],
    4,
  );
  const floats = (o: { fullBatch: boolean; idxPerRun: boolean }) =>
    Object.fromEntries(
      cnnGpuBufferFloats({ spec: preset, runs: 2, batch: 32, evalChunk: 100, ...o }).map((b) => [b.label, b.floats]),
    );
  it('lists every buffer it allocates with its size', () => {
    const [act0, act1, act2, act3] = [512, 128, 32, 4].map((size) => 2 * 32 * size);
    const ev = 2 * 100 * 512;
    const common = { 'dummy-read': 4, 'dummy-write': 4, out0: act0, post0: act0, delta0: act0, out1: act1 };
    const rest = { delta1: act1, out2: act2, post2: act2, delta2: act2, out3: act3, delta3: act3 };
    const evalBufs = { evalA0: ev, evalA1: ev, evalZ: ev };
    expect(floats({ fullBatch: false, idxPerRun: false })).toEqual({ ...common, ...rest, ...evalBufs, input: 32 * 64 });
    expect(floats({ fullBatch: false, idxPerRun: true }).input).toBe(2 * 32 * 64);
    expect(floats({ fullBatch: true, idxPerRun: false })).toEqual({ ...common, ...rest, ...evalBufs });
  });
  it('default preset: 10 dispatches per minibatch step, 9 with full batch; rejects per-example clipping', async () => {
    const { device, pipelines } = await testGpu();
    const mk = () => storageBuffer(device, 4);
    const own = [mk(), mk(), mk(), mk()];
    const [d, params, grads, stats] = own;
    const layout = cnnLayout(preset);
    const slots = new StepSlots(device, 1, 2, layout.paramCount);
    const data = { xTrain: d, yTrain: d, xTest: d, yTest: d, nTrain: 64, nTest: 8, nClasses: 4, targetDim: 1 };
    const base = { layout, activation: 'relu' as const, loss: 'cross-entropy' as const, runs: 2, idx: d };
    const o = { ...base, idxPerRun: false, data, params, grads, stats, steps: slots, evalTrain: 64, evalChunk: 64 };
    for (const fullBatch of [false, true]) {
      const g = await CnnGpu.create(device, pipelines, { ...o, fullBatch, batch: fullBatch ? 64 : 32 });
      expect(g.dispatchesPerStep).toBe(fullBatch ? 9 : 10);
      expect(cnnDispatchesPerStep(preset, fullBatch)).toBe(g.dispatchesPerStep);
      g.destroy();
    }
    const clip = { clipNorm: d, clipped: grads };
    await expect(CnnGpu.create(device, pipelines, { ...o, fullBatch: false, batch: 32, clip })).rejects.toThrow(
      'per-example clipping (dp-sgd, dicesgd) is available for MLP models only',
    );
    slots.destroy();
    for (const b of own) b.destroy();
  });
});
