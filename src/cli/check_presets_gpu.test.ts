/**
 * A few presets' claims on the real WebGPU backend (SwiftShader here), float32, on the preset's
 * seed and the two after it, at full length (no preset's claims survive much shortening). The
 * whole set is `npm run cli -- check-presets --backend webgpu` (18 min on SwiftShader), too slow
 * for every test run on a 2-core machine; docs/presets.md records its result.
 */
import { describe, expect, it } from 'vitest';
import { presetById } from '../experiment/presets';
import { createTrainer } from '../engine/create';
import { testGpu } from '../engine/webgpu/testing';
import { checkPresetSeed, checkSeeds, claimTable } from './check_presets';

/** Chosen to cover the kinds of metric the claims read: per-step losses, sharpness, per-example clipping. */
export const GPU_CHECKED = ['benign-oscillation', 'edge-of-stability', 'dp-clipping'];

describe('preset claims on WebGPU (3 seeds)', () => {
  for (const id of GPU_CHECKED) {
    it(`${id}: every claim holds on WebGPU`, { timeout: 300_000 }, async () => {
      const p = presetById(id);
      expect(p, id).not.toBeNull();
      if (!p) return;
      const { gpu, pipelines } = await testGpu();
      const outcomes = [];
      for (const seed of checkSeeds(p, 3))
        outcomes.push(
          await checkPresetSeed(p, seed, {
            backend: 'webgpu',
            createTrainer: (e) => createTrainer(e, { backend: 'webgpu', gpu, pipelines }),
          }),
        );
      console.log(claimTable(p, outcomes).join('\n'));
      for (const o of outcomes)
        o.results.forEach((r, i) =>
          expect(r.status, `${p.id} seed ${o.seed}: ${p.claims[i].text}: ${r.detail}`).toBe('seen'),
        );
    });
  }
});
