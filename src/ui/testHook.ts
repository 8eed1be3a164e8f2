/**
 * A read-only window.__playground for e2e tests and debugging in the console: the backend,
 * the status and the logged rows. It never changes the experiment except through `hashFor`,
 * which only encodes.
 */
import type { MetricRow } from '../engine/trainer';
import { parseExperiment } from '../experiment/validate';
import type { Experiment } from '../experiment/types';
import { hashFor } from './hash';
import type { PlaygroundStore } from './store/store';

export interface PlaygroundHook {
  snapshot(): {
    backend: string | null;
    adapter: string | null;
    fallbackReason: string | null;
    state: string;
    step: number;
    steps: number;
    gen: number;
    runs: number;
    notice: string | null;
  };
  rows(): MetricRow[];
  experiment(): Experiment;
  /** The "#e=..." hash of a raw experiment object, or the validation errors. */
  hashFor(raw: unknown): string | { errors: string[] };
}

declare global {
  interface Window {
    __playground?: PlaygroundHook;
  }
}

export function installTestHook(store: PlaygroundStore): void {
  window.__playground = {
    snapshot() {
      const s = store.getState();
      return {
        backend: s.backend?.backend ?? null,
        adapter: s.backend?.adapter ?? null,
        fallbackReason: s.backend?.fallbackReason ?? null,
        state: s.status.state,
        step: s.status.step,
        steps: s.status.steps,
        gen: s.gen,
        runs: s.applied.runs.length,
        notice: s.notice,
      };
    },
    rows: () => store.getState().metrics.rows(),
    experiment: () => structuredClone(store.getState().applied),
    hashFor(raw) {
      const res = parseExperiment(raw);
      return res.ok ? hashFor(res.value) : { errors: res.errors.map((e) => `${e.path}: ${e.message}`) };
    },
  };
}
