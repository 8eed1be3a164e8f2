/**
 * Buffers declared once. A buffer table names a part's storage buffers with their size (and
 * whether they exist at all) as functions of that part's dimensions, which are known before
 * anything is allocated. The allocation code creates the buffers from the table (allocateTable)
 * and the memory plan lists them from the same table (tableBuffers, memory_plan_parts.ts), so the
 * two cannot disagree on a size or on which buffers exist. Kernels then bind the buffers by name
 * (kernel_io.ts).
 */
import { BufferPool, storageBuffer } from './buffers';

/** What the memory plan says about a buffer too big for the device. */
export type SizedBy = 'params' | 'runs' | 'steps' | 'batch' | 'data' | 'test' | 'subset';

export interface BufferDecl<D> {
  /** Floats (or u32 words) the buffer holds. */
  floats: (d: D) => number;
  /** Whether the buffer exists for these dimensions (default: always). */
  when?: (d: D) => boolean;
  /** What it holds, for the memory plan's messages ("the gradients of 4 runs"). */
  what: (d: D) => string;
  /** Which config field sizes it (the plan's advice on what to reduce). */
  sizedBy: SizedBy;
}

export type BufferTable<D> = Record<string, BufferDecl<D>>;

/** The buffers of a table, by name; absent where `when` is false. */
export type TableBuffers<T extends BufferTable<never>> = { [K in keyof T]: GPUBuffer | undefined };

/** Initial contents of some of a table's buffers, by name. */
export type TableData<T extends BufferTable<never>> = Partial<Record<keyof T, Float32Array | Uint32Array>>;

/** The buffers of `table` that exist for `d`, in table order, with their sizes in floats. */
export function tableEntries<D>(table: BufferTable<D>, d: D): { name: string; floats: number; decl: BufferDecl<D> }[] {
  return Object.entries(table)
    .filter(([, decl]) => decl.when?.(d) ?? true)
    .map(([name, decl]) => ({ name, floats: decl.floats(d), decl }));
}

/**
 * Create the buffers of `table` for `d` (storage, copy source and destination; zeros unless
 * `data` gives a buffer's contents, which must hold exactly the declared number of values).
 * `own` receives each buffer (to destroy it with its owner).
 */
export function allocateTable<D, T extends BufferTable<D>>(
  device: GPUDevice,
  table: T,
  d: D,
  data: TableData<T> = {},
  own: (b: GPUBuffer) => GPUBuffer = (b) => b,
): TableBuffers<T> {
  const out = {} as Record<string, GPUBuffer | undefined>;
  for (const name of Object.keys(table)) out[name] = undefined;
  for (const { name, floats } of tableEntries(table, d)) {
    const init = data[name as keyof T];
    if (init && init.length !== floats)
      throw new Error(`buffer ${name}: ${init.length} initial values given, ${floats} declared`);
    out[name] = own(storageBuffer(device, init ?? floats, name));
  }
  for (const name of Object.keys(data))
    if (!out[name]) throw new Error(`buffer ${name}: initial values given for a buffer that does not exist here`);
  return out as TableBuffers<T>;
}

/** The buffer `name` of `buffers`, which must exist (a specific error otherwise). */
export function required<T extends Record<string, GPUBuffer | undefined>>(
  buffers: T,
  name: keyof T & string,
): GPUBuffer {
  const b = buffers[name];
  if (!b) throw new Error(`buffer ${name} was not allocated for this configuration`);
  return b;
}

/** Bytes a buffer of `floats` values takes as created. */
export function tableBytes(floats: number): number {
  return BufferPool.round(floats * 4);
}
