/**
 * GPU-vs-CPU parity of the CNN kernels (shaders/cnn_*.wgsl, chosen by cnn_gpu_kernels.ts) against
 * the float64 oracle in cpu/cnn.ts, for populations of R = 3 runs with different parameters, on
 * shapes that are not multiples of the workgroup size. Tolerance: max |gpu - cpu| / max |cpu| < 2e-4
 * per tensor. Per kernel: forward (with a fused activation), input gradient (with the previous op's
 * act'), parameter gradient. The whole models are tested in cnn_gpu.test.ts.
 */
import { describe, it } from 'vitest';
import { testGpu } from '../webgpu/testing';
import { dispatchSize, readF32, storageBuffer, uniformBuffer } from '../webgpu/buffers';
import type { Activation, CnnLayer } from '../../schema/types';
import { activationFns } from '../cpu/activations';
import { opBackward, opForward, opInSize, opOutSize } from '../cpu/cnn';
import { ACT_CODE } from './mlp_gpu';
import { buildCnnSpec, buildPatchCnnSpec, cnnLayout, type CnnOp, type Shape3 } from './cnn_spec';
import { cnnKernel } from './cnn_gpu';
import { cnnBindGroup, cnnEntry, type CnnBuffers } from './cnn_gpu_kernels';
import { cnnModel, conv, parityCheck, pool, rand, rng } from './cnn_gpu_testing';

const expectClose = parityCheck('cnn_gpu kernels');

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
  // Each entry point binds exactly the roles it declares (CNN_*_IO): cnnBindGroup throws otherwise.
  const run = async (entry: string, e: CnnBuffers, threads: number, groups = false) => {
    const kernel = await cnnEntry(device, pipelines, k, entry, ov);
    const bg = cnnBindGroup(device, kernel, e);
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(kernel.pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(...dispatchSize(threads, groups ? 1 : 64));
    pass.end();
    device.queue.submit([enc.finish()]);
  };
  const { u } = bufs;
  // forward
  const fwd: CnnBuffers = { o: u, inp: bufs.input, outZ: bufs.out };
  if (hasParams) Object.assign(fwd, { params: bufs.params, outA: bufs.post });
  await run('forward', fwd, R * n * outSize);
  const out = await readF32(device, bufs.out, R * n * outSize);
  const post = await readF32(device, bufs.post, R * n * outSize);
  // input gradient (conv2d has its own entry; dense computes both halves in `backward`)
  if (op.op === 'dense') {
    const threads = R * op.outDim * (op.inDim + 1) + R * n * inSize;
    await run(
      'backward',
      {
        o: u,
        params: bufs.params,
        inp: bufs.input,
        dOut: bufs.dOut,
        zPrev: bufs.zPrev,
        dIn: bufs.dIn,
        grads: bufs.grads,
      },
      threads,
    );
  } else {
    // The roles each backward_data entry point uses (CNN_*_IO).
    const e: CnnBuffers = { dOut: bufs.dOut, dIn: bufs.dIn };
    if (op.op !== 'patch-head') e.o = u;
    if (op.op === 'conv2d') e.params = bufs.params;
    else if (op.op !== 'patch-head') e.inp = bufs.input;
    if (op.op !== 'act') e.zPrev = bufs.zPrev;
    await run('backward_data', e, R * n * inSize);
  }
  if (op.op === 'conv2d') {
    const groups = R * op.outShape[0] * (op.inShape[0] * op.kh * op.kw + 1);
    await run('backward_weights', { o: u, inp: bufs.input, dOut: bufs.dOut, grads: bufs.grads }, groups, true);
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
