/**
 * Test harness for optimizers (used by every optimizer test in this folder): run an OptimizerDef
 * for several steps on given gradients, on the GPU (f32, all runs as one population, several
 * steps per submit exactly like the engine does) and on the CPU reference (float64, run by run).
 *
 *   runGpuOptimizer(def, args) -> params [runs * P] after each step (and the state, if asked)
 *   runCpuOptimizer(def, args) -> the same in float64 (state flattened to the GPU layout)
 *
 * GPU side: builds a GpuOptimizerContext (state zeroed, hyper packed with packHyper, stepScalars
 * filled per step slot with stepScalars(hp, t, lr), StepInfo records at a dynamic-offset stride),
 * uploads every step's gradient to one buffer up front, and per step encodes a copy of that
 * step's gradient into ctx.grads, then the optimizer's update in its own compute pass, then a
 * copy of the parameters (and state) into a history buffer. Steps are submitted in chunks of
 * `chunk` steps that cycle through the step slots, so dynamic offsets are exercised.
 */
import { COPY_DST, readF32, storageBuffer, UNIFORM } from '../webgpu/buffers';
import { testGpu } from '../webgpu/testing';
import type { TensorInfo } from '../model/layout';
import { STEP_SCALARS, type CpuOptimizerState, type Hyper, type OptimizerDef } from './types';
import { stepStride } from '../webgpu/step_slots';

export interface OptimizerRunArgs {
  /** Resolved hyperparameters, one per run. */
  hps: Hyper[];
  tensors: TensorInfo[];
  /** Floats per run. */
  paramCount: number;
  /** Initial parameters [runs * paramCount]. */
  init: Float32Array;
  /** One gradient [runs * paramCount] per step. */
  grads: Float32Array[];
  /** Scheduled lr per step per run (lrs[k][r] for step k+1); default: each run's hp.lr. */
  lrs?: number[][];
  /** perExampleClip optimizers: one (1/B) sum_i clip(g_i) [runs * paramCount] per step. */
  clippedGrads?: Float32Array[];
  /** Per-run seeds (default 1000 + r). */
  seeds?: number[];
  /** Minibatch size B (default 1). */
  batchSize?: number;
  /** Also return the optimizer state after each step. */
  withState?: boolean;
  /** GPU only: steps per submit (= step slots), default 3. */
  chunk?: number;
}

export interface GpuRunResult {
  /** Parameters [runs * P] after each step. */
  params: Float32Array[];
  /** With withState: ctx.state [stateSlots * runs * P] after each step. */
  state?: Float32Array[];
}

export interface CpuRunResult {
  /** Parameters [runs * P] after each step. */
  params: Float64Array[];
  /** With withState: state slots after each step, flattened like ctx.state ((s * runs + r) * P). */
  state?: Float64Array[];
  /** The final CPU state of each run (slots and extra). */
  finalStates: CpuOptimizerState[];
}

function lrOf(def: OptimizerDef, a: OptimizerRunArgs, k: number, r: number): number {
  const given = a.lrs?.[k]?.[r];
  if (given !== undefined) return given;
  const lr = a.hps[r].lr;
  if (typeof lr !== 'number')
    throw new Error(`harness(${def.name}): run ${r} has no numeric lr and no lrs[${k}][${r}]`);
  return lr;
}

function check(def: OptimizerDef, a: OptimizerRunArgs): void {
  const n = a.hps.length * a.paramCount;
  const where = `harness(${def.name})`;
  if (a.hps.length === 0) throw new Error(`${where}: hps must hold one Hyper per run`);
  if (a.init.length !== n) throw new Error(`${where}: init has ${a.init.length} floats, expected runs*P = ${n}`);
  a.grads.forEach((g, k) => {
    if (g.length !== n) throw new Error(`${where}: grads[${k}] has ${g.length} floats, expected ${n}`);
  });
  a.clippedGrads?.forEach((g, k) => {
    if (g.length !== n) throw new Error(`${where}: clippedGrads[${k}] has ${g.length} floats, expected ${n}`);
  });
  if (def.perExampleClip && (!a.clippedGrads || a.clippedGrads.length < a.grads.length)) {
    throw new Error(`${where}: a perExampleClip optimizer needs one clippedGrads entry per step`);
  }
}

/** Run `def` on the GPU over all steps; parameters (and state) after each step. */
export async function runGpuOptimizer(def: OptimizerDef, a: OptimizerRunArgs): Promise<GpuRunResult> {
  check(def, a);
  const { device, pipelines } = await testGpu();
  const R = a.hps.length;
  const P = a.paramCount;
  const RP = R * P;
  const steps = a.grads.length;
  const chunk = Math.max(1, a.chunk ?? 3);
  const S = def.stateSlots * RP;

  const hyperHost = new Float32Array(Math.max(1, R * def.hyperSize));
  a.hps.forEach((hp, r) => {
    const packed = def.packHyper(hp);
    if (packed.length > def.hyperSize)
      throw new Error(`harness(${def.name}): packHyper gave ${packed.length} > hyperSize ${def.hyperSize}`);
    hyperHost.set(packed, r * def.hyperSize);
  });
  const stride = stepStride(device.limits);
  const allGrads = new Float32Array(Math.max(1, steps * RP));
  a.grads.forEach((g, k) => allGrads.set(g, k * RP));
  const allClipped = new Float32Array(Math.max(1, steps * RP));
  a.clippedGrads?.forEach((g, k) => k < steps && allClipped.set(g, k * RP));

  const own: GPUBuffer[] = [];
  const mk = <T extends GPUBuffer>(b: T): T => (own.push(b), b);
  const params = mk(storageBuffer(device, a.init, 'h-params'));
  const grads = mk(storageBuffer(device, Math.max(1, RP), 'h-grads'));
  const clipped = mk(storageBuffer(device, Math.max(1, RP), 'h-clipped'));
  const state = mk(storageBuffer(device, Math.max(1, S), 'h-state'));
  const hyper = mk(storageBuffer(device, hyperHost, 'h-hyper'));
  const scalars = mk(storageBuffer(device, chunk * R * STEP_SCALARS, 'h-scalars'));
  const seeds = mk(storageBuffer(device, new Uint32Array(a.seeds ?? a.hps.map((_, r) => 1000 + r)), 'h-seeds'));
  const stepInfo = mk(device.createBuffer({ size: stride * chunk, usage: UNIFORM | COPY_DST, label: 'h-stepinfo' }));
  const gradsAll = mk(storageBuffer(device, allGrads, 'h-grads-all'));
  const clippedAll = mk(storageBuffer(device, allClipped, 'h-clipped-all'));
  const paramHist = mk(storageBuffer(device, Math.max(1, steps * RP), 'h-param-hist'));
  const stateHist = a.withState ? mk(storageBuffer(device, Math.max(1, steps * S), 'h-state-hist')) : undefined;

  const opt = await def.createGpu({
    device,
    pipelines,
    runs: R,
    paramCount: P,
    tensors: a.tensors,
    params,
    grads,
    state,
    hyper,
    hyperHost,
    hps: a.hps,
    stepScalars: scalars,
    stepInfo,
    stepInfoStride: stride,
    batchSize: a.batchSize ?? 1,
    seeds,
    clippedGrads: def.perExampleClip ? clipped : undefined,
  });
  try {
    for (let k0 = 0; k0 < steps; k0 += chunk) {
      const count = Math.min(chunk, steps - k0);
      const sc = new Float32Array(chunk * R * STEP_SCALARS);
      const info = new Uint32Array((stride * chunk) / 4);
      for (let s = 0; s < count; s++) {
        const t = k0 + s + 1;
        for (let r = 0; r < R; r++) {
          const v = def.stepScalars(a.hps[r], t, lrOf(def, a, k0 + s, r));
          if (v.length > STEP_SCALARS)
            throw new Error(`harness(${def.name}): stepScalars gave ${v.length} > ${STEP_SCALARS} values`);
          sc.set(v, (s * R + r) * STEP_SCALARS);
        }
        info.set([t, s, R, P], (s * stride) / 4);
      }
      device.queue.writeBuffer(scalars, 0, sc);
      device.queue.writeBuffer(stepInfo, 0, info);
      const enc = device.createCommandEncoder();
      for (let s = 0; s < count; s++) {
        const k = k0 + s;
        if (RP > 0) {
          enc.copyBufferToBuffer(gradsAll, k * RP * 4, grads, 0, RP * 4);
          if (def.perExampleClip) enc.copyBufferToBuffer(clippedAll, k * RP * 4, clipped, 0, RP * 4);
        }
        const pass = enc.beginComputePass();
        opt.encode(pass, s * stride);
        pass.end();
        if (RP > 0) enc.copyBufferToBuffer(params, 0, paramHist, k * RP * 4, RP * 4);
        if (stateHist && S > 0) enc.copyBufferToBuffer(state, 0, stateHist, k * S * 4, S * 4);
      }
      device.queue.submit([enc.finish()]);
    }
    const hist = await readF32(device, paramHist, steps * RP);
    const out: GpuRunResult = { params: Array.from({ length: steps }, (_, k) => hist.slice(k * RP, (k + 1) * RP)) };
    if (stateHist) {
      const sh = await readF32(device, stateHist, steps * S);
      out.state = Array.from({ length: steps }, (_, k) => sh.slice(k * S, (k + 1) * S));
    }
    return out;
  } finally {
    opt.destroy();
    for (const b of own) b.destroy();
  }
}

/** Run `def`'s float64 reference over all steps, run by run; parameters (and state) after each step. */
export function runCpuOptimizer(def: OptimizerDef, a: OptimizerRunArgs): CpuRunResult {
  check(def, a);
  const R = a.hps.length;
  const P = a.paramCount;
  const params = a.hps.map((_, r) => Float64Array.from(a.init.subarray(r * P, (r + 1) * P)));
  const states = a.hps.map((hp) => def.cpuInit(P, a.tensors, hp));
  const out: CpuRunResult = { params: [], finalStates: states };
  if (a.withState) out.state = [];
  for (let k = 0; k < a.grads.length; k++) {
    const all = new Float64Array(R * P);
    const st = a.withState ? new Float64Array(def.stateSlots * R * P) : undefined;
    for (let r = 0; r < R; r++) {
      const sub = (x: Float32Array) => Float64Array.from(x.subarray(r * P, (r + 1) * P));
      def.cpuStep({
        params: params[r],
        grad: sub(a.grads[k]),
        clippedGrad: a.clippedGrads ? sub(a.clippedGrads[k]) : undefined,
        state: states[r],
        hp: a.hps[r],
        t: k + 1,
        lr: lrOf(def, a, k, r),
        tensors: a.tensors,
        seed: a.seeds?.[r] ?? 1000 + r,
        batchSize: a.batchSize ?? 1,
      });
      all.set(params[r], r * P);
      if (st) states[r].slots.forEach((slot, s) => s < def.stateSlots && st.set(slot, (s * R + r) * P));
    }
    out.params.push(all);
    if (st) out.state!.push(st);
  }
  return out;
}

/** Deterministic test data, independent of the production PRNG (xorshift32): uniform [0,1), N(0,1). */
export function harnessRng(seed: number): {
  uniform(): number;
  normal(): number;
  array(n: number, scale?: number): Float32Array;
} {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal, array: (n, scale = 1) => Float32Array.from({ length: n }, () => normal() * scale) };
}

/** Largest |a - b| / (atol + |b|) over two arrays (b the reference); NaN anywhere gives NaN. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1): number {
  if (a.length !== b.length) throw new Error(`maxRelDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]) / (atol + Math.abs(b[i]));
    if (!(e <= m)) m = e;
  }
  return m;
}

/** Largest |a - b| over two arrays; NaN anywhere gives NaN. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (!(e <= m)) m = e;
  }
  return m;
}

export interface RandomArgsOptions {
  /** MLP widths for the tensor layout (default [5, 7, 3]: 41 + 24 = 59 floats, not a multiple of 64). */
  widths?: number[];
  steps: number;
  seed: number;
  /** Gradient entries ~ N(0, gradScale^2) plus a per-coordinate drift, so moments build up (default 1). */
  gradScale?: number;
  initScale?: number;
}

/**
 * Random run arguments for a population with one run per Hyper: an MLP layout (odd sizes),
 * random init, and gradients g_t = drift + noise (drift fixed per coordinate) so momentum and
 * second moments see both consistent and noisy directions.
 */
export function randomRunArgs(hps: Hyper[], o: RandomArgsOptions): OptimizerRunArgs {
  const widths = o.widths ?? [5, 7, 3];
  const tensors: TensorInfo[] = [];
  let off = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const [i, j] = [widths[l], widths[l + 1]];
    tensors.push({ name: `layers.${l}.weight`, offset: off, size: i * j, shape: [j, i], layer: l, kind: 'weight' });
    off += i * j;
    tensors.push({ name: `layers.${l}.bias`, offset: off, size: j, shape: [j], layer: l, kind: 'bias' });
    off += j;
  }
  const P = off;
  const R = hps.length;
  const rng = harnessRng(o.seed);
  const scale = o.gradScale ?? 1;
  const init = rng.array(R * P, o.initScale ?? 0.5);
  const drift = rng.array(R * P, 0.5 * scale);
  const grads = Array.from({ length: o.steps }, () => {
    const g = rng.array(R * P, scale);
    for (let i = 0; i < g.length; i++) g[i] += drift[i];
    return g;
  });
  return { hps, tensors, paramCount: P, init, grads };
}
