/**
 * Two-dimensional classification sets in the spirit of tensorflow/playground (inputs roughly in
 * [-6, 6]). Point k of a split has class k % nClasses, so classes are balanced exactly; `noise`
 * is the standard deviation of Gaussian jitter added to each coordinate after the class's clean
 * point is drawn (labels are those of the clean point, so noise makes classes overlap).
 *   circle: class 1 on a disc of radius 2.5, class 0 on a ring of radii 3.5..5 (radius uniform).
 *   xor:    |x|, |y| uniform in [0.3, 5]; class 1 where x*y > 0, class 0 where x*y < 0.
 *   gauss:  class c is N(centre_c, noise^2 I), centres on a circle of radius `separation` at
 *           angles pi/4 + 2 pi c / nClasses.
 *   spiral: arm c: s ~ U(0, 1), radius 5 s, angle 2 pi (turns s + c / nClasses).
 */
import type { CircleData, GaussData, SpiralData, XorData } from '../../../schema/types';
import type { Dataset, DataSplit } from '../types';
import type { Rng } from '../prng';
import { dataRng, emptySplit, SUB_TEST, SUB_TRAIN } from './common';

/** The outer radius of circle and spiral, and the extent of xor. */
export const TOY_RADIUS = 5;
const XOR_PAD = 0.3;

type Clean = (cls: number, rng: Rng) => [number, number];

function split(n: number, nClasses: number, noise: number, rng: Rng, clean: Clean): DataSplit {
  const s = emptySplit(n, 2, 1);
  for (let k = 0; k < n; k++) {
    const cls = k % nClasses;
    const [a, b] = clean(cls, rng);
    s.x[2 * k] = a + noise * rng.normal();
    s.x[2 * k + 1] = b + noise * rng.normal();
    s.y[k] = cls;
  }
  return s;
}

function make(
  kind: string,
  nTrain: number,
  nTest: number,
  nClasses: number,
  noise: number,
  seed: number,
  clean: Clean,
): Dataset {
  return {
    inputDim: 2,
    nClasses,
    targetDim: 1,
    train: split(nTrain, nClasses, noise, dataRng(seed, SUB_TRAIN), clean),
    test: split(nTest, nClasses, noise, dataRng(seed, SUB_TEST), clean),
    meta: { kind },
  };
}

function polar(r: number, angle: number): [number, number] {
  return [r * Math.cos(angle), r * Math.sin(angle)];
}

export function circle(cfg: CircleData, seed: number): Dataset {
  return make(cfg.kind, cfg.nTrain, cfg.nTest, 2, cfg.noise, seed, (cls, rng) => {
    const r = cls === 1 ? rng.range(0, 0.5 * TOY_RADIUS) : rng.range(0.7 * TOY_RADIUS, TOY_RADIUS);
    return polar(r, rng.range(0, 2 * Math.PI));
  });
}

export function xor(cfg: XorData, seed: number): Dataset {
  return make(cfg.kind, cfg.nTrain, cfg.nTest, 2, cfg.noise, seed, (cls, rng) => {
    const sx = rng.uniform() < 0.5 ? -1 : 1;
    const sy = cls === 1 ? sx : -sx;
    return [sx * rng.range(XOR_PAD, TOY_RADIUS), sy * rng.range(XOR_PAD, TOY_RADIUS)];
  });
}

export function gauss(cfg: GaussData, seed: number): Dataset {
  const C = cfg.nClasses;
  return make(cfg.kind, cfg.nTrain, cfg.nTest, C, cfg.noise, seed, (cls) =>
    polar(cfg.separation, Math.PI / 4 + (2 * Math.PI * cls) / C),
  );
}

export function spiral(cfg: SpiralData, seed: number): Dataset {
  const C = cfg.nClasses;
  return make(cfg.kind, cfg.nTrain, cfg.nTest, C, cfg.noise, seed, (cls, rng) => {
    const s = rng.uniform();
    return polar(TOY_RADIUS * s, 2 * Math.PI * (cfg.turns * s + cls / C));
  });
}
