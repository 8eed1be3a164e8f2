/**
 * Parameter layout of one run. All runs of a population share it; population buffers are
 * `[run][...]` with run r starting at r * paramCount. Dense weights are PyTorch's `[out, in]`,
 * row-major, each followed by its bias `[out]`.
 */
import type { CnnSpec } from './cnn_spec';

export interface TensorInfo {
  /** e.g. "layers.0.weight", "layers.0.bias". */
  name: string;
  /** Offset (in floats) inside one run's parameter vector. */
  offset: number;
  /** Number of elements. */
  size: number;
  /** [out, in] for dense weights, [out] for biases. */
  shape: number[];
  /** Index of the layer this tensor belongs to. */
  layer: number;
  kind: 'weight' | 'bias';
}

export interface DenseLayerInfo {
  inDim: number;
  outDim: number;
  weightOffset: number;
  /** -1 when the layer has no bias. */
  biasOffset: number;
}

export interface ParamLayout {
  /**
   * MLP: layer widths including input and output, [in, h1, ..., out]. Convolutional models:
   * [inputDim, outDim] (their ops are in `cnn`).
   */
  widths: number[];
  layers: DenseLayerInfo[];
  tensors: TensorInfo[];
  /** Floats per run. */
  paramCount: number;
  /**
   * Convolutional models only: the op list both backends execute. `layers` then lists the conv and
   * dense ops with inDim = fan-in (in * kh * kw for a conv).
   */
  cnn?: CnnSpec;
}

export function mlpLayout(widths: number[], bias = true): ParamLayout {
  const layers: DenseLayerInfo[] = [];
  const tensors: TensorInfo[] = [];
  let off = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const inDim = widths[l];
    const outDim = widths[l + 1];
    const weightOffset = off;
    tensors.push({
      name: `layers.${l}.weight`,
      offset: off,
      size: inDim * outDim,
      shape: [outDim, inDim],
      layer: l,
      kind: 'weight',
    });
    off += inDim * outDim;
    let biasOffset = -1;
    if (bias) {
      biasOffset = off;
      tensors.push({ name: `layers.${l}.bias`, offset: off, size: outDim, shape: [outDim], layer: l, kind: 'bias' });
      off += outDim;
    }
    layers.push({ inDim, outDim, weightOffset, biasOffset });
  }
  return { widths: widths.slice(), layers, tensors, paramCount: off };
}
