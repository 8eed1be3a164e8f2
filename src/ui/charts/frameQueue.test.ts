import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameQueue, exclusive, spaced } from './frameQueue';

function setup(budget = 6) {
  let clock = 0;
  const frames: (() => void)[] = [];
  const q = new FrameQueue({ frame: (cb) => frames.push(cb), now: () => clock }, budget);
  const runFrame = () => {
    const cb = frames.shift();
    if (!cb) throw new Error('no frame scheduled');
    cb();
  };
  return { q, frames, runFrame, advance: (ms: number) => (clock += ms) };
}

describe('FrameQueue', () => {
  it('runs queued jobs once each, in order, within one frame while under budget', () => {
    const { q, frames, runFrame } = setup();
    const ran: string[] = [];
    const a = () => void ran.push('a');
    q.request(a);
    q.request(() => void ran.push('b'));
    q.request(a); // already queued
    expect(frames).toHaveLength(1);
    expect(ran).toEqual([]);
    runFrame();
    expect(ran).toEqual(['a', 'b']);
    expect(frames).toHaveLength(0);
  });

  it('spreads jobs over frames once the budget is spent (at least one job per frame)', () => {
    const { q, frames, runFrame, advance } = setup(6);
    const ran: number[] = [];
    for (let i = 0; i < 4; i++)
      q.request(() => {
        ran.push(i);
        advance(4);
      });
    runFrame();
    expect(ran).toEqual([0, 1]); // 4 ms, then 8 ms >= 6: stop
    expect(frames).toHaveLength(1);
    runFrame();
    expect(ran).toEqual([0, 1, 2, 3]);
    const slow = () => void advance(50);
    q.request(slow);
    q.request(() => void ran.push(9));
    runFrame();
    expect(ran).toHaveLength(4);
    runFrame();
    expect(ran.at(-1)).toBe(9);
  });

  it('ends the frame after a job that yields, and drops cancelled jobs', () => {
    const { q, runFrame } = setup();
    const ran: string[] = [];
    q.request(() => {
      ran.push('render');
      return 'yield';
    });
    const c = () => void ran.push('cancelled');
    q.request(c);
    q.request(() => void ran.push('next'));
    runFrame();
    expect(ran).toEqual(['render']);
    q.cancel(c);
    runFrame();
    expect(ran).toEqual(['render', 'next']);
    expect(q.size).toBe(0);
  });

  it('keeps jobs queued during a frame for the next one', () => {
    const { q, frames, runFrame } = setup();
    let n = 0;
    const again = () => {
      n++;
      if (n < 3) q.request(again);
    };
    q.request(again);
    runFrame();
    expect(n).toBe(1);
    expect(frames).toHaveLength(1);
    runFrame();
    runFrame();
    expect(n).toBe(3);
    expect(frames).toHaveLength(0);
  });

  it('gives an exclusive job a frame of its own', () => {
    const { q, runFrame } = setup();
    const ran: string[] = [];
    q.request(() => void ran.push('a'));
    q.request(exclusive(() => void ran.push('dom')));
    q.request(() => void ran.push('b'));
    runFrame();
    expect(ran).toEqual(['a']);
    runFrame();
    expect(ran).toEqual(['a', 'dom']);
    runFrame();
    expect(ran).toEqual(['a', 'dom', 'b']);
  });
});

describe('spaced', () => {
  afterEach(() => void vi.useRealTimers());
  it('queues at once when the window has passed, else once when it ends; now() skips the wait; cancel() drops it', () => {
    vi.useFakeTimers();
    const { q, frames, runFrame } = setup();
    let ran = 0;
    let left = 0;
    const runs = spaced(
      q,
      () => void ran++,
      () => left,
    );
    runs.request();
    runFrame();
    expect(ran).toBe(1);
    left = 100;
    runs.request();
    runs.request(); // one timer only
    expect(frames).toHaveLength(0);
    vi.advanceTimersByTime(99);
    expect(frames).toHaveLength(0);
    vi.advanceTimersByTime(1);
    runFrame();
    expect(ran).toBe(2);
    runs.request();
    runs.now(); // e.g. the chart came back into view
    runFrame();
    expect(ran).toBe(3);
    vi.advanceTimersByTime(1000);
    expect(frames).toHaveLength(0); // the dropped timer did not fire
    runs.request();
    runs.cancel();
    vi.advanceTimersByTime(1000);
    expect(frames).toHaveLength(0);
    expect(ran).toBe(3);
  });
});
