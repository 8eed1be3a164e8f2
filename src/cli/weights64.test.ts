/**
 * The CPU backend's weights carry float64: `run --backend cpu --save-weights` and the page's
 * weights JSON hold the trained parameters to the last digit, values that float32 cannot
 * represent included.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment } from './run';
import { CpuTrainer } from '../engine/cpu/trainer';
import { generateDataset } from '../engine/data/index';
import { experimentLayout } from '../engine/model/shape';
import { dataShape } from '../engine/data/shape';
import { defaultExperiment } from '../experiment/defaults';
import { weightsJson as pageWeightsJson } from '../ui/exporting';
import type { WeightsFile } from '../engine/model/weights';

let out = '';
afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

const flatten = (w: WeightsFile) => w.layers.flatMap((l) => l.values);
const notFloat32 = (v: number) => Math.fround(v) !== v;

describe('CPU weights in float64', () => {
  const exp = { ...defaultExperiment(), steps: 12, metrics: { ...defaultExperiment().metrics, every: 4 } };

  it('run --backend cpu --save-weights writes the float64 parameters', async () => {
    out = await mkdtemp(join(tmpdir(), 'weights64-'));
    let trainer: CpuTrainer | undefined;
    await runExperiment(
      exp,
      { out, backend: 'cpu', saveWeights: true, saveData: false },
      {
        createTrainer: async (e) => (trainer = CpuTrainer.create(e)),
        generateDataset,
        now: () => 0,
        stderr: { isTTY: false, write: () => {} },
      },
    );
    // A fresh trainer replays the same run (the one above is disposed).
    const ref = CpuTrainer.create(exp);
    await ref.advance(exp.steps);
    expect(trainer).toBeDefined();
    for (let r = 0; r < exp.runs.length; r++) {
      const file = JSON.parse(await readFile(join(out, 'weights', `run-${r}-step-${exp.steps}.json`), 'utf8'));
      const values = flatten(file);
      const want = Array.from(ref.getParams64(r));
      expect(values).toEqual(want);
      const lost = values.filter((v) => v !== null && notFloat32(v));
      expect(lost.length, 'values float32 cannot hold').toBeGreaterThan(want.length / 2);
    }
  });

  it("the page's weights JSON keeps a value float32 cannot represent", () => {
    const layout = experimentLayout(exp, dataShape(exp.data));
    const params = new Float64Array(layout.paramCount).fill(0.1); // 0.1 in float32 is 0.100000001490116...
    params[1] = 1 + 2 ** -40;
    const back = flatten(JSON.parse(JSON.stringify(pageWeightsJson(layout, params))));
    expect(back[0]).toBe(0.1);
    expect(back[1]).toBe(1 + 2 ** -40);
    expect(Math.fround(back[1] as number)).toBe(1);
    // The GPU path is unchanged: float32 parameters give their float32 values.
    const f32 = flatten(pageWeightsJson(layout, Float32Array.from(params)));
    expect(f32[0]).toBe(Math.fround(0.1));
  });
});
