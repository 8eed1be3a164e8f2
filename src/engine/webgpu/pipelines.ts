/**
 * Compute pipelines cached by a key holding every compile-time parameter (the WGSL source and
 * its override constants). Creation runs inside validation error scopes, and the WGSL
 * compiler's messages are surfaced in the thrown error.
 */

export class ShaderError extends Error {
  constructor(
    readonly label: string,
    message: string,
  ) {
    super(`WGSL pipeline "${label}" failed: ${message}`);
    this.name = 'ShaderError';
  }
}

export type Overrides = Record<string, number>;

/** Access of a compute binding: read-only storage, read-write storage, or a uniform. */
export type Access = 'read' | 'rw' | 'uniform';

export const COMPUTE = 0x4; // GPUShaderStage.COMPUTE

export interface PipelineCacheOptions {
  /**
   * Benchmarks only: every entry point returns as soon as it starts (emptyEntryPoint), so a trainer
   * built on this cache records and submits exactly its usual dispatches (pipelines, bind groups,
   * grids) but they do no work: what its dispatch stream alone costs (bench/side_by_side.ts).
   */
  emptyEntryPoints?: boolean;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly modules = new Map<string, GPUShaderModule>();
  constructor(
    readonly device: GPUDevice,
    readonly options: PipelineCacheOptions = {},
  ) {}

  private readonly layoutIds = new WeakMap<GPUPipelineLayout, number>();
  private nextLayoutId = 1;
  private layoutId(layout: GPUPipelineLayout): number {
    let id = this.layoutIds.get(layout);
    if (id === undefined) this.layoutIds.set(layout, (id = this.nextLayoutId++));
    return id;
  }

  get size(): number {
    return this.pipelines.size;
  }

  private module(label: string, code: string): GPUShaderModule {
    let m = this.modules.get(code);
    if (!m) {
      m = this.device.createShaderModule({ label, code });
      this.modules.set(code, m);
    }
    return m;
  }

  /**
   * Get or create a pipeline. `code` is the full WGSL source; `overrides` its override constants;
   * `entryPoint` the @compute function. Every engine kernel passes `layout`, the explicit layout of
   * its declaration (pipelineLayoutOf in kernel_io.ts; needed for its dynamic-offset StepInfo and
   * for bindings a variant leaves unused). Without it the layout is 'auto' (tests and benchmarks).
   */
  async get(
    label: string,
    code: string,
    entryPoint = 'main',
    overrides: Overrides = {},
    layout?: GPUPipelineLayout,
  ): Promise<GPUComputePipeline> {
    if (this.options.emptyEntryPoints) code = emptyEntryPoint(code, entryPoint);
    const key = pipelineKey(code, entryPoint, overrides) + (layout ? `|layout${this.layoutId(layout)}` : '');
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    const device = this.device;
    // One validation scope: its error carries the WGSL compiler's message (line:col and text).
    device.pushErrorScope('validation');
    let pipeline: GPUComputePipeline | undefined;
    let thrown: unknown;
    try {
      const module = this.module(label, code);
      // Synchronous creation: Dawn in Node (webgpu 0.6.2) aborts the process when
      // createComputePipelineAsync runs inside an error scope.
      pipeline = device.createComputePipeline({
        label: `${label}:${entryPoint}`,
        layout: layout ?? 'auto',
        compute: { module, entryPoint, constants: overrides },
      });
    } catch (e) {
      thrown = e;
    }
    const validation = await device.popErrorScope();
    if (thrown || validation || !pipeline) {
      this.modules.delete(code);
      const why = [
        validation?.message,
        thrown instanceof Error ? thrown.message : thrown ? String(thrown) : undefined,
      ].filter(Boolean);
      throw new ShaderError(label, why.join('\n') || 'unknown error');
    }
    this.pipelines.set(key, pipeline);
    return pipeline;
  }
}

/**
 * `code` with a return at the start of entry point `entryPoint`'s body. The rest of the body
 * stays: WGSL counts a binding as used by an entry point wherever it appears in its code, reachable
 * or not, so 'auto' layouts keep every binding and the same bind groups fit.
 */
export function emptyEntryPoint(code: string, entryPoint: string): string {
  const at = new RegExp(`\\bfn\\s+${entryPoint}\\s*\\([^{]*\\{`).exec(code);
  if (!at) throw new Error(`emptyEntryPoint: no function "${entryPoint}" in the shader`);
  const end = at.index + at[0].length;
  // `if (true)`: the same at run time, without the compiler's "code is unreachable" warnings.
  return `${code.slice(0, end)}\n  if (true) { return; }${code.slice(end)}`;
}

export function pipelineKey(code: string, entryPoint: string, overrides: Overrides): string {
  const ov = Object.keys(overrides)
    .sort()
    .map((k) => `${k}=${overrides[k]}`)
    .join(',');
  return `${hashString(code)}|${code.length}|${entryPoint}|${ov}`;
}

function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}
