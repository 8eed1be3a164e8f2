import { describe, expect, it } from 'vitest';
import { unrollWgsl } from './unroll';

describe('unrollWgsl', () => {
  it('emits the tile sizes as constants and unrolls each directive, last index fastest', () => {
    const src = ['fn f() {', '  //#each u<TB, v<TJ: a{u}_{v} += w{v} * x{u};', '  let y = 1u;', '}'].join('\n');
    const out = unrollWgsl(src, { TB: 2, TJ: 3 }).split('\n');
    expect(out).toEqual([
      'const TB: u32 = 2u;',
      'const TJ: u32 = 3u;',
      'fn f() {',
      '  a0_0 += w0 * x0;',
      '  a0_1 += w1 * x0;',
      '  a0_2 += w2 * x0;',
      '  a1_0 += w0 * x1;',
      '  a1_1 += w1 * x1;',
      '  a1_2 += w2 * x1;',
      '  let y = 1u;',
      '}',
    ]);
  });
  it('leaves braces that are not loop variables alone', () => {
    expect(unrollWgsl('//#each t<TK: if (SCALED) { d{t} *= s; }', { TK: 2 }).split('\n').slice(1)).toEqual([
      'if (SCALED) { d0 *= s; }',
      'if (SCALED) { d1 *= s; }',
    ]);
  });
  it('rejects unknown sizes, malformed loops and out-of-range sizes with the line', () => {
    expect(() => unrollWgsl('x\n//#each u<TQ: a{u};', { TB: 2 })).toThrow('line 2: unknown tile size TQ');
    expect(() => unrollWgsl('//#each u<=TB: a{u};', { TB: 2 })).toThrow('line 1: expected "var<SIZE"');
    expect(() => unrollWgsl('', { TB: 0 })).toThrow('TB = 0');
    expect(() => unrollWgsl('', { tb: 2 })).toThrow('upper case');
  });
  it('keeps only the branches of //#if switches that hold, nested, and emits the switches as constants', () => {
    const src = [
      'a;',
      '//#if NEED_PREV',
      'b;',
      '//#if MODE == 0',
      'c;',
      '//#else',
      'd;',
      '//#endif',
      '//#else',
      'e;',
      '//#endif',
      '//#if !NEED_PREV',
      'f;',
      '//#endif',
      '//#if MODE != 2',
      '//#each u<TB: g{u};',
      '//#endif',
    ].join('\n');
    const body = (defines: Record<string, boolean | number>) => unrollWgsl(src, { TB: 2 }, defines).split('\n');
    expect(body({ NEED_PREV: true, MODE: 1 })).toEqual([
      'const TB: u32 = 2u;',
      'const NEED_PREV: bool = true;',
      'const MODE: u32 = 1u;',
      'a;',
      'b;',
      'd;',
      'g0;',
      'g1;',
    ]);
    expect(body({ NEED_PREV: false, MODE: 2 }).slice(3)).toEqual(['a;', 'e;', 'f;']);
    expect(body({ NEED_PREV: true, MODE: 0 }).slice(3)).toEqual(['a;', 'b;', 'c;', 'g0;', 'g1;']);
  });
  it('rejects unknown switches, unbalanced //#if blocks and bad values with the line', () => {
    expect(() => unrollWgsl('//#if NOPE\n//#endif', {}, { A: true })).toThrow('line 1: unknown define NOPE');
    expect(() => unrollWgsl('x\n//#if A', {}, { A: true })).toThrow('the //#if of line 2 has no //#endif');
    expect(() => unrollWgsl('//#endif', {}, {})).toThrow('line 1: //#endif without //#if');
    expect(() => unrollWgsl('//#if A\n//#else\n//#else\n//#endif', {}, { A: true })).toThrow(
      'line 3: second //#else for the //#if of line 1',
    );
    expect(() => unrollWgsl('//#if A < 2\n//#endif', {}, { A: 1 })).toThrow('line 1: expected "//#if NAME"');
    expect(() => unrollWgsl('', {}, { A: -1 })).toThrow('A = -1');
    expect(() => unrollWgsl('', { A: 2 }, { A: 1 })).toThrow('both a tile size and a define');
  });
});
