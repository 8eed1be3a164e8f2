import { describe, expect, it } from 'vitest';
import { mlpLayout } from '../model/layout';
import { clippedAdam, clippedSgd } from './clipped';
import { harnessRng, maxAbsDiff, maxRelDiff, runCpuOptimizer, runGpuOptimizer, type OptimizerRunArgs } from './harness';
import type { Hyper, OptimizerDef } from './types';

function hps(def: OptimizerDef, over: Hyper = {}): Hyper {
  const hp: Hyper = {};
  for (const s of def.hyperparams) hp[s.key] = s.default;
  return { ...hp, ...over };
}

const layout = mlpLayout([13, 70, 3]); // P = 1193, not a multiple of any workgroup size

/** Heavy-tailed random gradients (a few large coordinates) with repeated values and zeros. */
function options(runHps: Hyper[], steps: number, seed: number): OptimizerRunArgs {
  const rng = harnessRng(seed);
  const P = layout.paramCount;
  const R = runHps.length;
  const init = Float32Array.from({ length: R * P }, () => 0.5 * rng.normal());
  const grads = Array.from({ length: steps }, () =>
    Float32Array.from({ length: R * P }, () => {
      const u = rng.uniform();
      if (u < 0.05) return 0;
      if (u < 0.1) return 0.25;
      const z = rng.normal();
      return u < 0.15 ? 20 * z : z;
    }),
  );
  return { hps: runHps, tensors: layout.tensors, paramCount: P, init, grads };
}

async function parity(def: OptimizerDef, runHps: Hyper[], tol: number): Promise<void> {
  const steps = 100;
  const opts = options(runHps, steps, 7);
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

describe('clipped GPU vs CPU', () => {
  it('clipped-sgd: 100 steps, c = 0, 1 and between, momentum, nesterov, normalize, decay', async () => {
    await parity(
      clippedSgd,
      [
        hps(clippedSgd, { lr: 0.01, clipFraction: 0 }),
        hps(clippedSgd, { lr: 0.01, clipFraction: 1, weightDecay: 0.1 }),
        hps(clippedSgd, { lr: 0.01, clipFraction: 0.1 }),
        hps(clippedSgd, { lr: 0.005, clipFraction: 0.37, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
        hps(clippedSgd, { lr: 0.005, clipFraction: 0.2, momentum: 0.8, nesterov: true, thresholdScale: 0.7 }),
        hps(clippedSgd, { lr: 0.002, clipFraction: 0.05, normalize: true, momentum: 0.5 }),
      ],
      1e-4,
    );
  });

  it('clipped-adam: 100 steps, c = 0, 1 and between, decay before the selection', async () => {
    await parity(
      clippedAdam,
      [
        hps(clippedAdam, { lr: 0.01, clipFraction: 0 }),
        hps(clippedAdam, { lr: 0.01, clipFraction: 1 }),
        hps(clippedAdam, { lr: 0.01, clipFraction: 0.5 }),
        hps(clippedAdam, { lr: 0.005, clipFraction: 0.1, weightDecay: 0.05, betas: [0.8, 0.99], thresholdScale: 1.5 }),
      ],
      1e-4,
    );
  });
});
