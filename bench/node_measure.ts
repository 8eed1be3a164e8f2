/** One Node-side throughput measurement of the engine (used by `npm run bench` and its CI smoke test). */
import type { Experiment } from '../src/experiment/types';
import { createTrainer, type BackendName } from '../src/engine/create';
import type { GpuHandle } from '../src/engine/gpu/device';
import type { PipelineCache } from '../src/engine/gpu/pipelines';

export interface Figure {
  workload: string;
  backend: BackendName;
  runs: number;
  steps: number;
  seconds: number;
  stepsPerSec: number;
  runStepsPerSec: number;
}

/** Warm up, then time `steps` steps (the last one logs, which forces completion). */
export async function measure(
  name: string,
  make: (steps: number) => Experiment,
  backend: BackendName,
  steps: number,
  gpu?: GpuHandle,
  pipelines?: PipelineCache,
): Promise<Figure> {
  const warm = Math.max(2, Math.floor(steps / 5));
  const exp = make(warm + steps);
  const trainer = await createTrainer(exp, { backend, gpu, pipelines });
  await trainer.advance(warm);
  const t0 = performance.now();
  const rows = await trainer.advance(steps);
  const seconds = (performance.now() - t0) / 1000;
  const last = rows.find((r) => r.metric === 'train_loss');
  if (!last || !Number.isFinite(last.value)) throw new Error(`${name}/${backend}: no finite loss at the end`);
  trainer.dispose();
  const runs = exp.runs.length;
  return {
    workload: name,
    backend,
    runs,
    steps,
    seconds,
    stepsPerSec: steps / seconds,
    runStepsPerSec: (runs * steps) / seconds,
  };
}
