/** Timing helpers shared by the benchmarks. */

/**
 * Repeat `timed(steps)` (which returns seconds) with more steps until one run lasts at least
 * `minSeconds` (a real GPU finishes the default step counts in milliseconds, too short to time).
 */
export async function atLeast<T extends { secs: number }>(
  steps: number,
  minSeconds: number,
  timed: (steps: number) => Promise<T>,
): Promise<T & { steps: number }> {
  for (;;) {
    const r = await timed(steps);
    if (r.secs >= minSeconds || steps >= 1e6) return { ...r, steps };
    steps = Math.ceil(steps * Math.min(16, (1.2 * minSeconds) / Math.max(r.secs, 1e-4)));
  }
}
