/**
 * Simplicity-bias slab data (docs/data.md; Shah et al., NeurIPS 2020, after scripts/gendata.py of
 * harshays/simplicitybiaspitfalls). y ~ Bernoulli(1/2) in {0, 1}, s = 2y - 1, W = width,
 * m = slabMargin * W, U ~ U[0, 1), +- a fresh fair sign per value. Given y, coordinates are
 * independent.
 *   linear: s * (gl W + (W - gl W) U), gl = linearMargin
 *   3-slab: w = (2W - 4m)/3. y=1: +-(w/2 + 2m + w U); y=0: +-(w/2) U
 *   5-slab: w = (2W - 8m)/5. y=1: +-((W + 6m)/5 + w U); y=0: p=3/4 +-(w/2) U, else +-((3W + 8m)/5 + w U)
 *   7-slab: w = (2W - 12m)/7. y=1: p=7/8 +-(w/2 + 2m + w U), else +-(2.5w + 6m + w U);
 *           y=0: p=1/2 +-(w/2) U, else +-(1.5w + 4m + w U)
 *   noise:  W U (non-negative, as in the reference code)
 * Corruption, per split: exactly round(corruptLinear * n) points (without replacement) get the
 * sign of the linear coordinate flipped; for each slab coordinate independently, exactly
 * round(corruptSlab * n) points get that coordinate redrawn from a slab of the other class, the
 * slab picked with probability 1/2 each where that class has two (the reference's rule for 5 and
 * 7 slabs, applied to 3 slabs too). Then the linear coordinate is swapped with index linCoord, and
 * with randomRotation every point is multiplied by one seeded random orthonormal R (x R).
 */
import type { LmsData, LsnData, Ms57Data } from '../../../schema/types';
import type { Dataset, DataSplit } from '../types';
import type { Rng } from '../prng';
import { dataRng, emptySplit, SUB_TEACHER, SUB_TEST, SUB_TRAIN } from './common';

/** Probabilities of the reference generator (slab5_pval, slab7_pval, 7-slab negative centre). */
export const P5_CENTER = 3 / 4;
export const P7_INNER = 7 / 8;
export const P7_NEG_CENTER = 1 / 2;

export type Role = 'linear' | 'slab3' | 'slab5' | 'slab7' | 'noise';

/** Slab width w_k = (2W - 2(k-1)m) / k. */
export function slabWidth(k: number, W: number, m: number): number {
  return (2 * W - 2 * (k - 1) * m) / k;
}

/** The intervals [lo, hi) of |x| for each class of a k-slab coordinate (class 0, class 1). */
export function slabIntervals(k: number, W: number, m: number): { neg: [number, number][]; pos: [number, number][] } {
  const w = slabWidth(k, W, m);
  const at = (lo: number): [number, number] => [lo, lo + w];
  if (k === 3) return { neg: [[0, w / 2]], pos: [at(w / 2 + 2 * m)] };
  if (k === 5) return { neg: [[0, w / 2], at((3 * W + 8 * m) / 5)], pos: [at((W + 6 * m) / 5)] };
  if (k === 7) return { neg: [[0, w / 2], at(1.5 * w + 4 * m)], pos: [at(w / 2 + 2 * m), at(2.5 * w + 6 * m)] };
  throw new Error(`slabs: expected 3, 5 or 7, got ${k}`);
}

/** Probability of the first interval of each class (see slabIntervals). */
function firstProb(k: number, cls: number): number {
  if (k === 5) return cls === 0 ? P5_CENTER : 1;
  if (k === 7) return cls === 1 ? P7_INNER : P7_NEG_CENTER;
  return 1;
}

function sign(rng: Rng): number {
  return rng.uniform() < 0.5 ? -1 : 1;
}

/** A k-slab value for class `cls`; `corrupt` picks the other class's slabs with probability 1/2 each. */
function slabValue(k: number, W: number, m: number, cls: number, corrupt: boolean, rng: Rng): number {
  const iv = slabIntervals(k, W, m);
  const set = (corrupt ? 1 - cls : cls) === 1 ? iv.pos : iv.neg;
  const p = corrupt ? 0.5 : firstProb(k, cls);
  const [lo, hi] = set.length === 1 || rng.uniform() < p ? set[0] : set[1];
  return sign(rng) * (lo + (hi - lo) * rng.uniform());
}

/** Exactly `count` distinct indices of 0..n-1, as a 0/1 mask. */
function pickMask(n: number, count: number, rng: Rng): Uint8Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  rng.shuffle(idx);
  const mask = new Uint8Array(n);
  for (let i = 0; i < count; i++) mask[idx[i]] = 1;
  return mask;
}

/** A Haar-ish random orthonormal D x D matrix (Gram-Schmidt of Gaussian rows, twice), row-major. */
export function randomOrthonormal(D: number, rng: Rng): Float64Array {
  const R = new Float64Array(D * D);
  for (let i = 0; i < D * D; i++) R[i] = rng.normal();
  for (let i = 0; i < D; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let c = 0; c < D; c++) dot += R[i * D + c] * R[j * D + c];
        for (let c = 0; c < D; c++) R[i * D + c] -= dot * R[j * D + c];
      }
    }
    let nrm = 0;
    for (let c = 0; c < D; c++) nrm += R[i * D + c] ** 2;
    nrm = Math.sqrt(nrm);
    for (let c = 0; c < D; c++) R[i * D + c] /= nrm;
  }
  return R;
}

interface SlabPlan {
  kind: string;
  dim: number;
  W: number;
  linearMargin: number;
  slabMargin: number;
  corruptLinear: number;
  corruptSlab: number;
  linCoord: number;
  randomRotation: boolean;
  /** Role of each coordinate before the linCoord swap. */
  roles: Role[];
}

function genSplit(p: SlabPlan, n: number, rng: Rng, R: Float64Array | undefined): DataSplit {
  const D = p.dim;
  const s = emptySplit(n, D, 1);
  const raw = new Float64Array(n * D);
  const ys = new Uint8Array(n);
  for (let k = 0; k < n; k++) ys[k] = rng.uniform() < 0.5 ? 0 : 1;
  const m = p.slabMargin * p.W;
  const lm = p.linearMargin * p.W;
  for (let c = 0; c < D; c++) {
    const role = p.roles[c];
    const corrupt =
      role === 'linear'
        ? pickMask(n, Math.round(p.corruptLinear * n), rng)
        : role === 'noise'
          ? undefined
          : pickMask(n, Math.round(p.corruptSlab * n), rng);
    for (let k = 0; k < n; k++) {
      let v: number;
      if (role === 'linear') {
        v = (2 * ys[k] - 1) * (lm + (p.W - lm) * rng.uniform());
        if (corrupt![k]) v = -v;
      } else if (role === 'noise') v = p.W * rng.uniform();
      else v = slabValue(Number(role.slice(4)), p.W, m, ys[k], corrupt![k] === 1, rng);
      raw[k * D + c] = v;
    }
  }
  const lin = p.roles.indexOf('linear');
  if (lin >= 0 && p.linCoord !== lin) {
    for (let k = 0; k < n; k++) {
      const t = raw[k * D + lin];
      raw[k * D + lin] = raw[k * D + p.linCoord];
      raw[k * D + p.linCoord] = t;
    }
  }
  for (let k = 0; k < n; k++) {
    s.y[k] = ys[k];
    for (let j = 0; j < D; j++) {
      if (!R) {
        s.x[k * D + j] = raw[k * D + j];
        continue;
      }
      let v = 0;
      for (let i = 0; i < D; i++) v += raw[k * D + i] * R[i * D + j];
      s.x[k * D + j] = v;
    }
  }
  return s;
}

function build(p: SlabPlan, nTrain: number, nTest: number, seed: number): Dataset {
  const R = p.randomRotation ? randomOrthonormal(p.dim, dataRng(seed, SUB_TEACHER)) : undefined;
  const roles = p.roles.slice();
  const lin = roles.indexOf('linear');
  if (lin >= 0 && p.linCoord !== lin) [roles[lin], roles[p.linCoord]] = [roles[p.linCoord], roles[lin]];
  const linearCoords: number[] = [];
  const slabCoords: number[] = [];
  const slabTypes: number[] = [];
  const noiseCoords: number[] = [];
  roles.forEach((r, i) => {
    if (r === 'linear') linearCoords.push(i);
    else if (r === 'noise') noiseCoords.push(i);
    else {
      slabCoords.push(i);
      slabTypes.push(Number(r.slice(4)));
    }
  });
  return {
    inputDim: p.dim,
    nClasses: 2,
    targetDim: 1,
    train: genSplit(p, nTrain, dataRng(seed, SUB_TRAIN), R),
    test: genSplit(p, nTest, dataRng(seed, SUB_TEST), R),
    meta: { kind: p.kind, linearCoords, slabCoords, slabTypes, noiseCoords, rotation: R },
  };
}

export function lms(cfg: LmsData, seed: number): Dataset {
  const roles: Role[] = ['linear'];
  for (let i = 1; i < cfg.dim; i++) roles.push(`slab${cfg.slabs}` as Role);
  return build({ ...cfg, W: cfg.width, roles }, cfg.nTrain, cfg.nTest, seed);
}

export function ms57(cfg: Ms57Data, seed: number): Dataset {
  const roles: Role[] = ['slab5'];
  for (let i = 1; i < cfg.dim; i++) roles.push('slab7');
  return build(
    { ...cfg, W: cfg.width, linearMargin: 0, corruptLinear: 0, linCoord: 0, roles },
    cfg.nTrain,
    cfg.nTest,
    seed,
  );
}

export function lsn(cfg: LsnData, seed: number): Dataset {
  const roles: Role[] = ['linear', 'slab3'];
  for (let i = 2; i < cfg.dim; i++) roles.push('noise');
  return build({ ...cfg, W: cfg.width, roles }, cfg.nTrain, cfg.nTest, seed);
}
