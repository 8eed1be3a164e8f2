/**
 * Convolutional models in float64: the op list of model/cnn_spec.ts executed one op at a time,
 * each op's backward rule beside its forward code. The oracle of the WGSL CNN kernels
 * (model/cnn_gpu.ts).
 *
 * Per example, activations are [C, H, W] row-major. With in/out the op's input and output:
 * - conv2d:  out[co,oh,ow] = b[co] + sum_{ci,i,j} W[co,ci,i,j] in[ci, oh sh - ph + i, ow sw - pw + j]
 *            (zero outside the input). dIn[ci,ih,iw] += W[co,ci,i,j] dOut[co,oh,ow];
 *            dW[co,ci,i,j] += dOut[co,oh,ow] in[ci,ih,iw]; db[co] += dOut[co,oh,ow].
 * - maxpool: out = max over the window (no padding). The whole dOut goes to the FIRST maximal
 *            element of the window in row-major order (ties included); overlapping windows add up.
 * - avgpool: out = mean over the kh kw window; dIn += dOut / (kh kw) over the window.
 * - dense:   out = W in + b with W [out, in]; dIn = W^T dOut; dW += dOut in^T; db += dOut.
 * - act:     out = f(in); dIn = dOut f'(in).
 * - patch-head: in [2m, 1, P], out = sum_p sum_j s_j in[j, 0, p] / m, s_j = +1 (j < m) else -1;
 *            dIn[j, 0, p] = dOut s_j / m. No parameters.
 */
import { opInSize, opOutSize, type CnnOp, type CnnSpec } from '../model/cnn_spec';

export { opInSize, opOutSize };
import { activationFns } from './activations';
import {
  convBackward,
  convForward,
  denseBackward,
  denseForward,
  patchHeadBackward,
  patchHeadForward,
  poolBackward,
  poolForward,
} from './cnn_ops';
import type { ForwardResult } from './mlp';

/** Floats per run the spec's parameters occupy (the end of the last weight or bias). */
export function cnnParamCount(spec: CnnSpec): number {
  let count = 0;
  for (const op of spec.ops) {
    if (op.op === 'conv2d') {
      const [co] = op.outShape;
      count = Math.max(count, op.weightOffset + co * op.inShape[0] * op.kh * op.kw);
      if (op.biasOffset >= 0) count = Math.max(count, op.biasOffset + co);
    } else if (op.op === 'dense') {
      count = Math.max(count, op.weightOffset + op.outDim * op.inDim);
      if (op.biasOffset >= 0) count = Math.max(count, op.biasOffset + op.outDim);
    }
  }
  return count;
}

function checkSize(what: string, a: ArrayLike<number>, want: number): void {
  if (a.length < want) throw new Error(`${what}: expected at least ${want} values, got ${a.length}`);
}

// ---- one op ----

/** Output [n, outSize(op)] of one op on input [n, inSize(op)]. */
export function opForward(params: ArrayLike<number>, op: CnnOp, input: Float64Array, n: number): Float64Array {
  checkSize(`${op.op} input`, input, n * opInSize(op));
  switch (op.op) {
    case 'conv2d':
      return convForward(params, op, input, n);
    case 'maxpool':
    case 'avgpool':
      return poolForward(op, input, n);
    case 'dense':
      return denseForward(params, op, input, n);
    case 'act': {
      const f = activationFns(op.fn).f;
      return input.subarray(0, n * op.size).map(f);
    }
    case 'patch-head':
      return patchHeadForward(op, input, n);
  }
}

/**
 * dInput [n, inSize(op)] given dOut = dLoss/d(output) [n, outSize(op)]. When `grad` is given, adds
 * scale * dLoss/dparams of this op (summed over the n examples) at the op's offsets. `output` is
 * the forward output; max pooling finds its window's first maximum from `input` (same result).
 */
export function opBackward(
  params: ArrayLike<number>,
  op: CnnOp,
  input: Float64Array,
  output: Float64Array,
  dOut: Float64Array,
  n: number,
  grad?: Float64Array,
  scale = 1,
): Float64Array {
  void output;
  checkSize(`${op.op} input`, input, n * opInSize(op));
  checkSize(`${op.op} dOut`, dOut, n * opOutSize(op));
  switch (op.op) {
    case 'conv2d': {
      const dIn = new Float64Array(n * opInSize(op));
      convBackward(params, op, input, dOut, 0, n, dIn, grad ?? null, scale);
      return dIn;
    }
    case 'dense': {
      const dIn = new Float64Array(n * op.inDim);
      denseBackward(params, op, input, dOut, 0, n, dIn, grad ?? null, scale);
      return dIn;
    }
    case 'maxpool':
    case 'avgpool':
      return poolBackward(op, input, dOut, n);
    case 'act': {
      const df = activationFns(op.fn).df;
      const dIn = new Float64Array(n * op.size);
      for (let k = 0; k < dIn.length; k++) dIn[k] = dOut[k] * df(input[k]);
      return dIn;
    }
    case 'patch-head':
      return patchHeadBackward(op, dOut, n);
  }
}

// ---- the whole model ----

/**
 * Forward pass on n examples (row b is x[idx[b]] when idx is given). acts[0] holds the gathered
 * inputs, acts[i + 1] the output of ops[i]; logits = the last op's output [n, outDim].
 */
export function cnnForward(
  params: ArrayLike<number>,
  spec: CnnSpec,
  x: ArrayLike<number>,
  n: number,
  idx?: ArrayLike<number>,
): ForwardResult {
  const P = cnnParamCount(spec);
  if (params.length < P)
    throw new Error(`params: expected at least ${P} values for this ${spec.kind} model, got ${params.length}`);
  const d = spec.inShape[0] * spec.inShape[1] * spec.inShape[2];
  if (idx && idx.length < n) throw new Error(`idx: expected at least ${n} indices, got ${idx.length}`);
  const a0 = new Float64Array(n * d);
  for (let b = 0; b < n; b++) {
    const row = idx ? idx[b] : b;
    if (!Number.isInteger(row) || row < 0 || (row + 1) * d > x.length)
      throw new Error(`idx[${b}]: row ${row} is outside the ${Math.floor(x.length / d)} rows of x`);
    for (let k = 0; k < d; k++) a0[b * d + k] = x[row * d + k];
  }
  const acts: Float64Array[] = [a0];
  for (const op of spec.ops) acts.push(opForward(params, op, acts[acts.length - 1], n));
  return { n, acts, pre: [], logits: acts[acts.length - 1] };
}

/** deltas[i] = dLoss/d(output of ops[i]) [n, outSizes[i]], given dz = dLoss/dlogits [n, outDim]. */
export function cnnBackward(
  params: ArrayLike<number>,
  spec: CnnSpec,
  fwd: ForwardResult,
  dz: Float64Array,
): Float64Array[] {
  const K = spec.ops.length;
  const deltas: Float64Array[] = new Array(K);
  deltas[K - 1] = dz;
  for (let i = K - 1; i >= 1; i--)
    deltas[i - 1] = opBackward(params, spec.ops[i], fwd.acts[i], fwd.acts[i + 1], deltas[i], fwd.n);
  return deltas;
}

/**
 * out += scale * the parameter gradient of examples [from, to) given the deltas of cnnBackward.
 * Parameter gradients need only activations and deltas: `params` is not read (null is fine).
 */
export function cnnAccumulateGrad(
  params: ArrayLike<number> | null,
  spec: CnnSpec,
  fwd: ForwardResult,
  deltas: Float64Array[],
  out: Float64Array,
  from = 0,
  to = fwd.n,
  scale = 1,
): void {
  void params;
  spec.ops.forEach((op, i) => {
    if (op.op === 'conv2d') convBackward(null, op, fwd.acts[i], deltas[i], from, to, null, out, scale);
    else if (op.op === 'dense') denseBackward(null, op, fwd.acts[i], deltas[i], from, to, null, out, scale);
  });
}
