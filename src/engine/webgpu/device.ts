/**
 * One way to get a GPUDevice, in the browser (navigator.gpu) and in Node (npm `webgpu`, Dawn).
 * In Node with no GPU, the Vulkan loader needs SwiftShader's ICD: we look for the manifest that
 * Chromium ships and point the loader at it, so no environment variable is needed.
 */

export interface GpuHandle {
  device: GPUDevice;
  adapter: GPUAdapter;
  /** Human-readable adapter description, e.g. "google swiftshader (Vulkan)". */
  adapterDescription: string;
  /** Uncaptured GPU errors so far (validation, out-of-memory), newest last. */
  errors: string[];
  /** Resolves (once) when the device is lost, with the reason. */
  lost: Promise<GPUDeviceLostInfo>;
  destroy(): void;
}

export class NoWebGpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoWebGpuError';
  }
}

const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
  '/snap/chromium/current/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  return parts.length > 0 ? [...new Set(parts)].join(' ') : 'unknown adapter';
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
}

/** Node-only modules, loaded by name so browser bundles never include them. */
function nodeImport<T>(name: string): Promise<T> {
  return import(/* @vite-ignore */ name) as Promise<T>;
}

async function nodeGpu(): Promise<GPU> {
  const fs = await nodeImport<typeof import('node:fs')>('node:fs');
  const env = process.env;
  if (!env.VK_ICD_FILENAMES && !env.VK_DRIVER_FILES) {
    const icd = SWIFTSHADER_ICDS.find((p) => fs.existsSync(p));
    // Only used when the system has no Vulkan driver of its own (see requestAdapter below).
    if (icd) env.OPTIM_PLAYGROUND_SWIFTSHADER_ICD = icd;
  }
  const mod = await nodeImport<{
    create: (opts: string[]) => GPU;
    globals: Record<string, unknown>;
  }>('webgpu');
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  // The `webgpu` package (Dawn) aborts the process if its GPU instance is garbage-collected
  // while anything created from it is alive: keep every instance for the life of the process.
  keepAlive.push(gpu);
  return gpu;
}

const keepAlive: unknown[] = [];

async function requestAdapterNode(): Promise<{ gpu: GPU; adapter: GPUAdapter | null }> {
  let gpu = await nodeGpu();
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const icd = process.env.OPTIM_PLAYGROUND_SWIFTSHADER_ICD;
  if (!adapter && icd) {
    process.env.VK_ICD_FILENAMES = icd;
    gpu = await nodeGpu();
    adapter = await gpu.requestAdapter();
  }
  return { gpu, adapter };
}

/**
 * Node only: the `webgpu` package's GPU object on which acquireGpu finds its adapter (the system's
 * Vulkan driver, else SwiftShader), for libraries that look for navigator.gpu (the benchmark's
 * TensorFlow.js contender). Throws NoWebGpuError where there is no adapter.
 */
export async function nodeGpuInstance(): Promise<GPU> {
  if (!isNode()) throw new Error('nodeGpuInstance is for Node; a browser has navigator.gpu');
  const { gpu, adapter } = await requestAdapterNode();
  if (!adapter) throw new NoWebGpuError('No WebGPU adapter in Node (see acquireGpu).');
  return gpu;
}

export async function acquireGpu(
  opts: {
    requireAdapter?: boolean;
    /** Optional features to enable where the adapter has them. */ features?: GPUFeatureName[];
  } = {},
): Promise<GpuHandle> {
  let adapter: GPUAdapter | null;
  if (isNode()) {
    adapter = (await requestAdapterNode()).adapter;
    if (!adapter)
      throw new NoWebGpuError(
        'No WebGPU adapter in Node. Install a Vulkan driver, or on Debian: apt-get install -y chromium libvulkan1 (SwiftShader).',
      );
  } else {
    const nav = (globalThis as { navigator?: Navigator }).navigator;
    if (!nav?.gpu) throw new NoWebGpuError('This browser has no WebGPU (navigator.gpu is missing).');
    adapter = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new NoWebGpuError('The browser refused a WebGPU adapter (requestAdapter returned null).');
  }
  const lim = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: (opts.features ?? []).filter((f) => adapter.features.has(f)),
    requiredLimits: {
      maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
      maxBufferSize: lim.maxBufferSize,
      maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: lim.maxComputeWorkgroupSizeX,
    },
  });
  let destroyed = false;
  const lost = device.lost;
  const errors: string[] = [];
  device.addEventListener('uncapturederror', (ev) => {
    const msg = (ev as GPUUncapturedErrorEvent).error.message;
    errors.push(msg);
    console.error(`[webgpu] uncaptured error: ${msg}`);
  });
  return {
    device,
    adapter,
    adapterDescription: describeAdapter(adapter),
    lost,
    errors,
    destroy() {
      if (!destroyed) {
        destroyed = true;
        device.destroy();
      }
    },
  };
}
