import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../experiment/defaults';
import type { Experiment } from '../schema/types';
import type { MetricRow, Trainer } from '../engine/trainer';
import type { Checkpoint } from '../engine/checkpoint';
import type { FromWorker } from './protocol';
import { TrainingSession } from './session';

/**
 * A trainer that logs train_loss = 1/(1+step) every `every` steps (and sharpness = step at each
 * log, with threshold 40); optionally diverges; checkpoints its step; its "device" can be lost.
 */
class FakeTrainer implements Trainer {
  step = 0;
  disposed = false;
  readonly adapterDescription: string;
  readonly lost?: Promise<string>;
  private loseWith: ((reason: string) => void) | undefined;
  private gone = false;
  constructor(
    readonly experiment: Experiment,
    readonly backend: 'webgpu' | 'cpu',
    private readonly divergeAt: (number | null)[] = [],
    resume?: Checkpoint,
  ) {
    this.adapterDescription = backend === 'webgpu' ? 'fake gpu' : 'cpu';
    if (backend === 'webgpu') this.lost = new Promise((resolve) => (this.loseWith = resolve));
    if (resume) this.step = resume.step;
  }
  /** The device goes away: advance() rejects from now on and `lost` resolves. */
  loseDevice(reason: string): void {
    this.gone = true;
    this.loseWith?.(reason);
  }
  async checkpoint(): Promise<Checkpoint> {
    const step = this.step;
    await Promise.resolve();
    return { version: 1, step, from: this.backend, fingerprint: '', paramCount: 0, runs: [] };
  }
  async advance(n: number): Promise<MetricRow[]> {
    if (this.gone) throw new Error('mapAsync: the device was destroyed');
    const rows: MetricRow[] = [];
    const every = this.experiment.metrics.every;
    const runs = this.experiment.runs.length;
    const log = (s: number) => {
      for (let r = 0; r < runs; r++) {
        rows.push({ run: r, step: s, metric: 'train_loss', value: 1 / (1 + s) });
        rows.push({ run: r, step: s, metric: 'sharpness', value: s });
        rows.push({ run: r, step: s, metric: 'sharpness_threshold', value: 40 });
      }
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

function harness(
  opts: {
    gpu?: 'ok' | 'fail' | 'fail-after-first';
    divergeAt?: (number | null)[];
    checkpointEvery?: number;
    onPost?: (m: FromWorker, trainers: FakeTrainer[]) => void;
  } = {},
) {
  const posted: FromWorker[] = [];
  const trainers: FakeTrainer[] = [];
  const session = new TrainingSession({
    post: (m) => {
      posted.push(m);
      opts.onPost?.(m, trainers);
    },
    createTrainer: async (exp, backend, resume) => {
      const gpus = trainers.filter((t) => t.backend === 'webgpu').length;
      if (backend === 'webgpu' && (opts.gpu === 'fail' || (opts.gpu === 'fail-after-first' && gpus > 0)))
        throw new Error('navigator.gpu is missing');
      const t = new FakeTrainer(exp, backend, opts.divergeAt, resume);
      trainers.push(t);
      return t;
    },
    yieldToEvents: () => new Promise((r) => setTimeout(r, 0)),
    now: () => 0,
    checkpointEvery: opts.checkpointEvery,
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
    const steps = h
      .of('rows')
      .flatMap((m) => m.rows.filter((r) => r.run === 0 && r.metric === 'train_loss').map((r) => r.step));
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

  it('a config that arrives while the old run takes its last steps: the new run still plays', async () => {
    const ref: { session?: TrainingSession } = {};
    let sent = false;
    const h = harness({
      onPost: (m, trainers) => {
        if (m.type !== 'backend' || m.gen !== 1) return;
        // the new config reaches the worker while the old trainer's advance is in flight
        const old = trainers[0];
        const advance = old.advance.bind(old);
        old.advance = (n: number) => {
          if (!sent) ref.session!.handle({ type: 'config', gen: 2, experiment: small(30), play: true });
          sent = true;
          return advance(n);
        };
      },
    });
    ref.session = h.session;
    h.session.handle({ type: 'speed', stepsPerFrame: 10 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(10), play: true });
    await h.settle();
    expect(sent).toBe(true);
    expect(h.trainers[0].step).toBe(10); // the old run ended in that advance
    expect(h.trainers[1].step).toBe(30);
    expect(h.of('status').at(-1)).toMatchObject({ gen: 2, state: 'done', step: 30 });
  });

  it('reports each diverged run once and stops when every run diverged', async () => {
    const h = harness({ divergeAt: [20, 30] });
    h.session.handle({ type: 'speed', stepsPerFrame: 10 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(100), play: true });
    await h.settle();
    // With the last finite sharpness up to the divergence step and its threshold (divergence.ts).
    expect(h.of('diverged')).toEqual([
      { type: 'diverged', gen: 1, run: 0, step: 20, lastSharpness: 20, sharpnessStep: 20, threshold: 40 },
      { type: 'diverged', gen: 1, run: 1, step: 30, lastSharpness: 30, sharpnessStep: 30, threshold: 40 },
    ]);
    expect(h.trainers[0].step).toBe(30);
    expect(h.of('status').at(-1)).toMatchObject({ state: 'paused' });
  });

  it('a device lost before any checkpoint: resumes from step 0 on a new device and says so', async () => {
    const h = harness();
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: false });
    await h.settle();
    h.session.deviceLost('test');
    await h.settle();
    expect(h.trainers.map((t) => t.backend)).toEqual(['webgpu', 'webgpu']);
    expect(h.trainers[0].disposed).toBe(true);
    expect(h.of('notice').at(-1)).toEqual({
      type: 'notice',
      gen: 1,
      message:
        'The WebGPU device was lost (test). Training resumed on a new WebGPU device from step 0 (no checkpoint had been taken yet).',
    });
  });

  it('a device lost mid-run (advance rejects): resumes from the last checkpoint, curves continuous, finishes', async () => {
    let lostOnce = false;
    const h = harness({
      checkpointEvery: 30,
      onPost: (m, trainers) => {
        // Lose the device once the run has passed step 70 (checkpoints were taken at 30 and 60).
        if (!lostOnce && m.type === 'status' && m.step >= 70 && trainers[0]) {
          lostOnce = true;
          trainers[0].loseDevice('the GPU process crashed');
        }
      },
    });
    h.session.handle({ type: 'speed', stepsPerFrame: 10 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(150), play: true });
    await h.settle();
    expect(h.of('error')).toEqual([]);
    expect(h.trainers.map((t) => t.backend)).toEqual(['webgpu', 'webgpu']);
    expect(h.of('notice').map((m) => m.message)).toEqual([
      'The WebGPU device was lost (the GPU process crashed). Training resumed on a new WebGPU device from the checkpoint at step 60; steps 61-70 are computed again, the curves so far are kept.',
    ]);
    // Every logged step once, in order, with the values of an uninterrupted run.
    const loss = h.of('rows').flatMap((m) => m.rows.filter((r) => r.run === 0 && r.metric === 'train_loss'));
    expect(loss.map((r) => r.step)).toEqual(Array.from({ length: 16 }, (_, i) => 10 * i));
    expect(loss.map((r) => r.value)).toEqual(loss.map((r) => 1 / (1 + r.step)));
    expect(h.trainers[1].step).toBe(150);
    expect(h.of('status').at(-1)).toMatchObject({ state: 'done', step: 150, steps: 150 });
  });

  it('no new GPU after the loss: resumes on the CPU from the checkpoint, and the CPU banner says why', async () => {
    let lostOnce = false;
    const h = harness({
      gpu: 'fail-after-first',
      checkpointEvery: 20,
      onPost: (m, trainers) => {
        if (!lostOnce && m.type === 'status' && m.step >= 50 && trainers[0]) {
          lostOnce = true;
          trainers[0].loseDevice('destroyed');
        }
      },
    });
    h.session.handle({ type: 'speed', stepsPerFrame: 10 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(100), play: true });
    await h.settle();
    expect(h.trainers.map((t) => t.backend)).toEqual(['webgpu', 'cpu']);
    expect(h.of('backend').at(-1)).toMatchObject({
      backend: 'cpu',
      fallbackReason:
        'the WebGPU device was lost (destroyed) and no new one could be acquired (navigator.gpu is missing); training resumed from the checkpoint at step 40',
    });
    expect(h.of('notice').at(-1)?.message).toMatch(
      /Training resumed on the CPU from the checkpoint at step 40; steps 41-50/,
    );
    const steps = h.of('rows').flatMap((m) => m.rows.filter((r) => r.run === 1 && r.metric === 'train_loss'));
    expect(steps.map((r) => r.step)).toEqual(Array.from({ length: 11 }, (_, i) => 10 * i));
    expect(h.of('status').at(-1)).toMatchObject({ state: 'done', step: 100 });
  });

  it('WebGPU required and no new device after the loss: a specific error, and the session is paused', async () => {
    const h = harness({ gpu: 'fail-after-first' });
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: false, backend: 'webgpu' });
    await h.settle();
    h.trainers[0].loseDevice('destroyed');
    await h.settle();
    expect(h.trainers.map((t) => t.backend)).toEqual(['webgpu']);
    expect(h.of('error').map((m) => m.message)).toEqual([
      'could not resume after the WebGPU device was lost: WebGPU is unavailable: the WebGPU device was lost (destroyed) and no new one could be acquired (navigator.gpu is missing)',
    ]);
    expect(h.of('status').at(-1)).toMatchObject({ state: 'idle' });
  });

  it('a loss reported for a trainer that a new config already replaced changes nothing', async () => {
    const h = harness();
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: false });
    await h.settle();
    const first = h.trainers[0];
    h.session.handle({ type: 'config', gen: 2, experiment: small(30), play: false });
    await h.settle();
    first.loseDevice('destroyed');
    await h.settle();
    expect(h.trainers).toHaveLength(2);
    expect(h.of('notice')).toEqual([]);
  });
});
