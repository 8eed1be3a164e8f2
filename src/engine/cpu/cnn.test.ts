/**
 * The float64 CNN oracle (cpu/cnn.ts): every op's backward (input and parameter gradients) against
 * central differences (h = 1e-6, rtol 1e-5, atol 1e-8, as gradcheck.ts), on odd sizes, strides > 1,
 * padding and non-square kernels; known values; and proof that the checker rejects a wrong conv
 * and a wrong pool backward.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, type CnnLayer, type CnnModel } from '../../schema/types';
import {
  buildCnnSpec,
  buildPatchCnnSpec,
  type CnnOp,
  type Conv2dOp,
  type PoolOp,
  type Shape3,
} from '../model/cnn_spec';
import { mlpLayout } from '../model/layout';
import { cnnForward, cnnParamCount, opBackward, opForward, opInSize, opOutSize } from './cnn';
import { describeGradCheck, gradCheck } from './gradcheck';
import { forward } from './mlp';
import { randomArray, uniformRng } from './testing';

const cnn = (layers: CnnLayer[], extra: Partial<CnnModel> = {}): CnnModel => ({
  kind: 'cnn',
  layers,
  activation: 'tanh',
  initScale: 1,
  bias: true,
  ...extra,
});
const conv = (channels: number, kernel: [number, number], stride: [number, number], padding: [number, number]) =>
  ({ type: 'conv2d', channels, kernel, stride, padding }) as const;
const pool = (type: 'maxpool' | 'avgpool', size: [number, number], stride: [number, number]) =>
  ({ type, size, stride }) as const;

/** The first op of a one-layer model over inShape (with its parameter count). */
function firstOp(layer: CnnLayer, inShape: Shape3, bias = true): { op: CnnOp; P: number } {
  const spec = buildCnnSpec(cnn([layer], { bias }), inShape, 2);
  return { op: spec.ops[0], P: cnnParamCount(spec) };
}

/**
 * Checks dInput and dParams of one op under the scalar L = sum(out * R) for a random R, over a
 * batch of n examples.
 */
function checkOp(op: CnnOp, P: number, seed: number, n = 3) {
  const rnd = uniformRng(seed);
  const params = randomArray(P, rnd, -1, 1);
  const input = randomArray(n * opInSize(op), rnd, -2, 2);
  const R = randomArray(n * opOutSize(op), rnd, -1, 1);
  const L = (p: ArrayLike<number>, x: Float64Array) => {
    const out = opForward(p, op, x, n);
    let s = 0;
    for (let k = 0; k < out.length; k++) s += out[k] * R[k];
    return s;
  };
  const out = opForward(params, op, input, n);
  const grad = new Float64Array(P);
  const dIn = opBackward(params, op, input, out, R, n, grad, 1);
  const inputCheck = gradCheck((x) => L(params, x), dIn, input);
  const paramCheck = gradCheck((p) => L(p, input), grad, params);
  return { inputCheck, paramCheck, params, input, R, out, n };
}

function expectOk(r: ReturnType<typeof checkOp>) {
  expect(r.inputCheck.ok, 'input: ' + describeGradCheck(r.inputCheck)).toBe(true);
  expect(r.paramCheck.ok, 'params: ' + describeGradCheck(r.paramCheck)).toBe(true);
}

describe('conv2d', () => {
  const cases: { name: string; layer: CnnLayer; inShape: Shape3; bias?: boolean }[] = [
    {
      name: '3x5x7 input, 3x3 kernel, stride 1, padding 1',
      layer: conv(4, [3, 3], [1, 1], [1, 1]),
      inShape: [3, 5, 7],
    },
    { name: 'stride 2, padding 1', layer: conv(2, [3, 3], [2, 2], [1, 1]), inShape: [3, 5, 7] },
    {
      name: 'non-square 3x2 kernel, stride (2, 1), padding (1, 0)',
      layer: conv(3, [3, 2], [2, 1], [1, 0]),
      inShape: [3, 5, 7],
    },
    {
      name: 'non-square 2x3 kernel, stride (1, 3), padding (0, 2)',
      layer: conv(2, [2, 3], [1, 3], [0, 2]),
      inShape: [2, 7, 5],
    },
    { name: 'no bias, 1x1 kernel, stride 2', layer: conv(5, [1, 1], [2, 2], [0, 0]), inShape: [3, 5, 7], bias: false },
    { name: 'kernel as large as the input', layer: conv(2, [5, 7], [1, 1], [0, 0]), inShape: [3, 5, 7] },
  ];
  cases.forEach((c, i) =>
    it(`${c.name}: input and weight gradients match finite differences`, () => {
      const { op, P } = firstOp(c.layer, c.inShape, c.bias ?? true);
      expect(op.op).toBe('conv2d');
      expectOk(checkOp(op, P, 40 + i));
    }),
  );

  it('known values: 1 channel 3x3, 2x2 kernel, padding 1', () => {
    const { op } = firstOp(conv(1, [2, 2], [1, 1], [1, 1]), [1, 3, 3]);
    const c = op as Conv2dOp;
    expect(c.outShape).toEqual([1, 4, 4]);
    const params = new Float64Array(5);
    params.set([1, 2, 3, 4], c.weightOffset); // W[0,0] = [[1, 2], [3, 4]]
    params[c.biasOffset] = 0.5;
    const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = opForward(params, op, x, 1);
    // out[0,0] sees only x[0,0] at kernel (1,1): 4 * 1 + 0.5
    expect(out[0]).toBe(4.5);
    // out[1,1] = 1*1 + 2*2 + 3*4 + 4*5 + 0.5
    expect(out[5]).toBe(37.5);
    // out[3,3] sees only x[2,2] at kernel (0,0): 1 * 9 + 0.5
    expect(out[15]).toBe(9.5);
  });

  it('a conv whose kernel covers the whole input equals a dense layer with the same weights', () => {
    const rnd = uniformRng(3);
    const { op } = firstOp(conv(4, [5, 7], [1, 1], [0, 0]), [3, 5, 7]);
    const dense = mlpLayout([105, 4]);
    const params = randomArray(dense.paramCount, rnd);
    const x = randomArray(2 * 105, rnd);
    const a = opForward(params, op, x, 2);
    const b = forward(params, dense, 'linear', x, 2).logits;
    for (let k = 0; k < 8; k++) expect(a[k]).toBeCloseTo(b[k], 12);
  });
});

describe('pooling', () => {
  const cases: { name: string; layer: CnnLayer; inShape: Shape3 }[] = [
    {
      name: 'maxpool 2, stride 2 on 2x5x7 (odd: the last row/column is dropped)',
      layer: pool('maxpool', [2, 2], [2, 2]),
      inShape: [2, 5, 7],
    },
    { name: 'maxpool 3, stride 2 (overlapping windows)', layer: pool('maxpool', [3, 3], [2, 2]), inShape: [2, 7, 5] },
    { name: 'maxpool 2x3, stride (1, 2)', layer: pool('maxpool', [2, 3], [1, 2]), inShape: [3, 5, 7] },
    { name: 'avgpool 2, stride 2', layer: pool('avgpool', [2, 2], [2, 2]), inShape: [2, 5, 7] },
    { name: 'avgpool 3x2, stride (1, 2) (overlapping)', layer: pool('avgpool', [3, 2], [1, 2]), inShape: [3, 5, 7] },
  ];
  cases.forEach((c, i) =>
    it(`${c.name}: input gradient matches finite differences`, () => {
      const { op, P } = firstOp(c.layer, c.inShape);
      expect(op.op).toBe(c.layer.type);
      expectOk(checkOp(op, P, 60 + i));
    }),
  );

  it('maxpool ties: the whole gradient goes to the first maximal element (row-major)', () => {
    const { op } = firstOp(pool('maxpool', [2, 2], [2, 2]), [1, 2, 4]);
    // windows: [[5, 1], [5, 5]] -> first 5 at (0,0); [[2, 7], [7, 7]] -> first 7 at (0,3)
    const x = Float64Array.from([5, 1, 2, 7, 5, 5, 7, 7]);
    const out = opForward([], op, x, 1);
    expect(Array.from(out)).toEqual([5, 7]);
    const dIn = opBackward([], op, x, out, Float64Array.from([1, 10]), 1);
    expect(Array.from(dIn)).toEqual([1, 0, 0, 10, 0, 0, 0, 0]);
  });

  it('overlapping max windows add their gradients', () => {
    const { op } = firstOp(pool('maxpool', [1, 3], [1, 1]), [1, 1, 5]);
    const x = Float64Array.from([0, 1, 9, 1, 0]);
    const out = opForward([], op, x, 1);
    expect(Array.from(out)).toEqual([9, 9, 9]);
    expect(Array.from(opBackward([], op, x, out, Float64Array.from([1, 2, 4]), 1))).toEqual([0, 0, 7, 0, 0]);
  });

  it('avgpool known values', () => {
    const { op } = firstOp(pool('avgpool', [2, 2], [1, 1]), [1, 2, 3]);
    const out = opForward([], op, Float64Array.from([1, 2, 3, 4, 5, 6]), 1);
    expect(Array.from(out)).toEqual([3, 4]);
  });
});

describe('dense, activations and the patch head', () => {
  it('dense after conv reads the [C, H, W] activations flattened', () => {
    const spec = buildCnnSpec(
      cnn([conv(2, [3, 3], [2, 2], [1, 1]), { type: 'flatten' }, { type: 'dense', units: 3 }]),
      [3, 5, 7],
      2,
    );
    const denseOp = spec.ops.find((o) => o.op === 'dense')!;
    expect(denseOp.op === 'dense' && denseOp.inDim).toBe(2 * 3 * 4);
    expectOk(checkOp(denseOp, cnnParamCount(spec), 80));
  });

  for (const fn of ACTIVATIONS) {
    it(`act ${fn}`, () => {
      const op: CnnOp = { op: 'act', fn, size: 7 };
      const r = checkOp(op, 0, 90 + ACTIVATIONS.indexOf(fn));
      expect(r.inputCheck.ok, describeGradCheck(r.inputCheck)).toBe(true);
    });
  }

  it('patch-head: value and gradient', () => {
    const spec = buildPatchCnnSpec({ kind: 'patch-cnn', filters: 2, activation: 'relu2', initScale: 1 }, 12, 4, 1);
    const head = spec.ops[2];
    expect(head).toEqual({ op: 'patch-head', filters: 2, positions: 3 });
    // a[j, p]: filters 0, 1 positive, 2, 3 negative
    const a = Float64Array.from([1, 2, 3, 10, 20, 30, 4, 0, 0, 0, 0, 100]);
    expect(opForward([], head, a, 1)[0]).toBe((6 + 60 - 4 - 100) / 2);
    expectOk(checkOp(head, 0, 99, 4));
  });

  it('patch CNN filters are applied to each patch (conv with kernel = stride = patchDim)', () => {
    const rnd = uniformRng(5);
    const d = 3;
    const spec = buildPatchCnnSpec({ kind: 'patch-cnn', filters: 2, activation: 'relu2', initScale: 1 }, 4 * d, d, 1);
    const W = randomArray(4 * d, rnd);
    const x = randomArray(4 * d, rnd);
    let want = 0;
    for (let j = 0; j < 4; j++)
      for (let p = 0; p < 4; p++) {
        let z = 0;
        for (let k = 0; k < d; k++) z += W[j * d + k] * x[p * d + k];
        want += ((j < 2 ? 1 : -1) * Math.max(0, z) ** 2) / 2;
      }
    expect(cnnForward(W, spec, x, 1).logits[0]).toBeCloseTo(want, 12);
    expectOk(checkOp(spec.ops[0], 4 * d, 98));
  });

  it('a "cnn" of dense layers only equals the MLP with the same parameters', () => {
    const rnd = uniformRng(6);
    const spec = buildCnnSpec(
      cnn([
        { type: 'dense', units: 5 },
        { type: 'dense', units: 4 },
      ]),
      [1, 1, 3],
      2,
    );
    const mlp = mlpLayout([3, 5, 4, 2]);
    expect(cnnParamCount(spec)).toBe(mlp.paramCount);
    const params = randomArray(mlp.paramCount, rnd);
    const x = randomArray(4 * 3, rnd);
    const a = cnnForward(params, spec, x, 4).logits;
    const b = forward(params, mlp, 'tanh', x, 4).logits;
    for (let k = 0; k < 8; k++) expect(a[k]).toBeCloseTo(b[k], 13);
  });

  it('errors name what is wrong', () => {
    const spec = buildCnnSpec(cnn([conv(2, [3, 3], [1, 1], [0, 0])]), [1, 4, 4], 2);
    expect(() => cnnForward(new Float64Array(3), spec, new Float64Array(16), 1)).toThrow(/params: expected at least/);
    expect(() => cnnForward(new Float64Array(100), spec, new Float64Array(16), 1, [1])).toThrow(/idx\[0\]: row 1/);
    expect(() => opForward([], spec.ops[1], new Float64Array(3), 1)).toThrow(/act input: expected at least 8/);
  });
});

// ---- deliberately wrong backward rules: the checker must reject them ----

/** Conv input gradient with the kernel index transposed (W[co, ci, j, i] instead of W[co, ci, i, j]). */
function transposedConvInputGrad(p: ArrayLike<number>, op: Conv2dOp, dOut: Float64Array, n: number): Float64Array {
  const [C, H, W] = op.inShape;
  const [CO, OH, OW] = op.outShape;
  const dIn = new Float64Array(n * C * H * W);
  for (let b = 0; b < n; b++)
    for (let co = 0; co < CO; co++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++)
          for (let ci = 0; ci < C; ci++)
            for (let i = 0; i < op.kh; i++)
              for (let j = 0; j < op.kw; j++) {
                const ih = oh * op.sh - op.ph + i;
                const iw = ow * op.sw - op.pw + j;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                const g = dOut[b * CO * OH * OW + (co * OH + oh) * OW + ow];
                dIn[b * C * H * W + (ci * H + ih) * W + iw] +=
                  p[op.weightOffset + ((co * C + ci) * op.kh + j) * op.kw + i] * g;
              }
  return dIn;
}

/** Max-pool backward that assigns instead of adding (loses gradient where windows overlap). */
function assigningMaxPoolGrad(op: PoolOp, x: Float64Array, dOut: Float64Array, n: number): Float64Array {
  const [C, H, W] = op.inShape;
  const [, OH, OW] = op.outShape;
  const dIn = new Float64Array(n * C * H * W);
  for (let b = 0; b < n; b++)
    for (let c = 0; c < C; c++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let best = -1;
          for (let i = 0; i < op.kh; i++)
            for (let j = 0; j < op.kw; j++) {
              const k = b * C * H * W + (c * H + oh * op.sh + i) * W + ow * op.sw + j;
              if (best < 0 || x[k] > x[best]) best = k;
            }
          dIn[best] = dOut[b * C * OH * OW + (c * OH + oh) * OW + ow];
        }
  return dIn;
}

describe('the checker rejects wrong conv and pool backward rules', () => {
  it('a conv input gradient with a transposed kernel index fails; the right one passes', () => {
    const { op, P } = firstOp(conv(3, [3, 3], [2, 2], [1, 1]), [2, 5, 7]);
    const r = checkOp(op, P, 7);
    expectOk(r);
    const wrong = transposedConvInputGrad(r.params, op as Conv2dOp, r.R, r.n);
    const L = (x: Float64Array) => opForward(r.params, op, x, r.n).reduce((s, v, k) => s + v * r.R[k], 0);
    const bad = gradCheck(L, wrong, r.input);
    expect(bad.ok).toBe(false);
    expect(bad.failures).toBeGreaterThan(bad.checked / 4);
  });

  it('a max-pool backward that overwrites overlapping windows fails; the right one passes', () => {
    const { op, P } = firstOp(pool('maxpool', [3, 3], [1, 1]), [1, 5, 5]);
    const r = checkOp(op, P, 8, 2);
    expectOk(r);
    const wrong = assigningMaxPoolGrad(op as PoolOp, r.input, r.R, r.n);
    const L = (x: Float64Array) => opForward([], op, x, r.n).reduce((s, v, k) => s + v * r.R[k], 0);
    const bad = gradCheck(L, wrong, r.input);
    expect(bad.ok).toBe(false);
  });

  it('an avg-pool backward without the 1/(kh kw) fails', () => {
    const { op, P } = firstOp(pool('avgpool', [2, 3], [2, 2]), [2, 5, 7]);
    const r = checkOp(op, P, 9);
    expectOk(r);
    const good = opBackward([], op, r.input, r.out, r.R, r.n);
    const L = (x: Float64Array) => opForward([], op, x, r.n).reduce((s, v, k) => s + v * r.R[k], 0);
    expect(
      gradCheck(
        L,
        good.map((g) => g * 6),
        r.input,
      ).ok,
    ).toBe(false);
  });
});
