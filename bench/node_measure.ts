/** One Node-side throughput measurement of the engine (used by `npm run bench` and its CI smoke test). */
import type { Experiment } from '../src/schema/types';
import { createTrainer, type BackendName } from '../src/engine/create';
import type { GpuHandle } from '../src/engine/webgpu/device';
import type { PipelineCache } from '../src/engine/webgpu/pipelines';
import { atLeast } from './timing';

export interface Figure {
  workload: string;
  backend: BackendName;
  runs: number;
  steps: number;
  seconds: number;
  stepsPerSec: number;
  runStepsPerSec: number;
}

/**
 * Warm up, then time `steps` steps (the last one logs, which forces completion); with `minSeconds`,
 * more steps until the timed run lasts that long (a real GPU does the default counts in milliseconds).
 */
export async function measure(
  name: string,
  make: (steps: number) => Experiment,
  backend: BackendName,
  steps: number,
  gpu?: GpuHandle,
  pipelines?: PipelineCache,
  minSeconds = 0,
): Promise<Figure> {
  let runs = 0;
  const r = await atLeast(steps, minSeconds, async (k) => {
    const warm = Math.max(2, Math.floor(k / 5));
    const exp = make(warm + k);
    runs = exp.runs.length;
    const trainer = await createTrainer(exp, { backend, gpu, pipelines });
    await trainer.advance(warm);
    const t0 = performance.now();
    const rows = await trainer.advance(k);
    const secs = (performance.now() - t0) / 1000;
    const last = rows.find((row) => row.metric === 'train_loss');
    if (!last || !Number.isFinite(last.value)) throw new Error(`${name}/${backend}: no finite loss at the end`);
    trainer.dispose();
    return { secs };
  });
  return {
    workload: name,
    backend,
    runs,
    steps: r.steps,
    seconds: r.secs,
    stepsPerSec: r.steps / r.secs,
    runStepsPerSec: (runs * r.steps) / r.secs,
  };
}
