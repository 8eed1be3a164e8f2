/**
 * Learning-rate schedules (docs/optimizers.md, "Learning-rate schedules"). scheduleFactor(s, t0, steps) is the multiplier of the peak lr
 * for step t0+1 (t0 is 0-based). Every schedule may start with a linear warmup of W steps (factor
 * (t0+1)/W), then runs over the remaining T' = steps - W steps with u = t0 - W:
 *   constant 1 | step gamma^floor(u/stepSize) | exponential gamma^u | linear 1 - u/T' (to 0)
 *   cosine minF + (1 - minF)(1 + cos(pi u/T'))/2 | refined factors[t0] (no warmup: built in)
 * refineSchedule() derives `factors` from a finished run's gradient norms.
 */
import type { ScheduleConfig, ScheduleName, ValidationError } from '../../schema/types';
import { Issues, checkEnum, checkKeys, checkNumber, child, isRecord, show } from '../../schema/fields';

export const SCHEDULE_NAMES: readonly ScheduleName[] = [
  'constant',
  'step',
  'exponential',
  'linear',
  'cosine',
  'refined',
];

/** Fields each schedule accepts (besides name). */
const FIELDS: Record<ScheduleName, readonly string[]> = {
  constant: ['warmup'],
  step: ['warmup', 'stepSize', 'gamma'],
  exponential: ['warmup', 'gamma'],
  linear: ['warmup'],
  cosine: ['warmup', 'minFactor'],
  refined: ['factors'],
};

/** step schedule's default decay factor (torch StepLR). */
export const STEP_GAMMA_DEFAULT = 0.1;

export function scheduleFactor(s: ScheduleConfig, t0: number, steps: number): number {
  if (s.name === 'refined') {
    const f = s.factors ?? [];
    return f.length === 0 ? 1 : f[Math.min(Math.max(0, t0), f.length - 1)];
  }
  const W = Math.min(Math.max(0, s.warmup ?? 0), steps);
  if (t0 < W) return (t0 + 1) / W;
  const u = t0 - W;
  const T = Math.max(1, steps - W);
  switch (s.name) {
    case 'constant':
      return 1;
    case 'step':
      return (s.gamma ?? STEP_GAMMA_DEFAULT) ** Math.floor(u / Math.max(1, s.stepSize ?? T));
    case 'exponential':
      return (s.gamma ?? 1) ** u;
    case 'linear':
      return Math.max(0, 1 - u / T);
    case 'cosine': {
      const minF = s.minFactor ?? 0;
      return minF + ((1 - minF) * (1 + Math.cos((Math.PI * Math.min(u, T)) / T))) / 2;
    }
  }
}

/** Validate a raw schedule object at `path` for an experiment of `steps` steps. */
export function validateSchedule(
  raw: unknown,
  path: string,
  steps: number,
): { value?: ScheduleConfig; errors: ValidationError[] } {
  const issues = new Issues();
  if (!isRecord(raw)) {
    issues.add(path, `expected an object such as {"name": "cosine"}, got ${show(raw)}`);
    return { errors: issues.list() };
  }
  const name =
    raw.name === undefined ? undefined : checkEnum(issues, raw.name, child(path, 'name'), 'schedule', SCHEDULE_NAMES);
  if (raw.name === undefined) issues.add(child(path, 'name'), `missing; expected one of ${SCHEDULE_NAMES.join(', ')}`);
  if (!name) return { errors: issues.list() };
  checkKeys(issues, raw, path, ['name', ...FIELDS[name]]);
  const value: ScheduleConfig = { name };
  const num = (key: 'warmup' | 'stepSize' | 'gamma' | 'minFactor', r: Parameters<typeof checkNumber>[3]) => {
    if (raw[key] === undefined) return;
    const v = checkNumber(issues, raw[key], child(path, key), r);
    if (v !== undefined) value[key] = v;
  };
  if (FIELDS[name].includes('warmup')) num('warmup', { min: 0, max: steps, integer: true });
  if (name === 'step') {
    if (raw.stepSize === undefined)
      issues.add(child(path, 'stepSize'), 'missing; expected an integer >= 1 (steps between decays)');
    num('stepSize', { min: 1, integer: true });
    num('gamma', { min: 0, minExclusive: true, max: 1 });
  }
  if (name === 'exponential') {
    if (raw.gamma === undefined)
      issues.add(child(path, 'gamma'), 'missing; expected a number > 0 and <= 1 (decay per step)');
    num('gamma', { min: 0, minExclusive: true, max: 1 });
  }
  if (name === 'cosine') num('minFactor', { min: 0, max: 1 });
  if (name === 'refined') {
    const f = raw.factors;
    const at = child(path, 'factors');
    if (!Array.isArray(f)) issues.add(at, `expected an array of ${steps} numbers >= 0 (one per step), got ${show(f)}`);
    else if (f.length !== steps) issues.add(at, `has ${f.length} values; expected one per step (${steps})`);
    else {
      const bad = f.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0);
      if (bad >= 0) issues.add(`${at}[${bad}]`, `expected a number >= 0, got ${show(f[bad])}`);
      else value.factors = (f as number[]).slice();
    }
  }
  const errors = issues.list();
  return errors.length ? { errors } : { value, errors };
}

// ---- refined schedules (Defazio, Cutkosky, Mehta & Mishchenko, arXiv 2310.07831) -------------------

export interface RefineOptions {
  /** Median-filter width as a fraction of the steps (default 0.1); the width is rounded to an odd count. */
  tau?: number;
  /**
   * 'sgd' (default): w_t = g_t^-2 with g the l2 gradient norms. 'adam': the paper's variant for
   * coordinate-wise methods, w_t = g_t^-1 with g the l1 gradient norms (pass l1 norms).
   */
  method?: 'sgd' | 'adam';
  /** 1-based step of each gradNorms value when they were logged every k steps (else see refineSchedule). */
  at?: number[];
}

/**
 * Per-step schedule factors (length `steps`, max 1) from a finished run's gradient norms:
 * g_hat = median filter of the norms (edge padding), w_t = g_hat_t^-2 ('sgd') or g_hat_t^-1
 * ('adam'), eta_t = w_t * sum_{p>t} w_p, normalised to max 1. Constant norms give linear decay.
 * gradNorms holds one value per step, or values at the steps opts.at, or (without at) values
 * spread evenly over steps 1..steps; missing steps are linearly interpolated.
 */
export function refineSchedule(gradNorms: readonly number[], steps: number, opts: RefineOptions = {}): number[] {
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`refineSchedule: steps must be an integer >= 1, got ${steps}`);
  if (gradNorms.length === 0)
    throw new Error('refineSchedule: gradNorms is empty; expected the gradient norms of a finished run');
  const bad = gradNorms.findIndex((v) => !Number.isFinite(v) || v < 0);
  if (bad >= 0) throw new Error(`refineSchedule: gradNorms[${bad}] is ${gradNorms[bad]}; expected finite numbers >= 0`);
  const tau = opts.tau ?? 0.1;
  if (!(tau > 0 && tau <= 1)) throw new Error(`refineSchedule: tau must be in (0, 1], got ${tau}`);
  const series = perStep(gradNorms, steps, opts.at);
  let width = Math.max(1, Math.round(tau * steps));
  if (width % 2 === 0) width += 1;
  const smooth = medianFilter(series, width);
  const positive = smooth.filter((v) => v > 0);
  const floor = positive.length ? Math.min(...positive) : 1;
  const power = opts.method === 'adam' ? 1 : 2;
  const w = smooth.map((v) => (positive.length ? Math.max(v, floor) : 1) ** -power);
  const eta = new Array<number>(steps);
  let tail = 0;
  for (let t = steps - 1; t >= 0; t--) {
    eta[t] = w[t] * tail;
    tail += w[t];
  }
  const max = Math.max(...eta);
  return max > 0 ? eta.map((e) => e / max) : eta.map(() => 1);
}

/** One value per step 1..steps: as given, at the steps `at`, or evenly spread; linear in between. */
function perStep(values: readonly number[], steps: number, at?: readonly number[]): number[] {
  if (!at && values.length === steps) return values.slice();
  if (at && at.length !== values.length)
    throw new Error(`refineSchedule: opts.at has ${at.length} steps for ${values.length} values`);
  const n = values.length;
  const pos = at ? at.slice() : values.map((_, i) => (n === 1 ? 1 : 1 + (i * (steps - 1)) / (n - 1)));
  for (let i = 1; i < n; i++) {
    if (!(pos[i] > pos[i - 1]))
      throw new Error(`refineSchedule: opts.at must increase, got ${pos[i - 1]} then ${pos[i]}`);
  }
  const out = new Array<number>(steps);
  let k = 0;
  for (let t = 1; t <= steps; t++) {
    while (k + 1 < n && pos[k + 1] <= t) k++;
    if (t <= pos[k] || k + 1 >= n) out[t - 1] = values[k];
    else out[t - 1] = values[k] + ((values[k + 1] - values[k]) * (t - pos[k])) / (pos[k + 1] - pos[k]);
  }
  return out;
}

/**
 * Running median over an odd window with edge ("nearest") padding, O(n log n): ranks of the values
 * in a Fenwick tree of counts, the median found by binary lifting.
 */
export function medianFilter(x: readonly number[], width: number): number[] {
  const n = x.length;
  if (width % 2 !== 1) throw new Error(`medianFilter: width must be odd, got ${width}`);
  const h = (width - 1) / 2;
  const order = x.map((_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const rank = new Int32Array(n);
  order.forEach((i, r) => (rank[i] = r + 1));
  const tree = new Int32Array(n + 1);
  const add = (r: number, d: number) => {
    for (; r <= n; r += r & -r) tree[r] += d;
  };
  let top = 1;
  while (top * 2 <= n) top *= 2;
  const kth = (k: number) => {
    let pos = 0;
    for (let step = top; step > 0; step >>= 1) {
      if (pos + step <= n && tree[pos + step] < k) {
        pos += step;
        k -= tree[pos];
      }
    }
    return pos + 1;
  };
  const clamp = (i: number) => Math.min(n - 1, Math.max(0, i));
  for (let i = -h; i <= h; i++) add(rank[clamp(i)], 1);
  const out = new Array<number>(n);
  for (let t = 0; t < n; t++) {
    out[t] = x[order[kth(h + 1) - 1]];
    add(rank[clamp(t - h)], -1);
    add(rank[clamp(t + h + 1)], 1);
  }
  return out;
}
