/**
 * In-browser benchmark page (bench/browser_run.ts opens it in headless Chromium): the side-by-side
 * run of bench/side_by_side.ts, its progress in the page and its results in window.__bench.
 */
import { runSideBySide, type SideBySide } from '../side_by_side';

declare global {
  interface Window {
    __bench?: SideBySide & { done?: boolean };
  }
}

const quick = new URLSearchParams(location.search).get('quick') === '1';
const log = (s: string) => {
  const el = document.getElementById('log')!;
  el.textContent += `\n${s}`;
  console.log(s);
};

runSideBySide({ quick, log, progress: (s) => (window.__bench = { ...s }) })
  .then((s) => (window.__bench = { ...s, done: true }))
  .catch((e: unknown) => {
    const msg = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
    log(`error: ${msg}`);
    window.__bench = {
      adapter: window.__bench?.adapter ?? '',
      results: window.__bench?.results ?? {},
      error: msg,
      done: true,
    };
  });
