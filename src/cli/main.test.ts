/**
 * The CLI as a child process, the way `npm run cli --` starts it (tsx with the WGSL loader):
 * exit codes, stderr messages, and end-to-end runs on the CPU and WebGPU backends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultExperiment } from '../experiment/defaults';
import { experimentHash } from '../experiment/codec';
import { parseExperiment } from '../experiment/validate';
import { METRICS_HEADER, parseMetricsCsv } from './output';
import type { Experiment } from '../schema/types';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'cli-main-'));
  dirs.push(d);
  return d;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './scripts/wgsl-register.mjs', 'src/cli/main.ts', ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

function tinyExperiment(): Experiment {
  const exp = defaultExperiment();
  const res = parseExperiment({
    ...exp,
    steps: 20,
    data: { ...exp.data, nTrain: 32, nTest: 32 },
    model: { ...exp.model, hidden: [8] },
    metrics: { every: 5 },
  });
  if (!res.ok) throw new Error(JSON.stringify(res.errors));
  return res.value;
}

describe('cli main (child process)', () => {
  it('exits 2 with one `path: message` line per problem for a bad config', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        ...defaultExperiment(),
        version: 1,
        loss: 'logistc',
        runs: [{ optimizer: { name: 'sgd', lr: -0.1 } }],
      }),
    );
    const r = await cli(['run', file, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.some((l) => l.startsWith('loss: unknown loss "logistc" (did you mean "logistic"?)'))).toBe(true);
    expect(lines.some((l) => l.startsWith('runs[0].optimizer.lr: ') && l.includes('-0.1'))).toBe(true);
  });

  it('exits 2 on bad arguments and bad URLs, 0 on list', async () => {
    const r1 = await cli(['run', 'x.json', '--backend', 'metal']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('--backend: expected webgpu or cpu, got "metal"');
    expect(r1.stderr).toContain('--out: is required');
    const r2 = await cli(['run', 'https://example.org/#e=1.garbage$', '--out', 'o']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('url: the link data is not base64url');
    const r3 = await cli(['list']);
    expect(r3.code).toBe(0);
    expect(r3.stdout).toMatch(/^sgd: /m);
    expect(r3.stdout).toMatch(/^adam: /m);
    expect(r3.stdout).toContain('feature-noise:');
    expect(r3.stdout).toMatch(/lr\s+\S+\s+\(0, /);
  });

  for (const backend of ['cpu', 'webgpu'] as const) {
    it(`runs an experiment URL end to end on ${backend}`, async () => {
      const exp = tinyExperiment();
      const out = join(await tempDir(), 'out');
      const r = await cli([
        'run',
        `https://example.org/${experimentHash(exp)}`,
        '--out',
        out,
        '--backend',
        backend,
        '--save-weights',
        '--save-data',
        '--steps',
        '15',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
      expect(summary.backend).toBe(backend);
      expect(summary.adapter.length).toBeGreaterThan(0);
      expect(summary.steps).toBe(15);
      expect(summary.config).toEqual({ ...exp, steps: 15 });
      expect(summary.runs).toHaveLength(exp.runs.length);
      for (const run of summary.runs) {
        expect(typeof run.diverged).toBe('boolean');
        expect(Number.isFinite(run.finalMetrics.train_loss)).toBe(true);
      }
      const csv = await readFile(join(out, 'metrics.csv'), 'utf8');
      expect(csv.startsWith(`${METRICS_HEADER}\n`)).toBe(true);
      const rows = parseMetricsCsv(csv);
      const lossSteps = rows.filter((x) => x.run === 0 && x.metric === 'train_loss').map((x) => x.step);
      expect(lossSteps).toEqual([0, 5, 10, 15]);
      expect(rows.some((x) => x.metric === 'grad_norm' && x.step === 5)).toBe(true);
      expect((await readdir(join(out, 'weights'))).sort()).toEqual([
        'run-0-step-0.json',
        'run-0-step-15.json',
        'run-1-step-0.json',
        'run-1-step-15.json',
      ]);
      const w0 = JSON.parse(await readFile(join(out, 'weights', 'run-0-step-0.json'), 'utf8'));
      const w1 = JSON.parse(await readFile(join(out, 'weights', 'run-0-step-15.json'), 'utf8'));
      expect(w0.layers[0].name).toBe('layers.0.weight');
      expect(w0.layers[0].shape).toEqual([8, summary.config.data.patchDim * summary.config.data.numPatches]);
      expect(w1.layers[0].values).not.toEqual(w0.layers[0].values);
      // varySeedPerRun is false: every run starts from the same weights.
      const last = JSON.parse(await readFile(join(out, 'weights', `run-${exp.runs.length - 1}-step-0.json`), 'utf8'));
      expect(last).toEqual(w0);
      expect(r.stderr).not.toContain('uncaptured error');
      const data = JSON.parse(await readFile(join(out, 'data.json'), 'utf8'));
      expect(data.train.x).toHaveLength(32);
      expect(data.train.y).toHaveLength(32);
      expect(data.test.x).toHaveLength(32);
    });
  }
});

describe('cli backends agree', () => {
  it('three runs (sgd 0.05, sgd momentum 0.9, adam 0.01) on feature-noise, 100 steps: final train_loss on webgpu and cpu within 1e-3 relative', async () => {
    const out: Record<string, Map<number, number>> = {};
    for (const backend of ['webgpu', 'cpu']) {
      const dir = await tempDir();
      const r = await cli(['run', 'test/fixtures/three-runs-feature-noise.json', '--out', dir, '--backend', backend]);
      expect(r.code, r.stderr).toBe(0);
      const rows = parseMetricsCsv(await readFile(join(dir, 'metrics.csv'), 'utf8'));
      out[backend] = new Map(
        rows.filter((x) => x.step === 100 && x.metric === 'train_loss').map((x) => [x.run, x.value]),
      );
    }
    for (const run of [0, 1, 2]) {
      const g = out.webgpu.get(run)!;
      const c = out.cpu.get(run)!;
      console.log(`run ${run}: train_loss webgpu ${g} cpu ${c}`);
      expect(Math.abs(g - c) / Math.abs(c)).toBeLessThan(1e-3);
    }
  });
});

describe('cli --slice', () => {
  it("writes slice-run-<i>.csv with the loss along each run's last update", async () => {
    const dir = await tempDir();
    const r = await cli([
      'run',
      'test/fixtures/three-runs-feature-noise.json',
      '--out',
      dir,
      '--backend',
      'cpu',
      '--steps',
      '10',
      '--slice',
      'update',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(join(dir, 'slice-run-2.csv'), 'utf8');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('alpha,loss');
    expect(lines).toHaveLength(42);
    const mid = lines[21].split(',').map(Number);
    expect(mid[0]).toBeCloseTo(0, 12);
    expect(Number.isFinite(mid[1])).toBe(true);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    expect(summary.files.slices).toContain('slice-run-0.csv');
  });
});

describe('cli --slice eigen2', () => {
  it('writes the loss on the plane of the top two eigenvectors and the projected path, per run (WebGPU)', async () => {
    const dir = await tempDir();
    const r = await cli([
      'run',
      'test/fixtures/three-runs-feature-noise.json',
      '--out',
      dir,
      '--steps',
      '20',
      '--slice',
      'eigen2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('skipped');
    const grid = (await readFile(join(dir, 'surface-run-1.csv'), 'utf8')).trim().split('\n');
    expect(grid[0]).toBe('a,b,loss');
    expect(grid).toHaveLength(1 + 25 * 25);
    const rows = grid.slice(1).map((l) => l.split(',').map(Number));
    const centre = rows[12 * 25 + 12];
    expect(centre[0]).toBe(0);
    expect(centre[1]).toBe(0);
    expect(rows.every((x) => x.length === 3 && x.every(Number.isFinite))).toBe(true);
    const meta = JSON.parse(await readFile(join(dir, 'surface-run-1.json'), 'utf8'));
    expect(meta.step).toBe(20);
    expect(meta.lambda[0]).toBeGreaterThanOrEqual(meta.lambda[1]);
    expect(rows[24][0]).toBeCloseTo(meta.radius, 12);
    const path = (await readFile(join(dir, 'path-run-1.csv'), 'utf8')).trim().split('\n');
    expect(path[0]).toBe('step,a,b,off');
    expect(path).toHaveLength(1 + 21); // steps 0..20
    expect(path[21]).toBe('20,0,0,0');
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    expect(summary.files.slices).toContain('surface-run-2.csv');
    expect(summary.files.slices).toContain('path-run-0.csv');
  }, 120_000);
});

describe('cli check-presets', () => {
  it('prints each claim with the seeds it held on and exits 0; an unknown preset is a usage error naming the presets', async () => {
    const good = await cli(['check-presets', '--only', 'sgd-sai', '--seeds', '1']);
    expect(good.stderr).not.toMatch(/error/i);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^sgd-sai \| SGD-SaI’s final test accuracy is at least 95% of AdamW’s \| 1\/1 seeds$/m);
    expect(good.stdout).toMatch(/seed 5 \(400 steps\): held at step 400: SGD-SaI final test_acc = /);
    expect(good.stdout).toMatch(/^3 of 3 claims held on every seed \(1 seeds, cpu\)$/m);
    const bad = await cli(['check-presets', '--only', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--only: unknown preset nope; presets are benign-oscillation, edge-of-stability/);
  }, 120_000);
});
