/**
 * Named hyperparameter slots and step scalars of an optimizer. A def declares the per-run values its
 * kernel reads (`hyper`, packed once per run into ctx.hyper) and the per-step values (`scalars`,
 * computed on the host in float64 for every step into ctx.stepScalars) by name, and fills them by
 * name; the kernel reads them through accessors generated from the same names:
 *
 *   hyper: ['beta1', 'oneMinusBeta1', ...]  ->  fn hp_beta1(r: u32) -> f32 { return hp(r, 0u); }
 *   scalars: ['lr', 'stepSize', ...]        ->  fn sc_stepSize(r: u32) -> f32 { return sc(r, 1u); }
 *
 * so a slot's position is written in one place. namedSlots() checks the names when the def is
 * created and the values on every call: a missing or an extra name, or a value that is not a
 * number, throws.
 */
import { STEP_SCALARS, type Hyper, type OptimizerDef } from './types';
import { snippet, type WgslSnippet } from '../webgpu/kernel_io';

/** Most per-run hyperparameter floats the frame kernel caches (optim_common.wgsl, MAX_HS). */
export const MAX_HYPER = 16;

/** A slot name: a WGSL identifier without underscores (accessors are hp_<name>, sc_<name>). */
const SLOT_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** The fields of an OptimizerDef that namedSlots() makes. */
export type SlotFields = Pick<OptimizerDef, 'hyper' | 'scalars' | 'hyperSize' | 'packHyper' | 'stepScalars'>;

export interface SlotSpec<H extends string, S extends string> {
  /** Per-run slots of ctx.hyper, in the order the kernel indexes them (at most MAX_HYPER). */
  hyper: readonly H[];
  /** Per-step scalars of ctx.stepScalars, 'lr' (the scheduled learning rate) first; at most STEP_SCALARS. */
  scalars: readonly S[];
  /** The value of every hyper slot of one run, by name. */
  packHyper(hp: Hyper): NoInfer<Record<H, number>>;
  /** The value of every step scalar of step t (1-based) at scheduled rate lr, by name; float64. */
  stepScalars(hp: Hyper, t: number, lr: number): NoInfer<Record<S, number>>;
}

function checkNames(who: string, what: string, names: readonly string[], max: number): void {
  const bad = names.filter((n) => !SLOT_NAME.test(n));
  if (bad.length) throw new Error(`${who}: ${what} names must be letters and digits, got ${JSON.stringify(bad)}`);
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length) throw new Error(`${who}: ${what} names repeat: ${JSON.stringify(dup)}`);
  if (names.length > max) throw new Error(`${who}: ${names.length} ${what} slots, at most ${max}`);
}

/**
 * `values` in the order of `names`. Throws on a name without a value, a value without a name,
 * and a value that is not a number (NaN and infinities are numbers: a run may hold them).
 */
export function byName(who: string, names: readonly string[], values: Record<string, number>): number[] {
  const missing = names.filter((n) => !Object.hasOwn(values, n));
  const extra = Object.keys(values).filter((k) => !names.includes(k));
  if (missing.length || extra.length)
    throw new Error(
      `${who}: ` +
        [
          missing.length ? `no value for ${missing.join(', ')}` : '',
          extra.length ? `${extra.join(', ')} not among the declared slots (${names.join(', ')})` : '',
        ]
          .filter(Boolean)
          .join('; '),
    );
  return names.map((n) => {
    const v = values[n];
    if (typeof v !== 'number') throw new Error(`${who}: ${n} must be a number, got ${JSON.stringify(v)}`);
    return v;
  });
}

/**
 * The slot fields of an OptimizerDef from named declarations: `hyper`, `scalars`, `hyperSize`
 * (= hyper.length) and packHyper / stepScalars returning the values in declaration order.
 */
export function namedSlots<const H extends string, const S extends string>(
  name: string,
  spec: SlotSpec<H, S>,
): SlotFields {
  checkNames(name, 'hyper', spec.hyper, MAX_HYPER);
  checkNames(name, 'scalars', spec.scalars, STEP_SCALARS);
  if (spec.scalars[0] !== 'lr') throw new Error(`${name}: the first step scalar must be lr, got ${spec.scalars[0]}`);
  const hyper = [...spec.hyper];
  const scalars = [...spec.scalars];
  return {
    hyper,
    scalars,
    hyperSize: hyper.length,
    packHyper: (hp) => byName(`${name}.packHyper`, hyper, spec.packHyper(hp)),
    stepScalars: (hp, t, lr) => byName(`${name}.stepScalars`, scalars, spec.stepScalars(hp, t, lr)),
  };
}

/** Index of hyper slot `slot` of `def` (for kernels that take slot indices as overrides). */
export function hyperIndex(def: Pick<OptimizerDef, 'name' | 'hyper'>, slot: string): number {
  const k = def.hyper.indexOf(slot);
  if (k < 0) throw new Error(`${def.name}: no hyper slot ${slot} (slots: ${def.hyper.join(', ')})`);
  return k;
}

/**
 * WGSL accessors of a def's slots: `fn hp_<name>(r: u32) -> f32` for each hyper slot and
 * `fn sc_<name>(r: u32) -> f32` for each step scalar, calling the kernel's positional
 * `hp(r, k)` and `sc(r, q)` (optim_common.wgsl defines them for the one-dispatch frame; the
 * optimizers with kernels of their own define them in their file). Prepended to the kernel's source.
 */
export function slotAccessors(def: Pick<OptimizerDef, 'name' | 'hyper' | 'scalars'>): string {
  return [
    `// Slot accessors of ${def.name}, generated from its hyper and scalars (src/engine/optim/slots.ts).`,
    ...def.hyper.map((n, k) => `fn hp_${n}(r: u32) -> f32 { return hp(r, ${k}u); }`),
    ...def.scalars.map((n, q) => `fn sc_${n}(r: u32) -> f32 { return sc(r, ${q}u); }`),
    '',
  ].join('\n');
}

/** slotAccessors as a snippet for wgslSource (webgpu/kernel_io.ts). */
export function slotSnippet(def: Pick<OptimizerDef, 'name' | 'hyper' | 'scalars'>): WgslSnippet {
  return snippet(`slots:${def.name}`, slotAccessors(def));
}
