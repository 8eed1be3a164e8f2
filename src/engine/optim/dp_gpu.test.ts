import { describe, expect, it } from 'vitest';
import { mlpLayout } from '../model/layout';
import { diceSgd, dpNoise, dpSgd } from './dp';
import { harnessRng, maxAbsDiff, maxRelDiff, runCpuOptimizer, runGpuOptimizer, type OptimizerRunArgs } from './harness';
import type { Hyper, OptimizerDef } from './types';

function hps(def: OptimizerDef, over: Hyper = {}): Hyper {
  const hp: Hyper = {};
  for (const s of def.hyperparams) hp[s.key] = s.default;
  return { ...hp, ...over };
}

const layout = mlpLayout([13, 70, 3]); // P = 1193
const P = layout.paramCount;

/** Random batch-mean gradients and, as the engine would give, clipped means of smaller norm. */
function options(runHps: Hyper[], steps: number, seed: number, batchSize: number): OptimizerRunArgs {
  const rng = harnessRng(seed);
  const R = runHps.length;
  const init = Float32Array.from({ length: R * P }, () => 0.5 * rng.normal());
  const grads: Float32Array[] = [];
  const clippedGrads: Float32Array[] = [];
  for (let k = 0; k < steps; k++) {
    const g = Float32Array.from({ length: R * P }, () => 0.1 * rng.normal());
    grads.push(g);
    clippedGrads.push(Float32Array.from(g, (x) => x * (0.2 + 0.6 * rng.uniform())));
  }
  return {
    hps: runHps,
    tensors: layout.tensors,
    paramCount: P,
    init,
    grads,
    clippedGrads,
    batchSize,
    seeds: runHps.map((_, r) => 77 + 13 * r),
  };
}

async function parity(def: OptimizerDef, runHps: Hyper[], tol: number): Promise<void> {
  const steps = 100;
  const opts = options(runHps, steps, 3, 16);
  const gpuRun = await runGpuOptimizer(def, { ...opts, withState: true });
  const cpuRun = runCpuOptimizer(def, { ...opts, withState: true });
  const gpu = gpuRun.params;
  const cpu = cpuRun.params;
  let worst = 0;
  let worstAbs = 0;
  for (let k = 0; k < steps; k++) {
    // Parameters and optimizer state (moments, momentum buffer, DiceSGD's error) after each step.
    const e = Math.max(maxRelDiff(gpu[k], cpu[k]), maxRelDiff(gpuRun.state![k], cpuRun.state![k]));
    expect(e, `step ${k + 1}`).toBeLessThan(tol);
    worst = Math.max(worst, e);
    worstAbs = Math.max(worstAbs, maxAbsDiff(gpu[k], cpu[k]), maxAbsDiff(gpuRun.state![k], cpuRun.state![k]));
  }
  console.log(
    `[${def.name}] GPU vs CPU over ${steps} steps, ${runHps.length} runs: max |gpu-cpu|/(1+|cpu|) over params and state = ${worst.toExponential(2)} (max |gpu-cpu| ${worstAbs.toExponential(2)})`,
  );
}

describe('dp-sgd / dice-sgd GPU', () => {
  it('GPU and CPU draw the same normals', async () => {
    // lr 1, theta_0 = 0, clipped = 0, sigma C / B = 1: theta_1 = -z.
    const hp = hps(dpSgd, { lr: 1, noiseMultiplier: 1, clipNorm: 4 });
    const zero = new Float32Array(2 * P);
    const seeds = [5, 123456789];
    const {
      params: [gpu],
    } = await runGpuOptimizer(dpSgd, {
      hps: [hp, hp],
      tensors: layout.tensors,
      paramCount: P,
      init: zero,
      grads: [zero],
      clippedGrads: [zero],
      batchSize: 4,
      seeds,
    });
    let worst = 0;
    for (let r = 0; r < 2; r++) {
      for (let j = 0; j < P; j++) {
        const z = dpNoise(seeds[r], 1, j);
        worst = Math.max(worst, Math.abs(-gpu[r * P + j] - z) / (1 + Math.abs(z)));
      }
    }
    // Same bits, f32 vs float64 Box-Muller: ~1e-7 on SwiftShader and an H100, but WGSL only
    // promises cos to 2^-11 absolute, so allow that much (different draws would differ by O(1)).
    expect(worst).toBeLessThan(1e-3);
    console.log(`[dp-sgd] GPU vs CPU normals: max |dz|/(1+|z|) = ${worst.toExponential(2)}`);
  });

  it('noise multiplier 0 is exactly pure clipping on the GPU, whatever the seed', async () => {
    // Dyadic values: theta - lr * clipped is exact in f32, so the GPU must match it bit for bit.
    const rng = harnessRng(9);
    const init = Float32Array.from({ length: 2 * P }, () => Math.round(rng.normal() * 64) / 64);
    const cg = Float32Array.from({ length: 2 * P }, () => Math.round(rng.normal() * 64) / 64);
    const hp = hps(dpSgd, { lr: 0.5, noiseMultiplier: 0 });
    const {
      params: [gpu],
    } = await runGpuOptimizer(dpSgd, {
      hps: [hp, hp],
      tensors: layout.tensors,
      paramCount: P,
      init,
      grads: [cg],
      clippedGrads: [cg],
      batchSize: 8,
      seeds: [1, 2],
    });
    for (let i = 0; i < 2 * P; i++) expect(gpu[i]).toBe(init[i] - 0.5 * cg[i]);
  });

  it('dp-sgd: 100 steps, runs mixing C, sigma, decay', async () => {
    await parity(
      dpSgd,
      [
        hps(dpSgd, { lr: 0.1, noiseMultiplier: 0 }),
        hps(dpSgd, { lr: 0.1, noiseMultiplier: 1, clipNorm: 1 }),
        hps(dpSgd, { lr: 0.05, noiseMultiplier: 4, clipNorm: 2, weightDecay: 0.01 }),
      ],
      5e-4, // room for WGSL's cos accuracy in the noise (see above); measured ~4e-7
    );
  });

  it('dice-sgd: 100 steps, runs mixing C1, C2, sigma', async () => {
    await parity(
      diceSgd,
      [
        hps(diceSgd, { lr: 0.1, noiseMultiplier: 0, clipNorm: 1, errorClipNorm: 1 }),
        hps(diceSgd, { lr: 0.1, noiseMultiplier: 0, clipNorm: 0.5, errorClipNorm: 0.5 }),
        hps(diceSgd, { lr: 0.05, noiseMultiplier: 1, clipNorm: 1, errorClipNorm: 3 }),
        hps(diceSgd, { lr: 0.05, noiseMultiplier: 2, clipNorm: 0.2, errorClipNorm: 0.4 }),
      ],
      5e-4,
    );
  });
});
