/**
 * Output scale alpha (model.outputScale, docs/metrics.md "Output scale", the lazy / feature-learning control) on the CPU:
 * the network output is f = alpha (F(w, x) - F(w0, x)) and the loss is multiplied by 1 / alpha^2.
 * F(w0, x) is computed once per run and set, with the float64 forward pass from the run's initial
 * parameters (initOutputs); both backends use these values (the GPU gets them as f32). The centred
 * loss and gradient themselves are cpu/mlp.ts's lossAndGrad / meanLoss with an OutputCentre.
 */
import type { Experiment } from '../../schema/types';
import type { ParamLayout } from '../model/layout';
import type { OptimizerDef } from '../optim/types';
import { forward, type Act } from './mlp';

/** alpha when the experiment centres and scales the output, else undefined. */
export function outputScaleOf(exp: Pick<Experiment, 'model'>): number | undefined {
  return exp.model.outputScale;
}

/**
 * Throws a specific error when the experiment combines outputScale with something the centred loss
 * does not cover yet: a non-positive alpha, or an optimizer with per-example clipping (its clipped
 * per-example gradients come from cpu/per_example.ts, which scores the plain output).
 */
export function checkOutputScale(
  exp: Experiment,
  defs: readonly Pick<OptimizerDef, 'name' | 'perExampleClip'>[],
): void {
  const a = outputScaleOf(exp);
  if (a === undefined) return;
  if (!Number.isFinite(a) || a <= 0) throw new Error(`model.outputScale: expected a positive number, got ${a}`);
  defs.forEach((d, i) => {
    if (d.perExampleClip)
      throw new Error(
        `runs[${i}].optimizer.name: "${d.name}" clips per-example gradients, which model.outputScale does not support yet; remove model.outputScale or use another optimizer`,
      );
  });
}

/** F(params, x) for the n rows of x: [n][outDim], in chunks of `chunk` rows. */
export function initOutputs(
  params: ArrayLike<number>,
  layout: ParamLayout,
  act: Act,
  x: ArrayLike<number>,
  n: number,
  chunk = 512,
): Float64Array {
  const outDim = layout.widths[layout.widths.length - 1];
  const out = new Float64Array(n * outDim);
  const rows = new Uint32Array(chunk);
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    for (let b = 0; b < m; b++) rows[b] = s + b;
    out.set(forward(params, layout, act, x, m, rows).logits.subarray(0, m * outDim), s * outDim);
  }
  return out;
}

/** F(w0_r, x) of every run r, stacked as float32 [runs][n][outDim] (the GPU's offset buffers). */
export function stackedInitOutputs(
  inits: readonly ArrayLike<number>[],
  layout: ParamLayout,
  act: Act,
  x: ArrayLike<number>,
  n: number,
): Float32Array {
  const outDim = layout.widths[layout.widths.length - 1];
  const out = new Float32Array(Math.max(1, inits.length * n * outDim));
  inits.forEach((p, r) => out.set(initOutputs(p, layout, act, x, n), r * n * outDim));
  return out;
}
