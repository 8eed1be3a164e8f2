import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../model/layout';
import { adamw } from './adam';
import { frugal, frugalActive } from './frugal';
import { maxRelDiff, randomRunArgs, runCpuOptimizer, runGpuOptimizer } from './harness';
import { cpuTrajectory, hyperOf } from './testing_cpu';

const W = (size: number): TensorInfo => ({ name: 'w', offset: 0, size, shape: [1, size], layer: 0, kind: 'weight' });

describe('frugal (CPU reference)', () => {
  it('density 1 is AdamW; density 0 is signSGD (scaled by inactiveLrScale) with decoupled decay', () => {
    const gs = [
      [0.5, -1],
      [0.2, 0.3],
      [-0.4, 0.1],
    ];
    const a = cpuTrajectory(frugal, hyperOf(frugal, { lr: 0.1, density: 1, weightDecay: 0.1 }), [1, 2], gs, [W(2)]);
    const b = cpuTrajectory(adamw, hyperOf(adamw, { lr: 0.1, weightDecay: 0.1 }), [1, 2], gs, [W(2)]);
    a.forEach((p, k) => p.forEach((x, i) => expect(x).toBeCloseTo(b[k][i], 14)));
    // density 0: theta = theta (1 - 0.01) - 0.1 * 0.5 * sign(g)
    const [s] = cpuTrajectory(
      frugal,
      hyperOf(frugal, { lr: 0.1, density: 0, weightDecay: 0.1, inactiveLrScale: 0.5 }),
      [1, 2],
      [gs[0]],
      [W(2)],
    );
    expect(s[0]).toBeCloseTo(0.99 - 0.05, 14);
    expect(s[1]).toBeCloseTo(1.98 + 0.05, 14);
  });

  it('draws about a fraction `density` of the coordinates, a new set every updateGap steps', () => {
    const hp = hyperOf(frugal, { density: 0.25, updateGap: 10 });
    const n = 20000;
    const set = (t: number) => Array.from({ length: n }, (_, j) => frugalActive(7, t, j, hp));
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
    const hp = hyperOf(frugal, { lr: 0.1, density: 0.5, updateGap: 2, eps: 0 });
    const seed = 3;
    // Periods: steps 1-2 (period 0), 3-4 (period 1). Find j out->in and j in->in.
    let enter = -1;
    let stay = -1;
    for (let j = 0; j < 1000 && (enter < 0 || stay < 0); j++) {
      const a = frugalActive(seed, 1, j, hp);
      const b = frugalActive(seed, 3, j, hp);
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
      hyperOf(frugal, { lr: 0.1, density: 0, inactiveLrScale: 0.5 }),
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
  it('same mask and per-coordinate Adam on both sides (updateGap 3, 30 steps, seeds per run)', async () => {
    const hps = [
      hyperOf(frugal, { lr: 1e-2, updateGap: 3 }),
      hyperOf(frugal, { lr: 1e-2, density: 0.6, updateGap: 5 }),
    ];
    const args = {
      ...randomRunArgs(hps, { steps: 30, seed: 9, widths: [9, 11, 2] }),
      withState: true,
      seeds: [17, 4242],
    };
    const gpu = await runGpuOptimizer(frugal, args);
    const ref = runCpuOptimizer(frugal, args);
    // Relative 1e-4 (f32 vs float64); the step-count slot must agree exactly (same mask).
    for (let k = 0; k < 30; k++) expect(maxRelDiff(gpu.params[k], ref.params[k])).toBeLessThan(1e-4);
    const RP = 2 * args.paramCount;
    for (let k = 0; k < 30; k++)
      expect(Array.from(gpu.state![k].subarray(2 * RP, 3 * RP))).toEqual(
        Array.from(ref.state![k].subarray(2 * RP, 3 * RP)),
      );
  });
});
