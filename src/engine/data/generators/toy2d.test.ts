import { describe, expect, it } from 'vitest';
import type { DataConfig } from '../../../schema/types';
import { generateDataset } from '../index';
import { defaultDataConfig } from '../defaults';
import { TOY_RADIUS } from './toy2d';

const N = 3000;
const gen = (cfg: DataConfig, seed = 5) => generateDataset(cfg, seed);

function counts(y: Float32Array, C: number): number[] {
  const c = new Array(C).fill(0);
  for (const v of y) c[v]++;
  return c;
}

describe('2-D generators', () => {
  it('circle: inner disc is class 1, outer ring class 0, balanced', () => {
    const ds = gen({ kind: 'circle', nTrain: N, nTest: 101, noise: 0 });
    expect([ds.inputDim, ds.nClasses, ds.targetDim]).toEqual([2, 2, 1]);
    expect(counts(ds.train.y, 2)).toEqual([N / 2, N / 2]);
    expect(counts(ds.test.y, 2)).toEqual([51, 50]); // point k has class k % 2
    let bad = 0;
    for (let k = 0; k < N; k++) {
      const r = Math.hypot(ds.train.x[2 * k], ds.train.x[2 * k + 1]);
      const inner = ds.train.y[k] === 1;
      if (inner ? r > 0.5 * TOY_RADIUS + 1e-5 : r < 0.7 * TOY_RADIUS - 1e-5 || r > TOY_RADIUS + 1e-5) bad++;
    }
    expect(bad).toBe(0);
  });

  it('xor: class 1 where x*y > 0, points at least 0.3 from the axes, quadrants balanced', () => {
    const ds = gen({ kind: 'xor', nTrain: N, nTest: 10, noise: 0 });
    let bad = 0;
    const quad = [0, 0, 0, 0];
    for (let k = 0; k < N; k++) {
      const [a, b] = [ds.train.x[2 * k], ds.train.x[2 * k + 1]];
      if ((a * b > 0 ? 1 : 0) !== ds.train.y[k]) bad++;
      if (Math.min(Math.abs(a), Math.abs(b)) < 0.3 - 1e-6 || Math.max(Math.abs(a), Math.abs(b)) > TOY_RADIUS + 1e-6)
        bad++;
      quad[(a > 0 ? 1 : 0) + (b > 0 ? 2 : 0)]++;
    }
    expect(bad).toBe(0);
    expect(counts(ds.train.y, 2)).toEqual([N / 2, N / 2]);
    // Each quadrant holds ~N/4: Binomial(N/2, 1/2) within a class, sd ~ 19.4.
    for (const q of quad) expect(Math.abs(q - N / 4)).toBeLessThan(5 * 19.4);
  });

  it('gauss: blob means on the circle of radius separation, std noise, balanced classes', () => {
    const C = 3;
    const sep = 4;
    const noise = 0.7;
    const ds = gen({ kind: 'gauss', nTrain: N, nTest: 10, nClasses: C, separation: sep, noise });
    expect(ds.nClasses).toBe(C);
    expect(counts(ds.train.y, C)).toEqual([N / C, N / C, N / C]);
    for (let c = 0; c < C; c++) {
      const pts: [number, number][] = [];
      for (let k = 0; k < N; k++) if (ds.train.y[k] === c) pts.push([ds.train.x[2 * k], ds.train.x[2 * k + 1]]);
      const n = pts.length;
      const mx = pts.reduce((s, p) => s + p[0], 0) / n;
      const my = pts.reduce((s, p) => s + p[1], 0) / n;
      const angle = Math.PI / 4 + (2 * Math.PI * c) / C;
      const se = noise / Math.sqrt(n);
      expect(Math.abs(mx - sep * Math.cos(angle))).toBeLessThan(5 * se);
      expect(Math.abs(my - sep * Math.sin(angle))).toBeLessThan(5 * se);
      const vx = pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0) / (n - 1);
      expect(Math.abs(vx - noise ** 2)).toBeLessThan(5 * noise ** 2 * Math.sqrt(2 / n));
    }
  });

  it('spiral: every clean point lies on its arm, radius within 5, classes balanced', () => {
    const C = 3;
    const turns = 1.5;
    const ds = gen({ kind: 'spiral', nTrain: N, nTest: 10, nClasses: C, turns, noise: 0 });
    expect(counts(ds.train.y, C)).toEqual([N / C, N / C, N / C]);
    let bad = 0;
    for (let k = 0; k < N; k++) {
      const [a, b] = [ds.train.x[2 * k], ds.train.x[2 * k + 1]];
      const r = Math.hypot(a, b);
      if (r > TOY_RADIUS + 1e-5) bad++;
      if (r < 0.05) continue; // the angle is ill-conditioned at the centre
      const s = r / TOY_RADIUS;
      const want = 2 * Math.PI * (turns * s + ds.train.y[k] / C);
      // Angular distance to the arm, in radians (float32 storage: ~1e-6 / r).
      const diff = Math.atan2(Math.sin(Math.atan2(b, a) - want), Math.cos(Math.atan2(b, a) - want));
      if (Math.abs(diff) > 1e-3) bad++;
    }
    expect(bad).toBe(0);
  });

  it('adds Gaussian jitter of std noise to the clean point', () => {
    // The jitter variates are drawn even at noise 0, so the same seed gives the same clean points:
    // (noisy - clean) / noise is the jitter itself, ~N(0, 1) per coordinate.
    for (const kind of ['circle', 'xor', 'gauss', 'spiral'] as const) {
      const base = { ...defaultDataConfig(kind), nTrain: N, nTest: 0 };
      const clean = gen({ ...base, noise: 0 } as DataConfig, 9);
      const noise = 0.5;
      const noisy = gen({ ...base, noise } as DataConfig, 9);
      expect(noisy.train.y).toEqual(clean.train.y);
      const x = noisy.train.x;
      const n = x.length;
      let m = 0;
      let v = 0;
      for (let i = 0; i < n; i++) m += (x[i] - clean.train.x[i]) / noise;
      m /= n;
      for (let i = 0; i < n; i++) v += ((x[i] - clean.train.x[i]) / noise - m) ** 2;
      v /= n - 1;
      expect(Math.abs(m), kind).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(v - 1), kind).toBeLessThan(5 * Math.sqrt(2 / n));
    }
  });

  it('is deterministic for a seed and differs between seeds, for every 2-D kind', () => {
    for (const kind of ['circle', 'xor', 'gauss', 'spiral'] as const) {
      const cfg = { ...defaultDataConfig(kind), nTrain: 200, nTest: 100 } as DataConfig;
      const a = gen(cfg, 1);
      expect(gen(cfg, 1).train.x).toEqual(a.train.x);
      expect(gen(cfg, 1).test.x).toEqual(a.test.x);
      expect(gen(cfg, 2).train.x).not.toEqual(a.train.x);
      expect(a.train.x.every(Number.isFinite)).toBe(true);
      // Roughly tensorflow/playground's range.
      expect(a.train.x.every((v) => Math.abs(v) < 12)).toBe(true);
    }
  });
});
