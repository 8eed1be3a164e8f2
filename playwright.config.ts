/**
 * e2e against the production build served by `vite preview` on localhost (a secure context, so
 * navigator.gpu exists). Chromium is the system's (Playwright cannot download browsers here);
 * WebGPU runs through SwiftShader, so no --disable-gpu. Run through `npm run test:e2e`.
 */
import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/find-chromium.mjs';

const port = Number(process.env.E2E_PORT ?? 4173);
/** Another build folder than dist/ (lets two checkouts' suites run side by side). */
const outDir = process.env.E2E_OUTDIR ? ` --outDir ${process.env.E2E_OUTDIR}` : '';
const executablePath = process.env.PLAYWRIGHT_CHROMIUM_PATH || findChromium() || undefined;

/** Flags shared by both projects; WEBGPU_FLAG is added only where WebGPU is wanted. */
const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const WEBGPU_FLAG = '--enable-unsafe-webgpu';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-output/playwright',
  // SwiftShader is slow and the machine may be small: one page at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: [['list'], ['json', { outputFile: process.env.E2E_RESULTS_FILE ?? 'test-output/e2e-results.json' }]],
  use: {
    baseURL: `http://localhost:${port}`,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath, args: [...BASE_ARGS, WEBGPU_FLAG] } },
    },
    {
      name: 'no-webgpu',
      testMatch: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath, args: BASE_ARGS } },
    },
  ],
  webServer: {
    command: `node node_modules/vite/bin/vite.js preview --port ${port} --strictPort --host localhost${outDir}`,
    url: `http://localhost:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
