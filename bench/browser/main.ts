/**
 * In-browser benchmark page (bench/browser_run.ts opens it in headless Chromium): the side-by-side
 * run of bench/side_by_side.ts, its progress in the page and its results in window.__bench.
 */
import { runSideBySide, type SideBySide } from '../side_by_side';
import type { WorkloadName } from '../workloads';
import { denseTuning } from '../../src/engine/model/mlp_gpu';

declare global {
  interface Window {
    __bench?: SideBySide;
    /** The final results, set once (bench/browser_run.ts waits for it). */
    __benchDone?: SideBySide;
  }
}

const query = new URLSearchParams(location.search);
const quick = query.get('quick') === '1';
// Workload names are checked against WORKLOADS by bench/main.ts's --only before they get here.
const only = query.get('only')?.split(',') as WorkloadName[] | undefined;
// The dense register tile (denseTuning.tile), as bench/main.ts's --tile sets it for the Node runs.
if (query.get('tile')) denseTuning.tile = Number(query.get('tile'));
const log = (s: string) => {
  const el = document.getElementById('log')!;
  el.textContent += `\n${s}`;
  console.log(s);
};

runSideBySide({ quick, only, log, progress: (s) => (window.__bench = { ...s }) })
  .then((s) => (window.__bench = window.__benchDone = { ...s }))
  .catch((e: unknown) => {
    const msg = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
    log(`error: ${msg}`);
    window.__bench = window.__benchDone = {
      adapter: window.__bench?.adapter ?? '',
      results: window.__bench?.results ?? {},
      error: msg,
    };
  });
