import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../engine/trainer';
import { SharpnessTracker, divergenceSummary, divergenceText } from './divergence';

const row = (run: number, step: number, metric: string, value: number): MetricRow => ({ run, step, metric, value });

const ROWS: MetricRow[] = [
  row(0, 0, 'sharpness', 10),
  row(0, 0, 'sharpness_threshold', 40),
  row(0, 50, 'sharpness', 38),
  row(0, 50, 'sharpness_threshold', 40),
  row(0, 100, 'sharpness_threshold', 40),
  row(0, 100, 'sharpness', 45.25),
  row(0, 150, 'sharpness', NaN), // measured on the blown-up parameters: not finite, ignored
  row(0, 200, 'sharpness', 99), // after the divergence step: ignored
  row(1, 100, 'sharpness', 3),
];

describe('divergenceSummary', () => {
  it('takes the last finite sharpness at or before the divergence step, with the threshold of that step', () => {
    expect(divergenceSummary(ROWS, 0, 160)).toEqual({
      step: 160,
      lastSharpness: 45.25,
      sharpnessStep: 100,
      threshold: 40,
    });
    expect(divergenceSummary(ROWS, 0, 60)).toEqual({ step: 60, lastSharpness: 38, sharpnessStep: 50, threshold: 40 });
    // No threshold logged (an optimizer without a stability line).
    expect(divergenceSummary(ROWS, 1, 120)).toEqual({
      step: 120,
      lastSharpness: 3,
      sharpnessStep: 100,
      threshold: undefined,
    });
  });

  it('has only the step when no sharpness was measured', () => {
    expect(divergenceSummary(ROWS, 2, 10)).toEqual({ step: 10 });
    expect(divergenceSummary([row(0, 20, 'train_loss', 1)], 0, 30)).toEqual({ step: 30 });
  });

  it('the incremental tracker (fed the rows up to the divergence) agrees with the one-shot helper', () => {
    const t = new SharpnessTracker();
    const upTo = ROWS.filter((r) => r.step <= 160);
    for (let i = 0; i < upTo.length; i += 3) t.add(upTo.slice(i, i + 3));
    expect(t.summary(0, 160)).toEqual(divergenceSummary(ROWS, 0, 160));
    t.clear();
    expect(t.summary(0, 160)).toEqual({ step: 160 });
  });

  it('reads as one line for a banner', () => {
    expect(divergenceText(divergenceSummary(ROWS, 0, 160))).toBe(
      'diverged at step 160 (last sharpness 45.3 at step 100, above the stability threshold 40.0)',
    );
    expect(divergenceText({ step: 7 })).toBe('diverged at step 7');
  });
});
