import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../model/layout';
import { adamw } from './adam';
import { exactUnits, frugal, frugalActive, unitShape } from './frugal';
import { maxRelDiff, randomRunArgs, runCpuOptimizer, runGpuOptimizer } from './harness';
import { cpuTrajectory, hyperOf } from './testing_cpu';

const W = (size: number): TensorInfo => ({ name: 'w', offset: 0, size, shape: [1, size], layer: 0, kind: 'weight' });

/** This playground's earlier variant: single coordinates, independent draws, no reset at a draw. */
const EARLIER = { columns: false, exactCount: false, resetAtDraw: false };

describe('frugal, earlier variant (CPU reference)', () => {
  it('density 1 is AdamW; density 0 is signSGD (scaled by inactiveLrScale) with decoupled decay', () => {
    const gs = [
      [0.5, -1],
      [0.2, 0.3],
      [-0.4, 0.1],
    ];
    const a = cpuTrajectory(
      frugal,
      hyperOf(frugal, { lr: 0.1, density: 1, weightDecay: 0.1, ...EARLIER }),
      [1, 2],
      gs,
      [W(2)],
    );
    const b = cpuTrajectory(adamw, hyperOf(adamw, { lr: 0.1, weightDecay: 0.1 }), [1, 2], gs, [W(2)]);
    a.forEach((p, k) => p.forEach((x, i) => expect(x).toBeCloseTo(b[k][i], 14)));
    // density 0: theta = theta (1 - 0.01) - 0.1 * 0.5 * sign(g)
    const [s] = cpuTrajectory(
      frugal,
      hyperOf(frugal, { lr: 0.1, density: 0, weightDecay: 0.1, inactiveLrScale: 0.5, ...EARLIER }),
      [1, 2],
      [gs[0]],
      [W(2)],
    );
    expect(s[0]).toBeCloseTo(0.99 - 0.05, 14);
    expect(s[1]).toBeCloseTo(1.98 + 0.05, 14);
  });

  it('draws about a fraction `density` of the coordinates, a new set every updateGap steps', () => {
    const hp = hyperOf(frugal, { density: 0.25, updateGap: 10, ...EARLIER });
    const n = 20000;
    const set = (t: number) => Array.from({ length: n }, (_, j) => frugalActive(7, t, W(n), j, hp));
    const s1 = set(1);
    const frac = s1.filter(Boolean).length / n;
    expect(Math.abs(frac - 0.25)).toBeLessThan(0.015); // 5 standard deviations of a binomial(20000, 0.25) fraction
    expect(set(10)).toEqual(s1); // same period (steps 1..10)
    const s11 = set(11);
    const same = s11.filter((v, j) => v === s1[j]).length / n;
    expect(same).toBeLessThan(0.7); // independent sets agree on ~ 0.25^2 + 0.75^2 = 62.5% of coordinates
    expect(set(11)).not.toEqual(set(1));
  });

  it('a coordinate entering the set starts a fresh Adam; one that stays keeps its moments and count', () => {
    const hp = hyperOf(frugal, { lr: 0.1, density: 0.5, updateGap: 2, eps: 0, ...EARLIER });
    const seed = 3;
    // Periods: steps 1-2 (period 0), 3-4 (period 1). Find j out->in and j in->in.
    let enter = -1;
    let stay = -1;
    for (let j = 0; j < 1000 && (enter < 0 || stay < 0); j++) {
      const a = frugalActive(seed, 1, W(1000), j, hp);
      const b = frugalActive(seed, 3, W(1000), j, hp);
      if (!a && b && enter < 0) enter = j;
      if (a && b && stay < 0) stay = j;
    }
    expect(enter).toBeGreaterThanOrEqual(0);
    expect(stay).toBeGreaterThanOrEqual(0);
    const n = Math.max(enter, stay) + 1;
    const grads = [1, 2, 3].map((k) => Array.from({ length: n }, (_, j) => 0.3 * k + 0.01 * j));
    const out = cpuTrajectory(frugal, hp, new Array<number>(n).fill(0), grads, [W(n)], seed);
    // Entering coordinate, step 3: a first Adam step, -lr * sign(g); before that two signSGD steps.
    expect(out[1][enter]).toBeCloseTo(-0.2, 14);
    expect(out[2][enter] - out[1][enter]).toBeCloseTo(-0.1, 14);
    // Staying coordinate: step 3 is Adam's third step on g1, g2, g3 (count 3), computed here by hand.
    const g = grads.map((r) => r[stay]);
    let [m, v] = [0, 0];
    for (let t = 1; t <= 3; t++) {
      m = 0.9 * m + 0.1 * g[t - 1];
      v = 0.999 * v + 0.001 * g[t - 1] ** 2;
    }
    const step3 = (0.1 / (1 - 0.9 ** 3)) * (m / Math.sqrt(v / (1 - 0.999 ** 3)));
    expect(out[2][stay] - out[1][stay]).toBeCloseTo(-step3, 12);
  });

  it('biases are always state-full', () => {
    const tensors: TensorInfo[] = [W(3), { name: 'b', offset: 3, size: 2, shape: [2], layer: 0, kind: 'bias' }];
    const gs = [[1, 1, 1, 0.5, -2]];
    const [x] = cpuTrajectory(
      frugal,
      hyperOf(frugal, { lr: 0.1, density: 0, inactiveLrScale: 0.5, ...EARLIER }),
      [0, 0, 0, 0, 0],
      gs,
      tensors,
    );
    expect(x.slice(0, 3)).toEqual([-0.05, -0.05, -0.05]);
    expect(x[3]).toBeCloseTo((-0.1 * 0.5) / (0.5 + 1e-8), 14); // Adam's first step
    expect(x[4]).toBeCloseTo((0.1 * 2) / (2 + 1e-8), 14);
  });
});

describe('frugal GPU vs CPU', () => {
  it('same sets and per-coordinate Adam on both sides, in every mode (30 steps, seeds per run)', async () => {
    const hps = [
      hyperOf(frugal, { lr: 1e-2, updateGap: 3 }),
      hyperOf(frugal, { lr: 1e-2, density: 0.6, updateGap: 5, ...EARLIER }),
      hyperOf(frugal, { lr: 1e-2, density: 0.3, updateGap: 4, columns: false }),
      hyperOf(frugal, { lr: 1e-2, density: 0.5, updateGap: 6, exactCount: false, resetAtDraw: false }),
    ];
    const args = {
      ...randomRunArgs(hps, { steps: 30, seed: 9, widths: [9, 11, 2] }),
      withState: true,
      seeds: [17, 4242, 5, 99],
    };
    const gpu = await runGpuOptimizer(frugal, args);
    const ref = runCpuOptimizer(frugal, args);
    // Relative 1e-4 (f32 vs float64); the step-count slot must agree exactly (same mask).
    for (let k = 0; k < 30; k++) expect(maxRelDiff(gpu.params[k], ref.params[k])).toBeLessThan(1e-4);
    const RP = hps.length * args.paramCount;
    for (let k = 0; k < 30; k++)
      expect(Array.from(gpu.state![k].subarray(2 * RP, 3 * RP))).toEqual(
        Array.from(ref.state![k].subarray(2 * RP, 3 * RP)),
      );
  });
});

/**
 * The authors' CoordAdamW (coord_choice 'columns', reset_statistics True) written out for one
 * dense weight of shape [rows, cols], given the columns each draw picks: at each draw the moments
 * ([rows][k], in the order of the picked columns) and the step count restart; picked columns take
 * AdamW on the projected gradient, the rest signSGD; decoupled decay first.
 */
function authorsTrajectory(
  o: { lr: number; b1: number; b2: number; eps: number; wd: number; gap: number; inactive: number },
  rows: number,
  cols: number,
  theta0: number[],
  grads: number[][],
  picks: (period: number) => number[],
): number[][] {
  const p = theta0.slice();
  let idx: number[] = [];
  let m: number[] = [];
  let v: number[] = [];
  let step = 0;
  const out: number[][] = [];
  grads.forEach((g, k) => {
    if (step % o.gap === 0) {
      idx = picks(Math.floor(k / o.gap));
      m = new Array<number>(rows * idx.length).fill(0);
      v = new Array<number>(rows * idx.length).fill(0);
      step = 0;
    }
    for (let i = 0; i < p.length; i++) p[i] *= 1 - o.lr * o.wd;
    step += 1;
    const picked = new Set(idx);
    for (let row = 0; row < rows; row++) {
      idx.forEach((c, q) => {
        const gi = g[row * cols + c];
        const s = row * idx.length + q;
        m[s] = m[s] * o.b1 + gi * (1 - o.b1);
        v[s] = v[s] * o.b2 + gi * gi * (1 - o.b2);
        const denom = Math.sqrt(v[s]) / Math.sqrt(1 - o.b2 ** step) + o.eps;
        p[row * cols + c] += (m[s] / denom) * (-o.lr / (1 - o.b1 ** step));
      });
      for (let c = 0; c < cols; c++)
        if (!picked.has(c)) p[row * cols + c] += -o.lr * o.inactive * Math.sign(g[row * cols + c]);
    }
    out.push(p.slice());
  });
  return out;
}

describe("frugal, the authors' algorithm (the defaults)", () => {
  const rows = 2;
  const cols = 6;
  const weight: TensorInfo = { name: 'w', offset: 0, size: rows * cols, shape: [rows, cols], layer: 0, kind: 'weight' };

  it('draws exactly floor(density * columns) whole columns, a new set every updateGap steps', () => {
    const hp = hyperOf(frugal, { density: 0.4, updateGap: 5 });
    const big: TensorInfo = { ...weight, size: 7 * 50, shape: [7, 50] };
    const picked = (t: number) => {
      const cols = new Set<number>();
      for (let e = 0; e < big.size; e++) if (frugalActive(11, t, big, e, hp)) cols.add(e % 50);
      return cols;
    };
    const s1 = picked(1);
    expect(s1.size).toBe(exactUnits(50, 0.4)); // 20
    for (let e = 0; e < big.size; e++) expect(frugalActive(11, 1, big, e, hp)).toBe(s1.has(e % 50)); // whole columns
    expect(picked(5)).toEqual(s1);
    expect(picked(6)).not.toEqual(s1);
    expect(picked(6).size).toBe(20);
    // Coordinates instead of columns: exactly floor(0.4 * 350) = 140 of them.
    const hc = hyperOf(frugal, { density: 0.4, updateGap: 5, columns: false });
    let n = 0;
    for (let e = 0; e < big.size; e++) n += frugalActive(11, 1, big, e, hc) ? 1 : 0;
    expect(n).toBe(140);
    expect(unitShape(big, true).units).toBe(50);
  });

  it("equals a replay of the authors' CoordAdamW given the same columns (40 steps, 4 draws, 6->2 linear weight)", () => {
    const o = { lr: 0.05, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.1, gap: 10, inactive: 0.5 };
    const hp = hyperOf(frugal, {
      lr: o.lr,
      density: 0.5,
      updateGap: o.gap,
      weightDecay: o.wd,
      inactiveLrScale: o.inactive,
    });
    const seed = 23;
    const grads = Array.from({ length: 40 }, (_, k) =>
      Array.from({ length: rows * cols }, (_, e) => Math.sin(0.37 * k + 1.3 * e) + 0.1 * e),
    );
    const theta0 = Array.from({ length: rows * cols }, (_, e) => 0.2 * e - 0.5);
    const ours = cpuTrajectory(frugal, hp, theta0, grads, [weight], seed);
    const picks = (period: number) => {
      const cs: number[] = [];
      for (let c = 0; c < cols; c++) if (frugalActive(seed, period * o.gap + 1, weight, c, hp)) cs.push(c);
      return cs;
    };
    expect(picks(0)).toHaveLength(3);
    const ref = authorsTrajectory(o, rows, cols, theta0, grads, picks);
    for (let k = 0; k < grads.length; k++)
      for (let e = 0; e < theta0.length; e++) expect(Math.abs(ours[k][e] - ref[k][e])).toBeLessThan(1e-12);
    // The earlier variant keeps the state of columns that stay in the set: a different trajectory.
    const earlier = cpuTrajectory(frugal, { ...hp, resetAtDraw: false }, theta0, grads, [weight], seed);
    const gapTo = Math.max(...earlier[39].map((x, e) => Math.abs(x - ref[39][e])));
    expect(gapTo).toBeGreaterThan(1e-3);
  });
});
