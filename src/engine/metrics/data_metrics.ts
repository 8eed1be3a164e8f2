/**
 * Metrics tied to particular datasets (CPU, float64, over one run's parameter vector):
 *   sRandomizedAcc (docs/metrics.md; Shah et al.'s get_feature_deps with dep_type 'random'): test
 *     accuracy after permuting the chosen coordinates across the test points (one seeded
 *     permutation shared by the chosen coordinates), which destroys their label information. With
 *     a rotated dataset the coordinates are those before the rotation: x_raw = x R^T is permuted
 *     and rotated back (x_raw R).
 *   groupLosses (docs/metrics.md): mean loss over the train points with x0 > 0 and with x0 < 0
 *     (meta.group +1 / -1 of the opposing-signals data).
 */
import type { LossName } from '../../schema/types';
import type { ParamLayout } from '../model/layout';
import type { Dataset } from '../data/types';
import { Rng, STREAM_PROBE } from '../data/prng';
import { evalSet, type CpuModel } from '../cpu/mlp';

/** 'linear': meta.linearCoords; 'slab': meta.slabCoords; 'complex': every non-linear coordinate. */
export type RandomizeChoice = 'linear' | 'slab' | 'complex' | readonly number[];

/** The input coordinates (pre-rotation) a choice names, from the dataset's meta. */
export function randomizedCoords(ds: Dataset, which: RandomizeChoice): number[] {
  if (typeof which !== 'string') {
    for (const c of which)
      if (!Number.isInteger(c) || c < 0 || c >= ds.inputDim)
        throw new Error(`coordinates: expected indices in [0, ${ds.inputDim}), got ${c}`);
    return [...which];
  }
  const { linearCoords, slabCoords } = ds.meta;
  if (!linearCoords || !slabCoords)
    throw new Error(
      `sRandomizedAcc: data kind "${ds.meta.kind}" has no linear/slab coordinates (use lms, ms57 or lsn)`,
    );
  if (which === 'linear') return [...linearCoords];
  if (which === 'slab') return [...slabCoords];
  if (which === 'complex') {
    const lin = new Set(linearCoords);
    const out: number[] = [];
    for (let c = 0; c < ds.inputDim; c++) if (!lin.has(c)) out.push(c);
    return out;
  }
  throw new Error(
    `sRandomizedAcc: expected 'linear', 'slab', 'complex' or a list of coordinates, got "${String(which)}"`,
  );
}

/** The test inputs with `coords` permuted across points (perm[k]: the source row of row k). */
export function randomizeCoords(
  x: ArrayLike<number>,
  n: number,
  D: number,
  coords: readonly number[],
  perm: ArrayLike<number>,
  rotation?: ArrayLike<number>,
): Float64Array {
  const raw = new Float64Array(n * D);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < D; i++) {
      if (!rotation) {
        raw[k * D + i] = x[k * D + i];
        continue;
      }
      // x_raw = x R^T: x_raw[i] = sum_j x[j] R[i, j].
      let v = 0;
      for (let j = 0; j < D; j++) v += x[k * D + j] * rotation[i * D + j];
      raw[k * D + i] = v;
    }
  }
  const out = new Float64Array(raw);
  for (let k = 0; k < n; k++) for (const c of coords) out[k * D + c] = raw[perm[k] * D + c];
  if (!rotation) return out;
  const rot = new Float64Array(n * D);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < D; j++) {
      let v = 0;
      for (let i = 0; i < D; i++) v += out[k * D + i] * rotation[i * D + j];
      rot[k * D + j] = v;
    }
  return rot;
}

/**
 * The test inputs with the chosen coordinates permuted across test points by the permutation drawn
 * from (seed, STREAM_PROBE): the set sRandomizedAcc scores (and the trainers' extra evaluation sets).
 */
export function randomizedTestInputs(ds: Dataset, which: RandomizeChoice, seed: number): Float64Array {
  const n = ds.test.n;
  const coords = randomizedCoords(ds, which);
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  new Rng(seed, STREAM_PROBE, 0x5a).shuffle(perm);
  return randomizeCoords(ds.test.x, n, ds.inputDim, coords, perm, ds.meta.rotation);
}

/**
 * S-randomized test accuracy: accuracy on the test set after permuting the chosen coordinates
 * across test points with a permutation drawn from (seed, STREAM_PROBE).
 */
export function sRandomizedAcc(
  params: ArrayLike<number>,
  layout: ParamLayout,
  model: CpuModel,
  loss: LossName,
  ds: Dataset,
  which: RandomizeChoice,
  seed: number,
): number {
  if (ds.nClasses < 2) throw new Error('sRandomizedAcc: expected a classification dataset');
  const n = ds.test.n;
  if (n === 0) throw new Error('sRandomizedAcc: the dataset has no test points (nTest = 0)');
  const x = randomizedTestInputs(ds, which, seed);
  return evalSet(params, layout, model, loss, { x, y: ds.test.y, n }, ds.nClasses).acc!;
}

export interface GroupLosses {
  /** Mean loss over train points with x0 > 0 (NaN when there are none). */
  pos: number;
  /** Mean loss over train points with x0 < 0 (NaN when there are none). */
  neg: number;
}

/** Mean train loss of the opposing-signals groups x0 > 0 and x0 < 0 (meta.group). */
export function groupLosses(
  params: ArrayLike<number>,
  layout: ParamLayout,
  model: CpuModel,
  loss: LossName,
  ds: Dataset,
): GroupLosses {
  const group = ds.meta.group;
  if (!group) throw new Error(`groupLosses: data kind "${ds.meta.kind}" has no groups (use opposing-signals)`);
  const D = ds.inputDim;
  const T = ds.targetDim;
  const mean = (g: number): number => {
    const rows: number[] = [];
    for (let k = 0; k < ds.train.n; k++) if (group[k] === g) rows.push(k);
    if (rows.length === 0) return NaN;
    const x = new Float64Array(rows.length * D);
    const y = new Float64Array(rows.length * T);
    rows.forEach((r, k) => {
      x.set(ds.train.x.subarray(r * D, (r + 1) * D), k * D);
      y.set(ds.train.y.subarray(r * T, (r + 1) * T), k * T);
    });
    return evalSet(params, layout, model, loss, { x, y, n: rows.length }, ds.nClasses).loss;
  };
  return { pos: mean(1), neg: mean(-1) };
}
