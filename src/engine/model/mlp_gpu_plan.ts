/**
 * The buffers of one MLP graph (mlp_gpu.ts with mlp_gpu_train.ts and mlp_gpu_eval.ts), declared
 * once as a buffer table (webgpu/buffer_table.ts): MlpGpu allocates exactly this table and the memory
 * plan lists it (webgpu/memory_plan_graphs.ts), as cnn_gpu_plan.ts does for the CNN graph.
 */
import type { BufferDecl, BufferTable } from '../webgpu/buffer_table';

export interface MlpBufferDims {
  /** Runs (2R for the curvature graph), examples per step, and the widths input, hidden..., output. */
  R: number;
  batch: number;
  widths: number[];
  /** Examples per evaluation chunk. */
  evalChunk: number;
  /** The activation is ReLU: hidden layers keep no Z unless the paired mask needs it (their backward reads A). */
  relu: boolean;
  /** ReLU masks fixed to the pair's midpoint (curvature graphs of ReLU networks): zmid per hidden layer. */
  paired: boolean;
  /** Per-example clipping: the per-example scales. */
  clip: boolean;
}

/** Whether layer l of L keeps its pre-activations Z: the logits always; hidden layers unless ReLU without the paired mask. */
export function keepsZ(d: Pick<MlpBufferDims, 'relu' | 'paired'>, l: number, L: number): boolean {
  return l === L - 1 || d.paired || !d.relu;
}

/** The table of an MLP graph of L layers. */
export function mlpBufferTable(L: number): BufferTable<MlpBufferDims> {
  const rows = (l: number) => (d: MlpBufferDims) => Math.max(1, d.R * d.batch * d.widths[l + 1]);
  const act = (l: number) => (d: MlpBufferDims) =>
    `the activations of layer ${l} (${d.R} runs x ${d.batch} points x ${d.widths[l + 1]} units)`;
  const evalFloats = (d: MlpBufferDims) => Math.max(1, d.R * Math.max(1, d.evalChunk) * Math.max(...d.widths.slice(1)));
  const evalWhat = (d: MlpBufferDims) =>
    `the evaluation buffers (${d.R} runs x ${Math.max(1, d.evalChunk)} points x ${Math.max(...d.widths.slice(1))} units)`;
  const placeholder: BufferDecl<MlpBufferDims> = { floats: () => 4, sizedBy: 'params', what: () => 'the placeholders' };
  const table: BufferTable<MlpBufferDims> = { 'dummy-read': placeholder, 'dummy-write': placeholder };
  for (let l = 0; l < L; l++) {
    const layer = { floats: rows(l), sizedBy: 'params', what: act(l) } as const;
    table[`Z${l}`] = { ...layer, when: (d) => keepsZ(d, l, L) };
    if (l < L - 1) table[`A${l}`] = layer;
    if (l < L - 1) table[`zmid${l}`] = { ...layer, when: (d) => d.paired };
    table[`delta${l}`] = layer;
  }
  table['pe-scale'] = {
    floats: (d) => Math.max(1, d.R * d.batch),
    when: (d) => d.clip,
    sizedBy: 'batch',
    what: () => 'the per-example scales',
  };
  for (const k of ['evalA0', 'evalA1', 'evalZ']) table[k] = { floats: evalFloats, sizedBy: 'params', what: evalWhat };
  return table;
}
