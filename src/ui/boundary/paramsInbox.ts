/**
 * Asking the training worker for every run's current parameters. The request goes through the
 * store's transport; the worker's 'params' answer reaches `deliver`. `installParamsInbox` routes
 * 'params' messages from the store's `receive` here (the runtime slice ignores that type).
 */
import type { FromWorker } from '../../worker/protocol';
import type { PlaygroundStore } from '../store/store';

export type ParamsMessage = Extract<FromWorker, { type: 'params' }>;

export class ParamsInbox {
  private nextId = 1;
  private waiting = new Map<number, (m: ParamsMessage) => void>();

  constructor(private readonly store: PlaygroundStore) {}

  /** Resolves with the worker's answer, or null when there is no worker or it does not answer in `timeoutMs`. */
  request(timeoutMs = 10_000): Promise<ParamsMessage | null> {
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
        resolve(m);
      });
      transport.send({ type: 'params', id });
    });
  }

  deliver(m: ParamsMessage): void {
    const done = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    done?.(m);
  }
}

const inboxes = new WeakMap<PlaygroundStore, ParamsInbox>();

/** The store's inbox; the first call wraps the store's `receive` so that 'params' messages arrive. */
export function installParamsInbox(store: PlaygroundStore): ParamsInbox {
  let inbox = inboxes.get(store);
  if (inbox) return inbox;
  const created = new ParamsInbox(store);
  inbox = created;
  inboxes.set(store, created);
  const receive = store.getState().receive;
  store.setState({
    receive: (msg: FromWorker) => {
      if (msg.type === 'params') created.deliver(msg);
      else receive(msg);
    },
  });
  return created;
}
