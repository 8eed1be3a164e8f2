/**
 * `npm test`: system check (Chromium + Vulkan loader, and PyTorch + NumPy for /usr/bin/python3 for
 * the export test, installed with apt-get when we are root on Debian/Ubuntu), unit tests (Vitest, real WebGPU through SwiftShader), production build, then
 * the Playwright e2e suite against `vite preview`. Ends with one line: "N passed, M failed".
 * Extra arguments go to Vitest (e.g. `npm test -- src/ui` runs only those unit tests).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findChromium, findLibVulkan, findSwiftShaderIcd, isDebianLike } from './find-chromium.mjs';
import { ROOT, bin, run, runE2e } from './e2e.mjs';

const APT_PACKAGES = ['chromium', 'libvulkan1', 'python3-torch', 'python3-numpy'];
const VITEST_RESULTS = join(ROOT, 'test-output', 'vitest-results.json');

function missingSystemDeps() {
  const missing = [];
  if (!findChromium()) missing.push('Chromium (or Google Chrome)');
  if (!findLibVulkan()) missing.push('the Vulkan loader libvulkan.so.1');
  // src/cli/export_torch.test.ts runs the exported PyTorch scripts under the system Python.
  const torch = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { stdio: 'ignore' });
  if (torch.status !== 0) missing.push('PyTorch and NumPy for /usr/bin/python3');
  return missing;
}

function installHint() {
  return [
    'Install them, then run npm test again:',
    '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y chromium libvulkan1 python3-torch python3-numpy',
    '  Fedora:         sudo dnf install -y chromium vulkan-loader',
    '  Arch:           sudo pacman -S chromium vulkan-icd-loader',
    '  (PyTorch >= 1.13 and NumPy for /usr/bin/python3 run the export test; on other systems install them',
    '  with the system package manager or pip for that interpreter.)',
    '  Elsewhere: install Chrome or Chromium and the Vulkan loader; a browser outside the usual',
    '  places can be named with PLAYWRIGHT_CHROMIUM_PATH=/path/to/chrome.',
  ].join('\n');
}

/** true when the system can run the suite (after installing what is missing, when allowed). */
function ensureSystemDeps() {
  let missing = missingSystemDeps();
  if (missing.length === 0) return true;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (root && apt && isDebianLike()) {
    console.log(`[test] missing: ${missing.join(', ')}; installing ${APT_PACKAGES.join(' ')} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const up = spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    const inst =
      up.status === 0 ? spawnSync('apt-get', ['install', '-y', ...APT_PACKAGES], { stdio: 'inherit', env }) : up;
    if (inst.status !== 0) console.error('[test] apt-get failed');
    missing = missingSystemDeps();
    if (missing.length === 0) return true;
  }
  console.error(`[test] missing: ${missing.join(', ')}.`);
  console.error(installHint());
  return false;
}

/** Passed and failed tests from Vitest's JSON report; a file that failed to load counts as one failure. */
function vitestCounts() {
  if (!existsSync(VITEST_RESULTS)) return null;
  try {
    const r = JSON.parse(readFileSync(VITEST_RESULTS, 'utf8'));
    const brokenFiles = (r.testResults ?? []).filter(
      (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
    ).length;
    return { passed: r.numPassedTests ?? 0, failed: (r.numFailedTests ?? 0) + brokenFiles };
  } catch {
    return null;
  }
}

async function main() {
  if (!existsSync(bin('vitest')) || !existsSync(bin('playwright'))) {
    console.log('[test] node_modules is missing or incomplete: running npm ci');
    if ((await run('npm', ['ci'])) !== 0) {
      console.error('[test] npm ci failed; run npm install and try again');
      return { passed: 0, failed: 1 };
    }
  }
  if (!ensureSystemDeps()) return null;
  if (!findSwiftShaderIcd()) {
    console.warn(
      '[test] SwiftShader Vulkan driver not found (it ships with the Debian chromium package); GPU tests need a real Vulkan driver instead.',
    );
  }
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  let passed = 0;
  let failed = 0;

  console.log('\n[test] unit tests (vitest run)');
  rmSync(VITEST_RESULTS, { force: true });
  const unitCode = await run(bin('vitest'), [
    'run',
    ...process.argv.slice(2),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${VITEST_RESULTS}`,
  ]);
  const unit = vitestCounts();
  if (!unit) {
    console.error(`[test] vitest wrote no results (exit ${unitCode})`);
    failed += 1;
  } else {
    passed += unit.passed;
    failed += unit.failed;
    if (unitCode !== 0 && unit.failed === 0) {
      console.error(`[test] vitest exited with ${unitCode} although no test failed`);
      failed += 1;
    }
  }

  console.log('\n[test] production build (vite build)');
  const buildCode = await run(bin('vite'), ['build']);
  if (buildCode !== 0) {
    console.error(`[test] vite build failed (exit ${buildCode}); skipping the e2e suite`);
    failed += 1;
  } else {
    console.log('\n[test] e2e (Playwright, headless Chromium with WebGPU on localhost)');
    const e2e = await runE2e({ build: false });
    passed += e2e.passed;
    failed += e2e.failed;
  }
  return { passed, failed };
}

const result = await main();
if (!result) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
console.log(`\n${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed > 0 ? 1 : 0);
