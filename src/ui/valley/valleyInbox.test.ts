import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../experiment/defaults';
import type { Experiment } from '../../experiment/types';
import { availablePresets } from '../../experiment/presets';
import type { LossSurface, MetricRow, SurfaceOptions, Trainer } from '../../engine/trainer';
import { TrainingSession } from '../../worker/session';
import { createPlaygroundStore } from '../store/store';
import { installParamsInbox } from '../boundary/paramsInbox';

/** Records the tracked runs; its surface's loss is the step at every grid point, its path the tracked runs' steps. */
class ValleyTrainer implements Trainer {
  step = 0;
  readonly backend = 'cpu' as const;
  readonly adapterDescription = 'fake';
  tracked: number[] = [];
  constructor(readonly experiment: Experiment) {}
  async advance(n: number): Promise<MetricRow[]> {
    this.step = Math.min(this.experiment.steps, this.step + n);
    return [];
  }
  divergedAt() {
    return this.experiment.runs.map(() => null);
  }
  trackPath(runs: readonly number[]): void {
    this.tracked = [...runs];
  }
  async surface2d(run: number, o: SurfaceOptions): Promise<LossSurface> {
    const n = o.points;
    const path = this.tracked.includes(run) ? [{ step: this.step, a: 0, b: 0, off: 0 }] : [];
    const coords = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
    return {
      run,
      step: this.step,
      lambda: [3, 1],
      hvps: 8,
      radius: 1,
      coords,
      loss: new Float64Array(n * n).fill(this.step),
      path,
    };
  }
  async getParams(): Promise<Float32Array> {
    return new Float32Array(0);
  }
  dispose(): void {}
}

describe('loss surfaces through the store’s inbox', () => {
  it('track reaches the trainer; a surface request is answered to its requester, other messages still reach the store', async () => {
    const exp = defaultExperiment();
    exp.steps = 100;
    const store = createPlaygroundStore({ experiment: exp, autoplay: false, storage: null });
    const trainers: ValleyTrainer[] = [];
    const session = new TrainingSession({
      post: (m) => setTimeout(() => store.getState().receive(m), 0),
      createTrainer: async (e) => {
        const t = new ValleyTrainer(e);
        trainers.push(t);
        return t;
      },
      yieldToEvents: () => new Promise((r) => setTimeout(r, 0)),
      now: () => 0,
    });
    const inbox = installParamsInbox(store);
    store.getState().connect({ send: (m) => session.handle(m) });
    inbox.track([1], 300);
    store.getState().stepOnce();
    store.getState().stepOnce();
    const [m, p] = await Promise.all([inbox.surface({ run: 1, points: 5, radius: 'auto' }, 5000), inbox.request(5000)]);
    expect(trainers[0].tracked).toEqual([1]);
    expect(m).toMatchObject({ type: 'surface', gen: store.getState().gen });
    expect(m!.error).toBeUndefined();
    expect(m!.surface!.step).toBe(2);
    expect(m!.surface!.path).toHaveLength(1);
    expect(Array.from(m!.surface!.loss)).toEqual(new Array(25).fill(2));
    expect(p!.type).toBe('params');
    expect(store.getState().status.step).toBe(2);
    // a refusal comes back as the answer's error
    const bad = await inbox.surface({ run: 9, points: 5, radius: 'auto' }, 5000);
    expect(bad!.surface).toBeNull();
    expect(bad!.error).toBe('there is no run 9 (the experiment has 2 runs)');
  });

  it('no worker: a surface request resolves with null, track sends nothing', async () => {
    const store = createPlaygroundStore({ experiment: defaultExperiment(), autoplay: false, storage: null });
    const inbox = installParamsInbox(store);
    expect(() => inbox.track([0], 300)).not.toThrow();
    expect(await inbox.surface({ run: 0, points: 5, radius: 'auto' }, 10)).toBeNull();
  });

  it('presets that open the valley name a run they have', () => {
    const withValley = availablePresets().filter((p) => p.valley);
    expect(withValley.map((p) => p.id).sort()).toEqual(['benign-oscillation', 'edge-of-stability']);
    for (const p of withValley) expect(p.valley!.run).toBeLessThan(p.experiment.runs.length);
  });
});
