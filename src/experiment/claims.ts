/**
 * Preset claims: what a paper reports, written as statements over the logged metrics so that a
 * test can check them and the page can show them live. A claim is data (a kind plus its numbers);
 * `evaluateClaim` is a pure function of the logged series, so the same code judges a claim in the
 * unit tests, in `cli check-presets` and in the browser while the runs train.
 *
 * Windows are fractions of the experiment's steps: { from: 0.7 } is the last 30% of the run. A
 * statement over a window is pending until training has passed the window's end; an event (a
 * threshold reached, a spike) is seen at the step where it happens.
 *
 * This file is the language (the claim types and what a claim reads); claim_eval.ts is the
 * evaluator.
 */

/** One logged series: parallel step and value arrays, steps increasing. */
export interface SeriesView {
  readonly steps: readonly number[];
  readonly values: readonly number[];
}

export type SeriesLookup = (run: number, metric: string) => SeriesView | undefined;

export type Agg = 'final' | 'first' | 'min' | 'max' | 'median' | 'mean';

/** A number taken from one run's series: the aggregate of its values logged in [from, to] x steps. */
export interface Stat {
  run: number;
  metric: string;
  agg: Agg;
  /** Window start as a fraction of the experiment's steps (default 0). */
  from?: number;
  /** Window end as a fraction of the experiment's steps (default 1). */
  to?: number;
  /** Multiply the aggregate by this (e.g. the learning rate, to turn steps into time lr x steps). */
  scale?: number;
}

export type Operand = Stat | number;

export type ClaimTest =
  /** left op factor x right. */
  | { kind: 'compare'; left: Stat; op: '<' | '>'; right: Operand; factor?: number }
  /** |stat / target - 1| <= tol. */
  | { kind: 'near'; stat: Stat; target: Operand; tol: number }
  /** The same statistic over `runs`, in that order, rises (or falls) by more than margin x |previous| each time. */
  | {
      kind: 'ordered';
      runs: number[];
      metric: string;
      agg: Agg;
      from?: number;
      to?: number;
      direction: 'increasing' | 'decreasing';
      margin?: number;
    }
  /** a - c >= fraction x (a - b) with a > b: c closes at least that fraction of the gap from a down to b. */
  | { kind: 'closes-gap'; a: Stat; b: Stat; c: Stat; fraction: number }
  /** The first logged step where run's metric >= fraction x target (a constant or another metric of the run at that step). */
  | { kind: 'reaches'; run: number; metric: string; target: string | number; fraction: number; by?: number }
  /** After `after` x steps, a logged value exceeds factor x the smallest value logged before it. */
  | { kind: 'spike'; run: number; metric: string; factor: number; after?: number; by?: number }
  /** In the window, at least `fraction` of consecutive logged triples turn (up then down, or down then up). */
  | { kind: 'oscillates'; run: number; metric: string; fraction: number; from?: number; to?: number }
  /** In the window, the step-to-step changes of metrics a and b of one run correlate at most -corr. */
  | { kind: 'anti-phase'; run: number; a: string; b: string; corr: number; from?: number; to?: number };

export interface Claim {
  /** The statement in words, as the page shows it. */
  text: string;
  test: ClaimTest;
}

export type ClaimStatus = 'pending' | 'seen' | 'not-seen';

export interface ClaimResult {
  status: ClaimStatus;
  /** Seen: the step where it happened (events) or the end of the window that decided it. */
  step?: number;
  /** The numbers behind the verdict, e.g. "median sharpness 9.81 vs 2/η 10 (−1.9%)". */
  detail: string;
}

export interface ClaimContext {
  get: SeriesLookup;
  /** The experiment's total steps. */
  steps: number;
  /** Steps trained so far. */
  step: number;
  /** Training is over (every run finished, stopped or diverged): nothing more will be logged. */
  done: boolean;
  /** Display names of runs (defaults to "run i"). */
  labels?: readonly string[];
}

export { evaluateClaim } from './claim_eval';

/** The metric a claim is about (the chart to put first and mark). */
export function claimMetric(test: ClaimTest): string {
  switch (test.kind) {
    case 'compare':
      return test.left.metric;
    case 'near':
      return test.stat.metric;
    case 'ordered':
      return test.metric;
    case 'closes-gap':
      return test.a.metric;
    case 'reaches':
    case 'spike':
    case 'oscillates':
      return test.metric;
    case 'anti-phase':
      return test.a;
  }
}

/** The statistics a window statement compares (constants left out); null for the other kinds. */
function claimStats(test: ClaimTest): Stat[] | null {
  const stats = (...o: Operand[]) => o.filter((x): x is Stat => typeof x !== 'number');
  switch (test.kind) {
    case 'compare':
      return stats(test.left, test.right);
    case 'near':
      return stats(test.stat, test.target);
    case 'closes-gap':
      return [test.a, test.b, test.c];
    default:
      return null;
  }
}

/** The runs a claim reads. */
export function claimRuns(test: ClaimTest): number[] {
  switch (test.kind) {
    case 'compare':
    case 'near':
    case 'closes-gap':
      return (claimStats(test) ?? []).map((x) => x.run);
    case 'ordered':
      return [...test.runs];
    default:
      return [test.run];
  }
}

/** Every metric a claim reads (so a check can verify the experiment logs them). */
export function claimMetrics(test: ClaimTest): string[] {
  switch (test.kind) {
    case 'compare':
    case 'near':
    case 'closes-gap':
      return (claimStats(test) ?? []).map((x) => x.metric);
    case 'reaches':
      return typeof test.target === 'string' ? [test.metric, test.target] : [test.metric];
    case 'anti-phase':
      return [test.a, test.b];
    default:
      return [test.metric];
  }
}

/** Series from metric rows, for evaluating claims outside the page (tests, CLI). */
export function seriesFromRows(
  rows: readonly { run: number; step: number; metric: string; value: number }[],
): SeriesLookup {
  const m = new Map<string, { steps: number[]; values: number[] }>();
  for (const r of rows) {
    const k = `${r.run}|${r.metric}`;
    let s = m.get(k);
    if (!s) m.set(k, (s = { steps: [], values: [] }));
    const n = s.steps.length;
    if (n > 0 && r.step <= s.steps[n - 1]) {
      if (r.step === s.steps[n - 1]) s.values[n - 1] = r.value;
      continue;
    }
    s.steps.push(r.step);
    s.values.push(r.value);
  }
  return (run, metric) => m.get(`${run}|${metric}`);
}
