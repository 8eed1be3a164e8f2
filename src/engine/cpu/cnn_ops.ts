/**
 * The per-op float64 kernels of cpu/cnn.ts (see its header for the formulas): forward, and
 * backward into dInput and/or scale * dParams over examples [from, to).
 */
import type { Conv2dOp, DenseOp, PatchHeadOp, PoolOp } from '../model/cnn_spec';

// ---- conv2d ----

// Kernel rows i (and columns j) that land inside the input: 0 <= o * stride - pad + i < size,
// i.e. i in [max(0, -start), min(k, size - start)) with start = o * stride - pad.

export function convForward(p: ArrayLike<number>, op: Conv2dOp, input: Float64Array, n: number): Float64Array {
  const [C, H, W] = op.inShape;
  const [CO, OH, OW] = op.outShape;
  const { kh, kw, sh, sw, ph, pw, weightOffset: wo, biasOffset: bo } = op;
  const inSize = C * H * W;
  const outSize = CO * OH * OW;
  const out = new Float64Array(n * outSize);
  for (let b = 0; b < n; b++) {
    const ib = b * inSize;
    for (let co = 0; co < CO; co++) {
      for (let oh = 0; oh < OH; oh++) {
        const ih0 = oh * sh - ph;
        const i0 = Math.max(0, -ih0);
        const i1 = Math.min(kh, H - ih0);
        for (let ow = 0; ow < OW; ow++) {
          const iw0 = ow * sw - pw;
          const j0 = Math.max(0, -iw0);
          const j1 = Math.min(kw, W - iw0);
          let s = bo >= 0 ? p[bo + co] : 0;
          for (let ci = 0; ci < C; ci++) {
            const wc = wo + (co * C + ci) * kh * kw;
            const xc = ib + ci * H * W;
            for (let i = i0; i < i1; i++) {
              const wr = wc + i * kw;
              const xr = xc + (ih0 + i) * W + iw0;
              for (let j = j0; j < j1; j++) s += p[wr + j] * input[xr + j];
            }
          }
          out[b * outSize + (co * OH + oh) * OW + ow] = s;
        }
      }
    }
  }
  return out;
}

/** dIn (when dIn is given) and scale * (dW, db) into grad (when given), examples [from, to). */
export function convBackward(
  p: ArrayLike<number> | null,
  op: Conv2dOp,
  input: Float64Array,
  dOut: Float64Array,
  from: number,
  to: number,
  dIn: Float64Array | null,
  grad: Float64Array | null,
  scale: number,
): void {
  const [C, H, W] = op.inShape;
  const [CO, OH, OW] = op.outShape;
  const { kh, kw, sh, sw, ph, pw, weightOffset: wo, biasOffset: bo } = op;
  const inSize = C * H * W;
  const outSize = CO * OH * OW;
  const withIn = dIn !== null && p !== null;
  for (let b = from; b < to; b++) {
    const ib = b * inSize;
    for (let co = 0; co < CO; co++) {
      for (let oh = 0; oh < OH; oh++) {
        const ih0 = oh * sh - ph;
        const i0 = Math.max(0, -ih0);
        const i1 = Math.min(kh, H - ih0);
        for (let ow = 0; ow < OW; ow++) {
          const g = dOut[b * outSize + (co * OH + oh) * OW + ow];
          if (g === 0) continue; // nothing to add (common after a ReLU)
          const iw0 = ow * sw - pw;
          const j0 = Math.max(0, -iw0);
          const j1 = Math.min(kw, W - iw0);
          const gs = scale * g;
          if (grad && bo >= 0) grad[bo + co] += gs;
          for (let ci = 0; ci < C; ci++) {
            const wc = wo + (co * C + ci) * kh * kw;
            const xc = ib + ci * H * W;
            for (let i = i0; i < i1; i++) {
              const wr = wc + i * kw;
              const xr = xc + (ih0 + i) * W + iw0;
              for (let j = j0; j < j1; j++) {
                if (withIn) dIn![xr + j] += p![wr + j] * g;
                if (grad) grad[wr + j] += gs * input[xr + j];
              }
            }
          }
        }
      }
    }
  }
}

// ---- pooling ----

export function poolForward(op: PoolOp, input: Float64Array, n: number): Float64Array {
  const [C, H, W] = op.inShape;
  const [, OH, OW] = op.outShape;
  const { kh, kw, sh, sw } = op;
  const inSize = C * H * W;
  const outSize = C * OH * OW;
  const out = new Float64Array(n * outSize);
  const max = op.op === 'maxpool';
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < C; c++) {
      const base = b * inSize + c * H * W;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          let s = max ? -Infinity : 0;
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const v = input[base + (oh * sh + i) * W + ow * sw + j];
              s = max ? (v > s ? v : s) : s + v;
            }
          }
          out[b * outSize + (c * OH + oh) * OW + ow] = max ? s : s / (kh * kw);
        }
      }
    }
  }
  return out;
}

/** Index (into input) of the first maximal element of one max-pool window, row-major. */
export function argmaxWindow(op: PoolOp, input: Float64Array, base: number, oh: number, ow: number): number {
  const W = op.inShape[2];
  let best = base + oh * op.sh * W + ow * op.sw;
  let bv = input[best];
  for (let i = 0; i < op.kh; i++) {
    for (let j = 0; j < op.kw; j++) {
      const k = base + (oh * op.sh + i) * W + ow * op.sw + j;
      if (input[k] > bv) {
        bv = input[k];
        best = k;
      }
    }
  }
  return best;
}

export function poolBackward(op: PoolOp, input: Float64Array, dOut: Float64Array, n: number): Float64Array {
  const [C, H, W] = op.inShape;
  const [, OH, OW] = op.outShape;
  const { kh, kw, sh, sw } = op;
  const inSize = C * H * W;
  const outSize = C * OH * OW;
  const dIn = new Float64Array(n * inSize);
  const inv = 1 / (kh * kw);
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < C; c++) {
      const base = b * inSize + c * H * W;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const g = dOut[b * outSize + (c * OH + oh) * OW + ow];
          if (op.op === 'maxpool') {
            dIn[argmaxWindow(op, input, base, oh, ow)] += g;
            continue;
          }
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) dIn[base + (oh * sh + i) * W + ow * sw + j] += g * inv;
        }
      }
    }
  }
  return dIn;
}

// ---- dense ----

export function denseForward(p: ArrayLike<number>, op: DenseOp, input: Float64Array, n: number): Float64Array {
  const { inDim, outDim, weightOffset: wo, biasOffset: bo } = op;
  const out = new Float64Array(n * outDim);
  for (let b = 0; b < n; b++) {
    for (let j = 0; j < outDim; j++) {
      let s = bo >= 0 ? p[bo + j] : 0;
      const w = wo + j * inDim;
      const ab = b * inDim;
      for (let k = 0; k < inDim; k++) s += p[w + k] * input[ab + k];
      out[b * outDim + j] = s;
    }
  }
  return out;
}

export function denseBackward(
  p: ArrayLike<number> | null,
  op: DenseOp,
  input: Float64Array,
  dOut: Float64Array,
  from: number,
  to: number,
  dIn: Float64Array | null,
  grad: Float64Array | null,
  scale: number,
): void {
  const { inDim, outDim, weightOffset: wo, biasOffset: bo } = op;
  for (let b = from; b < to; b++) {
    const ab = b * inDim;
    for (let j = 0; j < outDim; j++) {
      const g = dOut[b * outDim + j];
      const w = wo + j * inDim;
      if (dIn && p) for (let k = 0; k < inDim; k++) dIn[ab + k] += p[w + k] * g;
      if (grad) {
        const gs = scale * g;
        for (let k = 0; k < inDim; k++) grad[w + k] += gs * input[ab + k];
        if (bo >= 0) grad[bo + j] += gs;
      }
    }
  }
}

// ---- patch head ----

export function patchHeadForward(op: PatchHeadOp, input: Float64Array, n: number): Float64Array {
  const m = op.filters;
  const P = op.positions;
  const inSize = 2 * m * P;
  const out = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    let s = 0;
    for (let j = 0; j < 2 * m; j++) {
      const sign = j < m ? 1 : -1;
      for (let q = 0; q < P; q++) s += sign * input[b * inSize + j * P + q];
    }
    out[b] = s / m;
  }
  return out;
}

export function patchHeadBackward(op: PatchHeadOp, dOut: Float64Array, n: number): Float64Array {
  const m = op.filters;
  const P = op.positions;
  const inSize = 2 * m * P;
  const dIn = new Float64Array(n * inSize);
  for (let b = 0; b < n; b++)
    for (let j = 0; j < 2 * m; j++) {
      const g = ((j < m ? 1 : -1) * dOut[b]) / m;
      for (let q = 0; q < P; q++) dIn[b * inSize + j * P + q] = g;
    }
  return dIn;
}
