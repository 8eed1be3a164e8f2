import { describe, expect, it } from 'vitest';
import { anyHyper } from './common';
import type { GpuOptimizerContext } from './types';

describe('anyHyper (options compiled out when no run of a population uses them)', () => {
  const ctx = (runs: number, hyper: number[]) =>
    ({ runs, hyperHost: Float32Array.from(hyper) }) as unknown as GpuOptimizerContext;
  it('finds a nonzero value of hyperparameter k in any run', () => {
    // Two runs of Adam's packing [beta1, beta2, eps, coupledWd, amsgrad].
    expect(anyHyper(ctx(2, [0.9, 0.999, 1e-8, 0, 0, 0.9, 0.999, 1e-8, 0, 1]), 5, 4)).toBe(true);
    expect(anyHyper(ctx(2, [0.9, 0.999, 1e-8, 0, 0, 0.9, 0.999, 1e-8, 0, 0]), 5, 4)).toBe(false);
    expect(anyHyper(ctx(2, [0.9, 0.999, 1e-8, 0.1, 0, 0.9, 0.999, 1e-8, 0, 0]), 5, 3)).toBe(true);
    expect(anyHyper(ctx(0, []), 5, 4)).toBe(false);
  });
});
