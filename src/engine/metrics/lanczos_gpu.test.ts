/**
 * The WGSL Lanczos (lanczos_gpu.ts) against lanczosTop in float64 on the same operators: per-run
 * dense symmetric matrices (rounded to f32, then used exactly by both sides) applied by a test-only
 * matvec kernel in place of the Hessian-vector product, the same start vectors, the same budget
 * and tolerance. Populations cover P = 1, 37 and 353 (none a multiple of the workgroup sizes),
 * separated, clustered and negative dominant spectra, a low-rank operator (breakdown), runs that
 * stop at different steps, top-3 values and warm starts from the GPU's own Ritz vectors; each on
 * both kinds of step, the fused one-dispatch step (lz_step, 4 threads a run: P = 37 and 353 are not
 * multiples of that either) and the six-dispatch one.
 */
import { describe, expect, it } from 'vitest';
import { testGpu } from '../webgpu/testing';
import { readF32, storageBuffer, uniformBuffer, dispatchSize } from '../webgpu/buffers';
import { bindGroupOf, pipelineLayoutOf, read, rw, uniform, wgslSource, type KernelIo } from '../webgpu/kernel_io';
import { LanczosGpu, type LanczosRunResult } from './lanczos_gpu';
import { lanczosTop } from './lanczos';
import { matVec, norm } from './linalg';
import { matrixWithSpectrum, randomVec, testNormal, testRng } from './testing_models';

/** y[r] = A[r] x[r] for R dense P x P matrices (test only: the stand-in for the HVP). */
const MV_IO = [{ mc: uniform('MvCfg'), a: read(), x: read(), y: rw() }] as const satisfies KernelIo;
const MV_WGSL = `
struct MvCfg { R: u32, P: u32, _p0: u32, _p1: u32 }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let k = gid.x + gid.y * nwg.x * 64u;
  if (k >= mc.R * mc.P) { return; }
  let r = k / mc.P;
  var s: f32 = 0.0;
  for (var j = 0u; j < mc.P; j++) { s += a[k * mc.P + j] * x[r * mc.P + j]; }
  y[k] = s;
}`;

interface Population {
  name: string;
  P: number;
  k: number;
  tol: number;
  maxIters: number;
  spectra: number[][];
  /** The step kind (LanczosGpuOptions.fused). */
  fused: boolean;
}

interface Handle {
  l: LanczosGpu;
  u: GPUBuffer;
  w: GPUBuffer;
  /** The report records: value, residual, converged, products (4 floats per run). */
  out: GPUBuffer;
}

interface Outcome {
  gpu: LanczosRunResult[];
  cpu: ReturnType<typeof lanczosTop>[];
  exact: number[][];
  /** The GPU's top Ritz vectors (f32 -> f64), per run. */
  vectors: Float64Array[];
  mats: Float32Array[];
}

/** Run one population on the GPU and the float64 oracle from the same starts (or warm vectors). */
async function runPopulation(
  pop: Population,
  mats: Float32Array[],
  starts: Float64Array[],
  lz?: Handle,
): Promise<Outcome & { lz: Handle }> {
  const { device, pipelines } = await testGpu();
  const R = mats.length;
  const { P } = pop;
  const a = storageBuffer(device, Float32Array.from(mats.flatMap((m) => Array.from(m))));
  const u0 = Float32Array.from(starts.flatMap((s) => Array.from(s)));
  if (!lz) {
    const u = storageBuffer(device, u0);
    const w = storageBuffer(device, R * P);
    const out = storageBuffer(device, R * 4);
    const l = await LanczosGpu.create(device, pipelines, {
      runs: R,
      P,
      maxIters: pop.maxIters,
      k: pop.k,
      tol: pop.tol,
      fused: pop.fused,
      u,
      w,
      out: { buffer: out, stride: 4, hvps: 3 },
    });
    lz = { l, u, w, out };
  } else {
    device.queue.writeBuffer(lz.u, 0, u0);
    lz.l.setTolerance(pop.tol);
  }
  const mc = uniformBuffer(device, new Uint32Array([R, P, 0, 0]));
  const mv = await pipelines.get(
    'test-matvec',
    wgslSource(MV_IO, MV_WGSL),
    'main',
    {},
    pipelineLayoutOf(device, MV_IO),
  );
  const g = bindGroupOf(device, 'test-matvec', MV_IO[0], { mc, a, x: lz.u, y: lz.w });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  lz.l.encode(pass, (p) => {
    p.setPipeline(mv);
    p.setBindGroup(0, g);
    p.dispatchWorkgroups(...dispatchSize(R * P, 64));
  });
  pass.end();
  device.queue.submit([enc.finish()]);
  const gpu = await lz.l.results();
  const uOut = await readF32(device, lz.u, R * P);
  const rec = await readF32(device, lz.out, R * 4);
  gpu.forEach((g, r) =>
    expect(Array.from(rec.subarray(4 * r, 4 * r + 4))).toEqual([
      g.values[0],
      g.residuals[0],
      g.converged ? 1 : 0,
      g.hvps,
    ]),
  );
  a.destroy();
  mc.destroy();
  const vectors = Array.from({ length: R }, (_, r) => Float64Array.from(uOut.subarray(r * P, (r + 1) * P)));
  const cpu = mats.map((m, r) =>
    lanczosTop((v) => matVec(m, P, v), P, {
      k: pop.k,
      maxIters: pop.maxIters,
      tol: pop.tol,
      warm: starts[r],
      probe: () => {
        throw new Error('the start vectors are never zero');
      },
    }),
  );
  // The prescribed spectra (the f32 rounding of the matrices moves them by ~1e-7 relative).
  const exact = pop.spectra.map((sp) => [...sp].sort((x, y) => y - x));
  return { gpu, cpu, exact, vectors, mats, lz };
}

function buildMatrices(pop: Population, seed: number): Float32Array[] {
  const rnd = testNormal(testRng(seed));
  return pop.spectra.map((s) => {
    if (s.length !== pop.P) throw new Error(`${pop.name}: spectrum of length ${s.length}, P = ${pop.P}`);
    const A = pop.P === 1 ? Float64Array.of(s[0]) : matrixWithSpectrum(s, rnd);
    // Exactly symmetric after rounding: round the upper triangle and mirror it.
    const f = new Float32Array(pop.P * pop.P);
    for (let i = 0; i < pop.P; i++)
      for (let j = i; j < pop.P; j++) f[i * pop.P + j] = f[j * pop.P + i] = A[i * pop.P + j];
    return f;
  });
}

/**
 * Worst relative difference GPU vs float64 over the runs' reported values, relative to the run's
 * spectral radius (the scale f32 round-off is relative to), and checks on counts and flags.
 */
function compare(name: string, o: Outcome): number {
  let worst = 0;
  o.gpu.forEach((g, r) => {
    const c = o.cpu[r];
    const radius = Math.max(...o.exact[r].map(Math.abs), 1e-30);
    expect(g.values.length, `${name} run ${r}: values`).toBe(c.values.length);
    let diff = 0;
    g.values.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - c.values[i]) / radius)));
    // The Ritz vector: unit and parallel to the float64 one.
    const cos = Math.abs(o.vectors[r].reduce((s, x, i) => s + x * c.vectors[0][i], 0)) / norm(o.vectors[r]);
    console.log(
      `${name} run ${r}: gpu ${g.values.map((v) => v.toPrecision(7)).join(',')} (${g.hvps} hvps${g.converged ? ', converged' : ''}${g.invariant ? ', invariant' : ''}) ` +
        `f64 ${Array.from(c.values, (v) => v.toPrecision(7)).join(',')} (${c.hvps} hvps) rel diff ${diff.toExponential(2)} |cos| ${cos.toFixed(6)}`,
    );
    expect(Math.abs(g.hvps - c.hvps), `${name} run ${r}: hvps`).toBeLessThanOrEqual(1);
    expect(g.converged, `${name} run ${r}: converged`).toBe(c.converged);
    expect(Math.abs(norm(o.vectors[r]) - 1)).toBeLessThan(1e-4);
    worst = Math.max(worst, diff);
  });
  return worst;
}

const line = (P: number, f: (i: number) => number) => Array.from({ length: P }, (_, i) => f(i));

describe.each([true, false])('GPU Lanczos against the float64 oracle (fused step: %s)', (fused) => {
  // The same start vectors for both kinds of step.
  const rnd = testNormal(testRng(11));
  const startsFor = (R: number, P: number) =>
    Array.from({ length: R }, () => Float64Array.from(new Float32Array(randomVec(P, rnd))));
  it('P = 37: separated, clustered, negative dominant, low rank and tiny-scale spectra stop at their own steps', async () => {
    const P = 37;
    const pop: Population = {
      name: 'P37',
      P,
      k: 1,
      tol: 1e-4,
      maxIters: 32,
      fused,
      spectra: [
        line(P, (i) => (i === 0 ? 10 : 6 * Math.cos(i))),
        line(P, (i) => (i < 3 ? 10 - 1e-3 * i : 5 * Math.sin(i))),
        line(P, (i) => (i === 0 ? -20 : i === 1 ? 3 : 2 * Math.sin(i))),
        line(P, (i) => (i < 3 ? [4, 2, -1][i] : 0)),
        line(P, (i) => 1e-3 * (i === 0 ? 2 : Math.cos(3 * i))),
      ],
    };
    const o = await runPopulation(pop, buildMatrices(pop, 1), startsFor(pop.spectra.length, P));
    const worst = compare(pop.name, o);
    console.log(`P37 worst relative difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    // The rank-3 run ends on an invariant subspace after 4 products (its range and the start's
    // null-space part); the runs stop at different steps.
    expect(o.gpu[3].invariant).toBe(true);
    expect(o.gpu[3].hvps).toBe(4);
    expect(new Set(o.gpu.map((g) => g.hvps)).size).toBeGreaterThan(2);
    o.lz.l.destroy();
  });

  it('P = 1: positive, negative and zero operators', async () => {
    const pop: Population = { name: 'P1', P: 1, k: 1, tol: 1e-3, maxIters: 4, fused, spectra: [[2.5], [-1], [0]] };
    const o = await runPopulation(
      pop,
      buildMatrices(pop, 2),
      [[0.7], [-2], [1]].map((v) => Float64Array.from(v)),
    );
    o.gpu.forEach((g, r) => {
      expect(g.hvps).toBe(1);
      expect(g.invariant).toBe(true);
      expect(g.values[0]).toBe(o.cpu[r].values[0]);
      expect(Math.abs(o.vectors[r][0])).toBe(1);
    });
    o.lz.l.destroy();
  });

  it('P = 353: a Hessian-like decaying spectrum and a clustered top; then warm starts from the GPU Ritz vectors', async () => {
    const P = 353;
    const pop: Population = {
      name: 'P353',
      P,
      k: 1,
      tol: 1e-4,
      maxIters: 32,
      fused,
      spectra: [
        line(P, (i) => 50 / (i + 1) ** 1.5 - 0.3 * Math.sin(i)),
        line(P, (i) => (i < 4 ? 8 - 2e-3 * i : 3 * Math.cos(i))),
      ],
    };
    const mats = buildMatrices(pop, 3);
    const cold = await runPopulation(pop, mats, startsFor(2, P));
    const worstCold = compare('P353 cold', cold);
    // The next "step": the same operators nudged by a small symmetric perturbation, started from the
    // GPU's own Ritz vectors (as the trainer does with its previous eigenvector).
    const nudge = testNormal(testRng(4));
    const next = mats.map((m) => {
      const f = Float32Array.from(m);
      for (let i = 0; i < P; i++)
        for (let j = i; j < P; j++) f[i * P + j] = f[j * P + i] = m[i * P + j] + (2e-3 * nudge()) / Math.sqrt(P);
      return f;
    });
    const warm = await runPopulation(pop, next, cold.vectors, cold.lz);
    const worstWarm = compare('P353 warm', warm);
    console.log(`P353 worst relative difference cold ${worstCold.toExponential(2)} warm ${worstWarm.toExponential(2)}`);
    expect(worstCold).toBeLessThan(1e-4);
    expect(worstWarm).toBeLessThan(1e-4);
    // The separated run needs fewer products from the warm start.
    expect(warm.gpu[0].hvps).toBeLessThan(cold.gpu[0].hvps);
    // And the cold top values are the prescribed top eigenvalues.
    cold.gpu.forEach((g, r) => expect(Math.abs(g.values[0] - cold.exact[r][0]) / cold.exact[r][0]).toBeLessThan(1e-5));
    cold.lz.l.destroy();
  });

  it('top 3 of clustered and nearly tied spectra (k = 3)', async () => {
    const P = 37;
    const pop: Population = {
      name: 'P37 k3',
      P,
      k: 3,
      tol: 1e-4,
      maxIters: 32,
      fused,
      spectra: [
        line(P, (i) => (i < 3 ? 6 - 0.05 * i : 3 * Math.cos(i))),
        line(P, (i) => (i < 3 ? [5, 5 - 1e-3, 4][i] : -7 + Math.sin(i))),
      ],
    };
    const o = await runPopulation(pop, buildMatrices(pop, 5), startsFor(2, P));
    const worst = compare(pop.name, o);
    console.log(`P37 k3 worst relative difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    o.gpu.forEach((g, r) => g.values.forEach((v, i) => expect(Math.abs(v - o.exact[r][i])).toBeLessThan(1e-4 * 7)));
    o.lz.l.destroy();
  });
});
