import { describe, expect, it } from 'vitest';
import type { TensorInfo } from '../model/layout';
import { maxRelDiff, randomRunArgs, runCpuOptimizer, runGpuOptimizer } from './harness';
import { sgdSai, tensorGsnr } from './sgd_sai';
import { cpuTrajectory, hyperOf } from './testing_cpu';

const T = (offset: number, size: number, kind: 'weight' | 'bias' = 'weight'): TensorInfo => ({
  name: `t${offset}`,
  offset,
  size,
  shape: [size],
  layer: 0,
  kind,
});

describe('sgd-sai (CPU reference, golden values)', () => {
  it('gsnr = ||g|| / (unbiased std + eps)', () => {
    // g = [1,2,3,4]: ||g|| = sqrt(30), mean 2.5, unbiased var = 5/3 -> gsnr = sqrt(30)/sqrt(5/3) = sqrt(18)
    expect(tensorGsnr([1, 2, 3, 4], 0, 4, hyperOf(sgdSai))).toBeCloseTo(Math.sqrt(18), 7);
  });

  it('scales the tensor lr by the step-1 gsnr, frozen afterwards; EMA momentum; decoupled decay', () => {
    // lr 0.1, mu 0.5, wd 0.1, tensor [1,2,3,4] at step 1 (gsnr sqrt(18)), then g2 = [4,0,0,0]
    // step 1: b = g1; theta = theta*(1 - 0.01) - 0.1*sqrt(18)*g1
    // step 2: b = 0.5*g1 + 0.5*g2; same gsnr (g2 would give another value)
    const hp = hyperOf(sgdSai, { lr: 0.1, momentum: 0.5, weightDecay: 0.1, eps: 0 });
    const g1 = [1, 2, 3, 4];
    const g2 = [4, 0, 0, 0];
    const out = cpuTrajectory(sgdSai, hp, [1, 1, 1, 1], [g1, g2], [T(0, 4)]);
    const s = Math.sqrt(18);
    const th1 = g1.map((g) => 0.99 - 0.1 * s * g);
    out[0].forEach((x, i) => expect(x).toBeCloseTo(th1[i], 12));
    out[1].forEach((x, i) => expect(x).toBeCloseTo(th1[i] * 0.99 - 0.1 * s * (0.5 * g1[i] + 0.5 * g2[i]), 12));
  });

  it('one-element tensors: gsnr = 1 by default; |g|/eps with faithful (NaN std -> 0)', () => {
    const tensors = [T(0, 3), T(3, 1, 'bias')];
    const g = [[1, -1, 2, 0.5]];
    const guarded = cpuTrajectory(sgdSai, hyperOf(sgdSai, { lr: 0.1, weightDecay: 0 }), [0, 0, 0, 0], g, tensors);
    expect(guarded[0][3]).toBeCloseTo(-0.1 * 1 * 0.5, 14);
    const faithful = cpuTrajectory(
      sgdSai,
      hyperOf(sgdSai, { lr: 1e-9, weightDecay: 0, faithful: true }),
      [0, 0, 0, 0],
      g,
      tensors,
    );
    expect(faithful[0][3]).toBeCloseTo(-1e-9 * (0.5 / 1e-8) * 0.5, 12);
  });

  it('a tensor whose first gradient is 0 never moves; momentum 0 uses b = g', () => {
    const tensors = [T(0, 2), T(2, 2)];
    const out = cpuTrajectory(
      sgdSai,
      hyperOf(sgdSai, { lr: 0.1, weightDecay: 0, momentum: 0 }),
      [1, 1, 1, 1],
      [
        [0, 0, 1, 3],
        [5, 5, 1, 3],
      ],
      tensors,
    );
    expect(out[1].slice(0, 2)).toEqual([1, 1]);
    const s = tensorGsnr([1, 3], 0, 2, hyperOf(sgdSai));
    expect(out[1][2]).toBeCloseTo(1 - 0.2 * s, 12);
  });

  it('normalizeGsnr divides by the largest gsnr of the run', () => {
    const tensors = [T(0, 4), T(4, 2)];
    const hp = hyperOf(sgdSai, { lr: 0.1, weightDecay: 0, normalizeGsnr: true });
    const [x] = cpuTrajectory(sgdSai, hp, [0, 0, 0, 0, 0, 0], [[1, 2, 3, 4, 1, 1.1]], tensors);
    const a = tensorGsnr([1, 2, 3, 4], 0, 4, hp);
    const b = tensorGsnr([1, 1.1], 0, 2, hp);
    expect(b).toBeGreaterThan(a);
    const mx = Math.max(a, b);
    expect(x[0]).toBeCloseTo((-0.1 * a) / mx, 10);
    expect(x[4]).toBeCloseTo((-0.1 * b) / mx, 10);
  });
});

describe('sgd-sai GPU vs CPU', () => {
  it('per-tensor reduction (tensor of 260 > 64 floats, one-element bias, guarded and faithful) over 20 steps', async () => {
    // widths [20, 13, 1]: tensors of 260, 13, 13 and 1 floats (P = 287).
    const hps = [
      hyperOf(sgdSai, { lr: 1e-3 }),
      hyperOf(sgdSai, { lr: 1e-9, faithful: true }),
      hyperOf(sgdSai, { lr: 1e-3, momentum: 0, normalizeGsnr: true }),
    ];
    const args = { ...randomRunArgs(hps, { steps: 20, seed: 5, widths: [20, 13, 1] }), withState: true };
    const gpu = await runGpuOptimizer(sgdSai, args);
    const ref = runCpuOptimizer(sgdSai, args);
    // f32 reductions and updates vs float64: relative 1e-4.
    for (let k = 0; k < 20; k++) expect(maxRelDiff(gpu.params[k], ref.params[k])).toBeLessThan(1e-4);
    // The faithful run's one-element bias got gsnr = |g|/eps ~ 1e8 on both sides.
    expect(ref.finalStates[1].extra.gsnr[3]).toBeGreaterThan(1e6);
    expect(ref.finalStates[0].extra.gsnr[3]).toBe(1);
  });
});
