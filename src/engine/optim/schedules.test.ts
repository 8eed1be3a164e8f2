import { describe, expect, it } from 'vitest';
import type { ScheduleConfig } from '../../schema/types';
import { medianFilter, refineSchedule, scheduleFactor, validateSchedule } from './schedules';

const f = (s: ScheduleConfig, steps: number) => Array.from({ length: steps }, (_, t0) => scheduleFactor(s, t0, steps));

describe('scheduleFactor', () => {
  it('constant, step, exponential', () => {
    expect(f({ name: 'constant' }, 3)).toEqual([1, 1, 1]);
    // step: gamma^floor(t0 / stepSize)
    expect(f({ name: 'step', stepSize: 2, gamma: 0.5 }, 5)).toEqual([1, 1, 0.5, 0.5, 0.25]);
    expect(f({ name: 'exponential', gamma: 0.9 }, 3)).toEqual([1, 0.9, expect.closeTo(0.81, 15)]);
  });

  it('linear decays to 0 over the steps (last step 1/T)', () => {
    expect(f({ name: 'linear' }, 4)).toEqual([1, 0.75, 0.5, 0.25]);
  });

  it('cosine with a floor', () => {
    // minF + (1 - minF)(1 + cos(pi t0/T))/2, T = 4, minF = 0.2
    const want = [0, 1, 2, 3].map((t) => 0.2 + (0.8 * (1 + Math.cos((Math.PI * t) / 4))) / 2);
    f({ name: 'cosine', minFactor: 0.2 }, 4).forEach((x, i) => expect(x).toBeCloseTo(want[i], 15));
  });

  it('linear warmup (t0+1)/W, then the schedule over the remaining steps', () => {
    // W = 2, T = 6: warmup 0.5, 1; then linear over 4 steps: 1, 0.75, 0.5, 0.25
    expect(f({ name: 'linear', warmup: 2 }, 6)).toEqual([0.5, 1, 1, 0.75, 0.5, 0.25]);
    const c = f({ name: 'cosine', warmup: 3 }, 7);
    expect(c.slice(0, 3)).toEqual([1 / 3, 2 / 3, 1]);
    expect(c[3]).toBe(1);
  });

  it('refined reads factors[t0]', () => {
    expect(f({ name: 'refined', factors: [0.2, 1, 0.5] }, 3)).toEqual([0.2, 1, 0.5]);
  });
});

describe('validateSchedule', () => {
  const ok = (raw: unknown, steps = 10) => validateSchedule(raw, 'runs[0].schedule', steps);

  it('accepts each schedule and keeps only the given fields', () => {
    expect(ok({ name: 'cosine', minFactor: 0.1, warmup: 2 })).toEqual({
      value: { name: 'cosine', minFactor: 0.1, warmup: 2 },
      errors: [],
    });
    expect(ok({ name: 'step', stepSize: 3 }).value).toEqual({ name: 'step', stepSize: 3 });
    expect(ok({ name: 'refined', factors: [1, 2, 3] }, 3).value).toEqual({ name: 'refined', factors: [1, 2, 3] });
  });

  it('names the field and the expectation', () => {
    const e = (raw: unknown, steps = 10) => ok(raw, steps).errors;
    expect(e({ name: 'cosin' })[0]).toMatchObject({
      path: 'runs[0].schedule.name',
      message: expect.stringContaining('did you mean "cosine"'),
    });
    expect(e({})).toEqual([{ path: 'runs[0].schedule.name', message: expect.stringContaining('missing') }]);
    expect(e({ name: 'linear', warmup: 11 })).toEqual([
      { path: 'runs[0].schedule.warmup', message: 'expected an integer >= 0 and <= 10, got 11' },
    ]);
    expect(e({ name: 'linear', warmup: 1.5 })[0].path).toBe('runs[0].schedule.warmup');
    expect(e({ name: 'step' })).toEqual([
      { path: 'runs[0].schedule.stepSize', message: expect.stringContaining('missing') },
    ]);
    expect(e({ name: 'step', stepSize: 2, gamma: 0 })[0]).toMatchObject({ path: 'runs[0].schedule.gamma' });
    expect(e({ name: 'exponential' })[0]).toMatchObject({
      path: 'runs[0].schedule.gamma',
      message: expect.stringContaining('missing'),
    });
    expect(e({ name: 'cosine', minFactor: 2 })[0]).toMatchObject({ path: 'runs[0].schedule.minFactor' });
    expect(e({ name: 'constant', gamma: 0.5 })[0]).toMatchObject({
      path: 'runs[0].schedule.gamma',
      message: expect.stringContaining('unknown field'),
    });
    expect(e({ name: 'refined', factors: [1, 2] }, 3)[0]).toMatchObject({
      path: 'runs[0].schedule.factors',
      message: 'has 2 values; expected one per step (3)',
    });
    expect(e({ name: 'refined', factors: [1, -2, 3] }, 3)[0]).toMatchObject({ path: 'runs[0].schedule.factors[1]' });
    expect(e({ name: 'refined', warmup: 2, factors: [1, 1, 1] }, 3)[0]).toMatchObject({
      path: 'runs[0].schedule.warmup',
    });
    expect(e('cosine')[0]).toMatchObject({
      path: 'runs[0].schedule',
      message: expect.stringContaining('expected an object'),
    });
  });
});

/** Naive running median with edge padding (the oracle for medianFilter). */
function naiveMedian(x: number[], width: number): number[] {
  const h = (width - 1) / 2;
  return x.map((_, t) => {
    const win: number[] = [];
    for (let i = t - h; i <= t + h; i++) win.push(x[Math.min(x.length - 1, Math.max(0, i))]);
    win.sort((a, b) => a - b);
    return win[h];
  });
}

describe('refineSchedule', () => {
  it('median filter matches a naive one (edge padding, odd widths, ties)', () => {
    let s = 12345;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const n of [1, 2, 7, 50]) {
      const x = Array.from({ length: n }, () => Math.round(rnd() * 10));
      for (const w of [1, 3, 5, 11, 101]) expect(medianFilter(x, w)).toEqual(naiveMedian(x, w));
    }
  });

  it('constant gradient norms give linear decay to 0', () => {
    // w_t = c: eta_t = c^2 (T - 1 - t0) -> normalised (T - 1 - t0)/(T - 1)
    const r = refineSchedule(new Array(5).fill(2), 5);
    [1, 0.75, 0.5, 0.25, 0].forEach((v, i) => expect(r[i]).toBeCloseTo(v, 14));
  });

  it('by hand: w = g^-2 (sgd) or g^-1 (adam), eta_t = w_t sum_{p>t} w_p, max 1', () => {
    // g = [1, 2, 1] with tau small (width 1): w = [1, 1/4, 1]; eta = [1*(1/4+1), (1/4)*1, 0] = [1.25, 0.25, 0]
    const r = refineSchedule([1, 2, 1], 3, { tau: 0.1 });
    expect(r).toEqual([1, expect.closeTo(0.2, 14), 0]);
    // adam: w = [1, 1/2, 1]; eta = [1.5, 0.5, 0] -> [1, 1/3, 0]
    expect(refineSchedule([1, 2, 1], 3, { tau: 0.1, method: 'adam' })).toEqual([1, expect.closeTo(1 / 3, 14), 0]);
  });

  it('large early norms give a warmup; large late norms a fast anneal', () => {
    const T = 100;
    const early = refineSchedule(
      Array.from({ length: T }, (_, t) => (t < 20 ? 10 : 1)),
      T,
      { tau: 0.05 },
    );
    expect(early[0]).toBeLessThan(0.05);
    expect(Math.max(...early.slice(20, 40))).toBeCloseTo(1, 6);
    const late = refineSchedule(
      Array.from({ length: T }, (_, t) => (t >= 80 ? 10 : 1)),
      T,
      { tau: 0.05 },
    );
    expect(late[0]).toBe(1);
    expect(late[85]).toBeLessThan(0.01);
  });

  it('interpolates norms logged every k steps', () => {
    // values at steps 1, 3, 5 -> per step [1, 1.5, 2, 2.5, 3]: same as passing the full series
    const full = refineSchedule([1, 1.5, 2, 2.5, 3], 5, { tau: 0.1 });
    expect(refineSchedule([1, 2, 3], 5, { tau: 0.1 })).toEqual(full);
    expect(refineSchedule([1, 2, 3], 5, { tau: 0.1, at: [1, 3, 5] })).toEqual(full);
    // nearest value outside the logged steps
    expect(refineSchedule([1, 3], 5, { tau: 0.1, at: [2, 4] })).toEqual(
      refineSchedule([1, 1, 2, 3, 3], 5, { tau: 0.1 }),
    );
  });

  it('rejects bad inputs with specific errors', () => {
    expect(() => refineSchedule([1, NaN], 2)).toThrow('gradNorms[1] is NaN');
    expect(() => refineSchedule([], 2)).toThrow('empty');
    expect(() => refineSchedule([1], 0.1)).toThrow('steps must be an integer >= 1');
    expect(() => refineSchedule([1, 2], 4, { at: [3, 2] })).toThrow('must increase');
    expect(() => refineSchedule([1, 2], 4, { tau: 0 })).toThrow('tau');
  });
});
