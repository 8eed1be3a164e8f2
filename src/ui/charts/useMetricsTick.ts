/**
 * Store values for views that need not follow every worker message: the selected value is
 * re-read at most every `minMs`, through the shared frame queue, and rendered at once in a frame
 * of its own (its DOM changes are the only style, layout and paint work of that frame).
 */
import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { appStoreApi } from '../store/store';
import type { PlaygroundState } from '../store/types';
import { chartQueue, exclusive, spaced, type Job } from './frameQueue';

/** `select(state)`, updated at most every `minMs`. `select` must be a stable (module-level) function. */
export function useThrottledSelector<T>(select: (s: PlaygroundState) => T, minMs: number): T {
  const [value, setValue] = useState(() => select(appStoreApi().getState()));
  useEffect(() => {
    let last = 0;
    const job: Job = exclusive(() => {
      last = performance.now();
      flushSync(() => setValue(select(appStoreApi().getState())));
    });
    const runs = spaced(chartQueue(), job, () => last + minMs - performance.now());
    const unsubscribe = appStoreApi().subscribe((s, prev) => {
      if (select(s) !== select(prev)) runs.request();
    });
    runs.request(); // catch up with changes made before subscribing
    return () => {
      unsubscribe();
      runs.cancel();
    };
  }, [select, minMs]);
  return value;
}

const metricsVersion = (s: PlaygroundState) => s.metricsVersion;

/** A value that changes, at most every `minMs`, after new metrics arrived. */
export function useMetricsTick(minMs: number): number {
  return useThrottledSelector(metricsVersion, minMs);
}
