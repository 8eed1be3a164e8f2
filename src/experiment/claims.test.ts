import { describe, expect, it } from 'vitest';
import { claimMetrics, claimRuns, evaluateClaim, seriesFromRows, type ClaimContext } from './claims';

/** Rows for run `run`, metric `metric`: values at steps 0..n-1 (or the given steps). */
function rows(run: number, metric: string, values: number[], steps?: number[]) {
  return values.map((value, i) => ({ run, metric, step: steps ? steps[i] : i, value }));
}

function ctx(all: ReturnType<typeof rows>, steps: number, step = steps, done = step >= steps): ClaimContext {
  return { get: seriesFromRows(all), steps, step, done, labels: ['A', 'B', 'C'] };
}

const ramp = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('claim evaluator', () => {
  it('compare: final, median over a window, a factor, and a constant on the right', () => {
    const r = [
      ...rows(
        0,
        'loss',
        ramp(11, (i) => 1 - i * 0.05),
      ),
      ...rows(
        1,
        'loss',
        ramp(11, (i) => 1 - i * 0.09),
      ),
    ];
    const c = ctx(r, 10);
    // final: A 0.5, B 0.1
    expect(
      evaluateClaim(
        {
          kind: 'compare',
          left: { run: 1, metric: 'loss', agg: 'final' },
          op: '<',
          right: { run: 0, metric: 'loss', agg: 'final' },
          factor: 0.5,
        },
        c,
      ),
    ).toMatchObject({ status: 'seen', step: 10 });
    expect(
      evaluateClaim(
        {
          kind: 'compare',
          left: { run: 1, metric: 'loss', agg: 'final' },
          op: '<',
          right: { run: 0, metric: 'loss', agg: 'final' },
          factor: 0.1,
        },
        c,
      ).status,
    ).toBe('not-seen');
    // median of A over steps 7..10 (0.65, 0.6, 0.55, 0.5) = 0.575 > 0.56
    const res = evaluateClaim(
      { kind: 'compare', left: { run: 0, metric: 'loss', agg: 'median', from: 0.7 }, op: '>', right: 0.56 },
      c,
    );
    expect(res.status).toBe('seen');
    expect(res.detail).toContain('0.575');
    expect(res.detail).toContain('steps 7–10');
  });

  it('a window statement is pending until training passes the window, then decided', () => {
    const r = rows(
      0,
      'loss',
      ramp(6, (i) => 1 - i * 0.1),
    );
    const claim = {
      kind: 'compare' as const,
      left: { run: 0, metric: 'loss', agg: 'final' as const },
      op: '<' as const,
      right: 0.2,
    };
    expect(evaluateClaim(claim, ctx(r, 10, 5, false)).status).toBe('pending');
    // a window ending at 50% is decided at step 5
    expect(
      evaluateClaim({ ...claim, left: { ...claim.left, to: 0.5 }, right: 0.6 }, ctx(r, 10, 5, false)),
    ).toMatchObject({ status: 'seen', step: 5 });
    // training over early (diverged everywhere): decided on what was logged
    expect(evaluateClaim(claim, ctx(r, 10, 5, true)).status).toBe('not-seen');
  });

  it('near: within tolerance of another metric, both ways', () => {
    const r = [...rows(0, 'sharpness', [1, 5, 9.5, 10.4, 9.8]), ...rows(0, 'thr', [10, 10, 10, 10, 10])];
    const c = ctx(r, 4);
    const t = {
      kind: 'near' as const,
      stat: { run: 0, metric: 'sharpness', agg: 'median' as const, from: 0.5 },
      target: { run: 0, metric: 'thr', agg: 'median' as const },
      tol: 0.05,
    };
    expect(evaluateClaim(t, c).status).toBe('seen');
    expect(evaluateClaim({ ...t, stat: { ...t.stat, from: 0 } }, c).status).toBe('not-seen');
  });

  it('ordered: strictly increasing with a margin, decreasing, and a violation', () => {
    const r = [...rows(0, 'x', [0, 1]), ...rows(1, 'x', [0, 2]), ...rows(2, 'x', [0, 3])];
    const c = ctx(r, 1);
    const base = { kind: 'ordered' as const, runs: [0, 1, 2], metric: 'x', agg: 'final' as const };
    expect(evaluateClaim({ ...base, direction: 'increasing' }, c).status).toBe('seen');
    expect(evaluateClaim({ ...base, direction: 'increasing', margin: 0.4 }, c).status).toBe('seen'); // 2 > 1.4, 3 > 2.8
    expect(evaluateClaim({ ...base, direction: 'increasing', margin: 0.6 }, c).status).toBe('not-seen'); // 3 < 2 * 1.6
    expect(evaluateClaim({ ...base, direction: 'decreasing' }, c).status).toBe('not-seen');
    expect(evaluateClaim({ ...base, runs: [2, 1, 0], direction: 'decreasing' }, c).status).toBe('seen');
  });

  it('closes-gap: the fraction of the gap closed, and no gap at all', () => {
    const at = (run: number, v: number) => rows(run, 'loss', [1, v]);
    const claim = {
      kind: 'closes-gap' as const,
      a: { run: 1, metric: 'loss', agg: 'final' as const },
      b: { run: 0, metric: 'loss', agg: 'final' as const },
      c: { run: 2, metric: 'loss', agg: 'final' as const },
      fraction: 0.5,
    };
    // a (DP) 0.5, b (SGD) 0.1, c (Dice) 0.25: closes (0.5-0.25)/0.4 = 62.5%
    const ok = evaluateClaim(claim, ctx([...at(0, 0.1), ...at(1, 0.5), ...at(2, 0.25)], 1));
    expect(ok.status).toBe('seen');
    expect(ok.detail).toContain('62.5%');
    expect(evaluateClaim(claim, ctx([...at(0, 0.1), ...at(1, 0.5), ...at(2, 0.4)], 1)).status).toBe('not-seen');
    expect(evaluateClaim(claim, ctx([...at(0, 0.5), ...at(1, 0.1), ...at(2, 0.0)], 1)).detail).toContain('no gap');
  });

  it('reaches: seen at the first step where the metric meets the target metric at the same step', () => {
    const steps = [0, 20, 40, 60, 80];
    const r = [...rows(0, 's', [1, 3, 8.9, 9.2, 10], steps), ...rows(0, 'thr', [10, 10, 10, 10, 10], steps)];
    const t = { kind: 'reaches' as const, run: 0, metric: 's', target: 'thr', fraction: 0.9 };
    expect(evaluateClaim(t, ctx(r, 80))).toMatchObject({ status: 'seen', step: 60 });
    // live: before step 60 it is pending, with the closest approach so far
    const early = evaluateClaim(
      t,
      ctx(
        r.filter((x) => x.step <= 40),
        80,
        40,
        false,
      ),
    );
    expect(early.status).toBe('pending');
    expect(early.detail).toContain('0.89');
    // a deadline that passed
    expect(evaluateClaim({ ...t, by: 0.5 }, ctx(r, 80)).status).toBe('not-seen');
    // a constant target
    expect(evaluateClaim({ ...t, target: 5, fraction: 1 }, ctx(r, 80))).toMatchObject({ status: 'seen', step: 40 });
  });

  it('spike: a jump above a factor of the lowest earlier value, after the warm-up', () => {
    const r = rows(0, 'loss', [5, 1, 0.5, 0.4, 0.9, 0.3, 0.2, 0.1, 0.1, 0.1, 0.1]);
    const t = { kind: 'spike' as const, run: 0, metric: 'loss', factor: 2 };
    expect(evaluateClaim(t, ctx(r, 10))).toMatchObject({ status: 'seen', step: 4 });
    expect(evaluateClaim({ ...t, factor: 3 }, ctx(r, 10)).status).toBe('not-seen');
    expect(evaluateClaim({ ...t, after: 0.5 }, ctx(r, 10)).status).toBe('not-seen');
    // a monotone curve never spikes
    expect(
      evaluateClaim(
        t,
        ctx(
          rows(
            0,
            'loss',
            ramp(11, (i) => 1 / (1 + i)),
          ),
          10,
        ),
      ).status,
    ).toBe('not-seen');
  });

  it('oscillates: fraction of turning points in the window', () => {
    const zigzag = ramp(21, (i) => 1 / (1 + i) + (i % 2 ? 0.3 : 0));
    const c = ctx(rows(0, 'loss', zigzag), 20);
    expect(evaluateClaim({ kind: 'oscillates', run: 0, metric: 'loss', fraction: 0.9 }, c).status).toBe('seen');
    const smooth = ctx(
      rows(
        0,
        'loss',
        ramp(21, (i) => 1 / (1 + i)),
      ),
      20,
    );
    expect(evaluateClaim({ kind: 'oscillates', run: 0, metric: 'loss', fraction: 0.1 }, smooth).status).toBe(
      'not-seen',
    );
  });

  it('anti-phase: negatively correlated changes seen, in-phase changes not', () => {
    const a = ramp(21, (i) => 1 + Math.sin(i));
    const b = ramp(21, (i) => 1 - Math.sin(i));
    const c = ctx([...rows(0, 'pos', a), ...rows(0, 'neg', b)], 20);
    expect(evaluateClaim({ kind: 'anti-phase', run: 0, a: 'pos', b: 'neg', corr: 0.5 }, c).status).toBe('seen');
    const same = ctx([...rows(0, 'pos', a), ...rows(0, 'neg', a)], 20);
    expect(evaluateClaim({ kind: 'anti-phase', run: 0, a: 'pos', b: 'neg', corr: 0.5 }, same).status).toBe('not-seen');
  });

  it('a missing series is not-seen with its name, never an exception', () => {
    const c = ctx(rows(0, 'loss', [1, 0.5]), 1);
    const r = evaluateClaim({ kind: 'compare', left: { run: 2, metric: 'nope', agg: 'final' }, op: '<', right: 1 }, c);
    expect(r.status).toBe('not-seen');
    expect(r.detail).toContain('nope');
  });

  it('lists the runs and metrics a claim reads', () => {
    const t = { kind: 'reaches' as const, run: 1, metric: 'sharpness', target: 'sharpness_threshold', fraction: 0.9 };
    expect(claimRuns(t)).toEqual([1]);
    expect(claimMetrics(t)).toEqual(['sharpness', 'sharpness_threshold']);
  });
});

describe('claim evaluator: first values', () => {
  it('a statement about the first logged value is decided as soon as it is logged', () => {
    const r = [...rows(0, 's', [1, 5], [0, 10]), ...rows(0, 'thr', [10, 10], [0, 10])];
    const t = {
      kind: 'compare' as const,
      left: { run: 0, metric: 's', agg: 'first' as const },
      op: '<' as const,
      right: { run: 0, metric: 'thr', agg: 'first' as const },
      factor: 0.4,
    };
    expect(evaluateClaim(t, ctx(r, 100, 10, false))).toMatchObject({ status: 'seen', step: 0 });
  });
});
