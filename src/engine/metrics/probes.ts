/**
 * Rademacher probe vectors from the counter PRNG (data/prng.ts), with the same counters as
 * shaders/curvature.wgsl so the CPU and GPU draw identical probes:
 * - power-iteration start (no warm start, and the shifted phase): z_i / sqrt(P), counter s * P + i;
 * - Hutchinson probe k of `samples` at step s: counter (s * samples + k) * P + i.
 * Counters wrap modulo 2^32 like the shader's u32 arithmetic.
 */
import { rngRademacher, STREAM_PROBE } from '../data/prng';

/** Exact (s * samples + k) * P + i modulo 2^32 (JS numbers are exact below 2^53; BigInt beyond). */
function counter(a: number, P: number, i: number): number {
  const x = a * P + i;
  if (Number.isSafeInteger(x)) return x >>> 0;
  return Number((BigInt(a) * BigInt(P) + BigInt(i)) & 0xffffffffn);
}

/** Hutchinson probe k at step `step` (entries +-1). */
export function probeVector(seed: number, step: number, samples: number, k: number, P: number): Float64Array {
  const z = new Float64Array(P);
  const a = step * samples + k;
  for (let i = 0; i < P; i++) z[i] = rngRademacher(seed >>> 0, STREAM_PROBE, counter(a, P, i));
  return z;
}

/** Power-iteration start at step `step`: a unit-norm Rademacher vector. */
export function startProbe(seed: number, step: number, P: number): Float64Array {
  const z = new Float64Array(P);
  const s = 1 / Math.sqrt(P);
  for (let i = 0; i < P; i++) z[i] = rngRademacher(seed >>> 0, STREAM_PROBE, counter(step, P, i)) * s;
  return z;
}
