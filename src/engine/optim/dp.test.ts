import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../model/layout';
import { diceSgd, diceSgdProblems, dpNoise, dpSgd } from './dp';
import type { CpuOptimizerState, Hyper, OptimizerDef } from './types';

function hps(def: OptimizerDef, over: Hyper = {}): Hyper {
  const hp: Hyper = {};
  for (const s of def.hyperparams) hp[s.key] = s.default;
  return { ...hp, ...over };
}

const flat = (n: number): TensorInfo[] => [
  { name: 'layers.0.bias', offset: 0, size: n, shape: [n], layer: 0, kind: 'bias' },
];

interface Step {
  grad: number[];
  clipped: number[];
}

function runCpu(
  def: OptimizerDef,
  hp: Hyper,
  p0: number[],
  steps: Step[],
  lr: number,
  seed = 3,
  batchSize = 4,
): { p: Float64Array; state: CpuOptimizerState } {
  const params = Float64Array.from(p0);
  const tensors = flat(p0.length);
  const state = def.cpuInit(params.length, tensors, hp);
  steps.forEach((s, k) =>
    def.cpuStep({
      params,
      grad: Float64Array.from(s.grad),
      clippedGrad: Float64Array.from(s.clipped),
      state,
      hp,
      t: k + 1,
      lr,
      tensors,
      seed,
      batchSize,
    }),
  );
  return { p: params, state };
}

describe('dp-sgd (CPU)', () => {
  it('noise multiplier 0 is exactly a step on the clipped mean (plus coupled decay)', () => {
    const p0 = [1, -2, 0.5];
    const cg = [0.25, -0.5, 3];
    const { p } = runCpu(
      dpSgd,
      hps(dpSgd, { noiseMultiplier: 0, weightDecay: 0.1 }),
      p0,
      [{ grad: [9, 9, 9], clipped: cg }],
      0.5,
    );
    expect(Array.from(p)).toEqual(p0.map((x, j) => x - 0.5 * (cg[j] + 0.1 * x)));
  });

  it('adds sigma C / B times the counter-PRNG normal of (seed, t, coordinate)', () => {
    // theta_1 = theta_0 - lr (cg + sigma C / B z): recover z and compare with dpNoise.
    const n = 20000;
    const hp = hps(dpSgd, { noiseMultiplier: 2, clipNorm: 3 });
    const std = (2 * 3) / 8;
    const zero = new Array(n).fill(0);
    const { p } = runCpu(
      dpSgd,
      hp,
      zero,
      [
        { grad: zero, clipped: zero },
        { grad: zero, clipped: zero },
      ],
      1,
      11,
      8,
    );
    let mean = 0;
    let sq = 0;
    for (let j = 0; j < n; j++) {
      const z = -p[j] / std; // two steps: z = z(t=1) + z(t=2)
      expect(z).toBeCloseTo(dpNoise(11, 1, j) + dpNoise(11, 2, j), 10);
      const z1 = dpNoise(11, 1, j);
      mean += z1;
      sq += z1 * z1;
    }
    mean /= n;
    const variance = sq / n - mean * mean;
    // Standard errors: 1/sqrt(n) = 0.007 for the mean, sqrt(2/n) = 0.01 for the variance.
    expect(Math.abs(mean)).toBeLessThan(0.035);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    // Different steps and seeds draw different normals; the same key draws the same one.
    expect(dpNoise(11, 1, 5)).not.toBe(dpNoise(11, 2, 5));
    expect(dpNoise(11, 1, 5)).not.toBe(dpNoise(12, 1, 5));
    expect(dpNoise(11, 1, 5)).toBe(dpNoise(11, 1, 5));
  });

  it('per-example clipping norm and stability line', () => {
    expect(dpSgd.perExampleClip?.(hps(dpSgd, { clipNorm: 4 }))).toBe(4);
    expect(diceSgd.perExampleClip?.(hps(diceSgd, { clipNorm: 2 }))).toBe(2);
    expect(dpSgd.sharpnessThreshold?.(hps(dpSgd), 0.1)).toBeCloseTo(20, 12);
  });

  it('fails with a clear error without the clipped gradient', () => {
    const params = new Float64Array(2);
    const hp = hps(dpSgd);
    const state = dpSgd.cpuInit(2, flat(2), hp);
    expect(() =>
      dpSgd.cpuStep({
        params,
        grad: new Float64Array(2),
        state,
        hp,
        t: 1,
        lr: 0.1,
        tensors: flat(2),
        seed: 0,
        batchSize: 1,
      }),
    ).toThrow(/clippedGrad/);
  });
});

describe('dice-sgd (CPU)', () => {
  it('error feedback returns the clipped-away gradient over later steps', () => {
    // theta in R^2, C2 = 2, no noise, lr = 0.1. clip(e, C2) = e min(1, C2/(||e|| + 1e-6)).
    // Step 1: g = (3,4), clipped mean (0.6,0.8) (C1 = 1). e_0 = 0: v1 = (0.6,0.8); e1 = g - v1 = (2.4,3.2), ||e1|| = 4.
    // Step 2: g = clipped = 0. f2 = 2/(4 + 1e-6); v2 = f2 e1; e2 = (1 - f2) e1 (norm ~2).
    // Step 3: g = clipped = 0. f3 = min(1, 2/(||e2|| + 1e-6)); v3 = f3 e2; e3 = (1 - f3) e2 (~1e-6).
    // So theta_3 = theta_0 - lr (v1 + v2 + v3) = theta_0 - lr (g - e3): no clipping bias left.
    const hp = hps(diceSgd, { clipNorm: 1, errorClipNorm: 2, noiseMultiplier: 0 });
    const z = [0, 0];
    const steps = [
      { grad: [3, 4], clipped: [0.6, 0.8] },
      { grad: z, clipped: z },
      { grad: z, clipped: z },
    ];
    const e1 = [2.4, 3.2];
    const f2 = 2 / (4 + 1e-6);
    const e2 = e1.map((x) => (1 - f2) * x);
    const f3 = Math.min(1, 2 / (Math.hypot(e2[0], e2[1]) + 1e-6));
    const e3 = e2.map((x) => (1 - f3) * x);
    const v = [0, 1].map((j) => [0.6, 0.8][j] + f2 * e1[j] + f3 * e2[j]);
    const p0 = [1, -1];
    const { p, state } = runCpu(diceSgd, hp, p0, steps, 0.1);
    [0, 1].forEach((j) => {
      expect(p[j]).toBeCloseTo(p0[j] - 0.1 * v[j], 14);
      expect(state.slots[0][j]).toBeCloseTo(e3[j], 14);
      expect(p[j]).toBeCloseTo(p0[j] - 0.1 * [3, 4][j], 6);
    });
  });

  it('after step 1 it equals dp-sgd (no feedback yet), noise included', () => {
    const hp = { clipNorm: 1.5, noiseMultiplier: 0.7 };
    const s = [{ grad: [1, 2, 3], clipped: [0.1, -0.2, 0.3] }];
    const a = runCpu(diceSgd, hps(diceSgd, { ...hp, errorClipNorm: 2 }), [1, 2, 3], s, 0.1).p;
    const b = runCpu(dpSgd, hps(dpSgd, hp), [1, 2, 3], s, 0.1).p;
    [0, 1, 2].forEach((j) => expect(a[j]).toBeCloseTo(b[j], 14));
  });

  it('C2 >= C1 is reported with the field and what was expected', () => {
    expect(diceSgdProblems(hps(diceSgd, { clipNorm: 1, errorClipNorm: 2 }))).toEqual([]);
    expect(diceSgdProblems(hps(diceSgd, { clipNorm: 3, errorClipNorm: 2 }))).toEqual([
      { key: 'errorClipNorm', message: 'expected errorClipNorm (C2) >= clipNorm (C1) = 3, got 2' },
    ]);
  });
});
