import { describe, expect, it } from 'vitest';
import { anyHyper } from './common';
import type { GpuOptimizerContext } from './types';

describe('anyHyper (options compiled out when no run of a population uses them)', () => {
  const ctx = (runs: number, hyper: number[]) =>
    ({ runs, hyperHost: Float32Array.from(hyper) }) as unknown as GpuOptimizerContext;
  // A def packing [beta1, beta2, eps, coupledWd, amsgrad].
  const def = { name: 'test', hyper: ['beta1', 'beta2', 'eps', 'coupledWd', 'amsgrad'], hyperSize: 5 };
  it('finds a nonzero value of the named hyper slot in any run', () => {
    expect(anyHyper(ctx(2, [0.9, 0.999, 1e-8, 0, 0, 0.9, 0.999, 1e-8, 0, 1]), def, 'amsgrad')).toBe(true);
    expect(anyHyper(ctx(2, [0.9, 0.999, 1e-8, 0, 0, 0.9, 0.999, 1e-8, 0, 0]), def, 'amsgrad')).toBe(false);
    expect(anyHyper(ctx(2, [0.9, 0.999, 1e-8, 0.1, 0, 0.9, 0.999, 1e-8, 0, 0]), def, 'coupledWd')).toBe(true);
    expect(anyHyper(ctx(0, []), def, 'amsgrad')).toBe(false);
  });

  it('fails on a slot the def does not declare', () => {
    expect(() => anyHyper(ctx(1, [0, 0, 0, 0, 0]), def, 'amsGrad')).toThrow(/no hyper slot amsGrad/);
  });
});
