/**
 * Every registered optimizer has a GPU-vs-CPU parity test: a PARITY_CASES entry (run by
 * parity_gpu.test.ts) or, for the optimizers with several dispatches per step, a test titled
 * '<name>: ...' in one of this folder's *_gpu.test.ts files. A new registry entry without either fails here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PARITY_CASES } from './parity_cases';
import { OPTIMIZERS } from './registry';

const dir = new URL('.', import.meta.url);

/** Optimizer names of the `it('<name>: ...')` titles in the folder's *_gpu.test.ts files. */
function ownGpuTests(): Set<string> {
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('_gpu.test.ts') && n !== 'parity_gpu.test.ts')) {
    for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/\bit\('([a-z0-9-]+): /g)) names.add(m[1]);
  }
  return names;
}

describe('optimizer parity coverage', () => {
  it('every registry entry has a GPU-vs-CPU parity test', () => {
    const inCases = new Set(PARITY_CASES.map(([def]) => def.name));
    const own = ownGpuTests();
    const missing = OPTIMIZERS.map((d) => d.name).filter((n) => !inCases.has(n) && !own.has(n));
    expect(missing).toEqual([]);
  });

  it('every parity case is a registered optimizer, with at least two runs', () => {
    for (const [def, runs] of PARITY_CASES) {
      expect(OPTIMIZERS, def.name).toContain(def);
      expect(runs.length, def.name).toBeGreaterThanOrEqual(2);
    }
  });
});
