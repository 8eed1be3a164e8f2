import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from './registry';
import { byName, hyperIndex, namedSlots, slotAccessors } from './slots';
import { validateHyper } from './validate';

const shaders = new URL('../../../shaders/', import.meta.url);
const kernelFiles = readdirSync(shaders).filter((f) => /^optim_.*\.wgsl$/.test(f));
const source = (f: string) => readFileSync(new URL(f, shaders), 'utf8');
/** WGSL without its comments. */
const code = (f: string) => source(f).replace(/\/\/.*$/gm, '');

describe('named optimizer slots', () => {
  const slots = namedSlots('test', {
    hyper: ['beta1', 'eps'],
    scalars: ['lr', 'stepSize'],
    packHyper: (hp) => ({ beta1: hp.b as number, eps: 1e-8 }),
    stepScalars: (_hp, t, lr) => ({ lr, stepSize: lr / t }),
  });

  it('packs values given by name in declaration order', () => {
    expect(slots.hyper).toEqual(['beta1', 'eps']);
    expect(slots.hyperSize).toBe(2);
    expect(slots.packHyper({ b: 0.9 })).toEqual([0.9, 1e-8]);
    expect(slots.stepScalars({}, 4, 0.5)).toEqual([0.5, 0.125]);
  });

  it('fails loudly on a missing or an extra name, or a value that is not a number', () => {
    expect(() => byName('x', ['a', 'b'], { a: 1 })).toThrow(/x: no value for b/);
    expect(() => byName('x', ['a'], { a: 1, c: 2 })).toThrow(/x: c not among the declared slots \(a\)/);
    expect(() => byName('x', ['a'], { a: true as unknown as number })).toThrow(/a must be a number/);
    const leaky = namedSlots('leaky', {
      hyper: ['a'],
      scalars: ['lr'],
      packHyper: () => ({ a: 1, b: 2 }) as { a: number },
      stepScalars: () => ({}) as { lr: number },
    });
    expect(() => leaky.packHyper({})).toThrow(/leaky\.packHyper: b not among/);
    expect(() => leaky.stepScalars({}, 1, 0.1)).toThrow(/leaky\.stepScalars: no value for lr/);
  });

  it('rejects bad declarations when the def is made', () => {
    const make = (hyper: string[], scalars: string[]) =>
      namedSlots('bad', { hyper, scalars, packHyper: () => ({}), stepScalars: () => ({}) });
    expect(() => make(['one_minus'], ['lr'])).toThrow(/letters and digits/);
    expect(() => make(['a', 'a'], ['lr'])).toThrow(/repeat/);
    expect(() => make([], ['stepSize', 'lr'])).toThrow(/first step scalar must be lr/);
    expect(() => make([], ['lr', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])).toThrow(/9 scalars slots, at most 8/);
    expect(() =>
      make(
        Array.from({ length: 17 }, (_, k) => `h${k}`),
        ['lr'],
      ),
    ).toThrow(/at most 16/);
  });

  it('generates one WGSL accessor per slot', () => {
    const wgsl = slotAccessors({ name: 'test', hyper: slots.hyper, scalars: slots.scalars });
    expect(wgsl).toContain('fn hp_beta1(r: u32) -> f32 { return hp(r, 0u); }');
    expect(wgsl).toContain('fn hp_eps(r: u32) -> f32 { return hp(r, 1u); }');
    expect(wgsl).toContain('fn sc_lr(r: u32) -> f32 { return sc(r, 0u); }');
    expect(wgsl).toContain('fn sc_stepSize(r: u32) -> f32 { return sc(r, 1u); }');
    expect(hyperIndex({ name: 'test', hyper: slots.hyper }, 'eps')).toBe(1);
    expect(() => hyperIndex({ name: 'test', hyper: slots.hyper }, 'beta2')).toThrow(/no hyper slot beta2/);
  });

  it('every registered optimizer declares its slots and fills exactly them', () => {
    for (const def of OPTIMIZERS) {
      expect(def.hyperSize, def.name).toBe(def.hyper.length);
      expect(def.scalars[0], def.name).toBe('lr');
      const hp = validateHyper(def, {}, def.name).value;
      for (const t of [1, 2, 1000]) {
        expect(def.packHyper(hp), def.name).toHaveLength(def.hyper.length);
        const sc = def.stepScalars(hp, t, 0.125);
        expect(sc, def.name).toHaveLength(def.scalars.length);
        expect(sc[0], def.name).toBe(0.125);
      }
    }
  });
});

describe('optimizer kernels read their slots by name', () => {
  it('finds the kernels', () => {
    expect(kernelFiles).toContain('optim_adam.wgsl');
    expect(kernelFiles.length).toBeGreaterThanOrEqual(13);
  });

  it('no kernel indexes hyperparameters or step scalars by position', () => {
    // hp(r, 2u), sc(r, 1u), hp(r, k): any call of the positional readers outside their own
    // definitions (the generated accessors are the only callers), and any direct read of the
    // hyper or scalars buffers outside the definitions and optim_common.wgsl's load_run.
    const found: string[] = [];
    for (const f of kernelFiles) {
      code(f)
        .split('\n')
        .forEach((line, k) => {
          if (/^\s*fn (hp|sc)\(/.test(line)) return;
          if (/(?<![\w.])(hp|sc)\s*\(/.test(line)) found.push(`${f}:${k + 1}: ${line.trim()}`);
          if (/\b(hyper|hyperR|scalars)\s*\[/.test(line) && !(f === 'optim_common.wgsl' && /hpRun|scRun/.test(line)))
            found.push(`${f}:${k + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('every accessor a kernel calls is a slot some registered optimizer declares', () => {
    const hyper = new Set(OPTIMIZERS.flatMap((d) => d.hyper));
    const scalars = new Set(OPTIMIZERS.flatMap((d) => d.scalars));
    const unknown: string[] = [];
    for (const f of kernelFiles)
      for (const [, kind, name] of code(f).matchAll(/\b(hp|sc)_([A-Za-z0-9]+)\s*\(/g))
        if (!(kind === 'hp' ? hyper : scalars).has(name)) unknown.push(`${f}: ${kind}_${name}`);
    expect(unknown).toEqual([]);
  });
});
