/**
 * Trainer.surface2d on the GPU: the top-2 Hessian eigenpairs of one run by a fresh Lanczos
 * estimate (a one-run curvature probe, f32 Hessian-vector products on the device, the same start
 * probe as the CPU's), the Ritz vectors formed on the host in float64 from the read-back basis, then
 * the grid as a population of points² perturbed parameter vectors (slice_gpu.ts), evaluated by one
 * forward-only graph with the centre's loss. The shared parts (orientation, radius, projection)
 * are in surface.ts.
 */
import type { PipelineCache } from '../webgpu/pipelines';
import { readF32, storageBuffer } from '../webgpu/buffers';
import { required } from '../webgpu/buffer_table';
import { StepSlots } from '../webgpu/step_slots';
import type { LossSurface, SurfaceOptions } from '../trainer';
import { CurvatureGpu } from './curvature_gpu';
import { tridiagRitz } from './lanczos';
import { LANCZOS_STATE } from './lanczos_buffers';
import { lossAtPointsGpu, PointsLoss, pointsPerChunk, type PointsModel } from './slice_gpu';
import { autoRadius, checkSurfaceOptions, planeBasis, projectPath, SURFACE_LANCZOS, surfaceCoords } from './surface';

/** Offsets in a run's Lanczos state (shaders/lanczos.wgsl's header): alpha, beta, steps done. */
const S_ALPHA = 0;
const S_BETA = 32;
const S_J = 64;

export interface TopTwo {
  values: [number, number];
  vectors: [Float64Array, Float64Array];
  hvps: number;
}

/** The top two eigenpairs of the Hessian at theta (SURFACE_LANCZOS: cold, 32 products at most, tol 1e-4). */
export async function topTwoGpu(
  device: GPUDevice,
  pipelines: PipelineCache,
  m: PointsModel,
  o: { theta: Float32Array; seed: number; step: number },
): Promise<TopTwo> {
  const P = m.layout.paramCount;
  const bufs = [
    storageBuffer(device, o.theta, 'surface-theta'),
    storageBuffer(device, o.theta, 'surface-prev'),
    storageBuffer(device, P, 'surface-grads'),
  ];
  const slots = new StepSlots(device, 1, 1, P);
  slots.write(o.step - 1, 1); // StepInfo.t = step: the start probe's counter, as the CPU's startProbe
  let probe: CurvatureGpu | undefined;
  try {
    probe = await CurvatureGpu.create(device, pipelines, {
      ...m,
      runs: 1,
      steps: slots,
      params: bufs[0],
      prev: bufs[1],
      grads: bufs[2],
      capacity: 1,
      sharpness: { iters: SURFACE_LANCZOS.maxIters, tol: SURFACE_LANCZOS.tol },
    });
    probe.writeParams(0, [{ scale: 1, vScale: 1, eps: 1, seed: o.seed }]);
    const enc = device.createCommandEncoder();
    const pass = probe.encode(enc, enc.beginComputePass(), 0, {
      sharpness: { iters: SURFACE_LANCZOS.maxIters, k: SURFACE_LANCZOS.k },
    });
    pass.end();
    device.queue.submit([enc.finish()]);
    const st = await readF32(device, required(probe.mem, 'lz-state'), LANCZOS_STATE);
    const J = st[S_J];
    if (!(J >= 2)) throw new Error(`surface: the top-2 estimate took ${J} products; two eigenpairs need at least 2`);
    const ritz = tridiagRitz(
      st.subarray(S_ALPHA, S_ALPHA + J),
      st.subarray(S_BETA, S_BETA + J - 1),
      st[S_BETA + J - 1],
      2,
    );
    const Q = await readF32(device, required(probe.mem, 'lz-basis'), J * P);
    const vectors = ritz.coords.map((y) => {
      const v = new Float64Array(P);
      for (let t = 0; t < J; t++) for (let i = 0; i < P; i++) v[i] += y[t] * Q[t * P + i];
      return v;
    });
    return { values: [ritz.values[0], ritz.values[1]], vectors: [vectors[0], vectors[1]], hvps: J };
  } finally {
    probe?.destroy();
    slots.destroy();
    for (const b of bufs) b.destroy();
  }
}

/** Point k of the grid: theta + coords[k % n] e1 + coords[floor(k / n)] e2, formed in float64. */
function gridPoint(theta: ArrayLike<number>, e1: ArrayLike<number>, e2: ArrayLike<number>, coords: readonly number[]) {
  const n = coords.length;
  return (k: number, out: Float32Array) => {
    const a = coords[k % n];
    const b = coords[Math.floor(k / n)];
    for (let i = 0; i < theta.length; i++) out[i] = theta[i] + a * e1[i] + b * e2[i];
  };
}

/** The grid L(theta + coords[i] e1 + coords[j] e2) at [j * n + i], evaluated in f32. */
export function lossGridGpu(
  device: GPUDevice,
  pipelines: PipelineCache,
  m: PointsModel,
  theta: ArrayLike<number>,
  e1: ArrayLike<number>,
  e2: ArrayLike<number>,
  coords: readonly number[],
  chunk?: number,
): Promise<Float64Array> {
  const n = coords.length;
  return lossAtPointsGpu(device, pipelines, m, n * n, gridPoint(theta, e1, e2, coords), chunk);
}

/** The whole surface of one run on the GPU (see surface.ts and Trainer.surface2d). */
export async function surfaceGpu(
  device: GPUDevice,
  pipelines: PipelineCache,
  m: PointsModel,
  o: {
    run: number;
    step: number;
    seed: number;
    theta: Float32Array;
    iterates: readonly { step: number; params: ArrayLike<number> }[];
  },
  opts: SurfaceOptions,
): Promise<LossSurface> {
  checkSurfaceOptions(opts);
  const top = await topTwoGpu(device, pipelines, m, o);
  if (!top.values.every(Number.isFinite))
    throw new Error(`surface: run ${o.run} has no two finite Hessian eigenvalues at step ${o.step}`);
  const [e1, e2] = planeBasis(top.vectors[0], top.vectors[1]);
  const path = projectPath(o.theta, e1, e2, o.iterates);
  const count = opts.points * opts.points;
  const points = await PointsLoss.create(device, pipelines, m, pointsPerChunk(m, count));
  try {
    let radius = opts.radius;
    if (radius === 'auto') {
      const [centre] = await points.evaluate(1, (_, out) => out.set(o.theta));
      radius = autoRadius(path, top.values[0], centre);
    }
    const coords = surfaceCoords(opts.points, radius);
    return {
      run: o.run,
      step: o.step,
      lambda: top.values,
      hvps: top.hvps,
      radius,
      coords,
      loss: await points.evaluate(count, gridPoint(o.theta, e1, e2, coords)),
      path,
    };
  } finally {
    points.destroy();
  }
}
