/**
 * Parameter initialisation, shared by every backend: the weight at flat offset o of a run's
 * parameter vector (model/layout.ts) is initScale / sqrt(fanIn) * rngNormal(seed, STREAM_INIT, o),
 * fanIn = the layer's input width; biases start at 0. The draw depends only on (seed, o), so the
 * GPU could compute it too; both backends start from these float32 values.
 */
import type { ModelConfig } from '../../schema/types';
import { rngNormal, STREAM_INIT } from '../data/prng';
import type { ParamLayout } from './layout';

export function initParams(layout: ParamLayout, model: Pick<ModelConfig, 'initScale'>, seed: number): Float32Array {
  const scale = model.initScale;
  if (!Number.isFinite(scale) || scale < 0)
    throw new Error(`model.initScale: expected a finite number >= 0, got ${scale}`);
  const out = new Float32Array(layout.paramCount);
  const s = seed >>> 0;
  for (const layer of layout.layers) {
    const std = scale / Math.sqrt(layer.inDim);
    const end = layer.weightOffset + layer.inDim * layer.outDim;
    for (let o = layer.weightOffset; o < end; o++) out[o] = std * rngNormal(s, STREAM_INIT, o);
    // Biases stay 0 (Float32Array starts zeroed).
  }
  return out;
}
