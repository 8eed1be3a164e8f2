/**
 * GPU-vs-CPU parity of the CNN kernels (shaders/cnn_*.wgsl) and of CnnGpu, against the float64
 * oracle in cpu/cnn.ts, for populations of R = 3 runs with different parameters, on shapes that are
 * not multiples of the workgroup size. Tolerance: max |gpu - cpu| / max |cpu| < 2e-4 per tensor.
 * Per kernel: forward (with a fused activation), input gradient (with the previous op's act'),
 * parameter gradient. Whole models: batch loss, correct count and the mean-loss gradient in the
 * three batch modes (shared indices, per-run indices, full batch), train/test/extra evaluation in
 * chunks, bit-identical repeats, and the dispatch count of the default preset.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testGpu } from '../webgpu/testing';
import { dispatchSize, readF32, storageBuffer, uniformBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import type { Activation, CnnLayer, LossName } from '../../schema/types';
import { activationFns } from '../cpu/activations';
import { opBackward, opForward, opInSize, opOutSize } from '../cpu/cnn';
import { evalSet, lossAndGrad } from '../cpu/mlp';
import { ACT_CODE, NS, STAT } from './mlp_gpu';
import { buildCnnSpec, buildPatchCnnSpec, cnnLayout, type CnnOp, type CnnSpec, type Shape3 } from './cnn_spec';
import { CnnGpu, cnnDispatchesPerStep, cnnGpuBufferFloats, cnnKernel } from './cnn_gpu';

const TOL = 2e-4;
const worst = new Map<string, number>();

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
const rand = (n: number, rnd: () => number, lo = -1, hi = 1) => new Float32Array(n).map(() => lo + (hi - lo) * rnd());

/** max |gpu - cpu| / max |cpu|, recorded under `what` (the worst value is logged at the end). */
function expectClose(what: string, gpu: ArrayLike<number>, cpu: ArrayLike<number>): void {
  expect(gpu.length).toBe(cpu.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < cpu.length; i++) {
    err = Math.max(err, Math.abs(gpu[i] - cpu[i]));
    scale = Math.max(scale, Math.abs(cpu[i]));
  }
  const rel = scale > 0 ? err / scale : err;
  const kind = what.replace(/ run \d+.*/, '');
  worst.set(kind, Math.max(worst.get(kind) ?? 0, rel));
  expect(rel, `${what}: max error ${err} on values up to ${scale}`).toBeLessThan(TOL);
}

afterAll(() => {
  const lines = [...worst].map(([k, v]) => `  ${k}: ${v.toExponential(2)}`);
  console.log(`[cnn_gpu] worst relative errors (tolerance ${TOL}):\n${lines.join('\n')}`);
});

const cnnModel = (layers: CnnLayer[], activation: Activation, bias = true) => ({
  kind: 'cnn' as const,
  layers,
  activation,
  initScale: 1,
  bias,
});
const conv = (channels: number, kernel: [number, number], stride: [number, number], padding: [number, number]) =>
  ({ type: 'conv2d', channels, kernel, stride, padding }) as const;
const pool = (type: 'maxpool' | 'avgpool', size: [number, number], stride: [number, number]) =>
  ({ type, size, stride }) as const;

// ---------------------------------------------------------------- single kernels

interface KernelCase {
  op: CnnOp;
  /** Floats per run of the parameter vector the op's offsets index. */
  P: number;
  /** Activation fused into the forward (conv/dense) and applied as act'(zPrev) in the backward. */
  act: Activation;
  /** Inputs drawn from {0, 1, 2} (max pooling ties). */
  ties?: boolean;
}

async function checkKernel(c: KernelCase, seed: number): Promise<void> {
  const { device, pipelines } = await testGpu();
  const rnd = rng(seed);
  const R = 3;
  const n = 5;
  const { op, P } = c;
  const inSize = opInSize(op);
  const outSize = opOutSize(op);
  const params = rand(R * P, rnd);
  const input = c.ties ? rand(R * n * inSize, rnd, 0, 3).map(Math.floor) : rand(R * n * inSize, rnd, -2, 2);
  const dOut = rand(R * n * outSize, rnd);
  const zPrev = rand(R * n * inSize, rnd, -2, 2);
  const hasParams = op.op === 'conv2d' || op.op === 'dense';
  const k = cnnKernel(op);
  const fns = activationFns(op.op === 'act' ? op.fn : c.act);
  const actCode = ACT_CODE[op.op === 'act' ? op.fn : c.act];
  const ov = { ...k.overrides, R, B: n, ACT: actCode, FUSE_ACT: 1, PREV_ACT: 1 };
  if (op.op === 'dense') Object.assign(ov, { NEED_DATA: 1 });
  const [wOff, bOff] = hasParams ? [op.weightOffset, Math.max(0, op.biasOffset)] : [0, 0];
  const bufs = {
    u: uniformBuffer(device, new Uint32Array([P, wOff, bOff, 0, n * inSize, 0, 0, 0])),
    params: storageBuffer(device, params),
    input: storageBuffer(device, input),
    dOut: storageBuffer(device, dOut),
    zPrev: storageBuffer(device, zPrev),
    out: storageBuffer(device, R * n * outSize),
    post: storageBuffer(device, R * n * outSize),
    dIn: storageBuffer(device, R * n * inSize),
    grads: storageBuffer(device, R * P),
  };
  const run = async (entry: string, e: Record<number, GPUBuffer>, threads: number, groups = false) => {
    const pipe = await pipelines.get(k.label, k.code, entry, ov);
    const bg = device.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: Object.entries(e).map(([b, buffer]) => ({ binding: Number(b), resource: { buffer } })),
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(...dispatchSize(threads, groups ? 1 : 64));
    pass.end();
    device.queue.submit([enc.finish()]);
  };
  const { u } = bufs;
  // forward
  const fwd: Record<number, GPUBuffer> = { 0: u, 2: bufs.input, 3: bufs.out };
  if (hasParams) Object.assign(fwd, { 1: bufs.params, 4: bufs.post });
  await run('forward', fwd, R * n * outSize);
  const out = await readF32(device, bufs.out, R * n * outSize);
  const post = await readF32(device, bufs.post, R * n * outSize);
  // input gradient (conv2d has its own entry; dense computes both halves in `backward`)
  if (op.op === 'dense') {
    const threads = R * op.outDim * (op.inDim + 1) + R * n * inSize;
    await run(
      'backward',
      { 0: u, 1: bufs.params, 2: bufs.input, 5: bufs.dOut, 6: bufs.zPrev, 7: bufs.dIn, 8: bufs.grads },
      threads,
    );
  } else {
    // Bindings each backward_data entry point uses (auto layouts list only those).
    const e: Record<number, GPUBuffer> = { 5: bufs.dOut, 7: bufs.dIn };
    if (op.op !== 'patch-head') e[0] = u;
    if (op.op === 'conv2d') e[1] = bufs.params;
    else if (op.op !== 'patch-head') e[2] = bufs.input;
    if (op.op !== 'act') e[6] = bufs.zPrev;
    await run('backward_data', e, R * n * inSize);
  }
  if (op.op === 'conv2d') {
    const groups = R * op.outShape[0] * (op.inShape[0] * op.kh * op.kw + 1);
    await run('backward_weights', { 0: u, 2: bufs.input, 5: bufs.dOut, 8: bufs.grads }, groups, true);
  }
  const dIn = await readF32(device, bufs.dIn, R * n * inSize);
  const grads = await readF32(device, bufs.grads, R * P);
  for (let r = 0; r < R; r++) {
    const p = Float64Array.from(params.subarray(r * P, (r + 1) * P));
    const x = Float64Array.from(input.subarray(r * n * inSize, (r + 1) * n * inSize));
    const d = Float64Array.from(dOut.subarray(r * n * outSize, (r + 1) * n * outSize));
    const cpuOut = opForward(p, op, x, n);
    const at = (a: Float32Array, size: number) => a.subarray(r * n * size, (r + 1) * n * size);
    expectClose(`${op.op} forward run ${r}`, at(out, outSize), cpuOut);
    if (hasParams) expectClose(`${op.op} fused ${c.act} run ${r}`, at(post, outSize), cpuOut.map(fns.f));
    const g = new Float64Array(P);
    const cpuIn = opBackward(p, op, x, cpuOut, d, n, g);
    // Every kernel but the standalone act multiplies by the previous op's act'(zPrev).
    if (op.op !== 'act') for (let i = 0; i < cpuIn.length; i++) cpuIn[i] *= fns.df(zPrev[r * n * inSize + i]);
    expectClose(`${op.op} input gradient run ${r}`, at(dIn, inSize), cpuIn);
    if (hasParams) {
      const [co, fanIn] = op.op === 'conv2d' ? [op.outShape[0], op.inShape[0] * op.kh * op.kw] : [op.outDim, op.inDim];
      const gw = grads.subarray(r * P + op.weightOffset, r * P + op.weightOffset + co * fanIn);
      expectClose(`${op.op} weight gradient run ${r}`, gw, g.subarray(op.weightOffset, op.weightOffset + co * fanIn));
      if (op.biasOffset >= 0) {
        const gb = grads.subarray(r * P + op.biasOffset, r * P + op.biasOffset + co);
        expectClose(`${op.op} bias gradient run ${r}`, gb, g.subarray(op.biasOffset, op.biasOffset + co));
      }
    }
  }
  for (const b of Object.values(bufs)) b.destroy();
}

/** The op at `index` of a model over inShape (2 outputs), with the model's parameter count. */
function opOf(layers: CnnLayer[], inShape: Shape3, index = 0, bias = true): { op: CnnOp; P: number } {
  const spec = buildCnnSpec(cnnModel(layers, 'relu', bias), inShape, 2);
  return { op: spec.ops[index], P: cnnLayout(spec).paramCount };
}

describe('CNN kernels vs cpu/cnn.ts', () => {
  it('conv2d 3x5x7 -> 4 channels, kernel 3x2, stride 2, padding 1, bias', async () => {
    await checkKernel({ ...opOf([conv(4, [3, 2], [2, 2], [1, 1])], [3, 5, 7]), act: 'tanh' }, 1);
  });
  it('conv2d kernel 2x3, stride (1, 2), padding (0, 1), no bias, relu2', async () => {
    await checkKernel({ ...opOf([conv(5, [2, 3], [1, 2], [0, 1])], [3, 5, 7], 0, false), act: 'relu2' }, 2);
  });
  it('maxpool 3x2 window, stride (2, 1)', async () => {
    await checkKernel({ ...opOf([pool('maxpool', [3, 2], [2, 1])], [3, 7, 6]), act: 'sigmoid' }, 3);
  });
  it('maxpool with ties: the gradient goes to the first maximal element', async () => {
    await checkKernel({ ...opOf([pool('maxpool', [2, 2], [1, 2])], [2, 5, 6]), act: 'linear', ties: true }, 4);
  });
  it('avgpool 2x3 window, stride (3, 2)', async () => {
    await checkKernel({ ...opOf([pool('avgpool', [2, 3], [3, 2])], [3, 7, 6]), act: 'gelu' }, 5);
  });
  it('dense after a conv (flattened input)', async () => {
    await checkKernel(
      { ...opOf([conv(4, [3, 2], [2, 2], [1, 1]), { type: 'dense', units: 10 }], [3, 5, 7], 2), act: 'tanh' },
      6,
    );
  });
  it('patch head (fixed second layer) with relu2 before it', async () => {
    const spec = buildPatchCnnSpec({ kind: 'patch-cnn', filters: 3, activation: 'relu2', initScale: 1 }, 20, 4, 1);
    await checkKernel({ op: spec.ops[2], P: 1, act: 'relu2' }, 7);
  });
  it('standalone activation (gelu) over 37 values', async () => {
    await checkKernel({ op: { op: 'act', fn: 'gelu', size: 37 }, P: 1, act: 'gelu' }, 8);
  });
});

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
