/**
 * Float64 central finite differences against an analytic gradient. A coordinate passes when
 *   |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
 * With h = 1e-6 in float64 the central difference is accurate to about 1e-9 relative on smooth
 * functions (truncation ~h^2, round-off ~1e-16/h), so the default tolerances (rtol 1e-5,
 * atol 1e-8) leave a wide margin while a wrong sign, a missing 1/B or a wrong derivative fails.
 */

export interface GradCheckOptions {
  /** Step (default 1e-6). */
  h?: number;
  rtol?: number;
  atol?: number;
  /** Coordinates to check (default all). */
  indices?: ArrayLike<number>;
}

export interface GradCheckResult {
  ok: boolean;
  checked: number;
  failures: number;
  maxAbsErr: number;
  /** max |a - n| / max(|a|, |n|) over coordinates where that is > 0. */
  maxRelErr: number;
  /** The coordinate with the largest violation of the tolerance (or the largest error when all pass). */
  worst: { index: number; analytic: number; numeric: number } | null;
}

export const GRADCHECK_DEFAULTS = { h: 1e-6, rtol: 1e-5, atol: 1e-8 } as const;

/** Central differences (f(theta + h e_i) - f(theta - h e_i)) / 2h for the given coordinates. */
export function numericGrad(
  f: (theta: Float64Array) => number,
  theta: ArrayLike<number>,
  h: number = GRADCHECK_DEFAULTS.h,
  indices?: ArrayLike<number>,
): Float64Array {
  if (!(h > 0)) throw new Error(`h: expected a positive step, got ${h}`);
  const th = Float64Array.from(theta);
  const out = new Float64Array(th.length);
  const list = indices ?? Array.from({ length: th.length }, (_, i) => i);
  for (let c = 0; c < list.length; c++) {
    const i = list[c];
    const v = th[i];
    th[i] = v + h;
    const fp = f(th);
    th[i] = v - h;
    const fm = f(th);
    th[i] = v;
    out[i] = (fp - fm) / (2 * h);
  }
  return out;
}

function compare(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  indices: ArrayLike<number>,
  rtol: number,
  atol: number,
): GradCheckResult {
  let failures = 0;
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let worstExcess = -Infinity;
  let worst: GradCheckResult['worst'] = null;
  for (let c = 0; c < indices.length; c++) {
    const i = indices[c];
    const a = analytic[i];
    const n = numeric[i];
    const err = Math.abs(a - n);
    const scale = Math.max(Math.abs(a), Math.abs(n));
    const bound = atol + rtol * scale;
    const bad = !(err <= bound); // NaN fails
    if (bad) failures++;
    if (err > maxAbsErr || Number.isNaN(err)) maxAbsErr = err;
    if (scale > 0 && err / scale > maxRelErr) maxRelErr = err / scale;
    const excess = Number.isNaN(err) ? Infinity : err - bound;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = { index: i, analytic: a, numeric: n };
    }
  }
  return { ok: failures === 0, checked: indices.length, failures, maxAbsErr, maxRelErr, worst };
}

/** Check an analytic gradient of f at theta. */
export function gradCheck(
  f: (theta: Float64Array) => number,
  analytic: ArrayLike<number>,
  theta: ArrayLike<number>,
  opts: GradCheckOptions = {},
): GradCheckResult {
  if (analytic.length !== theta.length)
    throw new Error(`analytic: expected ${theta.length} values (one per parameter), got ${analytic.length}`);
  const h = opts.h ?? GRADCHECK_DEFAULTS.h;
  const indices = opts.indices ?? Array.from({ length: theta.length }, (_, i) => i);
  const numeric = numericGrad(f, theta, h, indices);
  return compare(
    analytic,
    numeric,
    indices,
    opts.rtol ?? GRADCHECK_DEFAULTS.rtol,
    opts.atol ?? GRADCHECK_DEFAULTS.atol,
  );
}

/** Check a scalar derivative df of f at each point of zs. */
export function derivCheck(
  f: (z: number) => number,
  df: (z: number) => number,
  zs: ArrayLike<number>,
  opts: Omit<GradCheckOptions, 'indices'> = {},
): GradCheckResult {
  const h = opts.h ?? GRADCHECK_DEFAULTS.h;
  const analytic = new Float64Array(zs.length);
  const numeric = new Float64Array(zs.length);
  for (let i = 0; i < zs.length; i++) {
    analytic[i] = df(zs[i]);
    numeric[i] = (f(zs[i] + h) - f(zs[i] - h)) / (2 * h);
  }
  const indices = Array.from({ length: zs.length }, (_, i) => i);
  return compare(
    analytic,
    numeric,
    indices,
    opts.rtol ?? GRADCHECK_DEFAULTS.rtol,
    opts.atol ?? GRADCHECK_DEFAULTS.atol,
  );
}

/** A one-line account of a result, for assertion messages. */
export function describeGradCheck(r: GradCheckResult): string {
  const w = r.worst ? ` worst at ${r.worst.index}: analytic ${r.worst.analytic}, numeric ${r.worst.numeric}` : '';
  return `${r.ok ? 'ok' : 'FAILED'}: ${r.failures}/${r.checked} coordinates out of tolerance, max abs err ${r.maxAbsErr.toExponential(2)}, max rel err ${r.maxRelErr.toExponential(2)};${w}`;
}
