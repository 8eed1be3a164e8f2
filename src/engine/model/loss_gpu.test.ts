/**
 * GPU-vs-CPU parity of the centred, scaled loss (model.outputScale, shaders/mlp_loss.wgsl with
 * CENTRED = 1) through MlpGpu: minibatch gradient, batch loss, train/test evaluation and an extra
 * evaluation set with its own offsets, for a population of runs with their own offsets, on sizes
 * that are not multiples of the workgroup sizes. Also: the uncentred extra evaluation set, the
 * binary squared loss (mse with one output on 2-class data; centred and not), and a direct
 * buildLossOp with offsets shared by every run (offRuns = 1) and a binary-mse op on hand-computed values.
 */
import { describe, expect, it } from 'vitest';
import type { Activation, LossName } from '../../schema/types';
import { testGpu } from '../webgpu/testing';
import { readF32, storageBuffer } from '../webgpu/buffers';
import { StepSlots } from '../webgpu/step_slots';
import { evalSet, lossAndGrad } from '../cpu/mlp';
import { initOutputs } from '../cpu/output_scale';
import { exampleCorrect, exampleLoss } from '../cpu/losses';
import { randomArray, uniformRng } from '../cpu/testing';
import { MlpGpu, NS, STAT } from './mlp_gpu';
import { buildLossOp } from './loss_gpu';
import { mlpLayout } from './layout';

interface Case {
  loss: LossName;
  act: Activation;
  alpha?: number;
  nClasses: number;
  /** mse with ONE output on 2-class data (the binary squared loss). */
  binary?: boolean;
}

async function runCase(c: Case, seed: number) {
  const { device, pipelines } = await testGpu();
  const rnd = uniformRng(seed);
  const R = 3;
  const B = 37;
  const nTrain = 53;
  const nTest = 29;
  const nExtra = 71;
  const outDim = c.loss === 'logistic' || c.loss === 'hinge' || c.binary ? 1 : c.nClasses;
  const layout = mlpLayout([5, 9, outDim], true);
  const P = layout.paramCount;
  const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
  const init = Array.from({ length: R }, () => f32(randomArray(P, rnd, -0.9, 0.9)));
  const params = init.map((p) => f32(p.map((v) => v + 0.4 * (rnd() - 0.5))));
  const mkX = (n: number) => f32(randomArray(n * 5, rnd));
  const mkY = (n: number) => Float32Array.from({ length: n }, () => Math.floor(rnd() * c.nClasses));
  const [xTrain, xTest, xExtra] = [mkX(nTrain), mkX(nTest), mkX(nExtra)];
  const [yTrain, yTest, yExtra] = [mkY(nTrain), mkY(nTest), mkY(nExtra)];
  const idx = Uint32Array.from({ length: R * B }, () => Math.floor(rnd() * nTrain));
  const f0 = (x: Float32Array, n: number) => init.map((p) => initOutputs(p, layout, c.act, x, n));
  const stack = (per: Float64Array[]) => {
    const out = new Float32Array(per.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of per) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const off = { train: f0(xTrain, nTrain), test: f0(xTest, nTest), extra: f0(xExtra, nExtra) };
  const slots = new StepSlots(device, 2, R, P);
  slots.write(0, 2);
  const grads = storageBuffer(device, R * P);
  const stats = storageBuffer(device, 2 * R * NS);
  const buf = (a: Float32Array | Uint32Array) => storageBuffer(device, a);
  const data = {
    xTrain: buf(xTrain),
    yTrain: buf(yTrain),
    xTest: buf(xTest),
    yTest: buf(yTest),
    nTrain,
    nTest,
    nClasses: c.nClasses,
    targetDim: 1,
  };
  const alpha = c.alpha;
  const mlp = await MlpGpu.create(device, pipelines, {
    layout,
    activation: c.act,
    loss: c.loss,
    runs: R,
    batch: B,
    fullBatch: false,
    idx: buf(idx),
    idxPerRun: true,
    data,
    params: buf(stack(params.map((p) => Float64Array.from(p)))),
    grads,
    stats,
    steps: slots,
    evalTrain: 41,
    evalChunk: 16,
    extraEvalSets: [
      {
        key: 'extra',
        x: buf(xExtra),
        y: buf(yExtra),
        n: nExtra,
        field: STAT.extra + 2,
        offsets: alpha ? buf(stack(off.extra)) : undefined,
      },
    ],
    outputCentre: alpha ? { alpha, train: buf(stack(off.train)), test: buf(stack(off.test)) } : undefined,
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  mlp.encodeTrainStep(pass, 0);
  for (const k of ['train', 'test', 'extra']) mlp.encodeEval(pass, k, 1);
  pass.end();
  device.queue.submit([enc.finish()]);
  const g = await readF32(device, grads, R * P);
  const st = await readF32(device, stats, 2 * R * NS);
  mlp.destroy();
  slots.destroy();
  const model = { activation: c.act };
  let worstGrad = 0;
  let worstLoss = 0;
  for (let r = 0; r < R; r++) {
    const p = params[r];
    const centre = (f: Float64Array[]) => (alpha ? { alpha, f0: f[r] } : undefined);
    const rows = Array.from(idx.subarray(r * B, (r + 1) * B));
    const ref = lossAndGrad(p, layout, model, c.loss, xTrain, yTrain, rows, c.nClasses, centre(off.train));
    const scale = Math.max(...ref.grad.map(Math.abs), 1e-3);
    for (let i = 0; i < P; i++) worstGrad = Math.max(worstGrad, Math.abs(g[r * P + i] - ref.grad[i]) / scale);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-3);
    worstLoss = Math.max(worstLoss, rel(st[r * NS + STAT.batchLoss] / B, ref.loss));
    expect(st[r * NS + STAT.batchCorrect]).toBe(ref.correct);
    const o = NS * R + r * NS;
    const sets = [
      { field: STAT.trainLoss, x: xTrain, y: yTrain, n: nTrain, count: 41, f: off.train },
      { field: STAT.testLoss, x: xTest, y: yTest, n: nTest, count: nTest, f: off.test },
      { field: STAT.extra + 2, x: xExtra, y: yExtra, n: nExtra, count: nExtra, f: off.extra },
    ];
    for (const s of sets) {
      const e = evalSet(p, layout, model, c.loss, { x: s.x, y: s.y, n: s.n, centre: centre(s.f) }, c.nClasses, s.count);
      worstLoss = Math.max(worstLoss, rel(st[o + s.field] / s.count, e.loss));
      expect(st[o + s.field + 1], `correct, field ${s.field}`).toBe(e.correct);
    }
  }
  return { worstGrad, worstLoss };
}

describe('centred loss kernel (model.outputScale) vs the float64 CPU', () => {
  const cases: Case[] = [
    { loss: 'cross-entropy', act: 'tanh', alpha: 0.3, nClasses: 3 },
    { loss: 'cross-entropy', act: 'relu', alpha: 8, nClasses: 4 },
    { loss: 'logistic', act: 'tanh', alpha: 2.5, nClasses: 2 },
    { loss: 'hinge', act: 'gelu', alpha: 0.7, nClasses: 2 },
    { loss: 'mse', act: 'tanh', alpha: 4, nClasses: 3 },
    { loss: 'cross-entropy', act: 'tanh', nClasses: 3 },
    { loss: 'mse', act: 'relu2', nClasses: 2, binary: true },
    { loss: 'mse', act: 'tanh', alpha: 3, nClasses: 2, binary: true },
    { loss: 'mse', act: 'gelu', alpha: 0.5, nClasses: 2 },
  ];
  for (const c of cases) {
    const name = `${c.loss}${c.binary ? ' (binary, 1 output)' : ''}, ${c.act}, alpha ${c.alpha ?? 'none'}`;
    it(`${name}: gradient, batch loss, train/test/extra evaluation`, async () => {
      const { worstGrad, worstLoss } = await runCase(c, 100 + c.nClasses * 7 + (c.alpha ?? 0) * 10);
      console.log(`${name}: worst grad rel err ${worstGrad.toExponential(2)}, loss ${worstLoss.toExponential(2)}`);
      expect(worstGrad).toBeLessThan(1e-5);
      expect(worstLoss).toBeLessThan(1e-5);
    });
  }
});

describe('buildLossOp on its own: offsets shared by every run, binary mse in training mode', () => {
  it('buildLossOp with offsets shared by every run (offRuns = 1) reads offset run r % 1 = 0', async () => {
    const { device, pipelines } = await testGpu();
    const R = 2;
    const B = 5;
    const logits = Float32Array.from([0.5, -1, 2, 0.1, 0.3, 1.5, -0.2, 0.4, 0.9, -2]);
    const y = Float32Array.from([1, 0, 1, 1, 0]);
    const offsets = Float32Array.from([0.2, -0.5, 1, 0.3, -0.1]);
    const slots = new StepSlots(device, 1, R, 1);
    slots.write(0, 1);
    const stats = storageBuffer(device, R * NS);
    const dummy = storageBuffer(device, 4);
    const alpha = 3;
    const op = await buildLossOp(device, pipelines, {
      runs: R,
      loss: 'hinge',
      outDim: 1,
      nClasses: 2,
      targetDim: 1,
      batch: B,
      inMode: 2,
      idxPerRun: false,
      rowOffset: 0,
      train: false,
      accumulate: false,
      field: STAT.trainLoss,
      ns: NS,
      logits: storageBuffer(device, logits),
      y: storageBuffer(device, y),
      idx: dummy,
      delta: storageBuffer(device, 4),
      stats,
      dummy,
      steps: slots,
      centre: { alpha, offsets: storageBuffer(device, offsets), offRows: B, offRuns: 1 },
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    op.encode(pass, 0);
    pass.end();
    device.queue.submit([enc.finish()]);
    const st = await readF32(device, stats, R * NS);
    for (let r = 0; r < R; r++) {
      let sum = 0;
      for (let b = 0; b < B; b++) {
        const f = alpha * (logits[r * B + b] - offsets[b]);
        sum += Math.max(0, 1 - (2 * y[b] - 1) * f) / alpha ** 2;
      }
      expect(st[r * NS + STAT.trainLoss]).toBeCloseTo(sum, 5);
    }
    op.uniform.destroy();
    slots.destroy();
  });

  it('binary mse through buildLossOp (training mode, 2 runs x 70 rows): loss, delta, correct vs exampleLoss', async () => {
    const { device, pipelines } = await testGpu();
    const R = 2;
    const B = 70; // not a multiple of LOSS_WG
    const rnd = uniformRng(31);
    const logits = Float32Array.from({ length: R * B }, (_, i) => (i % 9 === 0 ? 0 : 3 * (rnd() - 0.5)));
    const y = Float32Array.from({ length: B }, () => (rnd() < 0.5 ? 0 : 1));
    const slots = new StepSlots(device, 1, R, 1);
    slots.write(0, 1);
    const stats = storageBuffer(device, R * NS);
    const delta = storageBuffer(device, R * B);
    const dummy = storageBuffer(device, 4);
    const op = await buildLossOp(device, pipelines, {
      runs: R,
      loss: 'mse',
      outDim: 1,
      nClasses: 2,
      targetDim: 1,
      batch: B,
      inMode: 2,
      idxPerRun: false,
      rowOffset: 0,
      train: true,
      accumulate: false,
      field: STAT.batchLoss,
      ns: NS,
      logits: storageBuffer(device, logits),
      y: storageBuffer(device, y),
      idx: dummy,
      delta,
      stats,
      dummy,
      steps: slots,
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    op.encode(pass, 0);
    pass.end();
    device.queue.submit([enc.finish()]);
    const st = await readF32(device, stats, R * NS);
    const dl = await readF32(device, delta, R * B);
    const dz = new Float64Array(1);
    for (let r = 0; r < R; r++) {
      let sum = 0;
      let correct = 0;
      for (let b = 0; b < B; b++) {
        const z = logits[r * B + b];
        sum += exampleLoss('mse', [z], 0, 1, y, b, 2, dz, 0, 1 / B);
        if (exampleCorrect('mse', [z], 0, 1, y, b, 2)) correct++;
        expect(dl[r * B + b]).toBeCloseTo(dz[0], 6);
        expect(dz[0]).toBeCloseTo((z - (2 * y[b] - 1)) / B, 12);
      }
      expect(Math.abs(st[r * NS + STAT.batchLoss] - sum) / sum).toBeLessThan(1e-5);
      expect(st[r * NS + STAT.batchCorrect]).toBe(correct);
    }
    op.uniform.destroy();
    slots.destroy();
  });
});
