/**
 * The operation list of a convolutional model (model.kind "cnn" or "patch-cnn"), resolved from the
 * experiment's model config and the data's input shape. Both backends execute exactly this list:
 * the float64 CPU oracle (cpu/cnn.ts) and the WGSL kernels (model/cnn_gpu.ts).
 *
 * Activations of one example are stored [channels, height, width] row-major; a dense op reads its
 * input flattened in that order. Parameters live in one run's vector at the offsets given here
 * (conv weights [out, in, kh, kw] row-major, then the bias [out]; dense weights [out, in], then the
 * bias), and `layout.layers` lists the parametrised ops in order with inDim = fan-in, so
 * initParams (model/init.ts) draws N(0, initScale^2 / fanIn) for both kinds.
 */
import type { Activation, CnnModel, PatchCnnModel } from '../../schema/types';
import type { DenseLayerInfo, ParamLayout, TensorInfo } from './layout';

export type Shape3 = [channels: number, height: number, width: number];

export interface Conv2dOp {
  op: 'conv2d';
  inShape: Shape3;
  outShape: Shape3;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** Zero padding on each side. */
  ph: number;
  pw: number;
  weightOffset: number;
  /** -1 when there is no bias. */
  biasOffset: number;
}
export interface PoolOp {
  op: 'maxpool' | 'avgpool';
  inShape: Shape3;
  outShape: Shape3;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
}
export interface DenseOp {
  op: 'dense';
  inDim: number;
  outDim: number;
  weightOffset: number;
  biasOffset: number;
}
/** Elementwise activation over `size` values per example. */
export interface ActOp {
  op: 'act';
  fn: Activation;
  size: number;
}
/**
 * The patch CNN's fixed second layer: input [2m, 1, P] (filter j at patch p), output one value
 * sum_p sum_j s_j a[j, p] / m, s_j = +1 for j < m, -1 otherwise. No parameters.
 */
export interface PatchHeadOp {
  op: 'patch-head';
  filters: number;
  positions: number;
}
export type CnnOp = Conv2dOp | PoolOp | DenseOp | ActOp | PatchHeadOp;

export interface CnnSpec {
  kind: 'cnn' | 'patch-cnn';
  inShape: Shape3;
  ops: CnnOp[];
  /** Values per example of each op's output (ops[i] writes outSizes[i]). */
  outSizes: number[];
  outDim: number;
}

/** Output length of a sliding window; throws when the window does not fit. */
export function windowOut(size: number, k: number, stride: number, pad: number, what: string): number {
  const span = size + 2 * pad - k;
  if (span < 0) throw new Error(`${what}: a window of ${k} does not fit an input of ${size} with padding ${pad}`);
  return Math.floor(span / stride) + 1;
}

/** Values per example of an op's input. */
export function opInSize(op: CnnOp): number {
  switch (op.op) {
    case 'conv2d':
    case 'maxpool':
    case 'avgpool':
      return op.inShape[0] * op.inShape[1] * op.inShape[2];
    case 'dense':
      return op.inDim;
    case 'act':
      return op.size;
    case 'patch-head':
      return 2 * op.filters * op.positions;
  }
}

/** Values per example of an op's output. */
export function opOutSize(op: CnnOp): number {
  switch (op.op) {
    case 'conv2d':
    case 'maxpool':
    case 'avgpool':
      return op.outShape[0] * op.outShape[1] * op.outShape[2];
    case 'dense':
      return op.outDim;
    case 'act':
      return op.size;
    case 'patch-head':
      return 1;
  }
}

/** The input shape a model sees: explicit, or from the data (images: [C, S, S]; else [1, 1, D]). */
export function cnnInputShape(model: CnnModel, inputDim: number, imageShape?: Shape3): Shape3 {
  const s: Shape3 = model.inputShape ? [...model.inputShape] : (imageShape ?? [1, 1, inputDim]);
  if (s[0] * s[1] * s[2] !== inputDim)
    throw new Error(
      `model.inputShape: [${s.join(', ')}] holds ${s[0] * s[1] * s[2]} values but the data has ${inputDim} inputs`,
    );
  return s;
}

/** Resolve a "cnn" model: every conv/dense hidden layer gets the activation, then the output dense layer. */
export function buildCnnSpec(model: CnnModel, inShape: Shape3, outDim: number): CnnSpec {
  const ops: CnnOp[] = [];
  let off = 0;
  let shape: Shape3 = [...inShape];
  let flat: number | null = null; // set once a dense layer has flattened the activations
  const dense = (units: number, act: boolean, what: string) => {
    const inDim = flat ?? shape[0] * shape[1] * shape[2];
    const weightOffset = off;
    off += inDim * units;
    const biasOffset = model.bias ? off : -1;
    if (model.bias) off += units;
    ops.push({ op: 'dense', inDim, outDim: units, weightOffset, biasOffset });
    if (units < 1) throw new Error(`${what}: expected at least 1 unit`);
    flat = units;
    if (act) ops.push({ op: 'act', fn: model.activation, size: units });
  };
  model.layers.forEach((layer, i) => {
    const what = `model.layers[${i}]`;
    if (layer.type === 'conv2d' || layer.type === 'maxpool' || layer.type === 'avgpool') {
      if (flat !== null) throw new Error(`${what}: a ${layer.type} layer cannot follow a dense layer`);
    }
    switch (layer.type) {
      case 'conv2d': {
        const [kh, kw] = layer.kernel;
        const [sh, sw] = layer.stride;
        const [ph, pw] = layer.padding;
        const outShape: Shape3 = [
          layer.channels,
          windowOut(shape[1], kh, sh, ph, `${what}.kernel (height)`),
          windowOut(shape[2], kw, sw, pw, `${what}.kernel (width)`),
        ];
        const weightOffset = off;
        off += layer.channels * shape[0] * kh * kw;
        const biasOffset = model.bias ? off : -1;
        if (model.bias) off += layer.channels;
        ops.push({ op: 'conv2d', inShape: shape, outShape, kh, kw, sh, sw, ph, pw, weightOffset, biasOffset });
        shape = outShape;
        ops.push({ op: 'act', fn: model.activation, size: outShape[0] * outShape[1] * outShape[2] });
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const [kh, kw] = layer.size;
        const [sh, sw] = layer.stride;
        const outShape: Shape3 = [
          shape[0],
          windowOut(shape[1], kh, sh, 0, `${what}.size (height)`),
          windowOut(shape[2], kw, sw, 0, `${what}.size (width)`),
        ];
        ops.push({ op: layer.type, inShape: shape, outShape, kh, kw, sh, sw });
        shape = outShape;
        break;
      }
      case 'flatten':
        break; // storage is already [C, H, W] row-major: flattening is a reinterpretation
      case 'dense':
        dense(layer.units, true, what);
        break;
    }
  });
  dense(outDim, false, 'model (output layer)');
  return { kind: 'cnn', inShape, ops, outSizes: ops.map(opOutSize), outDim };
}

/** Resolve a "patch-cnn" model over an input of numPatches * patchDim values (outDim must be 1). */
export function buildPatchCnnSpec(model: PatchCnnModel, inputDim: number, patchDim: number, outDim: number): CnnSpec {
  if (outDim !== 1)
    throw new Error(
      `model: the patch CNN has one output; use loss "logistic", "hinge" or "mse" on 2-class data (got ${outDim} outputs)`,
    );
  if (!Number.isInteger(patchDim) || patchDim < 1 || inputDim % patchDim !== 0)
    throw new Error(`model.patchDim: ${patchDim} does not divide the input dimension ${inputDim}`);
  const P = inputDim / patchDim;
  const F = 2 * model.filters;
  const inShape: Shape3 = [1, 1, inputDim];
  const ops: CnnOp[] = [
    {
      op: 'conv2d',
      inShape,
      outShape: [F, 1, P],
      kh: 1,
      kw: patchDim,
      sh: 1,
      sw: patchDim,
      ph: 0,
      pw: 0,
      weightOffset: 0,
      biasOffset: -1,
    },
    { op: 'act', fn: model.activation, size: F * P },
    { op: 'patch-head', filters: model.filters, positions: P },
  ];
  return { kind: 'patch-cnn', inShape, ops, outSizes: ops.map(opOutSize), outDim: 1 };
}

/** The parameter layout of a spec (see the file comment). */
export function cnnLayout(spec: CnnSpec): ParamLayout {
  const layers: DenseLayerInfo[] = [];
  const tensors: TensorInfo[] = [];
  let count = 0;
  for (const op of spec.ops) {
    if (op.op !== 'conv2d' && op.op !== 'dense') continue;
    const l = layers.length;
    const inDim = op.op === 'conv2d' ? op.inShape[0] * op.kh * op.kw : op.inDim;
    const outDim = op.op === 'conv2d' ? op.outShape[0] : op.outDim;
    const shape = op.op === 'conv2d' ? [outDim, op.inShape[0], op.kh, op.kw] : [outDim, inDim];
    const prefix = spec.kind === 'patch-cnn' ? 'filters' : `layers.${l}`;
    tensors.push({
      name: `${prefix}.weight`,
      offset: op.weightOffset,
      size: inDim * outDim,
      shape,
      layer: l,
      kind: 'weight',
    });
    if (op.biasOffset >= 0)
      tensors.push({
        name: `${prefix}.bias`,
        offset: op.biasOffset,
        size: outDim,
        shape: [outDim],
        layer: l,
        kind: 'bias',
      });
    layers.push({ inDim, outDim, weightOffset: op.weightOffset, biasOffset: op.biasOffset });
    count = Math.max(count, op.weightOffset + inDim * outDim, op.biasOffset >= 0 ? op.biasOffset + outDim : 0);
  }
  const inputDim = spec.inShape[0] * spec.inShape[1] * spec.inShape[2];
  return { widths: [inputDim, spec.outDim], layers, tensors, paramCount: count, cnn: spec };
}
