/**
 * Small, typed readers for untrusted JSON-like input. Each reader reports a specific problem
 * ({path, message}) into an Issues list and returns undefined instead of throwing.
 */
import type { ValidationError } from './types';

/** Collects validation errors; stops recording after `limit` (and says how many were dropped). */
export class Issues {
  readonly errors: ValidationError[] = [];
  private dropped = 0;
  constructor(private readonly limit = 100) {}

  add(path: string, message: string): void {
    if (this.errors.length < this.limit) this.errors.push({ path, message });
    else this.dropped++;
  }

  get count(): number {
    return this.errors.length + this.dropped;
  }

  /** The errors, with a final line counting any that were not recorded. */
  list(): ValidationError[] {
    if (this.dropped === 0) return this.errors.slice();
    return [...this.errors, { path: '', message: `... and ${this.dropped} more problems` }];
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `a.b`, or `b` at the root. */
export function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export function at(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** How a value reads in a message: JSON for small values, a kind for large ones. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return String(v);
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function' || typeof v === 'symbol') return `a ${typeof v}`;
  if (Array.isArray(v)) return v.length > 8 ? `an array of ${v.length} items` : clip(safeJson(v));
  if (isRecord(v)) return 'an object';
  return clip(safeJson(v));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return 'a deeply nested value';
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => [i, ...new Array<number>(n).fill(0)]);
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

/** The closest candidate when it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  // Long words get no suggestion: the edit-distance table is quadratic, and a short link can
  // inflate to a megabyte-long key.
  if (word.length > 64) return undefined;
  const w = word.toLowerCase();
  const allowedD = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > allowedD) continue;
    const d = c.toLowerCase() === w ? 0 : editDistance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return bestD <= allowed ? best : undefined;
}

export function suggestion(word: string, candidates: readonly string[]): string {
  const s = didYouMean(word, candidates);
  return s === undefined ? '' : ` (did you mean "${s}"?)`;
}

/** Reports every key of obj that is not allowed, with a did-you-mean. */
export function checkKeys(
  issues: Issues,
  obj: Record<string, unknown>,
  path: string,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      // Past the recorded limit only the count matters: skip the suggestion work.
      const hint = issues.count < 100 ? suggestion(key, allowed) : '';
      const shown = key.length > 60 ? `${key.slice(0, 57)}…` : key;
      issues.add(child(path, shown), `unknown field${hint}; expected one of ${allowed.join(', ')}`);
    }
  }
}

export function readObject(issues: Issues, raw: unknown, path: string): Record<string, unknown> | undefined {
  if (isRecord(raw)) return raw;
  issues.add(path, `expected an object, got ${show(raw)}`);
  return undefined;
}

export interface NumberRule {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

/** "an integer >= 1 and <= 10", "a number > 0". */
export function expectation(rule: NumberRule): string {
  const parts: string[] = [];
  if (rule.min !== undefined) parts.push(`${rule.minExclusive ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) parts.push(`${rule.maxExclusive ? '<' : '<='} ${rule.max}`);
  const kind = rule.integer ? 'an integer' : 'a number';
  return parts.length ? `${kind} ${parts.join(' and ')}` : kind;
}

/** Checks a value against a rule; returns the number or undefined after reporting. */
export function checkNumber(issues: Issues, v: unknown, path: string, rule: NumberRule): number | undefined {
  const bad = (): undefined => {
    issues.add(path, `expected ${expectation(rule)}, got ${show(v)}`);
    return undefined;
  };
  if (typeof v !== 'number' || !Number.isFinite(v)) return bad();
  if (rule.integer && !Number.isInteger(v)) return bad();
  if (rule.min !== undefined && (rule.minExclusive ? v <= rule.min : v < rule.min)) return bad();
  if (rule.max !== undefined && (rule.maxExclusive ? v >= rule.max : v > rule.max)) return bad();
  return v;
}

/** obj[key] as a number; the fallback when absent. */
export function readNumber(
  issues: Issues,
  obj: Record<string, unknown>,
  key: string,
  path: string,
  rule: NumberRule,
  fallback: number,
): number | undefined {
  const v = obj[key];
  if (v === undefined) return fallback;
  return checkNumber(issues, v, child(path, key), rule);
}

export function readBoolean(
  issues: Issues,
  obj: Record<string, unknown>,
  key: string,
  path: string,
  fallback: boolean,
): boolean | undefined {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  issues.add(child(path, key), `expected true or false, got ${show(v)}`);
  return undefined;
}

/** One of a fixed set of strings, with a did-you-mean. */
export function checkEnum<T extends string>(
  issues: Issues,
  v: unknown,
  path: string,
  what: string,
  options: readonly T[],
): T | undefined {
  if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
  if (typeof v === 'string') {
    issues.add(path, `unknown ${what} ${show(v)}${suggestion(v, options)}; expected one of ${options.join(', ')}`);
  } else {
    issues.add(path, `expected a string (one of ${options.join(', ')}), got ${show(v)}`);
  }
  return undefined;
}

/** An array of integers within a rule, at most maxLength long (checked before the items). */
export function checkIntArray(
  issues: Issues,
  v: unknown,
  path: string,
  rule: NumberRule,
  maxLength: number,
  tooLong: string,
): number[] | undefined {
  if (!Array.isArray(v)) {
    issues.add(path, `expected an array of integers, got ${show(v)}`);
    return undefined;
  }
  if (v.length > maxLength) {
    issues.add(path, tooLong);
    return undefined;
  }
  const out: number[] = [];
  let ok = true;
  v.forEach((item, i) => {
    const n = checkNumber(issues, item, at(path, i), { ...rule, integer: true });
    if (n === undefined) ok = false;
    else out.push(n);
  });
  return ok ? out : undefined;
}
