/**
 * parseExperiment against hostile input (issue 8): random JSON-ish values and mutated valid
 * experiments never throw and always give a typed config that re-validates to itself or a
 * non-empty list of {path, message}; nothing reaches Object.prototype; oversized configs are
 * refused by reading sizes only, before any element is visited or anything is allocated.
 * Fixed seeds keep the runs reproducible; a failure prints the seed and the shrunk input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../src/experiment/validate';
import { LIMITS } from '../../src/schema/limits';
import {
  baseExperiments,
  expectContract,
  expectNoPollution,
  experimentish,
  jsonish,
  mutate,
  mutation,
  prototypeSnapshot,
  setOwn,
} from './helpers';

const RUNS = 10_000;

describe('parseExperiment fuzz', () => {
  const before = prototypeSnapshot();

  it('the base experiments are valid and re-validate to themselves', () => {
    for (const e of baseExperiments()) {
      const res = parseExperiment(e);
      expect(res.ok ? [] : res.errors).toEqual([]);
      expectContract(res);
    }
  });

  it(`${RUNS} random JSON-ish values (hostile keys, NaN/Infinity, deep and long values): typed config or errors`, () => {
    fc.assert(
      fc.property(fc.oneof(jsonish, experimentish), (v) => {
        expectContract(parseExperiment(v));
        // The same value after a JSON round trip (what a file or a link delivers).
        let text: string | undefined;
        try {
          text = JSON.stringify(v);
        } catch {
          text = undefined; // e.g. too deep to serialize: nothing a file could hold
        }
        if (text !== undefined) expectContract(parseExperiment(JSON.parse(text)));
        expectNoPollution(before);
      }),
      { numRuns: RUNS, seed: 8001 },
    );
  });

  it(`${RUNS} mutated valid experiments (deletions, type swaps, huge numbers, "NaN" strings, deep nesting, long strings, "__proto__" keys)`, () => {
    const bases = baseExperiments();
    let accepted = 0;
    fc.assert(
      fc.property(fc.nat(bases.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, muts) => {
        const input = mutate(bases[i], muts);
        const res = parseExperiment(input);
        if (res.ok) accepted++;
        expectContract(res);
        expectNoPollution(before);
      }),
      { numRuns: RUNS, seed: 8002 },
    );
    // Some mutations are harmless (e.g. a label swapped for another string): both branches are exercised.
    expect(accepted).toBeGreaterThan(RUNS / 100);
    expect(accepted).toBeLessThan(RUNS);
  });

  it('"__proto__", "constructor" and "prototype" keys are refused at every level and never become prototypes', () => {
    for (const base of baseExperiments()) {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        for (const where of ['', 'data', 'model', 'metrics', 'runs.0', 'runs.0.optimizer', 'runs.0.schedule']) {
          const e = structuredClone(base) as unknown as Record<string, unknown>;
          const target = where
            .split('.')
            .filter(Boolean)
            .reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, e);
          setOwn(target, key, { polluted: true, lr: 1e9 });
          const res = parseExperiment(JSON.parse(JSON.stringify(e)));
          expectContract(res);
          expect(res.ok, `${key} under ${where || 'the root'}`).toBe(false);
          if (!res.ok) expect(res.errors.some((x) => x.path.endsWith(key) && /unknown/.test(x.message))).toBe(true);
          expectNoPollution(before);
        }
      }
    }
  });
});

/**
 * An array of `length` holes that counts reads of its elements: a refusal that reads none of them
 * was decided from the length alone, before anything was built from the elements.
 */
function countingArray(length: number): { array: unknown[]; reads: () => number } {
  let reads = 0;
  const array = new Proxy(new Array<unknown>(length), {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
      return Reflect.get(target, prop, receiver);
    },
  });
  return { array, reads: () => reads };
}

describe('oversized configs are refused before allocation', () => {
  const base = () => baseExperiments()[0] as unknown as Record<string, unknown>;

  it('10^6 runs: refused from the length alone, without reading one run', () => {
    const { array, reads } = countingArray(1_000_000);
    const res = parseExperiment({ ...base(), runs: array });
    expect(res).toEqual({
      ok: false,
      errors: [
        {
          path: 'runs',
          message: `1000000 runs exceeds the limit of ${LIMITS.runs}; remove ${1_000_000 - LIMITS.runs} runs`,
        },
      ],
    });
    expect(reads()).toBe(0);
  });

  it('10^6 hidden layers: refused from the length alone', () => {
    const { array, reads } = countingArray(1_000_000);
    const res = parseExperiment({ ...base(), model: { ...(base().model as object), hidden: array } });
    expect(res.ok).toBe(false);
    if (!res.ok)
      expect(res.errors[0]).toEqual({
        path: 'model.hidden',
        message: expect.stringMatching(/^1000000 hidden layers exceeds the limit of 16/),
      });
    expect(reads()).toBe(0);
  });

  it('width 10^6, steps 1e12, 10^9 points, input dimension 10^9: each refused with the limit and what to reduce', () => {
    const b = base();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { model: { ...(b.model as object), hidden: [1_000_000] } },
        'model.hidden[0]',
        /^1000000 units exceeds the limit of 4096; reduce the width/,
      ],
      [{ steps: 1e12 }, 'steps', /^1000000000000 exceeds the limit of 1000000 steps; reduce steps/],
      [{ data: { ...(b.data as object), nTrain: 1e9 } }, 'data.nTrain', /exceeds the limit of 100000; reduce nTrain/],
      [
        {
          data: {
            kind: 'teacher-student',
            nTrain: 64,
            nTest: 0,
            inputDim: 1e9,
            outputDim: 1,
            teacherHidden: [4],
            teacherActivation: 'tanh',
            noise: 0,
          },
          loss: 'mse',
        },
        'data.inputDim',
        /^1000000000 exceeds the limit of 100000; reduce inputDim/,
      ],
      [
        { model: { ...(b.model as object), hidden: [4096, 4096, 4096, 4096] } },
        'model',
        /parameters per run .* exceeds the limit of 50,000,000; reduce model.hidden widths/,
      ],
    ];
    for (const [over, path, message] of cases) {
      const res = parseExperiment({ ...b, ...over });
      expect(res.ok, path).toBe(false);
      if (!res.ok) expect(res.errors.find((e) => e.path.startsWith(path))?.message, path).toMatch(message);
    }
  });

  it('a 10^6-element refined schedule is refused without reading its elements', () => {
    const { array, reads } = countingArray(1_000_000);
    const b = base();
    const runs = [{ label: 'r', optimizer: { name: 'sgd', lr: 0.1 }, schedule: { name: 'refined', factors: array } }];
    const res = parseExperiment({ ...b, runs });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.errors[0].path).toMatch(/^runs\[0\]\.schedule\.factors/);
    expect(reads()).toBe(0);
  });
});

describe('hostile keys stay cheap and short', () => {
  it('a 10^6-character unknown key is reported with a short path and no suggestion', async () => {
    const { parseExperiment } = await import('../../src/experiment/validate');
    const key = 'x'.repeat(1_000_000);
    const r = parseExperiment({ runs: [{ label: 'a', optimizer: { name: 'sgd', lr: 0.1 } }], [key]: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const e = r.errors.find((x) => x.message.startsWith('unknown field'))!;
      expect(e.path.length).toBeLessThanOrEqual(64);
      expect(e.message).not.toContain('did you mean');
    }
  });
});
