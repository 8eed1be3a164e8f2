/**
 * The page's questions to a training session, answered on the session's chain between advances
 * (so an answer belongs to one step): every run's parameters ('params'), the loss surface around
 * one run ('surface'), and which runs' paths the trainer records ('track'). The tracked runs are
 * remembered and applied to every trainer the session builds later (a new config, a reset, a
 * resume after a device loss), so the page says it once.
 *
 * A surface that cannot be computed is answered with null and a specific reason (the trainer's own
 * for bad options: surface.ts checkSurfaceOptions), never by an error that would stop training.
 */
import type { Trainer } from '../engine/trainer';
import type { FromWorker, ToWorker } from './protocol';

export type Query = Extract<ToWorker, { type: 'params' | 'surface' | 'track' }>;
type SurfaceQuery = Extract<ToWorker, { type: 'surface' }>;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class SessionQueries {
  private tracked: number[] = [];
  private length = 0;
  /** Why the current trainer could not record the path, if it refused. */
  private trackError: string | undefined;

  constructor(private readonly post: (msg: FromWorker) => void) {}

  /** Remember a 'track' request at once (it is applied to the trainer on the chain, by answer). */
  remember(q: Query): void {
    if (q.type !== 'track') return;
    this.tracked = [...new Set(q.runs.filter((r) => Number.isInteger(r) && r >= 0))];
    this.length = Number.isFinite(q.length) ? Math.max(1, Math.floor(q.length)) : 1;
  }

  /** On the chain: answer `q` for the current trainer `t` of generation `gen`. */
  async answer(q: Query, t: Trainer | undefined, gen: number): Promise<void> {
    switch (q.type) {
      case 'params':
        return this.params(t, gen, q.id);
      case 'surface':
        return this.surface(t, gen, q);
      case 'track':
        this.applyTrack(t, false);
    }
  }

  /**
   * Give `t` the remembered tracked runs (those it has). `fresh`: a trainer just built, which
   * records nothing yet, so an empty set need not be sent.
   */
  applyTrack(t: Trainer | undefined, fresh: boolean): void {
    this.trackError = undefined;
    if (!t?.trackPath) return;
    const runs = this.tracked.filter((r) => r < t.experiment.runs.length);
    if (fresh && runs.length === 0) return;
    try {
      t.trackPath(runs, this.length);
    } catch (e) {
      this.trackError = `the path could not be recorded: ${message(e)}`;
    }
  }

  private async params(t: Trainer | undefined, gen: number, id: number): Promise<void> {
    const params = t ? await Promise.all(t.experiment.runs.map((_, r) => t.getParams(r))) : [];
    this.post({ type: 'params', gen, id, step: t?.step ?? 0, params });
  }

  private async surface(t: Trainer | undefined, gen: number, q: SurfaceQuery): Promise<void> {
    const { id, run, points, radius } = q;
    const fail = (error: string) => this.post({ type: 'surface', gen, id, surface: null, error });
    if (!t) return fail('no model is built yet');
    const runs = t.experiment.runs;
    if (!Number.isInteger(run) || run < 0 || run >= runs.length)
      return fail(`there is no run ${run} (the experiment has ${runs.length} run${runs.length === 1 ? '' : 's'})`);
    const name = `run ${run + 1} (${runs[run].label})`;
    if (!t.surface2d)
      return fail(`the ${t.backend === 'webgpu' ? 'WebGPU' : 'CPU'} backend cannot compute loss surfaces yet`);
    const diverged = t.divergedAt()[run];
    if (diverged !== null && diverged !== undefined)
      return fail(`${name} diverged at step ${diverged}: its loss is not finite around its parameters`);
    try {
      const surface = await t.surface2d(run, { points, radius });
      const warning = surface.path.length <= 1 ? this.trackError : undefined;
      this.post({ type: 'surface', gen, id, surface, ...(warning ? { error: warning } : {}) });
    } catch (e) {
      fail(`the loss surface of ${name} at step ${t.step} could not be computed: ${message(e)}`);
    }
  }
}
