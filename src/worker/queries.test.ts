import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../experiment/defaults';
import type { Experiment } from '../schema/types';
import type { LossSurface, MetricRow, SurfaceOptions, Trainer } from '../engine/trainer';
import type { Checkpoint } from '../engine/checkpoint';
import { checkSurfaceOptions } from '../engine/metrics/surface';
import type { FromWorker } from './protocol';
import { TrainingSession } from './session';

/**
 * A trainer that records the runs it is told to track and every step it takes for them, and whose
 * surface2d returns a grid loss = step + i + j with the recorded steps as the path. Without
 * `surfaces` it has neither method (an older backend); `failWith` makes surface2d reject.
 */
class SurfaceTrainer implements Trainer {
  step = 0;
  readonly adapterDescription = 'fake';
  readonly lost?: Promise<string>;
  loseDevice: (reason: string) => void = () => undefined;
  tracks: { runs: number[]; length: number }[] = [];
  recorded = new Map<number, number[]>();
  stepsWhenSurfaced: number[] = [];
  trackPath?: (runs: readonly number[], length: number) => void;
  surface2d?: (run: number, o: SurfaceOptions) => Promise<LossSurface>;
  constructor(
    readonly experiment: Experiment,
    readonly backend: 'webgpu' | 'cpu',
    opts: { surfaces: boolean; failWith?: string; divergeAt?: number },
    resume?: Checkpoint,
  ) {
    if (resume) this.step = resume.step;
    if (backend === 'webgpu') this.lost = new Promise((r) => (this.loseDevice = r));
    this.divergeAt = opts.divergeAt;
    if (!opts.surfaces) return;
    this.trackPath = (runs, length) => {
      if (runs.some((r) => r >= this.experiment.runs.length)) throw new Error(`no run ${runs.join(',')}`);
      this.tracks.push({ runs: [...runs], length });
      this.recorded = new Map(runs.map((r) => [r, [this.step]]));
    };
    this.surface2d = async (run, o) => {
      this.stepsWhenSurfaced.push(this.step);
      await Promise.resolve();
      checkSurfaceOptions(o); // as both backends do
      if (opts.failWith) throw new Error(opts.failWith);
      const n = o.points;
      const loss = new Float64Array(n * n).map((_, k) => this.step + (k % n) + Math.floor(k / n));
      const r = o.radius === 'auto' ? 1 : o.radius;
      const coords = Array.from({ length: n }, (_, i) => -r + (2 * r * i) / (n - 1));
      const path = (this.recorded.get(run) ?? []).map((step) => ({ step, a: step - this.step, b: 0, off: 0 }));
      return { run, step: this.step, lambda: [2, 1], hvps: 8, radius: r, coords, loss, path };
    };
  }
  private readonly divergeAt: number | undefined;
  async advance(n: number): Promise<MetricRow[]> {
    const end = Math.min(this.experiment.steps, this.step + n);
    for (let s = this.step + 1; s <= end; s++) for (const steps of this.recorded.values()) steps.push(s);
    this.step = end;
    await Promise.resolve();
    return [];
  }
  divergedAt(): (number | null)[] {
    return this.experiment.runs.map((_, r) =>
      r === 0 && this.divergeAt !== undefined && this.step >= this.divergeAt ? this.divergeAt : null,
    );
  }
  async checkpoint(): Promise<Checkpoint> {
    return { version: 1, step: this.step, from: this.backend, fingerprint: '', paramCount: 0, runs: [] };
  }
  async getParams(): Promise<Float32Array> {
    return new Float32Array(0);
  }
  dispose(): void {}
}

function small(steps = 60): Experiment {
  const e = defaultExperiment();
  e.steps = steps;
  e.metrics.every = 10;
  return e;
}

function harness(opts: { surfaces?: boolean; failWith?: string; divergeAt?: number; checkpointEvery?: number } = {}) {
  const posted: FromWorker[] = [];
  const trainers: SurfaceTrainer[] = [];
  const session = new TrainingSession({
    post: (m) => posted.push(m),
    createTrainer: async (exp, backend, resume) => {
      const t = new SurfaceTrainer(exp, backend, { surfaces: opts.surfaces ?? true, ...opts }, resume);
      trainers.push(t);
      return t;
    },
    yieldToEvents: () => new Promise((r) => setTimeout(r, 0)),
    now: () => 0,
    checkpointEvery: opts.checkpointEvery,
  });
  const settle = async () => {
    for (let i = 0; i < 100; i++) {
      await session.idle();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  const surfaces = () => posted.filter((m): m is Extract<FromWorker, { type: 'surface' }> => m.type === 'surface');
  return { session, posted, trainers, settle, surfaces };
}

describe('session queries: track and surface', () => {
  it('track applies to the current trainer and to every trainer built later (config, reset, device loss)', async () => {
    const h = harness({ checkpointEvery: 10 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(), play: false });
    await h.settle();
    // runs the experiment does not have are left out; duplicates once
    h.session.handle({ type: 'track', runs: [1, 1, 7], length: 300 });
    await h.settle();
    expect(h.trainers[0].tracks).toEqual([{ runs: [1], length: 300 }]);
    h.session.handle({ type: 'config', gen: 2, experiment: small(), play: false });
    await h.settle();
    expect(h.trainers[1].tracks).toEqual([{ runs: [1], length: 300 }]);
    h.session.handle({ type: 'reset', gen: 3 });
    await h.settle();
    expect(h.trainers[2].tracks).toEqual([{ runs: [1], length: 300 }]);
    h.session.handle({ type: 'step', n: 25 });
    await h.settle();
    h.trainers[2].loseDevice('test');
    await h.settle();
    expect(h.trainers).toHaveLength(4);
    expect(h.trainers[3].step).toBe(25); // resumed from the checkpoint taken after the 25 steps
    expect(h.trainers[3].tracks).toEqual([{ runs: [1], length: 300 }]);
    // [] stops recording on the current trainer, and later trainers are not told anything
    h.session.handle({ type: 'track', runs: [], length: 300 });
    h.session.handle({ type: 'reset', gen: 4 });
    await h.settle();
    expect(h.trainers[3].tracks.at(-1)).toEqual({ runs: [], length: 300 });
    expect(h.trainers[4].tracks).toEqual([]);
  });

  it('a surface is computed between advances, tagged with the generation, with the tracked path', async () => {
    const h = harness();
    h.session.handle({ type: 'speed', stepsPerFrame: 5 });
    h.session.handle({ type: 'track', runs: [0], length: 300 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(40), play: false });
    h.session.handle({ type: 'step', n: 12 });
    h.session.handle({ type: 'surface', id: 7, run: 0, points: 5, radius: 'auto' });
    h.session.handle({ type: 'step', n: 3 });
    await h.settle();
    const [m] = h.surfaces();
    expect(m).toMatchObject({ type: 'surface', gen: 1, id: 7 });
    expect(m.error).toBeUndefined();
    expect(m.surface!.step).toBe(12); // after the first step request, before the second
    expect(m.surface!.loss).toHaveLength(25);
    expect(m.surface!.path.map((p) => p.step)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(h.trainers[0].stepsWhenSurfaced).toEqual([12]);
    expect(h.trainers[0].step).toBe(15);
  });

  it('a backend without surfaces answers null with the reason; training is not disturbed', async () => {
    const h = harness({ surfaces: false });
    h.session.handle({ type: 'track', runs: [0], length: 300 });
    h.session.handle({ type: 'config', gen: 1, experiment: small(30), play: true });
    h.session.handle({ type: 'surface', id: 1, run: 0, points: 25, radius: 'auto' });
    await h.settle();
    expect(h.surfaces()).toEqual([
      {
        type: 'surface',
        gen: 1,
        id: 1,
        surface: null,
        error: 'the WebGPU backend cannot compute loss surfaces yet',
      },
    ]);
    expect(h.posted.filter((m) => m.type === 'error')).toEqual([]);
    expect(h.trainers[0].step).toBe(30);
  });

  it('every refusal is specific: no model, no such run, bad grid, a diverged run, a failed computation', async () => {
    const h = harness();
    h.session.handle({ type: 'surface', id: 1, run: 0, points: 25, radius: 'auto' });
    await h.settle();
    h.session.handle({ type: 'config', gen: 1, experiment: small(30), play: false });
    h.session.handle({ type: 'surface', id: 2, run: 5, points: 25, radius: 'auto' });
    h.session.handle({ type: 'surface', id: 3, run: 0, points: 24, radius: 'auto' });
    h.session.handle({ type: 'surface', id: 4, run: 0, points: 25, radius: -1 });
    await h.settle();
    const errors = h.surfaces().map((m) => [m.id, m.surface, m.error]);
    expect(errors).toEqual([
      [1, null, 'no model is built yet'],
      [2, null, 'there is no run 5 (the experiment has 2 runs)'],
      [
        3,
        null,
        'the loss surface of run 1 (GD small lr (0.05)) at step 0 could not be computed: surface points: expected an odd integer in [3, 41], got 24',
      ],
      [
        4,
        null,
        'the loss surface of run 1 (GD small lr (0.05)) at step 0 could not be computed: surface radius: expected a positive finite number or "auto", got -1',
      ],
    ]);

    const d = harness({ divergeAt: 4 });
    d.session.handle({ type: 'config', gen: 1, experiment: small(30), play: false });
    d.session.handle({ type: 'step', n: 5 });
    d.session.handle({ type: 'surface', id: 1, run: 0, points: 5, radius: 'auto' });
    await d.settle();
    expect(d.surfaces()[0].error).toMatch(/^run 1 \(.+\) diverged at step 4: its loss is not finite/);

    const f = harness({ failWith: 'the Lanczos estimate did not converge' });
    f.session.handle({ type: 'config', gen: 1, experiment: small(30), play: false });
    f.session.handle({ type: 'step', n: 3 });
    f.session.handle({ type: 'surface', id: 9, run: 1, points: 5, radius: 0.5 });
    f.session.handle({ type: 'step', n: 3 });
    await f.settle();
    const label = small().runs[1].label;
    expect(f.surfaces()[0]).toEqual({
      type: 'surface',
      gen: 1,
      id: 9,
      surface: null,
      error: `the loss surface of run 2 (${label}) at step 3 could not be computed: the Lanczos estimate did not converge`,
    });
    // the failure is the answer, not a session error: training goes on
    expect(f.posted.filter((m) => m.type === 'error')).toEqual([]);
    expect(f.trainers[0].step).toBe(6);
  });
});
