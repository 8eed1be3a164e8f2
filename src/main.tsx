/** Browser entry: read the link, create the store, start the training worker, render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { readHash, hashFor } from './ui/hash';
import { createPlaygroundStore, setAppStore } from './ui/store/store';
import { startWorker } from './worker/client';
import { installTestHook } from './ui/testHook';
import './ui/styles.css';
import './ui/layout.css';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const initial = readHash(location.hash);
const store = createPlaygroundStore({
  experiment: initial.experiment,
  notice: initial.notice,
  embed: initial.embed,
  chartPick: initial.charts,
  storage: storage(),
  prefersDark: window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false,
});
setAppStore(store);
installTestHook(store);

// Keep the address bar equal to the experiment that trains (replaceState fires no hashchange).
let written = '';
const syncHash = () => {
  const s = store.getState();
  const h = hashFor(s.applied, s.embed, s.chartPick);
  if (h !== written && h !== location.hash) history.replaceState(null, '', h);
  written = h;
};
syncHash();
store.subscribe((s, prev) => {
  if (s.applied !== prev.applied || s.chartPick !== prev.chartPick) syncHash();
});
window.addEventListener('hashchange', () => {
  if (location.hash === written) return;
  const next = readHash(location.hash);
  store.setState({ embed: next.embed, chartPick: next.charts });
  store.getState().load(next.experiment, next.notice);
});

const client = startWorker(
  (msg) => {
    if (msg.type === 'backend' && msg.gen === store.getState().gen) {
      const why = msg.fallbackReason ? ` (WebGPU unavailable: ${msg.fallbackReason})` : '';
      console.info(`[playground] backend: ${msg.backend}; adapter: ${msg.adapter}${why}`);
    }
    store.getState().receive(msg);
  },
  (message) => store.getState().setWorkerError(message),
);
store.getState().connect(client);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
