/** The page's handle on the training worker: typed send, typed messages, errors reported. */
import type { FromWorker, ToWorker } from './protocol';

export interface WorkerClient {
  send(msg: ToWorker): void;
  terminate(): void;
}

export function startWorker(onMessage: (msg: FromWorker) => void, onFailure: (message: string) => void): WorkerClient {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'training' });
  worker.addEventListener('message', (ev: MessageEvent<FromWorker>) => onMessage(ev.data));
  worker.addEventListener('error', (ev: ErrorEvent) => {
    ev.preventDefault();
    onFailure(`the training worker failed: ${ev.message || 'it could not be loaded'}`);
  });
  worker.addEventListener('messageerror', () => onFailure('a message from the training worker could not be read'));
  return {
    send: (msg) => worker.postMessage(msg),
    terminate: () => worker.terminate(),
  };
}
