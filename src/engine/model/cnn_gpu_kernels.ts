/**
 * The kernels of the CNN ops (cnn_gpu.ts): which WGSL kernel file each op of the op list uses, with
 * the override constants of its shape, where its parameters sit in the parameter vector, and where
 * a stage reads its input.
 */
import activationsWgsl from '../../../shaders/activations.wgsl?raw';
import commonWgsl from '../../../shaders/cnn_common.wgsl?raw';
import conv2dWgsl from '../../../shaders/cnn_conv2d.wgsl?raw';
import poolWgsl from '../../../shaders/cnn_pool.wgsl?raw';
import denseWgsl from '../../../shaders/cnn_dense.wgsl?raw';
import actWgsl from '../../../shaders/cnn_act.wgsl?raw';
import patchHeadWgsl from '../../../shaders/cnn_patch_head.wgsl?raw';
import type { Overrides } from '../webgpu/pipelines';
import type { CnnOp } from './cnn_spec';
import { CNN_WG } from './cnn_gpu_plan';

const WG = CNN_WG;

/** Where a stage reads its input: value k of example b of run r is buf[off + r * rs + b * inSize + k]. */
export interface Source {
  buf: GPUBuffer;
  off: number;
  rs: number;
}

const code = (kernel: string) => activationsWgsl + '\n' + commonWgsl + '\n' + kernel;
const KERNELS = {
  conv2d: code(conv2dWgsl),
  pool: code(poolWgsl),
  dense: code(denseWgsl),
  act: code(actWgsl),
  patch: code(patchHeadWgsl),
};

/**
 * The WGSL source (activations + common + kernel) and shape override constants of an op's kernel
 * file; entry points forward, backward_data, backward_weights (conv2d) or backward (dense). Exported
 * for the per-kernel tests.
 */
export function cnnKernel(op: CnnOp): { label: string; code: string; overrides: Overrides } {
  const k = opKernel(op);
  return { label: `cnn_${k.kind}`, code: KERNELS[k.kind], overrides: { WG, ...k.ov } };
}

/** The shape override constants of an op's kernel, and which kernel file it uses. */
function opKernel(op: CnnOp): { kind: keyof typeof KERNELS; ov: Overrides } {
  switch (op.op) {
    case 'conv2d': {
      const [CI, H, W] = op.inShape;
      const [CO, OH, OW] = op.outShape;
      const { kh: KH, kw: KW, sh: SH, sw: SW, ph: PH, pw: PW } = op;
      const HAS_BIAS = op.biasOffset >= 0 ? 1 : 0;
      return { kind: 'conv2d', ov: { CI, H, W, CO, OH, OW, KH, KW, SH, SW, PH, PW, HAS_BIAS } };
    }
    case 'maxpool':
    case 'avgpool': {
      const [C, H, W] = op.inShape;
      const [, OH, OW] = op.outShape;
      const MAX = op.op === 'maxpool' ? 1 : 0;
      return { kind: 'pool', ov: { C, H, W, OH, OW, KH: op.kh, KW: op.kw, SH: op.sh, SW: op.sw, MAX } };
    }
    case 'dense':
      return { kind: 'dense', ov: { IN: op.inDim, OUT: op.outDim, HAS_BIAS: op.biasOffset >= 0 ? 1 : 0 } };
    case 'act':
      return { kind: 'act', ov: { SIZE: op.size } };
    case 'patch-head':
      return { kind: 'patch', ov: { M: op.filters, NP: op.positions } };
  }
}

/** The weight and bias offsets of an op with parameters ([0, 0] for the others). */
export function paramOffsets(op: CnnOp): [number, number] {
  return op.op === 'conv2d' || op.op === 'dense' ? [op.weightOffset, Math.max(0, op.biasOffset)] : [0, 0];
}
