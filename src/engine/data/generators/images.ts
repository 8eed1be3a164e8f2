/**
 * Synthetic images for CNN demos. An image is `channels` x size x size, flattened channels-first,
 * row-major (index c * S*S + row * S + col). Point k of a split has class k % nClasses (balanced
 * exactly). Class c draws shape c at a random centre (uniform in [S/4, 3S/4]^2, pixel units,
 * pixel (r, q) has centre (q + 0.5, r + 0.5)):
 *   0..3: a bar of half-length S/4..S/2 (uniform) and thickness max(1, S/8) at angle
 *         0 (horizontal), 90 (vertical), 45 (diagonal: down-right), 135 (anti-diagonal) degrees;
 *         a pixel is 1 where its distance to the segment is at most thickness / 2, else 0;
 *   4:    a Gaussian blob exp(-d^2 / (2 sigma^2)), sigma uniform in [S/10, S/5];
 *   5:    a ring: 1 where | d - r | <= thickness / 2, r uniform in [S/6, S/3].
 * Each channel scales the shape by an intensity uniform in [0.5, 1]; every pixel then gets
 * N(0, noise^2) added.
 */
import type { ImagesData } from '../../../schema/types';
import type { Dataset, DataSplit } from '../types';
import type { Rng } from '../prng';
import { dataRng, emptySplit, SUB_TEST, SUB_TRAIN } from './common';

export const IMAGE_SHAPES = ['horizontal bar', 'vertical bar', 'diagonal bar', 'anti-diagonal bar', 'blob', 'ring'];

const BAR_ANGLES = [0, Math.PI / 2, Math.PI / 4, (3 * Math.PI) / 4];

/** Distance from point p to the segment centre +- h * (cos a, sin a). */
function segmentDistance(px: number, py: number, cx: number, cy: number, a: number, h: number): number {
  const dx = px - cx;
  const dy = py - cy;
  const ux = Math.cos(a);
  const uy = Math.sin(a);
  const t = Math.max(-h, Math.min(h, dx * ux + dy * uy));
  return Math.hypot(dx - t * ux, dy - t * uy);
}

/** The clean shape of class cls, [S * S] in [0, 1]. */
export function drawShape(cls: number, S: number, rng: Rng): Float64Array {
  const img = new Float64Array(S * S);
  const cx = rng.range(S / 4, (3 * S) / 4);
  const cy = rng.range(S / 4, (3 * S) / 4);
  const thick = Math.max(1, S / 8);
  let value: (px: number, py: number) => number;
  if (cls < 4) {
    const h = rng.range(S / 4, S / 2);
    const a = BAR_ANGLES[cls];
    value = (px, py) => (segmentDistance(px, py, cx, cy, a, h) <= thick / 2 ? 1 : 0);
  } else if (cls === 4) {
    const sigma = rng.range(S / 10, S / 5);
    value = (px, py) => Math.exp(-((px - cx) ** 2 + (py - cy) ** 2) / (2 * sigma * sigma));
  } else {
    const r = rng.range(S / 6, S / 3);
    value = (px, py) => (Math.abs(Math.hypot(px - cx, py - cy) - r) <= thick / 2 ? 1 : 0);
  }
  for (let row = 0; row < S; row++) for (let col = 0; col < S; col++) img[row * S + col] = value(col + 0.5, row + 0.5);
  return img;
}

function split(cfg: ImagesData, n: number, rng: Rng): DataSplit {
  const S = cfg.size;
  const P = S * S;
  const D = cfg.channels * P;
  const s = emptySplit(n, D, 1);
  for (let k = 0; k < n; k++) {
    const cls = k % cfg.nClasses;
    const img = drawShape(cls, S, rng);
    for (let c = 0; c < cfg.channels; c++) {
      const intensity = rng.range(0.5, 1);
      const at = k * D + c * P;
      for (let i = 0; i < P; i++) s.x[at + i] = intensity * img[i] + cfg.noise * rng.normal();
    }
    s.y[k] = cls;
  }
  return s;
}

export function images(cfg: ImagesData, seed: number): Dataset {
  return {
    inputDim: cfg.channels * cfg.size * cfg.size,
    nClasses: cfg.nClasses,
    targetDim: 1,
    train: split(cfg, cfg.nTrain, dataRng(seed, SUB_TRAIN)),
    test: split(cfg, cfg.nTest, dataRng(seed, SUB_TEST)),
    meta: { kind: cfg.kind, imageShape: [cfg.channels, cfg.size, cfg.size] },
  };
}
