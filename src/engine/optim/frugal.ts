/**
 * FRUGAL (Zmushko, Beznosikov, Takac & Horvath, ICML 2025, arXiv 2411.07837; docs/optimizers.md) in
 * the form FRUGAL(AdamW, signSGD) with a coordinate projector. In each period of updateGap steps a
 * random set of every weight's coordinates gets AdamW; the rest take a state-free signSGD step
 * scaled by inactiveLrScale. Biases always get AdamW (the reference leaves parameters it does not
 * project to the plain optimizer). Decoupled decay applies to every coordinate.
 *
 * By default this is what the authors' code does (CoordAdamW: proj_optimizer_templates.py
 * CoordOptimizer with adamw.py, reset_statistics=True, coord_choice='columns'):
 *   - the set is whole columns (index 1 of the weight's shape: a dense weight's input features, a
 *     convolution's input channels), exactly floor(columns * density) of them;
 *   - at every new draw the moments and the step count of every weight are reset, so each period
 *     starts a fresh AdamW on its set.
 * Three switches give this playground's earlier variant instead: `columns` off picks single
 * coordinates, `exactCount` off draws each unit independently with probability density, and
 * `resetAtDraw` off keeps the state of the coordinates that stay in the set (a coordinate entering
 * it starts fresh; each keeps its own step count for the bias corrections).
 * The draw is ours (the counter PRNG, stream STREAM_MASK, keyed by the run seed and the period;
 * an exact count takes the units with the smallest hashes), not torch.randperm.
 */
import frugalWgsl from '../../../shaders/optim_frugal.wgsl?raw';
import { PRNG } from '../webgpu/snippets';
import { read } from '../webgpu/kernel_io';
import { storageBuffer } from '../webgpu/buffers';
import { rngU32, STREAM_MASK } from '../data/prng';
import type { TensorInfo } from '../model/layout';
import {
  betasSpec,
  checkTensorTiling,
  frameKernel,
  gpuOptimizer,
  epsSpec,
  flagSpec,
  lrSpec,
  optimizerSource,
  wdSpec,
} from './common';
import { flag, num, betaSlots, pair } from './hp';
import { namedSlots } from './slots';
import type { CpuStepArgs, Hyper, OptimizerDef } from './types';

const TWO24 = 16777216;

/** Integer threshold on the top 24 bits of a draw: in the set iff (u >>> 8) < round(density 2^24). */
export const densityThreshold = (density: number) => Math.round(density * TWO24);

/** How a weight is cut into the units the draw picks: columns or single coordinates. */
export interface UnitShape {
  /** Units of the tensor, and the run-local id of unit x: offset + x. */
  units: number;
  /** The unit of local coordinate e. */
  unitOf: (e: number) => number;
  /** Columns: shape[1], and the floats per (row, column) pair (1 for a dense weight). */
  d1: number;
  inner: number;
}

export function unitShape(t: TensorInfo, columns: boolean): UnitShape {
  const d1 = t.shape.length >= 2 ? t.shape[1] : t.size;
  const inner = t.shape.length > 2 ? t.shape.slice(2).reduce((a, b) => a * b, 1) : 1;
  if (!columns) return { units: t.size, unitOf: (e) => e, d1, inner };
  return { units: d1, unitOf: (e) => Math.floor(e / inner) % d1, d1, inner };
}

/** Units a draw takes from `units` with exactCount: floor(units * density) (float64). */
export const exactUnits = (units: number, density: number) => Math.floor(units * density);

const periodKey = (seed: number, t: number, hp: Hyper) =>
  rngU32(seed >>> 0, STREAM_MASK, Math.floor((t - 1) / num(hp, 'updateGap')) >>> 0);

// Sets drawn with exactCount, by (key, tensor offset, units, count): a period reuses its set.
const exactSets = new Map<string, Uint8Array>();

function exactSet(key: number, offset: number, units: number, k: number): Uint8Array {
  const id = `${key}|${offset}|${units}|${k}`;
  let set = exactSets.get(id);
  if (!set) {
    const order = Array.from({ length: units }, (_, x) => ({ x, h: rngU32(key, STREAM_MASK, (offset + x) >>> 0) }));
    order.sort((a, b) => a.h - b.h || a.x - b.x);
    set = new Uint8Array(units);
    for (let q = 0; q < k; q++) set[order[q].x] = 1;
    if (exactSets.size > 4096) exactSets.clear();
    exactSets.set(id, set);
  }
  return set;
}

/** Whether coordinate e of weight tensor `t` of a run with this seed is in the AdamW set at step t. */
export function frugalActive(seed: number, step: number, t: TensorInfo, e: number, hp: Hyper): boolean {
  const key = periodKey(seed, step, hp);
  const u = unitShape(t, flag(hp, 'columns'));
  const x = u.unitOf(e);
  if (flag(hp, 'exactCount')) return exactSet(key, t.offset, u.units, exactUnits(u.units, num(hp, 'density')))[x] === 1;
  return rngU32(key, STREAM_MASK, (t.offset + x) >>> 0) >>> 8 < densityThreshold(num(hp, 'density'));
}

/**
 * State slot 3 with exactCount: unit x of weight tensor `tn` at coordinate offset + x, tagged
 * +(k + 1) in period k's set and -(k + 1) out of it, as the GPU's `draw` keeps it.
 */
function tagSet(drawn: Float64Array, seed: number, step: number, tn: TensorInfo, hp: Hyper): void {
  const period = Math.floor((step - 1) / num(hp, 'updateGap'));
  const units = unitShape(tn, flag(hp, 'columns')).units;
  const set = exactSet(periodKey(seed, step, hp), tn.offset, units, exactUnits(units, num(hp, 'density')));
  for (let x = 0; x < units; x++) drawn[tn.offset + x] = set[x] ? period + 1 : -(period + 1);
}

function cpuStep({ params, grad, state, hp, t, lr, tensors, seed }: CpuStepArgs): void {
  const [b1, b2] = pair(hp, 'betas');
  const eps = num(hp, 'eps');
  const decay = 1 - lr * num(hp, 'weightDecay');
  const inactiveLr = lr * num(hp, 'inactiveLrScale');
  const fresh = flag(hp, 'resetAtDraw') && (t - 1) % num(hp, 'updateGap') === 0;
  const [m, v, n, drawn] = state.slots;
  for (const tn of tensors) {
    const weight = tn.kind !== 'bias';
    if (weight && flag(hp, 'exactCount')) tagSet(drawn, seed, t, tn, hp);
    for (let i = tn.offset; i < tn.offset + tn.size; i++) {
      params[i] *= decay;
      if (weight && fresh) m[i] = v[i] = n[i] = 0;
      if (weight && !frugalActive(seed, t, tn, i - tn.offset, hp)) {
        params[i] -= inactiveLr * Math.sign(grad[i]);
        m[i] = v[i] = n[i] = 0;
        continue;
      }
      n[i] += 1;
      m[i] = b1 * m[i] + (1 - b1) * grad[i];
      v[i] = b2 * v[i] + (1 - b2) * grad[i] * grad[i];
      const bc1 = 1 - b1 ** n[i];
      const bc2 = 1 - b2 ** n[i];
      params[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
    }
  }
}

/**
 * The kernel's tensor table: two vec4u per tensor, (offset, size, 1 for a bias, shape[1]) and
 * (floats per (row, column) pair, 0, 0, 0); and the exact counts, u32 [run][tensor].
 */
function frugalTables(tensors: TensorInfo[], hps: Hyper[]): { table: Uint32Array; counts: Uint32Array } {
  const NT = Math.max(1, tensors.length);
  const table = new Uint32Array(NT * 8);
  tensors.forEach((t, q) => {
    const u = unitShape(t, true);
    table.set([t.offset, t.size, t.kind === 'bias' ? 1 : 0, u.d1, u.inner, 0, 0, 0], q * 8);
  });
  const counts = new Uint32Array(Math.max(1, hps.length * NT));
  hps.forEach((hp, r) =>
    tensors.forEach((t, q) => {
      counts[r * NT + q] = exactUnits(unitShape(t, flag(hp, 'columns')).units, num(hp, 'density'));
    }),
  );
  return { table, counts };
}

/** FRUGAL's bindings after the frame's (optim_frugal.wgsl): the tensor table, the runs' seeds, the exact counts. */
const FRUGAL_IO = { tensors: read('array<vec4u>'), seeds: read('array<u32>'), counts: read('array<u32>') };

export const frugal: OptimizerDef = {
  name: 'frugal',
  description:
    "FRUGAL: AdamW on a random set of each weight's columns (redrawn every updateGap steps), state-free signSGD on the rest.",
  rule: 'theta *= 1 - lr*wd; every T steps: draw floor(rho * columns) columns of each weight and reset its AdamW state; in the set: AdamW step; else theta -= lr*inactiveLrScale*sign(g); biases: AdamW',
  source:
    'Zmushko, Beznosikov, Takac & Horvath, "FRUGAL: Memory-Efficient Optimization by Reducing State Overhead for Scalable Training", ICML 2025 (arXiv 2411.07837); the authors\' code: frugal/proj_optimizer_templates.py (CoordOptimizer), frugal/adamw.py, frugal/coordinate_projector.py',
  notes: [
    "The defaults follow the authors' code (reset_statistics=True, coord_choice='columns', randperm(n)[:int(n*density)]): " +
      "whole columns, an exact count, and every weight's moments and step count reset at each draw. The draw itself is " +
      "this playground's counter PRNG, not torch.randperm, so the sets differ from a PyTorch run's; given the same sets, " +
      "the steps agree (frugal.test.ts replays the authors' algorithm).",
    'columns, exactCount and resetAtDraw off give the earlier variant of this playground: single coordinates, each drawn ' +
      'independently with probability density, and coordinates that stay in the set keep their moments and step count.',
  ],
  hyperparams: [
    lrSpec(1e-3),
    betasSpec([0.9, 0.999]),
    epsSpec(1e-8, "AdamW's eps, added to sqrt(v_hat)."),
    wdSpec(0, 'Decoupled weight decay theta <- theta (1 - lr wd), on every coordinate.'),
    {
      key: 'density',
      type: 'number',
      default: 0.25,
      min: 0,
      max: 1,
      description: "Fraction rho of each weight's columns (or coordinates) that get AdamW.",
    },
    {
      key: 'updateGap',
      type: 'number',
      default: 200,
      min: 1,
      integer: true,
      description: 'Steps T between new random sets.',
    },
    {
      key: 'inactiveLrScale',
      type: 'number',
      default: 1,
      min: 0,
      description: 'lr multiplier of the signSGD step on the state-free coordinates (1 pre-training, 0.1 fine-tuning).',
    },
    flagSpec(
      'columns',
      true,
      "Draw whole columns (shape index 1) of each weight, as the authors' default; off: single coordinates.",
    ),
    flagSpec('exactCount', true, 'Take exactly floor(rho * units); off: each unit independently with probability rho.'),
    flagSpec(
      'resetAtDraw',
      true,
      "Reset every weight's moments and step count at each draw (the authors' reset_statistics); off: coordinates that stay in the set keep theirs.",
    ),
  ],
  stateSlots: 4,
  ...namedSlots('frugal', {
    // oneMinusBeta1/2: 1 - beta in float64; lnBeta1, lnBeta2: for the per-coordinate bias corrections
    // 1 - beta^n (n differs per coordinate, so they are formed on the GPU); threshold: densityThreshold(density).
    // columns, exactCount, resetAtDraw: the switches as 0 / 1.
    hyper: [
      'beta1',
      'oneMinusBeta1',
      'beta2',
      'oneMinusBeta2',
      'eps',
      'lnBeta1',
      'lnBeta2',
      'threshold',
      'updateGap',
      'columns',
      'exactCount',
      'resetAtDraw',
    ],
    // decay = 1 - lr wd; inactiveLr = lr inactiveLrScale
    scalars: ['lr', 'decay', 'inactiveLr'],
    packHyper(hp) {
      const b = betaSlots(hp);
      return {
        ...b,
        eps: num(hp, 'eps'),
        lnBeta1: Math.log(b.beta1),
        lnBeta2: Math.log(b.beta2),
        threshold: densityThreshold(num(hp, 'density')),
        updateGap: num(hp, 'updateGap'),
        columns: flag(hp, 'columns') ? 1 : 0,
        exactCount: flag(hp, 'exactCount') ? 1 : 0,
        resetAtDraw: flag(hp, 'resetAtDraw') ? 1 : 0,
      };
    },
    stepScalars: (hp, _t, lr) => ({
      lr,
      decay: 1 - lr * num(hp, 'weightDecay'),
      inactiveLr: lr * num(hp, 'inactiveLrScale'),
    }),
  }),
  async createGpu(ctx) {
    checkTensorTiling(ctx.tensors, ctx.paramCount, 'frugal');
    const t = frugalTables(ctx.tensors, ctx.hps);
    const table = storageBuffer(ctx.device, t.table, 'frugal tensors');
    const counts = storageBuffer(ctx.device, t.counts, 'frugal counts');
    const code = optimizerSource(frugal, frugalWgsl, PRNG);
    const extra = { io: FRUGAL_IO, buffers: { tensors: table, seeds: ctx.seeds, counts } };
    const NT = Math.max(1, ctx.tensors.length);
    const common = { label: 'optim_frugal', code, hyperSize: frugal.hyperSize, extra, overrides: { NT } };
    // draw: the exact-count sets, ranked once per period into state slot 3; then the update.
    const draw = await frameKernel(ctx, { ...common, entry: 'draw', workgroups: [NT, ctx.runs] });
    const update = await frameKernel(ctx, common);
    return gpuOptimizer(ctx, [draw, update], [table, counts]);
  },
  cpuInit: (paramCount) => ({ slots: [0, 1, 2, 3].map(() => new Float64Array(paramCount)), extra: {} }),
  cpuStep,
};
