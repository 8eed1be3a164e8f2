/**
 * SAM (Foret et al. 2021) and its adaptive form ASAM (Kwon et al. 2021) around a base optimizer, as
 * davda54/sam's sam.py runs them: the gradient g at theta gives the ascent step
 * e = rho a^2 g / ||a g|| (a = |theta| with `adaptive`, else 1; the norm over all of the run's
 * parameters), a second gradient on the same minibatch is taken at theta + e, and the base
 * optimizer steps from theta with that gradient.
 *
 * The engine takes the second gradient (OptimizerDef.cpuPerturb on the CPU; GpuOptimizer.encodePerturb
 * and encodeRestore on the GPU, webgpu/population.ts). GPU: three dispatches of shaders/optim_sam.wgsl
 * (norm, perturb, restore) plus the base optimizer's update, which reads the base's own
 * hyperparameter layout from a buffer of its own. perturb also keeps g(theta) (gradsAtParams), which
 * the step's gradient metrics read once the grads buffer holds the second gradient.
 */
import samWgsl from '../../../shaders/optim_sam.wgsl?raw';
import { dispatchSize, storageBuffer } from '../webgpu/buffers';
import { read, rw, workgroupReduce } from '../webgpu/kernel_io';
import { NS } from '../model/stats_layout';
import { adam } from './adam';
import { flagSpec } from './common';
import { flag, num } from './hp';
import { createKernel } from './kernel';
import { sgd } from './sgd';
import { namedSlots, slotSnippet } from './slots';
import type { CpuPointArgs, GpuOptimizer, GpuOptimizerContext, OptimizerDef } from './types';

const WG = 64;

/** The bindings of optim_sam.wgsl's three entry points (StepInfo in group 1). */
const SAM_IO = {
  params: rw(),
  grads: read(),
  hyper: read(),
  /** theta, saved by perturb for restore. */
  save: rw(),
  /** Per run: rho / (||a g|| + 1e-12). */
  scale: rw(),
  /** The population's stats records [slot][run][NS]. */
  stats: rw(),
  /** Per run: the step's stats record before the second gradient. */
  statsSave: rw(),
  /** g(theta), copied by perturb: the step's minibatch gradient at the parameters (gradsAtParams). */
  grad0: rw(),
};

/** theta + rho a^2 g / (||a g|| + 1e-12), a = |theta| (adaptive) or 1: sam.py's first_step. */
export function samPoint({ params, grad, hp }: CpuPointArgs & { grad: Float64Array }): Float64Array {
  const rho = num(hp, 'rho');
  const adaptive = flag(hp, 'adaptive');
  let s = 0;
  for (let i = 0; i < params.length; i++) {
    const ag = adaptive ? Math.abs(params[i]) * grad[i] : grad[i];
    s += ag * ag;
  }
  const scale = rho / (Math.sqrt(s) + 1e-12);
  const out = new Float64Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    out[i] = p + scale * (adaptive ? p * p : 1) * grad[i];
  }
  return out;
}

/** The base optimizer's hyperparameter slots of every run, packed as its own kernel reads them. */
function baseHyper(base: OptimizerDef, ctx: GpuOptimizerContext): Float32Array {
  const host = new Float32Array(Math.max(1, ctx.runs * base.hyperSize));
  ctx.hps.forEach((hp, r) => host.set(base.packHyper(hp), r * base.hyperSize));
  return host;
}

async function createGpu(def: OptimizerDef, base: OptimizerDef, ctx: GpuOptimizerContext): Promise<GpuOptimizer> {
  const { device, runs: R, paramCount: P } = ctx;
  if (R > 65535) throw new Error(`${def.name}: ${R} runs exceed the 65535 workgroup limit`);
  const host = baseHyper(base, ctx);
  const hyperBuf = storageBuffer(device, host, `${def.name}.baseHyper`);
  const inner = await base.createGpu({ ...ctx, hyper: hyperBuf, hyperHost: host });
  // Without the population's guard (optimizer-only harnesses) there are no stats to keep.
  const ns = ctx.guard ? ctx.guard.ns : 0;
  const owned = [
    hyperBuf,
    storageBuffer(device, Math.max(1, R * P), `${def.name}.save`),
    storageBuffer(device, Math.max(1, R), `${def.name}.scale`),
    storageBuffer(device, Math.max(1, R * ns), `${def.name}.statsSave`),
    storageBuffer(device, Math.max(1, R * P), `${def.name}.grad0`),
  ];
  const stats = ctx.guard?.stats ?? storageBuffer(device, 1, `${def.name}.noStats`);
  if (!ctx.guard) owned.push(stats);
  const [, save, scale, statsSave, grad0] = owned;
  const buffers = { params: ctx.params, grads: ctx.grads, hyper: ctx.hyper, save, scale, stats, statsSave, grad0 };
  const overrides = { WG, R: Math.max(1, R), P: Math.max(1, P), NS: ns, HS: def.hyperSize };
  const snippets = [slotSnippet(def), workgroupReduce('sumSq', 'f32')];
  const make = (entry: string, wgs: [number, number]) =>
    createKernel(
      device,
      ctx.pipelines,
      { label: 'optim_sam', source: samWgsl, snippets, entry, overrides, io: SAM_IO, step: true },
      buffers,
      wgs,
      ctx.stepInfo,
    );
  const norm = await make('norm', [Math.max(1, R), 1]);
  const perturb = await make('perturb', dispatchSize(R * P, WG));
  const restore = await make('restore', dispatchSize(Math.max(R * P, R * ns), WG));
  const empty = R * P === 0;
  return {
    ...inner,
    pointDispatches: empty ? 0 : 3,
    gradsAtParams: grad0,
    encodePerturb(pass, off) {
      if (empty) return;
      norm.encode(pass, off);
      perturb.encode(pass, off);
    },
    encodeRestore(pass, off) {
      if (!empty) restore.encode(pass, off);
    },
    destroy() {
      inner.destroy();
      for (const b of owned) b.destroy();
    },
  };
}

/** SAM around `base`: base's hyperparameters plus rho and adaptive; base's state and step. */
function samOf(base: OptimizerDef, name: string): OptimizerDef {
  const pick = (names: readonly string[], values: number[]) => Object.fromEntries(names.map((n, i) => [n, values[i]]));
  const def: OptimizerDef = {
    name,
    description: `Sharpness-aware minimization: ${base.name}'s step with the gradient taken at the worst nearby point theta + rho g/||g|| (two gradients per step).`,
    rule: `e = rho a^2 g / (||a g|| + 1e-12), a = |theta| if adaptive else 1; g' = grad of the same minibatch's loss at theta + e; then ${base.name}'s step from theta with g'`,
    source:
      'Foret et al., "Sharpness-Aware Minimization for Efficiently Improving Generalization", ICLR 2021; ' +
      'ASAM: Kwon et al., ICML 2021; davda54/sam sam.py',
    notes: [
      `The base step is ${base.name}'s, with its hyperparameters and defaults; rho and adaptive are SAM's.`,
      'ASAM as sam.py does it: a = |theta| (the ASAM paper adds an offset eta to |theta|; sam.py and this implementation do not).',
      "grad_norm and the batch loss are those at theta (the first gradient); the logged metrics are theta's.",
      "No stability line is drawn for SAM's runs: its edge of stability depends on the gradient norm as well as on lr.",
    ],
    hyperparams: [
      ...base.hyperparams,
      {
        key: 'rho',
        type: 'number',
        default: 0.05,
        min: 0,
        log: true,
        description: 'Radius of the ascent step (0 = the base optimizer).',
      },
      flagSpec('adaptive', false, 'ASAM: scale the ascent step per coordinate by theta^2 (scale-invariant radius).'),
    ],
    stateSlots: base.stateSlots,
    ...namedSlots(name, {
      hyper: ['rho', 'adaptive'],
      scalars: base.scalars,
      packHyper: (hp) => ({ rho: num(hp, 'rho'), adaptive: flag(hp, 'adaptive') ? 1 : 0 }),
      stepScalars: (hp, t, lr) => pick(base.scalars, base.stepScalars(hp, t, lr)),
    }),
    gpuBuffers: (tensors, runs, hps) => {
      const P = tensors.reduce((a, t) => a + t.size, 0);
      // The labels and sizes createGpu allocates (the memory-plan test compares them).
      return [
        {
          label: `${name}.baseHyper`,
          floats: Math.max(1, runs * base.hyperSize),
          what: "the base optimizer's hyperparameters",
        },
        { label: `${name}.save`, floats: Math.max(1, runs * P), what: 'the parameters during the second gradient' },
        { label: `${name}.scale`, floats: Math.max(1, runs), what: 'the ascent step scale' },
        {
          label: `${name}.statsSave`,
          floats: Math.max(1, runs * NS),
          what: "the step's stats during the second gradient",
        },
        { label: `${name}.grad0`, floats: Math.max(1, runs * P), what: 'the gradient at the parameters' },
        ...(base.gpuBuffers?.(tensors, runs, hps) ?? []),
      ];
    },
    createGpu: (ctx) => createGpu(def, base, ctx),
    cpuInit: (n, tensors, hp) => base.cpuInit(n, tensors, hp),
    cpuStep: (a) => base.cpuStep(a),
    cpuPerturb: samPoint,
    chartNote:
      'SAM runs take two gradients a step; their grad_norm and batch loss are the first, at θ (the logged point).',
    preconditioner: base.preconditioner,
  };
  return def;
}

export const sam = samOf(sgd, 'sam');
export const samAdam = samOf(adam, 'sam-adam');
