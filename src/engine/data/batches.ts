/**
 * Minibatch order, computable per index (shaders/batch_indices.wgsl computes the same values).
 *
 * Each epoch is a keyed pseudo-random permutation of [0, n): permuteIndex(i, n, key) runs a small
 * Feistel network on the next power of two >= n and cycle-walks until the value falls below n.
 * With nb = floor(n / B) batches per epoch (the remainder is dropped), step t (0-based) uses
 * epoch e = floor(t / nb), k = t % nb, and sample j of its batch is
 * permuteIndex(k * B + j, n, rngU32(seed, STREAM_BATCH, e)). Full batch (B = n): 0..n-1 in order.
 */
import { hash32, rngU32, STREAM_BATCH } from './prng';

/** Feistel rounds (alternating halves); the WGSL kernel uses the same number. */
export const FEISTEL_ROUNDS = 6;

/** Round key r of a permutation key. */
function roundKey(key: number, r: number): number {
  return hash32((key + Math.imul(r + 1, 0x9e3779b9)) >>> 0);
}

/**
 * One pass of the Feistel network on `bits`-bit values: the high lb = floor(bits/2) bits and
 * the low rb = bits - lb bits are alternately xored with a hash of the other half, which is a
 * bijection of [0, 2^bits) for any split.
 */
function feistel(x: number, bits: number, key: number): number {
  const lb = bits >>> 1;
  const rb = bits - lb;
  const maskL = (1 << lb) - 1; // lb, rb <= 16
  const maskR = (1 << rb) - 1;
  let l = x >>> rb;
  let r = x & maskR;
  for (let i = 0; i < FEISTEL_ROUNDS; i++) {
    const k = roundKey(key, i);
    if ((i & 1) === 0) l = (l ^ (hash32((r ^ k) >>> 0) & maskL)) >>> 0;
    else r = (r ^ (hash32((l ^ k) >>> 0) & maskR)) >>> 0;
  }
  return (l * 2 ** rb + r) >>> 0;
}

/** Bits of the power-of-two domain that holds [0, n). */
function domainBits(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

/** Position i (0 <= i < n) of the keyed permutation of [0, n). */
export function permuteIndex(i: number, n: number, key: number): number {
  const bits = domainBits(n);
  if (bits === 0) return 0;
  let x = i >>> 0;
  do x = feistel(x, bits, key >>> 0);
  while (x >= n);
  return x;
}

/** The permutation key of epoch e. */
export function epochKey(seed: number, epoch: number): number {
  return rngU32(seed >>> 0, STREAM_BATCH, epoch >>> 0);
}

/** Checks shared by the CPU and GPU batchers: 1 <= B <= n, integers. */
export function checkBatch(n: number, B: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) throw new Error(`batches: n must be an integer >= 1, got ${n}`);
  if (!Number.isInteger(B) || B < 1 || B > n)
    throw new Error(`batches: batch size must be an integer in [1, n = ${n}], got ${B}`);
}

/** Write the B training indices of step t (0-based) into out[0..B). */
export function batchIndices(seed: number, t: number, n: number, B: number, out: Uint32Array): Uint32Array {
  checkBatch(n, B);
  if (!Number.isInteger(t) || t < 0) throw new Error(`batches: step must be an integer >= 0, got ${t}`);
  if (out.length < B) throw new Error(`batches: output holds ${out.length} indices, needs ${B}`);
  if (B === n) {
    for (let j = 0; j < B; j++) out[j] = j;
    return out;
  }
  const nb = Math.floor(n / B);
  const key = epochKey(seed, Math.floor(t / nb));
  const base = (t % nb) * B;
  for (let j = 0; j < B; j++) out[j] = permuteIndex(base + j, n, key);
  return out;
}
