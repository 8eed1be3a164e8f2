/** One run's parameters as named tensors: the weights file of the CLI (--save-weights) and the UI export. */
import type { ParamLayout } from './layout';
import type { ParamVector } from '../trainer';

export interface WeightsFile {
  layers: { name: string; shape: number[]; values: (number | null)[] }[];
}

/**
 * Dense weights [out, in] row-major, then bias [out]; non-finite values as null (JSON has no NaN).
 * Float64 parameters (the CPU backend's) keep every digit: JSON numbers round-trip a double.
 * `source` names where the parameters came from, for the error message.
 */
export function weightsJson(layout: ParamLayout, params: ParamVector, source = 'got'): WeightsFile {
  if (params.length !== layout.paramCount) {
    throw new Error(`${source} ${params.length} parameters; the layout expects ${layout.paramCount}`);
  }
  return {
    layers: layout.tensors.map((t) => ({
      name: t.name,
      shape: t.shape.slice(),
      values: Array.from(params.subarray(t.offset, t.offset + t.size), (v) => (Number.isFinite(v) ? v : null)),
    })),
  };
}
