/**
 * The URL codec against hostile links (issue 8): random strings, random URL shapes and mutated
 * encodings fed to decodeExperiment and experimentFromUrl never throw and give a typed config or
 * specific errors; nothing reaches Object.prototype; oversized links (a 10 MB hash, a deflate
 * bomb, 10^6 runs) are refused before JSON.parse ever sees them. Fixed seeds: reproducible.
 */
import fc from 'fast-check';
import { deflateSync, strToU8 } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_DECODED_BYTES,
  MAX_ENCODED_BYTES,
  decodeExperiment,
  encodeExperiment,
  experimentFromUrl,
  toBase64Url,
} from '../../src/experiment/codec';
import { parseExperiment } from '../../src/experiment/validate';
import type { Experiment } from '../../src/schema/types';
import { baseExperiments, expectContract, expectNoPollution, mutate, mutation, prototypeSnapshot } from './helpers';

const RUNS = 10_000;
/** An extra property beyond the 10,000-run ones: each case deflates a mutated experiment. */
const RUNS_LINKED = 3_000;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Encodes any JSON text the way the codec does (so mutated, invalid experiments can be linked). */
function encodeText(text: string, level: 1 | 9 = 9): string {
  return `1.${toBase64Url(deflateSync(strToU8(text), { level }))}`;
}

const prefixes = [
  '',
  '#e=',
  'e=',
  '?e=',
  '#a=1&e=',
  'https://example.org/play/#e=',
  'https://h/?x=1&e=',
  'https://h/?e=1.AA#e=',
  ' #e= ',
  '#E=',
  '#e',
  '=',
  '#e=%',
];

const b64Text = fc.string({ unit: fc.constantFrom(...B64), maxLength: 300 });
const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom('%', 'E', '0', 'A', 'f', '#', '&', '=', '?', '.', '1', '-', '_', ' ', '\u0000', '\u{1F600}'),
    maxLength: 60,
  }),
  b64Text,
);
/** A random URL-ish string: some prefix, a format tag (often 1), and base64url or arbitrary text. */
const randomLink = fc
  .tuple(
    fc.constantFrom(...prefixes),
    fc.constantFrom('', '1.', '1.', '1.', '0.', '2.', '01.', '99999999999999999999.', '1..', 'x.'),
    fc.oneof(b64Text, anyText),
  )
  .map(([p, tag, body]) => p + tag + body);

type ByteMutation = {
  kind: 'flip' | 'insert' | 'delete' | 'truncate' | 'tag' | 'append' | 'percent';
  at: number;
  ch: string;
};
const byteMutation: fc.Arbitrary<ByteMutation> = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'tag', 'append', 'percent'),
  at: fc.nat(),
  ch: fc.oneof(fc.constantFrom(...B64), fc.string({ minLength: 1, maxLength: 3 })),
});

function mutateLink(link: string, muts: ByteMutation[]): string {
  let s = link;
  for (const m of muts) {
    const i = s.length === 0 ? 0 : m.at % s.length;
    if (m.kind === 'flip') s = s.slice(0, i) + m.ch + s.slice(i + 1);
    else if (m.kind === 'insert') s = s.slice(0, i) + m.ch + s.slice(i);
    else if (m.kind === 'delete') s = s.slice(0, i) + s.slice(i + 1 + (m.at % 7));
    else if (m.kind === 'truncate') s = s.slice(0, i);
    else if (m.kind === 'tag') s = m.ch + s.slice(s.indexOf('.') + 1);
    else if (m.kind === 'append') s = s + m.ch.repeat(1 + (m.at % 50));
    else s = s.slice(0, i) + '%' + m.ch + s.slice(i);
  }
  return s;
}

describe('codec fuzz', () => {
  const before = prototypeSnapshot();
  const bases = baseExperiments();
  const links = bases.map(encodeExperiment);

  it('valid experiments round-trip exactly through the link', () => {
    bases.forEach((e, i) => {
      expect(decodeExperiment(links[i])).toEqual({ ok: true, value: e });
      expect(experimentFromUrl(`https://example.org/#e=${links[i]}`)).toEqual({ ok: true, value: e });
    });
  });

  it(`${RUNS} random strings and URL shapes: decodeExperiment and experimentFromUrl give a config or errors`, () => {
    fc.assert(
      fc.property(fc.oneof(randomLink, anyText), (s) => {
        expectContract(decodeExperiment(s));
        expectContract(experimentFromUrl(s));
        expectNoPollution(before);
      }),
      { numRuns: RUNS, seed: 8101 },
    );
  });

  it(`${RUNS} mutated links (character flips, inserts, cuts, format tags, %-escapes) of valid experiments`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.nat(links.length - 1),
        fc.constantFrom('', '#e=', 'https://h/p?q=1#e='),
        fc.array(byteMutation, { minLength: 1, maxLength: 3 }),
        (i, prefix, muts) => {
          const link = prefix + mutateLink(links[i], muts);
          const res = experimentFromUrl(link);
          if (res.ok) accepted++;
          expectContract(res);
          if (prefix === '') expectContract(decodeExperiment(link));
          expectNoPollution(before);
        },
      ),
      { numRuns: RUNS, seed: 8102 },
    );
    // Some mutations leave a decodable link (e.g. an appended "&x=1" or a harmless flip): both branches run.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(RUNS);
  });

  it(`${RUNS_LINKED} links of mutated experiments decode exactly as the mutated JSON parses`, () => {
    fc.assert(
      fc.property(fc.nat(bases.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, muts) => {
        const text = JSON.stringify(mutate(bases[i], muts)) ?? 'null';
        if (text.length > MAX_DECODED_BYTES) return;
        const link = encodeText(text, 1);
        const res = experimentFromUrl(`#e=${link}`);
        expectContract(res);
        if (JSON.stringify(res) !== JSON.stringify(parseExperiment(JSON.parse(text))))
          throw new Error(`decoded differently: ${text.slice(0, 300)}`);
        expectNoPollution(before);
      }),
      { numRuns: RUNS_LINKED, seed: 8103 },
    );
  });

  it('hostile text stays inert data: markup in a label is kept as text, a colour cannot escape a style value', () => {
    const label = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const ok = decodeExperiment(encodeText(JSON.stringify({ ...bases[0], runs: [{ ...bases[0].runs[0], label }] })));
    expect(ok.ok && ok.value.runs[0].label).toBe(label);
    for (const color of ['red;background:url(javascript:alert(1))', 'expression(alert(1))"', '</style><script>']) {
      const bad = decodeExperiment(encodeText(JSON.stringify({ ...bases[0], runs: [{ ...bases[0].runs[0], color }] })));
      expect(bad.ok ? 'accepted' : bad.errors[0].path).toBe('runs[0].color');
    }
  });
});

describe('oversized links are refused before anything is parsed or allocated', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Runs `f` with JSON.parse watched: the refusal must come before the JSON text is ever parsed. */
  function refusedBeforeParse(f: () => ReturnType<typeof decodeExperiment>): string {
    const parse = vi.spyOn(JSON, 'parse');
    const res = f();
    expect(parse).not.toHaveBeenCalled();
    expect(res.ok).toBe(false);
    return res.ok ? '' : res.errors.map((e) => e.message).join('\n');
  }

  it('a 10 MB hash is refused from its length alone', () => {
    const huge = 'A'.repeat(10 * 1024 * 1024);
    const limit = `the limit is ${MAX_ENCODED_BYTES}`;
    expect(refusedBeforeParse(() => experimentFromUrl(`https://example.org/#e=1.${huge}`))).toMatch(
      new RegExp(`^the encoded experiment is \\d+ characters; ${limit}$`),
    );
    expect(refusedBeforeParse(() => decodeExperiment(`1.${huge}`))).toBe(
      `the encoded experiment is ${huge.length + 2} characters; ${limit}`,
    );
  });

  it('a deflate bomb (a 64 KB link that inflates to 40 MiB) stops at the 1 MiB cap', () => {
    const bomb = `1.${toBase64Url(deflateSync(new Uint8Array(40 * 1024 * 1024).fill(32), { level: 9 }))}`;
    expect(bomb.length).toBeLessThan(MAX_ENCODED_BYTES);
    expect(refusedBeforeParse(() => experimentFromUrl(`#e=${bomb}`))).toMatch(
      /^the experiment decompresses to more than 1048576 bytes \(1024 KiB\), the limit/,
    );
  });

  it('10^6 runs cannot fit a link: the JSON passes the decompression cap and is refused unparsed', () => {
    const text = `{"version":1,"runs":[${'{},'.repeat(999_999)}{}]}`;
    const link = encodeText(text);
    expect(link.length).toBeLessThan(MAX_ENCODED_BYTES);
    expect(refusedBeforeParse(() => experimentFromUrl(`#e=${link}`))).toMatch(
      /decompresses to more than 1048576 bytes/,
    );
  });

  it('width 10^6, steps 1e12 and 257 runs in a link: refused by the validator with the limit and what to reduce', () => {
    const base = baseExperiments()[0];
    const withBig = (over: Partial<Experiment> | Record<string, unknown>) =>
      experimentFromUrl(`#e=${encodeText(JSON.stringify({ ...base, ...over }))}`);
    const err = (r: ReturnType<typeof decodeExperiment>) =>
      r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
    expect(err(withBig({ model: { ...base.model, hidden: [1_000_000] } }))).toEqual([
      'model.hidden[0]: 1000000 units exceeds the limit of 4096; reduce the width',
    ]);
    expect(err(withBig({ steps: 1e12 }))).toEqual([
      'steps: 1000000000000 exceeds the limit of 1000000 steps; reduce steps',
    ]);
    expect(err(withBig({ runs: Array.from({ length: 257 }, () => base.runs[0]) }))).toEqual([
      'runs: 257 runs exceeds the limit of 256; remove 1 runs',
    ]);
  });
});
