import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../experiment/defaults';
import type { Experiment } from '../experiment/types';
import type { MetricRow, Trainer } from '../engine/trainer';
import type { FromWorker } from './protocol';
import { TrainingSession } from './session';

/** A trainer that logs train_loss = 1/(1+step) every `every` steps; optionally diverges. */
class FakeTrainer implements Trainer {
  step = 0;
  disposed = false;
  readonly adapterDescription: string;
  constructor(
    readonly experiment: Experiment,
    readonly backend: 'webgpu' | 'cpu',
    private readonly divergeAt: (number | null)[] = [],
  ) {
    this.adapterDescription = backend === 'webgpu' ? 'fake gpu' : 'cpu';
  }
  async advance(n: number): Promise<MetricRow[]> {
    const rows: MetricRow[] = [];
    const every = this.experiment.metrics.every;
    const runs = this.experiment.runs.length;
    const log = (s: number) => {
      for (let r = 0; r < runs; r++) rows.push({ run: r, step: s, metric: 'train_loss', value: 1 / (1 + s) });
    };
    if (this.step === 0) log(0);
    const end = Math.min(this.experiment.steps, this.step + n);
    for (let s = this.step + 1; s <= end; s++) if (s % every === 0 || s === this.experiment.steps) log(s);
    this.step = end;
    await Promise.resolve();
    return rows;
  }
  divergedAt(): (number | null)[] {
    return this.experiment.runs.map((_, r) => {
      const d = this.divergeAt[r];
      return d !== null && d !== undefined && this.step >= d ? d : null;
    });
  }
  async getParams(): Promise<Float32Array> {
    return new Float32Array(0);
  }
  dispose(): void {
    this.disposed = true;
  }
}

function small(steps = 50): Experiment {
  const e = defaultExperiment();
  e.steps = steps;
  e.metrics.every = 10;
  return e;
}

function harness(opts: { gpu?: 'ok' | 'fail'; divergeAt?: (number | null)[] } = {}) {
  const posted: FromWorker[] = [];
  const trainers: FakeTrainer[] = [];
  const session = new TrainingSession({
    post: (m) => posted.push(m),
    createTrainer: async (exp, backend) => {
      if (backend === 'webgpu' && opts.gpu === 'fail') throw new Error('navigator.gpu is missing');
      const t = new FakeTrainer(exp, backend, opts.divergeAt);
      trainers.push(t);
      return t;
    },
    yieldToEvents: () => new Promise((r) => setTimeout(r, 0)),
    now: () => 0,
  });
  const settle = async () => {
    for (let i = 0; i < 200; i++) {
      await session.idle();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  const of = <T extends FromWorker['type']>(type: T) =>
    posted.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type);
  return { session, posted, trainers, settle, of };
}

describe('TrainingSession', () => {
  it('builds on WebGPU, plays to the end posting every logged row, then reports done', async () => {
    const h = harness();
    h.session.handle({ type: 'speed', stepsPerFrame: 7 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(50), play: true });
    await h.settle();
    expect(h.of('backend')).toEqual([
      { type: 'backend', gen: 1, backend: 'webgpu', adapter: 'fake gpu', fallbackReason: undefined },
    ]);
    const steps = h.of('rows').flatMap((m) => m.rows.filter((r) => r.run === 0).map((r) => r.step));
    expect(steps).toEqual([0, 10, 20, 30, 40, 50]);
    expect(h.of('status').at(-1)).toMatchObject({ state: 'done', step: 50, steps: 50 });
  });

  it('falls back to the CPU with the reason when WebGPU cannot be used', async () => {
    const h = harness({ gpu: 'fail' });
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: false });
    await h.settle();
    expect(h.of('backend')[0]).toMatchObject({ backend: 'cpu', fallbackReason: 'navigator.gpu is missing' });
    expect(h.of('status').at(-1)).toMatchObject({ state: 'paused', step: 0 });
  });

  it('reports an error instead of falling back when WebGPU was required', async () => {
    const h = harness({ gpu: 'fail' });
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: true, backend: 'webgpu' });
    await h.settle();
    expect(h.of('backend')).toEqual([]);
    expect(h.of('error')[0].message).toMatch(/could not build the trainer: navigator.gpu is missing/);
  });

  it('steps while paused, and a reset rebuilds at step 0 under the new generation', async () => {
    const h = harness();
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: false });
    h.session.handle({ type: 'step', n: 1 });
    h.session.handle({ type: 'step', n: 1 });
    await h.settle();
    expect(h.trainers[0].step).toBe(2);
    h.session.handle({ type: 'reset', gen: 2 });
    await h.settle();
    expect(h.trainers[0].disposed).toBe(true);
    expect(h.trainers[1].step).toBe(0);
    expect(h.of('status').at(-1)).toMatchObject({ gen: 2, state: 'paused', step: 0 });
  });

  it('skips a superseded config and tags rows with the generation of their trainer', async () => {
    const h = harness();
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: true });
    h.session.handle({ type: 'config', gen: 2, experiment: small(30), play: true });
    await h.settle();
    expect(h.trainers).toHaveLength(1); // gen 1 was never built
    expect(h.trainers[0].experiment.steps).toBe(30);
    expect(new Set(h.of('rows').map((m) => m.gen))).toEqual(new Set([2]));
  });

  it('pauses at stop-at and continues past it on play', async () => {
    const h = harness();
    h.session.handle({ type: 'stop-at', step: 20 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(50), play: true });
    await h.settle();
    expect(h.trainers[0].step).toBe(20);
    expect(h.of('status').at(-1)).toMatchObject({ state: 'paused', step: 20 });
    h.session.handle({ type: 'play' });
    await h.settle();
    expect(h.trainers[0].step).toBe(50);
  });

  it('reports each diverged run once and stops when every run diverged', async () => {
    const h = harness({ divergeAt: [20, 30] });
    h.session.handle({ type: 'speed', stepsPerFrame: 10 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(100), play: true });
    await h.settle();
    expect(h.of('diverged')).toEqual([
      { type: 'diverged', gen: 1, run: 0, step: 20 },
      { type: 'diverged', gen: 1, run: 1, step: 30 },
    ]);
    expect(h.trainers[0].step).toBe(30);
    expect(h.of('status').at(-1)).toMatchObject({ state: 'paused' });
  });

  it('rebuilds on the CPU when the GPU device is lost', async () => {
    const h = harness();
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: false });
    await h.settle();
    h.session.deviceLost('test');
    await h.settle();
    expect(h.trainers.map((t) => t.backend)).toEqual(['webgpu', 'cpu']);
    expect(h.of('backend').at(-1)).toMatchObject({
      backend: 'cpu',
      fallbackReason: 'the WebGPU device was lost (test)',
    });
  });
});
