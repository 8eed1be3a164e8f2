/** Errors the WebGPU trainer raises before or while allocating an experiment. */

/** Allocating or setting up the experiment on the GPU failed (out of memory, validation). */
export class GpuSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuSetupError';
  }
}

/** The experiment does not fit this device; `problems` say what to reduce (path + message). */
export class DeviceLimitError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    this.name = 'DeviceLimitError';
  }
}
