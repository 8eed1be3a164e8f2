import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../experiment/defaults';
import type { Experiment } from '../../experiment/types';
import type { MetricRow, Trainer } from '../../engine/trainer';
import { mlpLayout } from '../../engine/model/layout';
import { TrainingSession } from '../../worker/session';
import { createPlaygroundStore } from '../store/store';
import { weightsJson } from '../exporting';
import { installParamsInbox } from './paramsInbox';

/** A trainer whose run r has parameters [r, step]. */
class ParamTrainer implements Trainer {
  step = 0;
  readonly backend = 'cpu' as const;
  readonly adapterDescription = 'fake';
  constructor(readonly experiment: Experiment) {}
  async advance(n: number): Promise<MetricRow[]> {
    this.step = Math.min(this.experiment.steps, this.step + n);
    return [];
  }
  divergedAt() {
    return this.experiment.runs.map(() => null);
  }
  async getParams(run: number): Promise<Float32Array> {
    return new Float32Array([run, this.step]);
  }
  dispose(): void {}
}

describe('run parameters from the worker', () => {
  it('the session answers a params request between steps; the inbox routes it to the requester', async () => {
    const exp = defaultExperiment();
    exp.steps = 100;
    const store = createPlaygroundStore({ experiment: exp, autoplay: false, storage: null });
    const session = new TrainingSession({
      post: (m) => setTimeout(() => store.getState().receive(m), 0),
      createTrainer: async (e) => new ParamTrainer(e),
      yieldToEvents: () => new Promise((r) => setTimeout(r, 0)),
      now: () => 0,
    });
    const inbox = installParamsInbox(store);
    expect(installParamsInbox(store)).toBe(inbox); // wraps receive once
    store.getState().connect({ send: (m) => session.handle(m) });
    store.getState().stepOnce();
    store.getState().stepOnce();
    const m = await inbox.request(5000);
    expect(m).not.toBeNull();
    expect(m!.gen).toBe(store.getState().gen);
    expect(m!.step).toBe(2);
    expect(m!.params.map((p) => Array.from(p))).toEqual(exp.runs.map((_, r) => [r, 2]));
    // Other messages still reach the store.
    expect(store.getState().status.step).toBe(2);
  });

  it('no worker: the request resolves with null', async () => {
    const store = createPlaygroundStore({ experiment: defaultExperiment(), autoplay: false, storage: null });
    expect(await installParamsInbox(store).request(10)).toBeNull();
  });

  it('weights JSON names each tensor with its shape, [out, in] row-major, non-finite as null', () => {
    const layout = mlpLayout([3, 2, 1]);
    const p = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, NaN]);
    const w = weightsJson(layout, p);
    expect(w.layers.map((l) => [l.name, l.shape])).toEqual([
      ['layers.0.weight', [2, 3]],
      ['layers.0.bias', [2]],
      ['layers.1.weight', [1, 2]],
      ['layers.1.bias', [1]],
    ]);
    expect(w.layers[0].values).toEqual([0, 1, 2, 3, 4, 5]);
    expect(w.layers[3].values).toEqual([null]);
    expect(() => weightsJson(layout, new Float32Array(3))).toThrow(/sent 3 parameters; the layout expects 11/);
  });
});
