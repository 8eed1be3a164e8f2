import { describe, expect, it } from 'vitest';
import { mlpLayout } from '../model/layout';
import { adamp, sgdp } from './adamp';
import { isProjected, projectUpdate } from './rowproj';
import { harnessRng, maxAbsDiff, maxRelDiff, runCpuOptimizer, runGpuOptimizer, type OptimizerRunArgs } from './harness';
import type { Hyper, OptimizerDef } from './types';

function hps(def: OptimizerDef, over: Hyper = {}): Hyper {
  const hp: Hyper = {};
  for (const s of def.hyperparams) hp[s.key] = s.default;
  return { ...hp, ...over };
}

// Rows of 13 (not a multiple of the workgroup) and 70 (longer than it); P = 1193.
const layout = mlpLayout([13, 70, 3]);
const P = layout.paramCount;

/**
 * Gradients along a float64 trajectory of the same optimizer so that the projection really fires:
 * step mode 0 = random g; 1 = each weight row of g orthogonal to its row of theta (channel view);
 * 2 = each weight tensor of g orthogonal to theta as a whole, rows not (layer view).
 */
function trajectoryGrads(
  def: OptimizerDef,
  runHps: Hyper[],
  steps: number,
  seed: number,
): OptimizerRunArgs & { fired: number; checked: number } {
  const rng = harnessRng(seed);
  const R = runHps.length;
  const init = Float32Array.from({ length: R * P }, () => 0.5 * rng.normal());
  const params = runHps.map((_, r) => Float64Array.from(init.subarray(r * P, (r + 1) * P)));
  const states = runHps.map((hp) => def.cpuInit(P, layout.tensors, hp));
  const grads: Float32Array[] = [];
  let fired = 0;
  let checked = 0;
  for (let k = 0; k < steps; k++) {
    const all = new Float32Array(R * P);
    for (let r = 0; r < R; r++) {
      const p = params[r];
      const g = Float64Array.from({ length: P }, () => 0.5 * rng.normal());
      const mode = (k + r) % 3;
      for (const t of layout.tensors) {
        if (!isProjected(t) || mode === 0) continue;
        const rows = mode === 1 ? t.shape[0] : 1;
        const len = t.size / rows;
        for (let q = 0; q < rows; q++) {
          const o = t.offset + q * len;
          let gp = 0;
          let pp = 0;
          for (let c = 0; c < len; c++) {
            gp += g[o + c] * p[o + c];
            pp += p[o + c] * p[o + c];
          }
          for (let c = 0; c < len; c++) g[o + c] -= (p[o + c] * gp) / pp;
        }
      }
      const g32 = Float32Array.from(g);
      for (const t of layout.tensors.filter(isProjected)) {
        const u = new Float64Array(P);
        const hp = { delta: runHps[r].delta as number, wdRatio: 0.5, eps: 1e-8 };
        fired += projectUpdate({ p, g: Float64Array.from(g32), u, t, ...hp }) === 0.5 ? 1 : 0;
        checked++;
      }
      all.set(g32, r * P);
      def.cpuStep({
        params: p,
        grad: Float64Array.from(g32),
        state: states[r],
        hp: runHps[r],
        t: k + 1,
        lr: runHps[r].lr as number,
        tensors: layout.tensors,
        seed: 0,
        batchSize: 1,
      });
    }
    grads.push(all);
  }
  return { hps: runHps, tensors: layout.tensors, paramCount: P, init, grads, fired, checked };
}

async function parity(def: OptimizerDef, runHps: Hyper[], tol: number): Promise<void> {
  const steps = 100;
  const opts = trajectoryGrads(def, runHps, steps, 42);
  // The projection must fire on a good part of the (run, step, tensor)s, and not on all of them.
  expect(opts.fired).toBeGreaterThan(opts.checked / 2);
  expect(opts.fired).toBeLessThan(opts.checked);
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

describe('adamp/sgdp GPU vs CPU', () => {
  it('adamp: 100 steps, runs mixing betas, nesterov, decay, delta', async () => {
    await parity(
      adamp,
      [
        hps(adamp, { lr: 0.01 }),
        hps(adamp, { lr: 0.01, nesterov: true }),
        hps(adamp, { lr: 0.005, weightDecay: 0.1, wdRatio: 0.5 }),
        hps(adamp, { lr: 0.02, betas: [0.8, 0.99], delta: 0.3, weightDecay: 0.01 }),
      ],
      1e-4,
    );
  });

  it('sgdp: 100 steps, runs mixing momentum, dampening, nesterov, decay', async () => {
    await parity(
      sgdp,
      [
        hps(sgdp, { lr: 0.05 }),
        hps(sgdp, { lr: 0.02, momentum: 0.9 }),
        hps(sgdp, { lr: 0.02, momentum: 0.9, nesterov: true, weightDecay: 0.05 }),
        hps(sgdp, { lr: 0.05, momentum: 0.5, dampening: 0.3, weightDecay: 0.1, wdRatio: 0.2 }),
      ],
      1e-4,
    );
  });
});
