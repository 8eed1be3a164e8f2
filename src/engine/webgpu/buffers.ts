/** Storage-buffer helpers and a small pool that recycles buffers by (size, usage). */

/**
 * GPUBufferUsage flags by name, with the values the WebGPU specification fixes. The global
 * GPUBufferUsage exists only once a WebGPU implementation is loaded (in Node, after acquireGpu),
 * and this module is also loaded by CPU-only runs, so the values are written out here;
 * device.test.ts checks them against the implementation's.
 */
export const MAP_READ = 0x0001;
export const COPY_SRC = 0x0004;
export const COPY_DST = 0x0008;
export const UNIFORM = 0x0040;
export const STORAGE = 0x0080;

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private live = 0;
  constructor(readonly device: GPUDevice) {}

  /** Bytes rounded up to 16 (min 16) so every binding is valid. */
  static round(bytes: number): number {
    return Math.max(16, Math.ceil(bytes / 16) * 16);
  }

  acquire(bytes: number, usage: number, label = ''): GPUBuffer {
    const size = BufferPool.round(bytes);
    const key = `${size}:${usage}`;
    const list = this.free.get(key);
    const buf = list?.pop() ?? this.device.createBuffer({ size, usage, label });
    this.live++;
    return buf;
  }

  release(buf: GPUBuffer): void {
    const key = `${buf.size}:${buf.usage}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buf);
    this.live--;
  }

  get liveCount(): number {
    return this.live;
  }

  destroyAll(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}

/** A storage buffer (also copy src/dst) holding `data`, or zeros of `length` floats/u32s. */
export function storageBuffer(device: GPUDevice, data: Float32Array | Uint32Array | number, label = ''): GPUBuffer {
  const bytes = typeof data === 'number' ? data * 4 : data.byteLength;
  const buf = device.createBuffer({
    size: BufferPool.round(bytes),
    usage: STORAGE | COPY_SRC | COPY_DST,
    label,
    mappedAtCreation: typeof data !== 'number',
  });
  if (typeof data !== 'number') {
    const range = buf.getMappedRange(0, data.byteLength);
    if (data instanceof Float32Array) new Float32Array(range).set(data);
    else new Uint32Array(range).set(data);
    buf.unmap();
  }
  return buf;
}

export function uniformBuffer(device: GPUDevice, data: ArrayBuffer | ArrayBufferView, label = ''): GPUBuffer {
  const bytes = data.byteLength;
  const buf = device.createBuffer({ size: BufferPool.round(bytes), usage: UNIFORM | COPY_DST, label });
  device.queue.writeBuffer(
    buf,
    0,
    data instanceof ArrayBuffer ? data : (data.buffer as ArrayBuffer),
    data instanceof ArrayBuffer ? 0 : data.byteOffset,
    bytes,
  );
  return buf;
}

/** Read a buffer back (copies through a staging buffer). Slow path for tests, tools, checkpoints. */
export async function readBuffer(
  device: GPUDevice,
  src: GPUBuffer,
  bytes = src.size,
  offset = 0,
): Promise<ArrayBuffer> {
  // Copy exactly the bytes asked for (rounded to 4, the copy granularity): rounding up to 16 could
  // run past the end of the source buffer.
  const staging = device.createBuffer({ size: BufferPool.round(bytes), usage: MAP_READ | COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, offset, staging, 0, Math.ceil(bytes / 4) * 4);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(MAP_READ);
  const out = staging.getMappedRange(0, bytes).slice(0);
  staging.unmap();
  staging.destroy();
  return out;
}

export async function readF32(
  device: GPUDevice,
  src: GPUBuffer,
  length: number,
  offsetFloats = 0,
): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, src, length * 4, offsetFloats * 4));
}

/**
 * Grid of a per-run kernel with a grid-stride loop: (chunks, runs), workgroup row y is run y, and
 * about `perThread` of a run's `perRun` elements per thread along x (shaders/optim_common.wgsl's
 * main, shaders/diverge_guard.wgsl).
 */
export function perRunGrid(
  who: string,
  runs: number,
  perRun: number,
  workgroupSize: number,
  perThread: number,
): [number, number] {
  if (runs > 65535) throw new Error(`${who}: ${runs} runs; at most 65535 (one workgroup row per run)`);
  return [Math.min(65535, Math.max(1, Math.ceil(perRun / (workgroupSize * perThread)))), Math.max(1, runs)];
}

/** Workgroup count for n threads, split over x/y so no dimension exceeds the 65535 limit. */
export function dispatchSize(n: number, workgroupSize: number): [number, number] {
  const groups = Math.max(1, Math.ceil(n / workgroupSize));
  if (groups <= 65535) return [groups, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y];
}

/** Floats a buffer holds (at least 1): the length of a fixed-size WGSL array bound to all of it. */
export function floatsIn(b: GPUBuffer): number {
  return Math.max(1, Math.floor(b.size / 4));
}
