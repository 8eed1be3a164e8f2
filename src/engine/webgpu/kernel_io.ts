/**
 * A kernel's resources, declared once. Each compute kernel names its buffer bindings in one
 * TypeScript declaration (a `KernelIo`: per bind group, an ordered record of name → access and
 * WGSL type); from it come
 *
 *   - the WGSL `@group(g) @binding(i) var<...> name: type;` lines (wgslSource puts them in front
 *     of the kernel's own source, which declares no bindings of its own),
 *   - the bind group layouts and the pipeline layout (cached per device and signature, so the
 *     pipeline cache, keyed by layout, shares pipelines across populations),
 *   - the bind groups, built from buffers passed by name: a missing, extra or misspelt name throws
 *     before WebGPU sees it, where a positional array would bind the wrong buffer silently.
 *
 * wgslSource is also the one way kernel sources are composed: shared snippets (the StepInfo
 * record, workgroup reductions, the activation and PRNG helpers) are listed by the kernel, each
 * included once, in order, ahead of the generated bindings and the kernel's own text.
 */
import { COMPUTE, type Access } from './pipelines';

export type { Access };

/** One buffer binding: its access and WGSL store type (`array<f32>`, `array<f32, N>`, a struct). */
export interface BindingDecl {
  access: Access;
  type: string;
  /** Uniforms only: bound with a dynamic offset (one bind group serves every step slot). */
  dynamic?: boolean;
  /** Bytes the binding needs at least (the layout's minBindingSize; needed with `dynamic`). */
  minBytes?: number;
  /** A snippet that defines `type` (wgslSource includes it). */
  requires?: WgslSnippet;
  /** The binding index, when not the position in its group (set by pick). */
  at?: number;
}

/** The bindings of one bind group, in binding order (binding i = i-th key unless `at` says). */
export type GroupDecl = Record<string, BindingDecl>;

/** A kernel's bind groups, group g at index g. */
export type KernelIo = readonly GroupDecl[];

/** The buffers of a group, by binding name. */
export type GroupBuffers<G extends GroupDecl> = { [K in keyof G]: GPUBuffer | GPUBufferBinding };

/** A named piece of WGSL shared between kernels; wgslSource includes each name once. */
export interface WgslSnippet {
  name: string;
  code: string;
  /** Snippets this one relies on, included before it. */
  requires?: WgslSnippet[];
}

export function snippet(name: string, code: string, requires?: WgslSnippet[]): WgslSnippet {
  return { name, code, requires };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkGroup(group: GroupDecl, g: number): void {
  for (const [name, b] of Object.entries(group)) {
    if (!NAME.test(name)) throw new Error(`kernel io: group ${g}: "${name}" is not a WGSL identifier`);
    if (b.dynamic && b.access !== 'uniform')
      throw new Error(`kernel io: group ${g} binding "${name}": only uniforms take a dynamic offset`);
  }
}

/** The WGSL declaration lines of `io`. */
export function bindingLines(io: KernelIo): string {
  const lines: string[] = [];
  io.forEach((group, g) => {
    checkGroup(group, g);
    Object.entries(group).forEach(([name, b], i) => {
      i = b.at ?? i;
      const space = b.access === 'uniform' ? 'uniform' : b.access === 'rw' ? 'storage, read_write' : 'storage, read';
      lines.push(`@group(${g}) @binding(${i}) var<${space}> ${name}: ${b.type};`);
    });
  });
  return lines.join('\n');
}

function layoutEntries(group: GroupDecl): GPUBindGroupLayoutEntry[] {
  return Object.values(group).map((b, i) => {
    const binding = b.at ?? i;
    if (b.access === 'uniform') {
      const buffer: GPUBufferBindingLayout = { type: 'uniform' };
      if (b.dynamic) buffer.hasDynamicOffset = true;
      if (b.minBytes) buffer.minBindingSize = b.minBytes;
      return { binding, visibility: COMPUTE, buffer };
    }
    const buffer: GPUBufferBindingLayout = { type: b.access === 'rw' ? 'storage' : 'read-only-storage' };
    if (b.minBytes) buffer.minBindingSize = b.minBytes;
    return { binding, visibility: COMPUTE, buffer };
  });
}

/** What a layout depends on: access, dynamic offset and minimum size per binding, never names or types. */
function groupSignature(group: GroupDecl): string {
  return Object.values(group)
    .map((b, i) => `${b.at ?? i}:${b.access}${b.dynamic ? '+dyn' : ''}${b.minBytes ? `>=${b.minBytes}` : ''}`)
    .join(',');
}

interface DeviceLayouts {
  groups: Map<string, GPUBindGroupLayout>;
  pipelines: Map<string, GPUPipelineLayout>;
}
const cache = new WeakMap<GPUDevice, DeviceLayouts>();

function layoutsOf(device: GPUDevice): DeviceLayouts {
  let c = cache.get(device);
  if (!c) cache.set(device, (c = { groups: new Map(), pipelines: new Map() }));
  return c;
}

/** The bind group layout of `group` (shared by every group of the same signature on `device`). */
export function groupLayoutOf(device: GPUDevice, group: GroupDecl): GPUBindGroupLayout {
  const c = layoutsOf(device);
  const key = groupSignature(group);
  let hit = c.groups.get(key);
  if (!hit) {
    hit = device.createBindGroupLayout({ label: `io[${key}]`, entries: layoutEntries(group) });
    c.groups.set(key, hit);
  }
  return hit;
}

/** The pipeline layout of `io` (shared likewise). */
export function pipelineLayoutOf(device: GPUDevice, io: KernelIo): GPUPipelineLayout {
  io.forEach(checkGroup);
  const c = layoutsOf(device);
  const key = io.map(groupSignature).join('|');
  let hit = c.pipelines.get(key);
  if (!hit) {
    hit = device.createPipelineLayout({
      label: `io[${key}]`,
      bindGroupLayouts: io.map((g) => groupLayoutOf(device, g)),
    });
    c.pipelines.set(key, hit);
  }
  return hit;
}

/**
 * The bind group of `group` with `buffers` by name. Throws, naming the kernel, on a binding with
 * no buffer or a buffer for a binding the group does not declare.
 */
export function bindGroupOf<G extends GroupDecl>(
  device: GPUDevice,
  label: string,
  group: G,
  buffers: GroupBuffers<G>,
): GPUBindGroup {
  const names = Object.keys(group);
  const given = Object.keys(buffers);
  const missing = names.filter((n) => !(n in buffers) || buffers[n] === undefined);
  const extra = given.filter((n) => !(n in group));
  if (missing.length || extra.length) {
    const parts = [];
    if (missing.length) parts.push(`no buffer for ${missing.join(', ')}`);
    if (extra.length) parts.push(`no binding named ${extra.join(', ')}`);
    throw new Error(`kernel ${label}: ${parts.join('; ')} (declared: ${names.join(', ')})`);
  }
  return device.createBindGroup({
    label,
    layout: groupLayoutOf(device, group),
    entries: names.map((n, i) => {
      const b = buffers[n] as GPUBuffer | GPUBufferBinding;
      const resource: GPUBufferBinding = 'buffer' in b ? b : { buffer: b };
      return { binding: group[n].at ?? i, resource };
    }),
  });
}

/**
 * The bindings `names` of `group`, keeping their binding indices: the group of one entry point of a
 * module whose entry points use different subsets of the module's bindings.
 */
export function pick<G extends GroupDecl, K extends keyof G & string>(group: G, ...names: K[]): Pick<G, K> {
  const keys = Object.keys(group);
  const out = {} as Record<string, BindingDecl>;
  for (const n of names) {
    const i = keys.indexOf(n);
    if (i < 0) throw new Error(`kernel io: no binding "${n}" (declared: ${keys.join(', ')})`);
    out[n] = { ...group[n], at: group[n].at ?? i };
  }
  return out as Pick<G, K>;
}

/** A buffer with an explicit window: `size` bytes from `offset` (a dynamic-offset uniform's record). */
export function windowOf(buffer: GPUBuffer, size: number, offset = 0): GPUBufferBinding {
  return { buffer, offset, size };
}

function collect(snippets: readonly WgslSnippet[], seen: Set<string>, out: string[]): void {
  for (const s of snippets) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    if (s.requires) collect(s.requires, seen, out);
    out.push(s.code);
  }
}

/**
 * A kernel's full WGSL: its snippets (and theirs, each once, dependencies first), the snippets its
 * bindings' types require, then its binding lines, then `source` (which declares no bindings).
 */
export function wgslSource(io: KernelIo, source: string, snippets: readonly WgslSnippet[] = []): string {
  const out: string[] = [];
  const seen = new Set<string>();
  collect(snippets, seen, out);
  const typeSnippets = io.flatMap((g) => Object.values(g).flatMap((b) => (b.requires ? [b.requires] : [])));
  collect(typeSnippets, seen, out);
  out.push(bindingLines(io), source);
  return out.join('\n');
}

// ---- shared snippets -----------------------------------------------------------------------------

/** The per-step record every step kernel reads (step_slots.ts writes it): step t, slot, runs, P. */
export const STEP_INFO = snippet('StepInfo', 'struct StepInfo { t: u32, slot: u32, runs: u32, paramCount: u32 }');

/** Bytes of a StepInfo record. */
export const STEP_INFO_BYTES = 16;

/** A binding of this step's StepInfo record. */
export function stepInfoBinding(dynamic = false): BindingDecl {
  return dynamic
    ? { access: 'uniform', type: 'StepInfo', dynamic: true, minBytes: STEP_INFO_BYTES, requires: STEP_INFO }
    : { access: 'uniform', type: 'StepInfo', requires: STEP_INFO };
}

export const read = (type = 'array<f32>'): BindingDecl => ({ access: 'read', type });
export const rw = (type = 'array<f32>'): BindingDecl => ({ access: 'rw', type });
export const uniform = (type: string): BindingDecl => ({ access: 'uniform', type });

/**
 * A workgroup tree reduction: `fn <name>(lid: u32, v: T) -> T` returns, to every thread of the
 * workgroup, the sum over its `size` threads of their `v` (`size` a power of two: a WGSL constant
 * or override, WG by default). Pairs are added as ((v0 + v_{n/2}) + ...) halving the stride each
 * round, so every kernel that uses it sums in the same order. `combine` replaces the sum with
 * another associative operation of two values `a` and `b` (an arg-max, say). Every thread of the
 * workgroup must call it, in uniform control flow (it holds barriers).
 */
export function workgroupReduce(name: string, type: string, size = 'WG', combine = 'a + b'): WgslSnippet {
  const buf = `${name}_part`;
  const code = [
    `var<workgroup> ${buf}: array<${type}, ${size}>;`,
    `fn ${name}_combine(a: ${type}, b: ${type}) -> ${type} { return ${combine}; }`,
    `fn ${name}(lid: u32, v: ${type}) -> ${type} {`,
    `  ${buf}[lid] = v;`,
    `  workgroupBarrier();`,
    `  for (var s = ${size} / 2u; s > 0u; s = s / 2u) {`,
    `    if (lid < s) { ${buf}[lid] = ${name}_combine(${buf}[lid], ${buf}[lid + s]); }`,
    `    workgroupBarrier();`,
    `  }`,
    `  let total = ${buf}[0];`,
    `  workgroupBarrier();`,
    `  return total;`,
    `}`,
  ].join('\n');
  return snippet(`workgroupReduce:${name}:${type}:${size}:${combine}`, code);
}
