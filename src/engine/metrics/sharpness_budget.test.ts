import { describe, expect, it } from 'vitest';
import { LANCZOS_WARM_ITERS, LANCZOS_WARM_PER_PAIR, firstSharpnessStep, sharpnessBudget } from './sharpness_budget';

const m = (every: number, sEvery: number, iters = 20, k?: number) => ({
  every,
  sharpness: { every: sEvery, iters, k },
});

describe('sharpness budgets', () => {
  it("gives the full budget to each kind's first estimate and at most 8 after", () => {
    expect(LANCZOS_WARM_ITERS).toBe(8);
    expect(sharpnessBudget(m(1, 5), 100, 0, 'sharpness')).toBe(20);
    expect(sharpnessBudget(m(1, 5), 100, 5, 'sharpness')).toBe(8);
    expect(sharpnessBudget(m(1, 5), 100, 5, 'precond')).toBe(20);
    expect(sharpnessBudget(m(1, 5), 100, 10, 'precond')).toBe(8);
    expect(sharpnessBudget(m(1, 5, 50), 100, 0, 'sharpness')).toBe(32);
    expect(sharpnessBudget(m(1, 5, 3), 100, 5, 'sharpness')).toBe(3);
  });
  it('adds 4 warm products per eigenvalue after the first (k > 1), within the full budget; precond stays at 8', () => {
    expect(LANCZOS_WARM_PER_PAIR).toBe(4);
    expect(sharpnessBudget(m(1, 5, 20, 1), 100, 5, 'sharpness')).toBe(8);
    expect(sharpnessBudget(m(1, 5, 20, 2), 100, 5, 'sharpness')).toBe(12);
    expect(sharpnessBudget(m(1, 5, 20, 3), 100, 5, 'sharpness')).toBe(16);
    expect(sharpnessBudget(m(1, 5, 20, 5), 100, 5, 'sharpness')).toBe(20);
    expect(sharpnessBudget(m(1, 5, 32, 5), 100, 5, 'sharpness')).toBe(24);
    expect(sharpnessBudget(m(1, 5, 20, 3), 100, 0, 'sharpness')).toBe(20);
    expect(sharpnessBudget(m(1, 5, 20, 3), 100, 10, 'precond')).toBe(8);
  });
  it('finds the first logged measurement step from the schedule alone', () => {
    expect(firstSharpnessStep(m(4, 6), 100, 'precond')).toBe(12);
    expect(firstSharpnessStep(m(40, 6), 30, 'precond')).toBe(30); // the last step is logged
    expect(firstSharpnessStep(m(40, 7), 30, 'precond')).toBeUndefined();
    expect(firstSharpnessStep(m(1, 0), 30, 'sharpness')).toBeUndefined();
    expect(firstSharpnessStep(m(3, 2), Infinity, 'precond')).toBe(6);
  });
});
