/**
 * The CPU side of the per-run divergence guard (shaders/diverge_guard.wgsl, in float64): after each
 * optimizer step, a run whose batch loss or any parameter is not finite is flagged at that step
 * and put back at its parameters of the step before, where it stays.
 */

/** Whether the step's batch loss and every resulting parameter are finite. */
export function stepIsFinite(batchLoss: number, params: Float64Array): boolean {
  if (!Number.isFinite(batchLoss)) return false;
  for (let i = 0; i < params.length; i++) if (!Number.isFinite(params[i])) return false;
  return true;
}
