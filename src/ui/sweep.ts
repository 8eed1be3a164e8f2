/**
 * Sweeps: one hyperparameter of a run expanded over a linear or log range into many runs.
 * Betas are swept one component at a time ("betas.0" or "betas.1").
 */
import type { HyperValue, RunConfig } from '../experiment/types';
import type { HyperSpec } from '../engine/optim/types';
import { viridis } from './palette';

export interface SweepSpec {
  /** A numeric hyperparameter key, or "betas.0" / "betas.1". */
  key: string;
  from: number;
  to: number;
  count: number;
  scale: 'linear' | 'log';
}

export const MAX_SWEEP_RUNS = 64;

/** The keys a run of this optimizer can sweep. */
export function sweepableKeys(specs: readonly HyperSpec[]): string[] {
  const keys: string[] = [];
  for (const s of specs) {
    if (s.type === 'number') keys.push(s.key);
    else if (s.type === 'betas') keys.push(`${s.key}.0`, `${s.key}.1`);
  }
  return keys;
}

export function specForKey(specs: readonly HyperSpec[], key: string): HyperSpec | undefined {
  return specs.find((s) => s.key === key.split('.')[0]);
}

/** The swept values, or a specific message saying what is wrong with the sweep. */
export function sweepValues(spec: SweepSpec, hyper?: HyperSpec): number[] | string {
  const { from, to, scale } = spec;
  const count = Math.floor(spec.count);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return 'from and to must be numbers';
  if (!Number.isInteger(spec.count) || count < 2 || count > MAX_SWEEP_RUNS)
    return `count must be a whole number from 2 to ${MAX_SWEEP_RUNS}`;
  if (scale === 'log' && (from <= 0 || to <= 0)) return 'a log sweep needs from and to greater than 0';
  const values: number[] = [];
  for (let k = 0; k < count; k++) {
    const f = k / (count - 1);
    const v = scale === 'log' ? Math.exp(Math.log(from) + (Math.log(to) - Math.log(from)) * f) : from + (to - from) * f;
    values.push(tidy(hyper?.integer ? Math.round(v) : v));
  }
  if (hyper) {
    const bad = values.find((v) => outOfRange(v, hyper));
    if (bad !== undefined) return `${bad} is outside the range of ${spec.key}${rangeHint(hyper)}`;
  }
  const unique = [...new Set(values)];
  return unique.length >= 2 ? unique : 'the sweep gives fewer than 2 distinct values';
}

function outOfRange(v: number, s: HyperSpec): boolean {
  if (s.min !== undefined && (s.minExclusive ? v <= s.min : v < s.min)) return true;
  if (s.max !== undefined && (s.maxExclusive ? v >= s.max : v > s.max)) return true;
  return false;
}

function rangeHint(s: HyperSpec): string {
  const lo = s.min === undefined ? '(-inf' : `${s.minExclusive ? '(' : '['}${s.min}`;
  const hi = s.max === undefined ? 'inf)' : `${s.max}${s.maxExclusive ? ')' : ']'}`;
  return ` ${lo}, ${hi}`;
}

/** 4 significant digits: 0.1 + 0.2 shows as 0.3 and labels stay short. */
export function tidy(v: number): number {
  return Number(v.toPrecision(4));
}

/**
 * Copies of `run` with spec.key set to each value, coloured along viridis and labelled by
 * `labelFor` (the optimizer's generated label) or, without it, the run's label with key=value.
 */
export function expandSweep(
  run: RunConfig,
  spec: SweepSpec,
  hyper?: HyperSpec,
  labelFor?: (optimizer: RunConfig['optimizer']) => string,
): RunConfig[] | string {
  const values = sweepValues(spec, hyper);
  if (typeof values === 'string') return values;
  const [key, part] = spec.key.split('.');
  const base = run.label.replace(/\s+\S+=\S+$/, '');
  return values.map((v, i) => {
    const optimizer = structuredClone(run.optimizer);
    if (part === undefined) optimizer[key] = v;
    else {
      const cur = optimizer[key];
      const pair: [number, number] = Array.isArray(cur) ? [cur[0], cur[1]] : [0.9, 0.999];
      pair[Number(part)] = v;
      optimizer[key] = pair as HyperValue;
    }
    return {
      label: labelFor ? labelFor(optimizer) : `${base} ${spec.key}=${v}`,
      color: viridis(values.length === 1 ? 0 : i / (values.length - 1)),
      optimizer,
      schedule: structuredClone(run.schedule),
    };
  });
}
