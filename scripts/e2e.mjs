/**
 * The Playwright e2e suite against `vite preview` on localhost. Builds first unless called with
 * --no-build (scripts/test.mjs builds once itself). Prints and returns {passed, failed}.
 *   node scripts/e2e.mjs [--no-build] [playwright args...]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findChromium } from './find-chromium.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const E2E_RESULTS = join(ROOT, 'test-output', 'e2e-results.json');

export function bin(name) {
  return join(ROOT, 'node_modules', '.bin', name);
}

/** Run a command with inherited output; resolves with its exit code. */
export function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (e) => {
      console.error(`could not start ${cmd}: ${e.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, 'localhost', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 4173));
    });
  });
}

/** Counts from Playwright's JSON report, or null when there is none. */
export function readE2eCounts(file = E2E_RESULTS) {
  if (!existsSync(file)) return null;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')).stats ?? {};
    return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0 };
  } catch {
    return null;
  }
}

/** Runs the suite; {passed, failed}. A suite that could not run counts as one failure. */
export async function runE2e({ build = true, extraArgs = [] } = {}) {
  const chromium = findChromium();
  if (!chromium) {
    console.error(
      'e2e: no Chromium found. Debian/Ubuntu: apt-get install -y chromium libvulkan1 (or run npm test as root).',
    );
    return { passed: 0, failed: 1 };
  }
  if (build || !existsSync(join(ROOT, 'dist', 'index.html'))) {
    const code = await run(bin('vite'), ['build']);
    if (code !== 0) {
      console.error(`e2e: vite build failed (exit ${code})`);
      return { passed: 0, failed: 1 };
    }
  }
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  rmSync(E2E_RESULTS, { force: true });
  const port = await freePort();
  console.log(`e2e: Chromium ${chromium}, vite preview on http://localhost:${port}`);
  const code = await run(bin('playwright'), ['test', ...extraArgs], {
    E2E_PORT: String(port),
    PLAYWRIGHT_CHROMIUM_PATH: chromium,
  });
  const counts = readE2eCounts();
  if (!counts) {
    console.error(`e2e: Playwright wrote no results (exit ${code})`);
    return { passed: 0, failed: 1 };
  }
  if (code !== 0 && counts.failed === 0) {
    console.error(`e2e: Playwright exited with ${code} although no test failed`);
    return { passed: counts.passed, failed: 1 };
  }
  return { passed: counts.passed, failed: counts.failed };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const build = !args.includes('--no-build');
  const { passed, failed } = await runE2e({ build, extraArgs: args.filter((a) => a !== '--no-build') });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}
