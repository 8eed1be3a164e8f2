/**
 * GPU (f32, WGSL) vs CPU (float64) parity of the part-A optimizers: 100 steps of a population
 * mixing hyperparameters, on an MLP layout whose tensors have odd sizes and whose paramCount is
 * not a multiple of the workgroup size (64). Tolerance: max |gpu - cpu| / (1 + |cpu|) < 1e-4 on
 * the parameters (every step) and the optimizer state (last step): f32 rounding over 100 steps.
 */
import { describe, expect, it } from 'vitest';
import { PARITY_CASES, PARITY_TOL, runParityCase } from './parity_cases';

describe('part-A optimizers: GPU vs CPU over 100 steps', () => {
  for (const [def, overrides] of PARITY_CASES) {
    it(`${def.name}: ${overrides.length} runs with mixed hyperparameters`, async () => {
      const r = await runParityCase(def, overrides);
      const e = (x: number) => x.toExponential(2);
      console.log(
        `[parity] ${def.name}: params ${e(r.params)} (abs ${e(r.paramsAbs)}), state ${e(r.state)} (abs ${e(r.stateAbs)})`,
      );
      expect(r.params).toBeLessThan(PARITY_TOL);
      expect(r.state).toBeLessThan(PARITY_TOL);
      expect(r.minMove).toBeGreaterThan(1e-4); // not vacuous: every run moved
    });
  }
});
