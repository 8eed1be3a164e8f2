import { describe, expect, it } from 'vitest';
import { maxRelDiff, randomRunArgs, runCpuOptimizer, runGpuOptimizer } from './harness';
import { sgd } from './sgd';
import type { OptimizerDef } from './types';
import { hyperOf } from './testing_cpu';

describe('optimizer test harness', () => {
  const hps = [hyperOf(sgd, { lr: 0.01, momentum: 0.9 }), hyperOf(sgd, { lr: 0.02 })];

  it('detects a CPU/GPU mismatch (a reference with a 0.1% larger lr fails the 1e-4 parity check)', async () => {
    const wrong: OptimizerDef = { ...sgd, cpuStep: (a) => sgd.cpuStep({ ...a, lr: a.lr * 1.001 }) };
    const args = randomRunArgs(hps, { steps: 20, seed: 3 });
    const gpu = await runGpuOptimizer(sgd, args);
    expect(maxRelDiff(gpu.params[19], runCpuOptimizer(sgd, args).params[19])).toBeLessThan(1e-4);
    expect(maxRelDiff(gpu.params[19], runCpuOptimizer(wrong, args).params[19])).toBeGreaterThan(1e-4);
  });

  it('gives the same result whatever the steps per submit (step slots and dynamic offsets)', async () => {
    const args = randomRunArgs(hps, { steps: 7, seed: 4 });
    const a = await runGpuOptimizer(sgd, { ...args, chunk: 1 });
    const b = await runGpuOptimizer(sgd, { ...args, chunk: 3 });
    const c = await runGpuOptimizer(sgd, { ...args, chunk: 7 });
    for (let k = 0; k < 7; k++) {
      expect(Array.from(b.params[k])).toEqual(Array.from(a.params[k]));
      expect(Array.from(c.params[k])).toEqual(Array.from(a.params[k]));
    }
  });

  it('uses per-step, per-run learning rates and returns the state in the GPU layout', async () => {
    const args = {
      ...randomRunArgs(hps, { steps: 3, seed: 5 }),
      lrs: [
        [0.1, 0],
        [0, 0.2],
        [0.05, 0.05],
      ],
      withState: true,
    };
    const gpu = await runGpuOptimizer(sgd, args);
    const cpu = runCpuOptimizer(sgd, args);
    const P = args.paramCount;
    // run 1 had lr 0 on step 1: unchanged
    expect(Array.from(gpu.params[0].subarray(P, 2 * P))).toEqual(Array.from(args.init.subarray(P, 2 * P)));
    for (let k = 0; k < 3; k++) expect(maxRelDiff(gpu.params[k], cpu.params[k])).toBeLessThan(1e-5);
    // momentum buffer of run 0 after step 1 is g_1 (slot 0 of run 0)
    expect(maxRelDiff(gpu.state![0].subarray(0, P), args.grads[0].subarray(0, P))).toBe(0);
    expect(maxRelDiff(gpu.state![2], cpu.state![2])).toBeLessThan(1e-5);
  });

  it('rejects inputs of the wrong size with a specific error', async () => {
    const args = randomRunArgs(hps, { steps: 2, seed: 6 });
    expect(() => runCpuOptimizer(sgd, { ...args, init: new Float32Array(3) })).toThrow(
      /init has 3 floats, expected runs\*P/,
    );
    await expect(runGpuOptimizer(sgd, { ...args, grads: [new Float32Array(5)] })).rejects.toThrow(
      /grads\[0\] has 5 floats/,
    );
  });
});
