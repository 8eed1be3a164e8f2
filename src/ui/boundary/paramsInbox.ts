/**
 * The page's questions to the training worker that are answered by id: every run's current
 * parameters ('params') and a run's loss surface ('surface'); and the 'track' request that
 * tells the worker whose path to record. Requests go through the store's transport; the
 * worker's answers reach `deliver`. `installParamsInbox` routes 'params' and 'surface' messages
 * from the store's `receive` here (the runtime slice ignores those types).
 */
import type { FromWorker, ToWorker } from '../../worker/protocol';
import type { PlaygroundStore } from '../store/store';

export type ParamsMessage = Extract<FromWorker, { type: 'params' }>;
export type SurfaceMessage = Extract<FromWorker, { type: 'surface' }>;
type Answer = ParamsMessage | SurfaceMessage;

/** Loss surfaces take a fresh eigenvector estimate and points^2 forward passes: a slow adapter needs time. */
export const SURFACE_TIMEOUT_MS = 90_000;

export class ParamsInbox {
  private nextId = 1;
  private waiting = new Map<number, (m: Answer) => void>();

  constructor(private readonly store: PlaygroundStore) {}

  /** Resolves with the worker's answer, or null when there is no worker or it does not answer in `timeoutMs`. */
  request(timeoutMs = 10_000): Promise<ParamsMessage | null> {
    return this.ask('params', (id) => ({ type: 'params', id }), timeoutMs);
  }

  /** Run `run`'s loss surface (null: no worker, or no answer in `timeoutMs`; a refusal has `error`). */
  surface(
    q: { run: number; points: number; radius: number | 'auto' },
    timeoutMs = SURFACE_TIMEOUT_MS,
  ): Promise<SurfaceMessage | null> {
    return this.ask('surface', (id) => ({ type: 'surface', id, ...q }), timeoutMs);
  }

  /** Record the last `length` steps of these runs' paths from now on ([] stops); no answer. */
  track(runs: number[], length: number): void {
    this.store.getState().transport?.send({ type: 'track', runs, length });
  }

  deliver(m: Answer): void {
    const done = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    done?.(m);
  }

  private ask<T extends Answer['type']>(
    type: T,
    message: (id: number) => ToWorker,
    timeoutMs: number,
  ): Promise<Extract<Answer, { type: T }> | null> {
    const transport = this.store.getState().transport;
    if (!transport) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m.type === type ? (m as Extract<Answer, { type: T }>) : null);
      });
      transport.send(message(id));
    });
  }
}

const inboxes = new WeakMap<PlaygroundStore, ParamsInbox>();

/** The store's inbox; the first call wraps the store's `receive` so that 'params' and 'surface' messages arrive. */
export function installParamsInbox(store: PlaygroundStore): ParamsInbox {
  let inbox = inboxes.get(store);
  if (inbox) return inbox;
  const created = new ParamsInbox(store);
  inbox = created;
  inboxes.set(store, created);
  const receive = store.getState().receive;
  store.setState({
    receive: (msg: FromWorker) => {
      if (msg.type === 'params' || msg.type === 'surface') created.deliver(msg);
      else receive(msg);
    },
  });
  return created;
}
