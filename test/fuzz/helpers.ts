/**
 * Shared pieces of the fuzz tests: valid base experiments, a mutator for JSON trees, a generator
 * of JSON-ish values with hostile keys, and the contract every parser result must meet.
 */
import fc from 'fast-check';
import type { Experiment, Result } from '../../src/schema/types';
import { defaultExperiment, runWithDefaults } from '../../src/experiment/defaults';
import { parseExperiment } from '../../src/experiment/validate';
import { optimizerNames } from '../../src/engine/optim/registry';

/** Keys that reach Object.prototype when an object is filled by plain assignment. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
];

let cachedBases: Experiment[] | undefined;

/** Valid experiments covering every optimizer, schedule, data kind and metric block (fresh copies). */
export function baseExperiments(): Experiment[] {
  cachedBases ??= buildBases();
  return cachedBases.map((e) => structuredClone(e));
}

function buildBases(): Experiment[] {
  const d = defaultExperiment();
  const allOptimizers: Experiment = {
    ...d,
    runs: optimizerNames().map((name) => runWithDefaults({ optimizer: { name } })),
  };
  const schedules: Experiment = {
    ...d,
    steps: 12,
    batchSize: 16,
    varySeedPerRun: true,
    runs: [
      runWithDefaults({
        label: 'step',
        color: '#1f77b4',
        schedule: { name: 'step', warmup: 2, stepSize: 4, gamma: 0.5 },
      }),
      runWithDefaults({ optimizer: { name: 'adam', lr: 0.01 }, schedule: { name: 'cosine', minFactor: 0.1 } }),
      runWithDefaults({
        optimizer: { name: 'sgd', lr: 0.1 },
        schedule: { name: 'refined', factors: Array.from({ length: 12 }, (_, i) => 1 - i / 12) },
      }),
      runWithDefaults({ schedule: { name: 'exponential', gamma: 0.99 } }),
      runWithDefaults({ schedule: { name: 'linear' } }),
    ],
    metrics: {
      every: 2,
      evalSubset: 64,
      sharpness: { every: 4, iters: 5, tol: 1e-3, subset: 32 },
      trace: { every: 6, samples: 3, subset: 16 },
    },
  };
  const regression: Experiment = {
    ...d,
    data: {
      kind: 'teacher-student',
      nTrain: 64,
      nTest: 32,
      inputDim: 4,
      outputDim: 2,
      teacherHidden: [8, 4],
      teacherActivation: 'tanh',
      noise: 0.1,
    },
    model: { kind: 'mlp', hidden: [], activation: 'linear', initScale: 0.5, bias: false },
    loss: 'mse',
  };
  const classes: Experiment = {
    ...d,
    data: { kind: 'spiral', nTrain: 90, nTest: 30, nClasses: 3, turns: 1.5, noise: 0.05 },
    model: { kind: 'mlp', hidden: [16, 16], activation: 'gelu', initScale: 1, bias: true },
    loss: 'cross-entropy',
  };
  const logistic: Experiment = { ...d, data: { kind: 'xor', nTrain: 50, nTest: 50, noise: 0.1 }, loss: 'logistic' };
  return [d, allOptimizers, schedules, regression, classes, logistic].map((e) => structuredClone(e));
}

/** Sets own property `key` (even "__proto__") the way JSON.parse does, never through the prototype. */
export function setOwn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Nested arrays or objects `depth` levels deep. */
export function nest(depth: number, asObject: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

const pollutionPayload = () => ({ polluted: true, isAdmin: true, toString: 'x' });

/** Values chosen to break validators: edge numbers, number-like strings, wrong types, deep and long values. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    1e308,
    -1e308,
    1e12,
    1e6,
    4097,
    257,
    2 ** 32,
    2 ** 53 + 2,
    -1,
    0,
    -0,
    0.5,
    1e-320,
    'NaN',
    'Infinity',
    '-Infinity',
    '1e309',
    '1e12',
    '0x10',
    '',
    ' ',
    'full',
    '__proto__',
    '<script>alert(1)</script>',
    'javascript:alert(1)',
    'url(javascript:x)',
    true,
    false,
    null,
    undefined,
    [],
    {},
    [1e6],
    [0],
    [-1],
    [1.5],
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 40 }),
  // Long strings are rare here: see the dedicated tests (an unknown long string costs edit-distance time).
  { arbitrary: fc.constantFrom(201, 2000).map((n) => 'x'.repeat(n)), weight: 1 },
  fc.tuple(fc.constantFrom(3, 50, 1000), fc.boolean()).map(([d, o]) => nest(d, o)),
  fc.constant(null).map(() => {
    const o = {};
    setOwn(o, '__proto__', pollutionPayload());
    return o;
  }),
  fc.constant(null).map(() => ({ constructor: { prototype: pollutionPayload() } })),
);

export const anyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_KEYS),
  fc.constantFrom(
    'version',
    'seed',
    'data',
    'model',
    'loss',
    'steps',
    'batchSize',
    'runs',
    'metrics',
    'hidden',
    'lr',
    'name',
    'kind',
    'label',
  ),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(100, 300).map((n) => 'k'.repeat(n)),
);

/**
 * JSON-ish values: JSON types plus NaN/Infinity/-0/undefined, with hostile keys set as own
 * properties (as JSON.parse would) and a bias towards experiment-shaped objects.
 */
export const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown; obj: object }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 20 }), nastyValue),
    fc.array(tie('value'), { maxLength: 5 }),
    tie('obj'),
  ),
  obj: fc.array(fc.tuple(anyKey, tie('value')), { maxLength: 6 }).map((entries) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) setOwn(o, k, v);
    return o;
  }),
})).value;

/** An experiment-shaped object: a base experiment with some top-level fields replaced by jsonish values. */
export const experimentish: fc.Arbitrary<unknown> = fc
  .tuple(fc.nat(), fc.array(fc.tuple(anyKey, jsonish), { maxLength: 4 }))
  .map(([i, entries]) => {
    cachedBases ??= buildBases();
    const o = structuredClone(cachedBases[i % cachedBases.length]) as unknown as Record<string, unknown>;
    for (const [k, v] of entries) setOwn(o, k, v);
    return o;
  });

type Container = Record<string, unknown> | unknown[];
interface Slot {
  parent: Container;
  key: string | number;
}

/** Every (parent, key) slot of a JSON tree, parents before children. */
export function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v))
      v.forEach((c, i) => {
        out.push({ parent: v, key: i });
        walk(c);
      });
    else if (typeof v === 'object' && v !== null)
      for (const k of Object.keys(v)) {
        out.push({ parent: v as Record<string, unknown>, key: k });
        walk((v as Record<string, unknown>)[k]);
      }
  };
  walk(root);
  return out;
}

export type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'swap'; at: number }
  | { op: 'add'; at: number; key: string; value: unknown }
  | { op: 'duplicate'; at: number; times: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: nastyValue }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), at: fc.nat(), key: anyKey, value: fc.oneof(nastyValue, jsonish) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), times: fc.constantFrom(1, 2, 257) }),
);

/** The same value as another JSON type: 3 -> "3", "a" -> ["a"], [..] -> {0: ..}, {..} -> [values]. */
function swapType(v: unknown): unknown {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v !== '' && !Number.isNaN(Number(v)) ? Number(v) : [v];
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Array.isArray(v)) return { ...v };
  if (v && typeof v === 'object') return Object.values(v);
  return v === null ? 'null' : null;
}

/** A copy, so that constants shared between fuzz runs are never changed in place. */
function fresh(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

/** Applies mutations to a deep copy of `root` (slot indices wrap around). */
export function mutate(root: unknown, muts: Mutation[]): unknown {
  const box: Record<string, unknown> = { root: structuredClone(root) };
  for (const m of muts) {
    const all = [{ parent: box, key: 'root' } as Slot, ...slots(box.root)];
    const s = all[m.at % all.length];
    const p = s.parent as Record<string | number, unknown>;
    const cur = p[s.key];
    if (m.op === 'delete') {
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete p[s.key];
    } else if (m.op === 'replace') p[s.key] = fresh(m.value);
    else if (m.op === 'swap') p[s.key] = swapType(cur);
    else if (m.op === 'add') {
      const target = typeof cur === 'object' && cur !== null ? cur : s.parent;
      if (Array.isArray(target)) target.push(fresh(m.value));
      else setOwn(target, m.key, fresh(m.value));
    } else if (m.op === 'duplicate' && Array.isArray(s.parent)) {
      for (let i = 0; i < m.times; i++) s.parent.push(structuredClone(cur));
    }
  }
  return box.root;
}

const FALLBACK = 'could not validate the experiment';

/** A failed property check (plain throws: 10,000 runs through vitest's expect would be slow). */
function check(cond: boolean, what: string, detail?: unknown): asserts cond {
  if (!cond) throw new Error(`${what}${detail === undefined ? '' : `: ${safe(detail)}`}`);
}

function safe(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 500) ?? String(v);
  } catch {
    return typeof v;
  }
}

/**
 * The parser contract: a typed config that re-validates to itself (also after a JSON round trip),
 * made only of plain objects and arrays; or a non-empty list of {path, message} strings. A caught
 * validator crash (the fallback message) counts as a failure unless `allowFallback`.
 */
export function expectContract(res: Result<Experiment>, allowFallback = false): void {
  check(typeof res === 'object' && res !== null && typeof res.ok === 'boolean', 'not a Result', res);
  if (res.ok) {
    const text = JSON.stringify(res.value);
    const again = parseExperiment(res.value);
    check(again.ok && JSON.stringify(again.value) === text, 'the config does not re-validate to itself', again);
    const viaJson = parseExperiment(JSON.parse(text));
    check(
      viaJson.ok && JSON.stringify(viaJson.value) === text,
      'the config does not survive a JSON round trip',
      viaJson,
    );
    expectPlainTree(res.value);
    return;
  }
  check(Array.isArray(res.errors) && res.errors.length > 0, 'no errors on failure', res);
  for (const e of res.errors) {
    const keys = Object.keys(e).sort().join(',');
    check(keys === 'message,path', 'an error is not {path, message}', e);
    check(
      typeof e.path === 'string' && typeof e.message === 'string' && e.message.length > 0,
      'an error is not two strings',
      e,
    );
    if (!allowFallback) check(!e.message.startsWith(FALLBACK), 'the validator crashed', e);
  }
}

/** Every object in a parsed value has the ordinary prototype and no own hostile key; numbers are finite. */
export function expectPlainTree(v: unknown): void {
  if (Array.isArray(v)) {
    check(Object.getPrototypeOf(v) === Array.prototype, 'an array with another prototype');
    v.forEach(expectPlainTree);
  } else if (typeof v === 'object' && v !== null) {
    check(Object.getPrototypeOf(v) === Object.prototype, 'an object with another prototype', v);
    for (const k of Object.keys(v)) {
      check(k !== '__proto__' && k !== 'constructor' && k !== 'prototype', 'a hostile key in the config', k);
      expectPlainTree((v as Record<string, unknown>)[k]);
    }
  } else {
    check(
      typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)),
      'a non-JSON value',
      v,
    );
  }
}

/** Object.prototype's own property names and descriptors, to compare before/after. */
export function prototypeSnapshot(): string {
  const names = [
    ...Object.getOwnPropertyNames(Object.prototype),
    ...Object.getOwnPropertyNames(Array.prototype).map((n) => `Array.${n}`),
  ];
  return names.sort().join(',');
}

/** Nothing was added to Object.prototype or Array.prototype. */
export function expectNoPollution(before: string): void {
  check(prototypeSnapshot() === before, 'Object.prototype or Array.prototype gained a property');
  const probe = {} as Record<string, unknown>;
  check(probe.polluted === undefined && probe.isAdmin === undefined, 'Object.prototype was polluted');
  check((probe.toString as unknown) === Object.prototype.toString, 'Object.prototype.toString was replaced');
  check(([] as unknown as Record<string, unknown>).polluted === undefined, 'Array.prototype was polluted');
}
