/**
 * What the page says about a diverged run: the step, and when sharpness was measured, the last
 * finite sharpness before it next to the stability line logged at that step (2/η for plain
 * gradient descent, where the line equals 2 / the logged learning rate). Pure.
 */
import { fmt } from './format';
import type { Series } from './series';

export interface DivergenceNote {
  step: number;
  /** Last finite sharpness logged at or before `step`, with its step. */
  sharpness: { step: number; value: number } | null;
  /** The stability line (sharpness_threshold) at that step, or the last one logged before it. */
  threshold: number | null;
  /** Whether the line equals 2 / lr at that step (then it reads "2/η"). */
  twoOverLr: boolean;
}

type SeriesOf = (metric: string) => Series | undefined;

/** The entry of `s` at or before `step` that is finite and nearest to it. */
function lastFiniteAtOrBefore(s: Series | undefined, step: number): { step: number; value: number } | null {
  if (!s) return null;
  for (let i = s.steps.length - 1; i >= 0; i--) {
    if (s.steps[i] <= step && Number.isFinite(s.values[i])) return { step: s.steps[i], value: s.values[i] };
  }
  return null;
}

function valueAt(s: Series | undefined, step: number): number | null {
  if (!s) return null;
  const i = s.steps.lastIndexOf(step);
  return i >= 0 && Number.isFinite(s.values[i]) ? s.values[i] : null;
}

/** `series(metric)` gives the run's logged series; `step` is where the run diverged. */
export function divergenceNote(series: SeriesOf, step: number): DivergenceNote {
  const sharpness = lastFiniteAtOrBefore(series('sharpness'), step);
  let threshold: number | null = null;
  let twoOverLr = false;
  if (sharpness) {
    const th = series('sharpness_threshold');
    threshold = valueAt(th, sharpness.step) ?? lastFiniteAtOrBefore(th, sharpness.step)?.value ?? null;
    const lr = valueAt(series('lr'), sharpness.step);
    twoOverLr = threshold !== null && lr !== null && lr > 0 && Math.abs(threshold - 2 / lr) <= 1e-6 * threshold;
  }
  return { step, sharpness, threshold, twoOverLr };
}

/** "last sharpness 41.2 vs 2/η = 40", or '' when sharpness was not measured. */
export function sharpnessText(n: DivergenceNote): string {
  if (!n.sharpness) return '';
  const s = `last sharpness ${fmt(n.sharpness.value)}`;
  if (n.threshold === null) return s;
  return `${s} vs ${n.twoOverLr ? '2/η' : 'stability line'} = ${fmt(n.threshold)}`;
}
