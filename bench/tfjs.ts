/**
 * The TensorFlow.js contender: the same MLP (same initial weights), softmax cross-entropy or MSE,
 * Adam, minibatches sliced on the device, no per-step readback; the loss is read once at the end.
 * Used only by the benchmark.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import type { Dataset } from '../src/engine/data/types';
import type { ParamLayout } from '../src/engine/model/layout';

export type TfBackend = 'webgpu' | 'cpu';

export async function selectBackend(name: TfBackend): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js could not start its ${name} backend`);
  await tf.ready();
}

/** The adapter TF.js's WebGPU backend runs on (vendor and architecture, all it keeps), after selectBackend('webgpu'). */
export function tfjsWebgpuAdapter(): string {
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  return [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unknown';
}

export interface TfModel {
  vars: tf.Variable[];
  /** Train `steps` steps (batches taken in order, wrapping); returns the last loss, read once. */
  train(steps: number): Promise<number>;
  dispose(): void;
}

/** Build a TF.js MLP from our float32 parameters (dense W is [out, in] here, [in, out] in TF.js). */
export function buildModel(
  layout: ParamLayout,
  params: Float32Array,
  ds: Dataset,
  opts: { batch: number; lr: number; loss: 'cross-entropy' | 'mse'; outDim: number },
): TfModel {
  const vars: tf.Variable[] = [];
  for (const ly of layout.layers) {
    const w = params.subarray(ly.weightOffset, ly.weightOffset + ly.inDim * ly.outDim);
    const wt = new Float32Array(ly.inDim * ly.outDim);
    for (let j = 0; j < ly.outDim; j++) for (let k = 0; k < ly.inDim; k++) wt[k * ly.outDim + j] = w[j * ly.inDim + k];
    vars.push(tf.variable(tf.tensor2d(wt, [ly.inDim, ly.outDim])));
    vars.push(tf.variable(tf.tensor1d(params.subarray(ly.biasOffset, ly.biasOffset + ly.outDim))));
  }
  const n = ds.train.n;
  const nb = Math.floor(n / opts.batch);
  const x = tf.tensor2d(ds.train.x.subarray(0, nb * opts.batch * ds.inputDim), [nb * opts.batch, ds.inputDim]);
  let yt: tf.Tensor2D;
  if (opts.loss === 'cross-entropy') {
    const labels = tf.tensor1d(Array.from(ds.train.y.subarray(0, nb * opts.batch)), 'int32');
    yt = tf.cast(tf.oneHot(labels, opts.outDim), 'float32') as tf.Tensor2D;
    labels.dispose();
  } else {
    yt = tf.tensor2d(ds.train.y.subarray(0, nb * opts.batch * ds.targetDim), [nb * opts.batch, ds.targetDim]);
  }
  const optimizer = tf.train.adam(opts.lr);
  const L = layout.layers.length;
  let k = 0;
  const forward = (xb: tf.Tensor2D): tf.Tensor2D => {
    let a: tf.Tensor2D = xb;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(a, vars[2 * l] as tf.Tensor2D), vars[2 * l + 1]) as tf.Tensor2D;
      a = l < L - 1 ? tf.relu(z) : z;
    }
    return a;
  };
  return {
    vars,
    async train(steps: number): Promise<number> {
      let last: tf.Scalar | null = null;
      for (let s = 0; s < steps; s++) {
        const b = k % nb;
        k++;
        const cost = optimizer.minimize(
          () => {
            const xb = tf.slice(x, [b * opts.batch, 0], [opts.batch, ds.inputDim]) as tf.Tensor2D;
            const yb = tf.slice(yt, [b * opts.batch, 0], [opts.batch, yt.shape[1]]) as tf.Tensor2D;
            const logits = forward(xb);
            return opts.loss === 'cross-entropy'
              ? tf.losses.softmaxCrossEntropy(yb, logits)
              : tf.mul(0.5, tf.mean(tf.sum(tf.square(tf.sub(logits, yb)), 1)));
          },
          true,
          vars,
        );
        if (last) last.dispose();
        last = cost;
      }
      const v = last ? (await last.data())[0] : NaN;
      last?.dispose();
      return v;
    },
    dispose() {
      for (const v of vars) v.dispose();
      x.dispose();
      yt.dispose();
      optimizer.dispose();
    },
  };
}
