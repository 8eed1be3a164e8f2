/**
 * The training graph of an MlpGpu (mlp_gpu.ts), built once: the per-layer buffers, then the ops of
 * one step in dispatch order: forward (with the paired ReLU masks of curvature graphs), loss,
 * backward (or the fused last layer of tail_gpu.ts) and, for DP optimizers, per-example clipping.
 */
import peNormsWgsl from '../../../shaders/per_example_norms.wgsl?raw';
import { dispatchSize } from '../webgpu/buffers';
import { bindGroupOf, pipelineLayoutOf, read, rw, uniform, wgslSource, type KernelIo } from '../webgpu/kernel_io';
import { buildTailOp } from './tail_gpu';
import { splitBackward, tailPlan, type TailPlan } from './dense_tuning';
import { STAT, NS } from './stats_layout';
import { WG, reluPairMaskOp, type MlpGraphContext, type Op } from './mlp_gpu_kernels';
import { keepsZ } from './mlp_gpu_plan';

/**
 * The bindings of the per-example gradient norms (shaders/per_example_norms.wgsl, DP clipping): the
 * Norms uniform, one layer's delta and input (inActs, or the data rows X through idx), the clip
 * norms, and the accumulated squared norms / clip scales.
 */
export const PER_EXAMPLE_NORMS_IO = [
  {
    d: uniform('Norms'),
    delta: read(),
    inActs: read(),
    X: read(),
    idx: read('array<u32>'),
    clipNorm: read(),
    acc: rw(),
  },
] as const satisfies KernelIo;

/** The training graph's per-layer buffers (R runs x B points x the layer's units each). */
export interface MlpActivations {
  /** Pre-activations, where something reads them (else the writable placeholder). */
  Z: GPUBuffer[];
  /** Hidden activations (the last layer's entry is the writable placeholder). */
  A: GPUBuffer[];
  /** d(mean loss)/dZ of each layer. */
  D: GPUBuffer[];
  /** Curvature graphs of ReLU networks: the midpoint pre-activations per hidden layer (buildForward). */
  zMid: GPUBuffer[];
  /** Whether hidden ReLU masks are fixed to the pair's midpoint (o.pairedReluMask with ReLU). */
  paired: boolean;
  /** Whether layer l stores its pre-activations. */
  keepZ: (l: number) => boolean;
}

/** Allocate Z, A and delta of every layer of the training graph. */
export function allocateActivations(g: MlpGraphContext): MlpActivations {
  const { o, dummyW } = g;
  const L = o.layout.layers.length;
  const Z: GPUBuffer[] = [];
  const A: GPUBuffer[] = [];
  const D: GPUBuffer[] = [];
  const paired = g.dims.paired;
  // A hidden layer's pre-activations are read only by the backward, for act'(Z), and by the paired
  // ReLU mask. For ReLU, act'(Z) = [Z > 0] = [A > 0], so the backward reads A and Z is not stored.
  const keepZ = (l: number) => keepsZ(g.dims, l, L);
  for (let l = 0; l < L; l++) {
    Z.push(keepZ(l) ? g.buf(`Z${l}`) : dummyW);
    A.push(l < L - 1 ? g.buf(`A${l}`) : dummyW);
    D.push(g.buf(`delta${l}`));
  }
  return { Z, A, D, zMid: [], paired, keepZ };
}

/** The buffer the backward of layer l >= 1 reads act'(Z_{l-1}) from: the midpoint, Z or A (ReLU). */
function actPrimeSource(a: MlpActivations, l: number): GPUBuffer {
  return a.zMid[l - 1] ?? (a.keepZ(l - 1) ? a.Z[l - 1] : a.A[l - 1]);
}

/** The ops of one training step: forward, loss, backward and (o.clip) per-example clipping. */
export async function buildTrainGraph(g: MlpGraphContext): Promise<Op[]> {
  const { o } = g;
  const inMode = o.fullBatch ? 2 : 1;
  const acts = allocateActivations(g);
  const ops: Op[] = [];
  // The last layer's forward, the loss and the last layer's backward as one dispatch, where it applies.
  const tail = tailPlan(g.device, g.k.tile, {
    loss: o.loss,
    centred: !!o.outputCentre,
    clip: !!o.clip,
    widths: o.layout.widths,
    batch: o.batch,
  });
  await buildForward(g, acts, ops, inMode, !!tail);
  if (!tail) await buildTrainLoss(g, acts, ops, inMode);
  await buildBackward(g, acts, ops, inMode, tail);
  if (o.clip) await buildClip(g, acts, ops, inMode);
  return ops;
}

/** The dense forward of every layer (all but the last with the fused tail), with the paired ReLU masks. */
async function buildForward(
  g: MlpGraphContext,
  acts: MlpActivations,
  ops: Op[],
  inMode: number,
  fusedTail: boolean,
): Promise<void> {
  const { o, k, dummy } = g;
  const { Z, A, zMid } = acts;
  const L = o.layout.layers.length;
  const R = o.runs;
  const B = o.batch;
  const widths = o.layout.widths;
  for (let l = 0; l < (fusedTail ? L - 1 : L); l++) {
    const u = g.uniform(k.layerDense(l, 0), `fwd${l}`);
    const fwd = await k.forward(l, inMode, B, acts.keepZ(l));
    const bg = fwd.bind(`fwd${l}`, {
      o: u,
      params: o.params,
      inActs: l === 0 ? dummy : A[l - 1],
      X: o.data.xTrain,
      idx: o.idx,
      outZ: Z[l],
      outA: A[l],
    });
    ops.push((pass) => {
      pass.setPipeline(fwd.pipe);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(...dispatchSize(fwd.n, fwd.wg));
    });
    if (acts.paired && l < L - 1) {
      zMid[l] = g.buf(`zmid${l}`);
      const shape = { runs: R, batch: B, width: widths[l + 1], wg: WG, label: `pair${l}` };
      const bufs = { Z: Z[l], A: A[l], zMid: zMid[l] };
      ops.push(await reluPairMaskOp(g.device, g.pipelines, shape, bufs, g.own));
    }
  }
}

/** The training loss: batch stats into the step's record and the last layer's delta. */
async function buildTrainLoss(g: MlpGraphContext, acts: MlpActivations, ops: Op[], inMode: number): Promise<void> {
  const { o } = g;
  const L = o.layout.layers.length;
  const op = await g.lossOp({
    batch: o.batch,
    inMode: inMode as 1 | 2,
    rowOffset: 0,
    train: true,
    accumulate: false,
    field: STAT.batchLoss,
    logits: acts.Z[L - 1],
    y: o.data.yTrain,
    idx: o.idx,
    delta: acts.D[L - 1],
    centre: g.centre(o.outputCentre?.train, o.data.nTrain),
    label: 'loss-train',
  });
  ops.push((pass, slot) => op.encode(pass, slot));
}

/** The dense backward from the last layer to the first (the last one fused with the loss when `tail`). */
async function buildBackward(
  g: MlpGraphContext,
  acts: MlpActivations,
  ops: Op[],
  inMode: number,
  tail: TailPlan | null,
): Promise<void> {
  const { o, k, dummy, dummyW } = g;
  const { A, D } = acts;
  const L = o.layout.layers.length;
  const R = o.runs;
  const B = o.batch;
  const P = o.layout.paramCount;
  const widths = o.layout.widths;
  for (let l = L - 1; l >= 0; l--) {
    const u = g.uniform(k.layerDense(l, 0), `bwd${l}`);
    if (tail && l === L - 1) {
      const zPrev = actPrimeSource(acts, l);
      const op = await buildTailOp(g.device, g.pipelines, {
        plan: tail,
        runs: R,
        batch: B,
        inDim: widths[l],
        outDim: widths[L],
        paramCount: P,
        hasBias: o.layout.layers[l].biasOffset >= 0,
        act: g.act,
        inMode,
        idxPerRun: !!o.idxPerRun,
        ns: NS,
        field: STAT.batchLoss,
        prevIsIn: zPrev === A[l - 1],
        buffers: {
          o: u,
          params: o.params,
          inActs: A[l - 1],
          zPrev,
          Y: o.data.yTrain,
          idx: o.idx,
          grads: o.grads,
          deltaPrev: D[l - 1],
          stats: o.stats,
        },
        steps: o.steps,
      });
      ops.push(op);
      continue;
    }
    const split = l > 0 && splitBackward(k.tile, R, B, widths[l], widths[l + 1]);
    for (const part of split ? [1, 2] : [0]) {
      const bwd = await k.backward(l, inMode, B, false, part);
      const bg = bwd.bind(`bwd${l}`, {
        o: u,
        params: o.params,
        delta: D[l],
        inActs: l === 0 ? dummy : A[l - 1],
        X: o.data.xTrain,
        idx: o.idx,
        zPrevOrScale: l === 0 ? dummy : actPrimeSource(acts, l),
        grads: o.grads,
        deltaPrev: l === 0 ? dummyW : D[l - 1],
      });
      ops.push((pass) => {
        pass.setPipeline(bwd.pipe);
        pass.setBindGroup(0, bg);
        pass.dispatchWorkgroups(...dispatchSize(bwd.n, bwd.wg));
      });
    }
  }
}

/**
 * DP per-example clipping (ghost norms): L + 1 dispatches of per_example_norms.wgsl (each layer's
 * per-example gradient norms, then the clip scales), then L of the backward's SCALED variant, which
 * writes the clipped mean gradient into o.clip.clipped.
 */
async function buildClip(g: MlpGraphContext, acts: MlpActivations, ops: Op[], inMode: number): Promise<void> {
  const { o, k, dummy, dummyW } = g;
  const { A, D } = acts;
  const clip = o.clip!;
  const R = o.runs;
  const B = o.batch;
  const L = o.layout.layers.length;
  const peIo = PER_EXAMPLE_NORMS_IO;
  const pe = await g.pipelines.get(
    'per_example_norms',
    wgslSource(peIo, peNormsWgsl),
    'main',
    { WG },
    pipelineLayoutOf(g.device, peIo),
  );
  const scale = g.buf('pe-scale');
  for (let l = 0; l <= L; l++) {
    const fin = l === L;
    const ly = o.layout.layers[Math.min(l, L - 1)];
    const u = g.uniform(
      new Uint32Array([
        R,
        B,
        ly.inDim,
        ly.outDim,
        ly.biasOffset >= 0 ? 1 : 0,
        l === 0 ? inMode : 0,
        o.idxPerRun ? 1 : 0,
        0,
        l === 0 ? 1 : 0,
        fin ? 1 : 0,
        0,
        0,
      ]),
      `pe${l}`,
    );
    const bg = bindGroupOf(g.device, `pe${l}`, peIo[0], {
      d: u,
      delta: D[Math.min(l, L - 1)],
      inActs: l === 0 || fin ? dummy : A[l - 1],
      X: o.data.xTrain,
      idx: o.idx,
      clipNorm: clip.clipNorm,
      acc: scale,
    });
    ops.push((pass) => {
      pass.setPipeline(pe);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(...dispatchSize(R * B, WG));
    });
  }
  for (let l = 0; l < L; l++) {
    const u = g.uniform(k.layerDense(l, 0), `bwdc${l}`);
    const scaled = await k.backward(l, inMode, B, true);
    const bg = scaled.bind(`bwdc${l}`, {
      o: u,
      params: o.params,
      delta: D[l],
      inActs: l === 0 ? dummy : A[l - 1],
      X: o.data.xTrain,
      idx: o.idx,
      zPrevOrScale: scale,
      grads: clip.clipped,
      deltaPrev: dummyW,
    });
    ops.push((pass) => {
      pass.setPipeline(scaled.pipe);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(...dispatchSize(scaled.n, scaled.wg));
    });
  }
}
