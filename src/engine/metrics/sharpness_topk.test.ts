/**
 * metrics.sharpness.k: the top k Hessian eigenvalues as sharpness, sharpness_2 .. sharpness_k, the
 * GPU trainer (f32 Lanczos, Ritz values 2..k in the sharpness record) against the CPU trainer
 * (float64 lanczosTop) within the curvature parity tolerance of trainer.test.ts (2%).
 */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../schema/types';
import { testGpu } from '../webgpu/testing';
import { createTrainer } from '../create';
import type { MetricRow } from '../trainer';
import { featureNoiseData, mlp, run, testExperiment } from '../../test_fixtures';

function experiment(k: number): Experiment {
  return testExperiment({
    seed: 5,
    data: featureNoiseData({ nTrain: 64, nTest: 32, patchDim: 4 }),
    model: mlp({ hidden: [10] }),
    steps: 20,
    runs: [run('gd', { name: 'sgd', lr: 0.05 }), run('adam', { name: 'adam', lr: 0.01 })],
    metrics: { every: 5, evalSubset: 0, sharpness: { every: 10, iters: 20, tol: 1e-4, subset: 64, k } },
  });
}

async function rows(exp: Experiment, backend: 'cpu' | 'webgpu'): Promise<MetricRow[]> {
  const gpu = backend === 'webgpu' ? await testGpu() : undefined;
  const t = await createTrainer(exp, gpu ? { backend, gpu: gpu.gpu, pipelines: gpu.pipelines } : { backend });
  const out = await t.advance(exp.steps);
  t.dispose();
  return out;
}

describe('top-k sharpness: GPU against CPU', () => {
  for (const k of [2, 3]) {
    it(`k = ${k}: sharpness .. sharpness_${k} at every estimate within 2%`, async () => {
      const exp = experiment(k);
      const cpu = await rows(exp, 'cpu');
      const gpu = await rows(exp, 'webgpu');
      const names = ['sharpness', 'sharpness_2', 'sharpness_3'].slice(0, k);
      const pick = (rs: MetricRow[]) => rs.filter((r) => r.metric.startsWith('sharpness_') || r.metric === 'sharpness');
      expect(pick(cpu).map((r) => r.metric)).not.toContain(`sharpness_${k + 1}`);
      let n = 0;
      for (const c of cpu) {
        if (!names.includes(c.metric)) continue;
        const g = gpu.find((r) => r.run === c.run && r.step === c.step && r.metric === c.metric);
        expect(g, `${c.metric} run ${c.run} step ${c.step}`).toBeDefined();
        const rel =
          Math.abs(g!.value - c.value) /
          Math.abs(cpu.find((r) => r.run === c.run && r.step === c.step && r.metric === 'sharpness')!.value);
        console.log(
          `k=${k} ${c.metric} run ${c.run} step ${c.step}: cpu ${c.value} gpu ${g!.value} rel ${rel.toExponential(2)}`,
        );
        expect(rel, `${c.metric} run ${c.run} step ${c.step}`).toBeLessThan(0.02);
        n++;
      }
      expect(n).toBe(2 * 3 * k);
    });
  }
});
