/** Run bench/browser/index.html in headless Chromium (WebGPU on the system adapter) and collect its results. */
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { findChromium as locateChromium } from '../scripts/find-chromium.mjs';
import type { SideBySide } from './side_by_side';
import type { WorkloadName } from './workloads';

export type BrowserBench = SideBySide;

function findChromium(): string {
  const path = locateChromium();
  if (!path)
    throw new Error(
      'No Chromium found: install it (Debian: apt-get install -y chromium) or set PLAYWRIGHT_CHROMIUM_PATH.',
    );
  return path;
}

/**
 * Serve the repository with Vite, open `page` (a path under it, with its query) in headless Chromium
 * on the system's WebGPU adapter, wait until `window[key]` is set and return it.
 */
export async function runPage<T>(page: string, key: string, timeoutMs = 30 * 60_000): Promise<T> {
  const server = await createServer({
    configFile: false,
    root: process.cwd(),
    logLevel: 'error',
    // No file watching or hot reload: an edit elsewhere must not restart a running benchmark.
    server: { port: 0, host: 'localhost', hmr: false, watch: { ignored: ['**/*'] } },
  });
  await server.listen();
  const addr = server.httpServer?.address();
  const port = typeof addr === 'object' && addr ? addr.port : 5173;
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: [
      '--headless=new',
      '--enable-unsafe-webgpu',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const tab = await browser.newPage();
    tab.on('console', (m) => {
      if (m.type() === 'error') console.error(`[page] ${m.text()}`);
      else console.log(`[page] ${m.text()}`);
    });
    tab.on('pageerror', (e) => console.error(`[page] ${e.message}`));
    await tab.goto(`http://localhost:${port}/${page}`);
    await tab.waitForFunction((k) => (window as unknown as Record<string, unknown>)[k] !== undefined, key, {
      timeout: timeoutMs,
      polling: 1000,
    });
    return (await tab.evaluate((k) => (window as unknown as Record<string, unknown>)[k], key)) as T;
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function runBrowserBench(
  quick: boolean,
  only?: readonly WorkloadName[],
  tile?: number,
): Promise<BrowserBench> {
  const query = new URLSearchParams();
  if (quick) query.set('quick', '1');
  if (only) query.set('only', only.join(','));
  if (tile) query.set('tile', String(tile));
  return runPage<BrowserBench>(`bench/browser/index.html?${query}`, '__benchDone');
}
