/**
 * Memory planning and device-limit checks, done before anything is allocated. planMemory mirrors
 * the allocation code (trainer.ts, population.ts, model/mlp_gpu.ts, metrics/curvature_gpu.ts,
 * step_slots.ts): when one of those changes the buffers it creates, change the plan too, in its
 * parts (memory_plan_parts.ts) or its model graphs (memory_plan_graphs.ts); memory_plan.test.ts
 * pins the sizes of a small experiment. checkDeviceLimits turns a plan into specific
 * ValidationErrors that say what to reduce. Pure arithmetic: no device, no DOM.
 */
import type { Experiment, ValidationError } from '../../schema/types';
import { networkOutputs } from '../../schema/limits';
import { dataShape } from '../data/shape';
import { dispatchSize } from './buffers';
import { planContext, planData, planGuardStaging, planPopulation } from './memory_plan_parts';

export { planCnnActivations, type CnnPlan } from './memory_plan_graphs';

export interface DataDims {
  inputDim: number;
  /** Output units of the network. */
  outDim: number;
  nTrain: number;
  nTest: number;
}

export interface PlannedBuffer {
  label: string;
  /** Bytes as created (rounded up to 16, at least 16). */
  bytes: number;
  /** Bound as a storage buffer (whole), so maxStorageBufferBindingSize applies. */
  storage: boolean;
  /** The config field that sizes it, and what to reduce when it is too big. */
  path: string;
  what: string;
  reduce: string;
}

export interface PlannedDispatch {
  label: string;
  /** Invocations of a 1-D kernel (split over x and y by dispatchSize), or workgroups for per-run kernels. */
  threads: number;
  workgroupSize: number;
  path: string;
  reduce: string;
}

export interface MemoryPlan {
  buffers: PlannedBuffer[];
  dispatches: PlannedDispatch[];
  totalBytes: number;
}

export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  maxComputeWorkgroupsPerDimension: number;
}

/** The network's data dimensions implied by a (valid) config, without generating the data. */
export function dataDims(exp: Pick<Experiment, 'data' | 'loss'>): DataDims {
  const s = dataShape(exp.data);
  return { inputDim: s.inputDim, outDim: networkOutputs(exp.loss, s), nTrain: exp.data.nTrain, nTest: exp.data.nTest };
}

/** Every GPU buffer (and the large dispatches) a GpuTrainer for `exp` would create. */
export function planMemory(exp: Experiment, shape: DataDims, opts: { stepsPerSubmit?: number } = {}): MemoryPlan {
  const c = planContext(exp, shape, opts);
  planData(c);
  const groups = new Map<string, number>();
  for (const run of exp.runs) groups.set(run.optimizer.name, (groups.get(run.optimizer.name) ?? 0) + 1);
  for (const [name, R] of groups) planPopulation(c, name, R, groups.size > 1);
  planGuardStaging(c, groups);
  const { buffers, dispatches } = c;
  const totalBytes = buffers.reduce((a, b) => a + b.bytes, 0);
  return { buffers, dispatches, totalBytes };
}

/** "1.2 GiB", "256 MiB", "12 KiB", "80 B". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const s = u === 0 ? String(Math.round(v)) : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return `${s.replace(/\.0+$|(\.\d*?)0+$/, '$1')} ${units[u]}`;
}

/**
 * Problems that stop this experiment on a device with these limits (and an optional memory budget
 * in bytes), one per config path and kind of limit, each saying what to reduce. [] when it fits.
 */
export function checkDeviceLimits(
  exp: Experiment,
  shape: DataDims,
  limits: DeviceLimits,
  budgetBytes?: number,
  opts: { stepsPerSubmit?: number } = {},
): ValidationError[] {
  const plan = planMemory(exp, shape, opts);
  const errors: ValidationError[] = [];
  const seen = new Set<string>();
  const report = (key: string, path: string, message: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    errors.push({ path, message });
  };
  // Largest first, so the one error per path names the worst buffer.
  const bySize = plan.buffers.slice().sort((a, b) => b.bytes - a.bytes);
  for (const b of bySize) {
    const then = b.reduce ? `; ${b.reduce}` : '';
    if (b.storage && b.bytes > limits.maxStorageBufferBindingSize) {
      report(
        `bind:${b.path}`,
        b.path,
        `${b.what} need ${formatBytes(b.bytes)}, more than this GPU's ${formatBytes(limits.maxStorageBufferBindingSize)} storage binding limit${then}`,
      );
    } else if (b.bytes > limits.maxBufferSize) {
      report(
        `buf:${b.path}`,
        b.path,
        `${b.what} need ${formatBytes(b.bytes)}, more than this GPU's ${formatBytes(limits.maxBufferSize)} buffer size limit${then}`,
      );
    }
  }
  const maxDim = limits.maxComputeWorkgroupsPerDimension;
  for (const d of plan.dispatches) {
    const [x, y] = d.workgroupSize === 1 ? [Math.max(1, d.threads), 1] : dispatchSize(d.threads, d.workgroupSize);
    if (x > maxDim || y > maxDim) {
      report(
        `dispatch:${d.path}`,
        d.path,
        `the ${d.label} kernel needs ${x} x ${y} workgroups, more than this GPU's ${maxDim} per dimension; ${d.reduce}`,
      );
    }
  }
  if (budgetBytes !== undefined && plan.totalBytes > budgetBytes) {
    const top = bySize
      .slice(0, 3)
      .map((b) => `${b.label} ${formatBytes(b.bytes)}`)
      .join(', ');
    errors.push({
      path: 'runs',
      message:
        `this experiment needs ${formatBytes(plan.totalBytes)} of GPU memory, more than the ${formatBytes(budgetBytes)} available ` +
        `(largest: ${top}); reduce the number of runs, model.hidden widths, the batch size or the curvature subset`,
    });
  }
  return errors;
}
