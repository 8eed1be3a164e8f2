import { describe, expect, it } from 'vitest';
import { OPTIMIZERS, getOptimizer } from './registry';
import { STEP_SCALARS, type HyperSpec, type OptimizerDef } from './types';
import { checkDefaults, validateHyper } from './validate';

/** A value just outside one bound of a numeric spec, or undefined when it has none. */
function outOfRange(s: HyperSpec): number[] {
  const bad: number[] = [];
  if (s.min !== undefined) bad.push(s.minExclusive ? s.min : s.min - 1);
  if (s.max !== undefined) bad.push(s.maxExclusive ? s.max : s.max + 1);
  if (s.integer) bad.push(((s.min ?? 0) + (s.max ?? (s.min ?? 0) + 10)) / 2 + 0.5);
  return bad;
}

describe('optimizer registry', () => {
  it('has unique names and complete, self-consistent entries', () => {
    const names = OPTIMIZERS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const def of OPTIMIZERS) {
      expect(def.description.length, def.name).toBeGreaterThan(10);
      expect(def.rule.length, def.name).toBeGreaterThan(10);
      expect(def.source.length, def.name).toBeGreaterThan(5);
      const keys = def.hyperparams.map((h) => h.key);
      expect(new Set(keys).size, def.name).toBe(keys.length);
      expect(keys, def.name).toContain('lr');
      const hp = validateHyper(def, {}, def.name).value;
      expect(def.packHyper(hp).length, def.name).toBeLessThanOrEqual(def.hyperSize);
      const sc = def.stepScalars(hp, 1, 0.125);
      expect(sc[0], def.name).toBe(0.125);
      expect(sc.length, def.name).toBeLessThanOrEqual(STEP_SCALARS);
      expect(getOptimizer(def.name)).toBe(def);
    }
  });

  it("every optimizer's defaults pass its own ranges", () => {
    for (const def of OPTIMIZERS) expect(checkDefaults(def), def.name).toEqual([]);
  });

  it('fills defaults and keeps given values', () => {
    const sgd = getOptimizer('sgd')!;
    const { value, errors } = validateHyper(sgd, { lr: 0.5, nesterov: true, momentum: 0.9 }, 'runs[0].optimizer');
    expect(errors).toEqual([]);
    expect(value).toEqual({ lr: 0.5, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true });
  });

  it('gives a specific error for every out-of-range number, bad boolean and bad pair, for every optimizer', () => {
    for (const def of OPTIMIZERS as OptimizerDef[]) {
      for (const s of def.hyperparams) {
        const at = `runs[2].optimizer.${s.key}`;
        if (s.type === 'number') {
          for (const v of outOfRange(s)) {
            const { errors } = validateHyper(def, { [s.key]: v }, 'runs[2].optimizer');
            expect(errors, `${def.name}.${s.key}=${v}`).toHaveLength(1);
            expect(errors[0].path).toBe(at);
            expect(errors[0].message).toMatch(/^expected (a number|an integer)/);
            expect(errors[0].message).toContain(`got ${v}`);
          }
          const { errors } = validateHyper(def, { [s.key]: 'fast' }, 'runs[2].optimizer');
          expect(errors[0]).toMatchObject({ path: at, message: expect.stringContaining('got "fast"') });
        } else if (s.type === 'boolean') {
          const { errors } = validateHyper(def, { [s.key]: 1 }, 'runs[2].optimizer');
          expect(errors).toEqual([{ path: at, message: 'expected true or false, got 1' }]);
        } else {
          const bad = validateHyper(def, { [s.key]: [0.9, 1] }, 'runs[2].optimizer').errors;
          expect(bad).toEqual([{ path: `${at}[1]`, message: 'expected a number >= 0 and < 1, got 1' }]);
          const shape = validateHyper(def, { [s.key]: 0.9 }, 'runs[2].optimizer').errors;
          expect(shape[0]).toMatchObject({ path: at, message: expect.stringContaining('expected a pair') });
        }
      }
    }
  });

  it('names the field and the expectation for a negative lr', () => {
    const { errors } = validateHyper(getOptimizer('sgd')!, { lr: -0.1 }, 'runs[1].optimizer');
    expect(errors).toEqual([{ path: 'runs[1].optimizer.lr', message: 'expected a number > 0, got -0.1' }]);
  });

  it('rejects unknown hyperparameters with a did-you-mean', () => {
    const { errors } = validateHyper(getOptimizer('sgd')!, { momentun: 0.9 }, 'runs[0].optimizer');
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('runs[0].optimizer.momentun');
    expect(errors[0].message).toContain('unknown hyperparameter for sgd (did you mean "momentum"?)');
  });
});
