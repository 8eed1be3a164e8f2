import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deflateSync, strToU8 } from 'fflate';
import {
  decodeExperiment,
  encodeExperiment,
  experimentFromUrl,
  experimentHash,
  fromBase64Url,
  toBase64Url,
  MAX_ENCODED_BYTES,
} from './codec';
import { defaultExperiment } from './defaults';
import type { Experiment, Result } from './types';

const encodeRaw = (json: string) => `1.${toBase64Url(deflateSync(strToU8(json)))}`;

function firstError(res: Result<Experiment>): string {
  expect(res.ok).toBe(false);
  return res.ok ? '' : `${res.errors[0].path}: ${res.errors[0].message}`;
}

describe('URL codec', () => {
  it('round-trips the default experiment through a URL-safe string', () => {
    const exp = defaultExperiment();
    const s = encodeExperiment(exp);
    expect(s.startsWith('1.')).toBe(true);
    expect(s).toMatch(/^1\.[A-Za-z0-9_-]+$/);
    expect(s.length).toBeLessThan(JSON.stringify(exp).length);
    expect(decodeExperiment(s)).toEqual({ ok: true, value: exp });
  });

  it('round-trips a refined schedule with many factors', () => {
    const exp = defaultExperiment();
    const factors = Array.from({ length: exp.steps }, (_, t) => Number((1 - t / exp.steps).toPrecision(6)));
    exp.runs.push({ label: 'refined', optimizer: exp.runs[0].optimizer, schedule: { name: 'refined', factors } });
    const res = decodeExperiment(encodeExperiment(exp));
    expect(res.ok).toBe(true);
    if (res.ok) expect(res.value.runs[2].schedule.factors).toEqual(factors);
  });

  it('reads full URLs, hashes, parameter strings and bare codes', () => {
    const exp = defaultExperiment();
    const code = encodeExperiment(exp);
    for (const input of [
      `https://example.org/playground/${experimentHash(exp)}`,
      `http://localhost:5173/?x=1#foo=bar&e=${code}`,
      `https://example.org/?e=${encodeURIComponent(code)}`,
      experimentHash(exp),
      `e=${code}`,
      code,
      `  ${code}\n`,
    ]) {
      expect(experimentFromUrl(input), input).toEqual({ ok: true, value: exp });
    }
    expect(firstError(experimentFromUrl('https://example.org/#x=1'))).toContain('no "e=" parameter');
  });

  it('base64url encodes and decodes every length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const s = toBase64Url(bytes);
        expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(s)).toEqual(bytes);
      }),
    );
  });

  it('gives specific errors for garbage, truncated, oversized and future input', () => {
    const code = encodeExperiment(defaultExperiment());
    expect(firstError(decodeExperiment('hello'))).toContain('expected a format tag such as "1."');
    expect(firstError(decodeExperiment('1.abc$def'))).toContain('unexpected character "$" at position 4');
    expect(firstError(decodeExperiment('1.'))).toContain('no data');
    expect(firstError(decodeExperiment('1.AAAAA'))).toContain('impossible length');
    expect(firstError(decodeExperiment(code.slice(0, code.length - 12)))).toMatch(/truncated/);
    expect(firstError(decodeExperiment('1.' + 'A'.repeat(40)))).toMatch(/truncated|corrupt/);
    expect(firstError(decodeExperiment('3.' + code.slice(2)))).toContain(
      'link format 3 is newer than this playground supports (1)',
    );
    expect(firstError(decodeExperiment('0.' + code.slice(2)))).toContain('unknown link format 0');
    expect(firstError(decodeExperiment('1.' + 'A'.repeat(MAX_ENCODED_BYTES)))).toContain('the limit is 65536');
    expect(firstError(experimentFromUrl('#e=1.' + 'A'.repeat(MAX_ENCODED_BYTES + 5000)))).toContain(
      'the limit is 65536',
    );
  });

  it('stops decompressing past 1 MiB (a small link that inflates hugely)', () => {
    const bomb = encodeRaw(' '.repeat(3 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(MAX_ENCODED_BYTES);
    expect(firstError(decodeExperiment(bomb))).toContain('decompresses to more than 1048576 bytes (1024 KiB)');
  });

  it('reports bad JSON, bad UTF-8 and invalid experiments after decoding', () => {
    expect(firstError(decodeExperiment(encodeRaw('{"version": 1,')))).toContain('not valid JSON');
    const badUtf8 = `1.${toBase64Url(deflateSync(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])))}`;
    expect(firstError(decodeExperiment(badUtf8))).toContain('not valid UTF-8');
    const future = { ...defaultExperiment(), version: 2 };
    expect(firstError(decodeExperiment(encodeRaw(JSON.stringify(future))))).toMatch(
      /^version: 2 is newer than this playground supports \(1\)/,
    );
    expect(firstError(decodeExperiment(encodeRaw('{"runs": []}')))).toBe('runs: expected at least one run');
  });

  it('never throws on random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        expect(typeof decodeExperiment(s).ok).toBe('boolean');
        expect(typeof decodeExperiment('1.' + s).ok).toBe('boolean');
        expect(typeof experimentFromUrl('#e=1.' + s).ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });
});
