/**
 * The GPU trainer's `sharpness` on the edge-of-stability preset against a tight float64 Lanczos
 * (lanczosTop, tol 1e-10, 32 products, h = 1e-5) at the GPU's own parameters, at every logged step
 * of both runs. Usage: npx tsx --import ./scripts/wgsl-register.mjs bench/eig_gpu_eos.ts [seed]
 * (docs/metrics.md, "Measured accuracy (WebGPU ...)").
 */
import { acquireGpu } from '../src/engine/webgpu/device';
import { PipelineCache } from '../src/engine/webgpu/pipelines';
import { GpuTrainer } from '../src/engine/webgpu/trainer';
import { availablePresets } from '../src/experiment/presets';
import { fdHvp } from '../src/engine/metrics/curvature_cpu';
import { curvatureOracle } from '../src/engine/metrics/sharpness_trajectory_testing';
import { lanczosTop } from '../src/engine/metrics/lanczos';
import { startProbe } from '../src/engine/metrics/probes';

const seed = Number(process.argv[2] ?? 1);
const preset = availablePresets().find((x) => x.id === 'edge-of-stability');
if (!preset) throw new Error('no edge-of-stability preset');
const exp = { ...preset.experiment, seed };
const every = exp.metrics.sharpness?.every ?? 10;
const gpu = await acquireGpu();
const t = await GpuTrainer.create(exp, { gpu, pipelines: new PipelineCache(gpu.device) });
const { grad } = curvatureOracle(exp);
const runs = exp.runs.length;
const errs: number[][] = Array.from({ length: runs }, () => []);
for (let s = 0; s <= exp.steps; s += every) {
  const rows = await t.advance(s === 0 ? 0 : every);
  for (let r = 0; r < runs; r++) {
    const v = rows.find((x) => x.metric === 'sharpness' && x.run === r && x.step === s)?.value;
    if (v === undefined) continue;
    const theta = Float64Array.from(await t.getParams(r));
    const P = theta.length;
    const ref = lanczosTop(fdHvp(grad, theta), P, { maxIters: 32, tol: 1e-10, probe: () => startProbe(1, s, P) });
    errs[r].push(Math.abs(v - ref.values[0]) / Math.abs(ref.values[0]));
  }
}
t.dispose();
const at = (a: number[], f: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(f * a.length))];
errs.forEach((a, r) =>
  console.log(
    `seed ${seed} ${exp.runs[r].label}: ${a.length} steps, relative error median ${at(a, 0.5).toExponential(2)} ` +
      `p90 ${at(a, 0.9).toExponential(2)} worst ${Math.max(...a).toExponential(2)}`,
  ),
);
gpu.destroy();
process.exit(0);
