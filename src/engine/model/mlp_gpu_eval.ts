/**
 * The evaluation graphs of an MlpGpu (mlp_gpu.ts), built once: per evaluation set (train, test and
 * the extra sets), the forward and the loss over chunks of o.evalChunk examples, adding each chunk's
 * loss sum and correct count into the slot's stats record.
 */
import { dispatchSize } from '../webgpu/buffers';
import type { LossCentre } from './loss_gpu';
import { STAT, NS } from './stats_layout';
import type { MlpGraphContext, Op } from './mlp_gpu_kernels';

/** One evaluation set as the graph scores it. */
interface EvalSet {
  key: string;
  n: number;
  x: GPUBuffer;
  y: GPUBuffer;
  field: number;
  c?: LossCentre;
}

/** The train (its first o.evalTrain points) and test sets, then the extra sets (keys and fields checked). */
function evalSets(g: MlpGraphContext): EvalSet[] {
  const { o } = g;
  const sets: EvalSet[] = [
    {
      key: 'train',
      n: o.evalTrain,
      x: o.data.xTrain,
      y: o.data.yTrain,
      field: STAT.trainLoss,
      c: g.centre(o.outputCentre?.train, o.data.nTrain),
    },
    {
      key: 'test',
      n: o.data.nTest,
      x: o.data.xTest,
      y: o.data.yTest,
      field: STAT.testLoss,
      c: g.centre(o.outputCentre?.test, o.data.nTest),
    },
  ];
  for (const e of o.extraEvalSets ?? []) {
    if (sets.some((s) => s.key === e.key)) throw new Error(`extraEvalSets: duplicate key "${e.key}"`);
    if (e.field < STAT.extra || e.field + 1 >= NS)
      throw new Error(`extraEvalSets.${e.key}: field ${e.field} is outside [${STAT.extra}, ${NS - 1})`);
    sets.push({ key: e.key, n: e.n, x: e.x, y: e.y, field: e.field, c: g.centre(e.offsets, e.n) });
  }
  return sets;
}

/** The ops of each evaluation set, by key: forward + loss over chunks of the set. */
export async function buildEvalGraphs(g: MlpGraphContext): Promise<Map<string, Op[]>> {
  const { o, k, dummy, dummyW } = g;
  const L = o.layout.layers.length;
  const E = Math.max(1, o.evalChunk);
  const evA = [g.buf('evalA0'), g.buf('evalA1')];
  const evZ = g.buf('evalZ');
  const graphs = new Map<string, Op[]>();
  for (const { key: which, n: nEval, x, y, field, c: setCentre } of evalSets(g)) {
    const eops: Op[] = [];
    for (let c = 0; c * E < nEval; c++) {
      const bc = Math.min(E, nEval - c * E);
      for (let l = 0; l < L; l++) {
        const u = g.uniform(k.layerDense(l, c * E), `eval${which}${c}_${l}`);
        // Only the last layer writes its pre-activations (the logits, to the evZ scratch).
        const fwd = await k.forward(l, 2, bc, false);
        // Hidden activations ping-pong between evA[0] and evA[1].
        const inBuf = l === 0 ? dummy : evA[(l - 1) % 2];
        const bg = fwd.bind(`eval${which}${c}_${l}`, {
          o: u,
          params: o.params,
          inActs: inBuf,
          X: x,
          idx: dummy,
          outZ: l === L - 1 ? evZ : dummyW,
          outA: l === L - 1 ? dummyW : evA[l % 2],
        });
        eops.push((pass) => {
          pass.setPipeline(fwd.pipe);
          pass.setBindGroup(0, bg);
          pass.dispatchWorkgroups(...dispatchSize(fwd.n, fwd.wg));
        });
      }
      const op = await g.lossOp({
        batch: bc,
        inMode: 2,
        rowOffset: c * E,
        train: false,
        accumulate: c > 0,
        field,
        logits: evZ,
        y,
        idx: dummy,
        delta: dummyW,
        centre: setCentre,
        label: `loss-${which}${c}`,
      });
      eops.push((pass, slot) => op.encode(pass, slot));
    }
    graphs.set(which, eops);
  }
  return graphs;
}
