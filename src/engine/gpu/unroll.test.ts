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
});
