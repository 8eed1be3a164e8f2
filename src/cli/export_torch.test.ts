/**
 * `export torch` end to end: each case of export_torch_cases.ts is exported, its train.py run under
 * /usr/bin/python3 (Debian's PyTorch) with --dtype float64 --device cpu, and its metrics.csv and
 * final weights compared with our float64 CPU backend (CpuTrainer) on the same experiment: every
 * exported metric row within 1e-6 relative (the curvature metrics, grad_eig_cosine included, within
 * 1e-4), the weights within 1e-6 of the largest weight. Prints the worst differences per optimizer
 * (per model kind and optimizer for the convolutional cases; precond_sharpness also alone). Fails
 * (does not skip) when torch is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuTrainer } from '../engine/cpu/trainer';
import type { MetricRow } from '../engine/trainer';
import type { Experiment } from '../schema/types';
import {
  BLOCK_FILES,
  EXPORTED_METRICS,
  PRECOND_SHARPNESS_OPTIMIZERS,
  buildScript,
  exportErrors,
  TORCH_OPTIMIZERS,
} from './export_torch';
import { exportTorch } from './export_torch_write';
import { exportCases } from './export_torch_cases';
import { readNpyFloat64 } from './npy';
import { parseMetricsCsv } from './output';
import { defaultExperiment } from '../experiment/defaults';
import { runCli } from './cli';
import { CURVATURE, PYTHON, TOL, rel, requireTorch, tolOf } from './export_torch_testing';
import { resolveHyper } from '../engine/hyper';
import { getOptimizer } from '../engine/optim/registry';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'export-torch-'));
  requireTorch();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Worst {
  runs: number;
  loss: number;
  other: number;
  weights: number;
  /** -1: no sharpness rows. */
  sharpness: number;
  /** -1: no precond_sharpness rows. */
  precond: number;
}
/** Per optimizer name: runs compared, and the worst relative differences over them. */
const worst = new Map<string, Worst>();
function note(key: string, w: Omit<Worst, 'runs'>): void {
  const old = worst.get(key) ?? { runs: 0, loss: 0, other: 0, weights: 0, sharpness: -1, precond: -1 };
  worst.set(key, {
    runs: old.runs + 1,
    loss: Math.max(old.loss, w.loss),
    other: Math.max(old.other, w.other),
    weights: Math.max(old.weights, w.weights),
    sharpness: Math.max(old.sharpness, w.sharpness),
    precond: Math.max(old.precond, w.precond),
  });
}

async function cpuRun(exp: Experiment): Promise<{ rows: MetricRow[]; params: Float64Array[] }> {
  const trainer = CpuTrainer.create(exp);
  const rows = await trainer.advance(exp.steps);
  return { rows, params: exp.runs.map((_, r) => trainer.getParams64(r)) };
}

const exported = new Set<string>(EXPORTED_METRICS);
const key = (r: MetricRow) => `${r.run}/${r.step}/${r.metric}`;

describe('export torch: the script replays our CPU backend in float64', () => {
  for (const { name, exp } of exportCases()) {
    it(name, async () => {
      const out = join(dir, name.replace(/[^a-z0-9]+/gi, '-'));
      await exportTorch(exp, out);
      const py = spawnSync(PYTHON, [join(out, 'train.py'), '--dtype', 'float64', '--device', 'cpu'], {
        encoding: 'utf8',
        timeout: 300_000,
      });
      expect(py.status, `train.py failed:\n${py.stdout}\n${py.stderr}`).toBe(0);
      const torchRows = new Map(
        parseMetricsCsv(readFileSync(join(out, 'metrics.csv'), 'utf8')).map((r) => [key(r), r]),
      );
      const cpu = await cpuRun(exp);
      const cpuRows = cpu.rows.filter(
        (r) =>
          exported.has(r.metric) &&
          (r.metric !== 'precond_sharpness' || PRECOND_SHARPNESS_OPTIMIZERS.includes(exp.runs[r.run].optimizer.name)),
      );
      expect(cpuRows.length).toBeGreaterThan(0);
      // Every metric our CPU backend logs is exported (the extra evaluation sets included).
      expect([...new Set(cpu.rows.map((r) => r.metric))].filter((m) => !exported.has(m))).toEqual([]);
      expect([...torchRows.keys()].sort()).toEqual(cpuRows.map(key).sort());
      const perRun = exp.runs.map(() => ({ loss: 0, other: 0, weights: 0, sharpness: -1, precond: -1 }));
      const bad: string[] = [];
      for (const c of cpuRows) {
        const t = torchRows.get(key(c))!.value;
        const d = rel(t, c.value);
        const w = perRun[c.run];
        if (c.metric.endsWith('_loss')) w.loss = Math.max(w.loss, d);
        else if (CURVATURE.has(c.metric)) w.sharpness = Math.max(w.sharpness, d);
        else w.other = Math.max(w.other, d);
        if (c.metric === 'precond_sharpness') w.precond = Math.max(w.precond, d);
        if (d > tolOf(c.metric)) bad.push(`${key(c)}: torch ${torchRows.get(key(c))!.value}, cpu ${c.value}`);
      }
      exp.runs.forEach((run, r) => {
        const weights = readNpyFloat64(readFileSync(join(out, `weights-run-${r}.npy`))).values;
        const ours = cpu.params[r];
        expect(weights.length).toBe(ours.length);
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < ours.length; i++) {
          scale = Math.max(scale, Math.abs(ours[i]));
          diff = Math.max(diff, Math.abs(weights[i] - ours[i]));
        }
        perRun[r].weights = scale > 0 ? diff / scale : diff;
        if (perRun[r].weights > TOL) bad.push(`run ${r} (${run.label}): weights differ by ${perRun[r].weights}`);
        const sharp = exp.metrics.sharpness ? 'sharpness ' : '';
        const model = exp.model.kind === 'mlp' ? '' : `${exp.model.kind}: `;
        note(`${sharp}${model}${run.optimizer.name}`, perRun[r]);
      });
      expect(bad.slice(0, 10), `${bad.length} values beyond their tolerance`).toEqual([]);
    });
  }

  it('prints the worst relative differences per optimizer', () => {
    const lines = [...worst.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([k, w]) =>
          `  ${k.padEnd(13)} ${String(w.runs).padStart(2)} runs   losses ${w.loss.toExponential(1)}   ` +
          `other metrics ${w.other.toExponential(1)}   weights ${w.weights.toExponential(1)}` +
          (w.sharpness >= 0 ? `   curvature ${w.sharpness.toExponential(1)}` : '') +
          (w.precond >= 0 ? `   precond_sharpness ${w.precond.toExponential(1)}` : ''),
      );
    console.log(`export torch vs CPU backend (float64), worst relative differences:\n${lines.join('\n')}`);
    expect(worst.size).toBeGreaterThan(0);
  });
});

describe('export torch: what it refuses and what it writes', () => {
  it('names the field and the supported choices for what it cannot export', () => {
    const exp = defaultExperiment();
    const errs = exportErrors({
      ...exp,
      model: { kind: 'transformer' } as unknown as Experiment['model'],
      runs: [exp.runs[0], { ...exp.runs[0], optimizer: { name: 'an-optimizer-added-later' } }],
    });
    expect(errs.map((e) => e.path)).toEqual(['model.kind', 'runs[1].optimizer.name']);
    expect(errs[0].message).toBe('export torch supports "mlp", "cnn", "patch-cnn" models, got "transformer"');
    expect(errs[1].message).toContain('supported: sgd, adam, adamw');
  });

  it('every exportable optimizer has a block; alone in a script, it builds with its defaults', () => {
    const read = (f: string) => readFileSync(new URL(`./torch/${f}`, import.meta.url), 'utf8');
    const names = Object.keys(TORCH_OPTIMIZERS);
    const all = buildScript(read('train.py'), BLOCK_FILES.map(read), names);
    for (const n of names) expect(all).toContain(`OPTIMIZERS["${n}"]`);
    expect(all).not.toContain('@@OPTIMIZERS@@');
    const cases = names.map((name, k) => {
      const file = join(dir, `alone-${k}.py`);
      writeFileSync(file, buildScript(read('train.py'), BLOCK_FILES.map(read), [name]));
      return { file, name, hp: { ...resolveHyper(getOptimizer(name)!, { name }), runSeed: 7 } };
    });
    const check = [
      'import json, runpy, sys, torch',
      'for c in json.loads(sys.argv[1]):',
      '    g = runpy.run_path(c["file"])',
      '    p = torch.nn.Parameter(torch.ones(3, 2, dtype=torch.float64))',
      '    opt = g["OPTIMIZERS"][c["name"]]([p], c["hp"])',
      '    p.grad = torch.full_like(p, 0.5)',
      '    if hasattr(opt, "perturb"):',
      '        opt.perturb()',
      '        opt.unperturb()',
      '    if hasattr(opt, "clip_examples"):',
      '        opt.clip_examples((p * p).sum(1))',
      '    opt.step()',
      '    assert torch.isfinite(p).all(), c["name"]',
    ].join('\n');
    const res = spawnSync(PYTHON, ['-c', check, JSON.stringify(cases)], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
  });

  it('labels reach the script only through config.json', async () => {
    const exp = defaultExperiment();
    const label = '"""); import os; os.system("echo pwned") #';
    const out = join(dir, 'labels');
    await exportTorch({ ...exp, steps: 2, runs: [{ ...exp.runs[0], label }] }, out);
    expect(readFileSync(join(out, 'train.py'), 'utf8')).not.toContain('pwned');
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).runs[0].label).toBe(label);
  });
});

describe('export torch: the command and the script flags', () => {
  it('exports through the CLI (exit 0) and refuses what it cannot export (exit 2, the field named)', async () => {
    const file = join(dir, 'cli-exp.json');
    const exp = defaultExperiment();
    writeFileSync(file, JSON.stringify(exp));
    const io = () => {
      const o = { out: '', err: '' };
      return {
        o,
        io: { stdout: { write: (s: string) => (o.out += s) }, stderr: { write: (s: string) => (o.err += s) } },
      };
    };
    const a = io();
    expect(await runCli(['export', 'torch', file, '--out', join(dir, 'cli-out')], a.io)).toBe(0);
    expect(a.o.out).toMatch(/train\.py \(\d+ lines\)/);
    expect(a.o.err).toBe(''); // every row of this experiment is exported: no note
    const patchCnn = { kind: 'patch-cnn', filters: 4, activation: 'relu', initScale: 1 };
    writeFileSync(file, JSON.stringify({ ...exp, model: patchCnn }));
    const b = io();
    expect(await runCli(['export', 'torch', file, '--out', join(dir, 'cli-out2')], b.io)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'cli-out2', 'config.json'), 'utf8')).model.kind).toBe('patch-cnn');
    writeFileSync(file, JSON.stringify({ ...exp, model: { ...patchCnn, kind: 'transformer' } }));
    const c = io();
    expect(await runCli(['export', 'torch', file, '--out', join(dir, 'cli-out3')], c.io)).toBe(2);
    expect(c.o.err).toContain('model.kind');
  });

  it('--dtype float32 --steps 5 follows the float64 run to float32 rounding', async () => {
    const exp = { ...defaultExperiment(), steps: 5 };
    const out = join(dir, 'f32');
    await exportTorch({ ...exp, steps: 60 }, out);
    const py = spawnSync(PYTHON, [join(out, 'train.py'), '--dtype', 'float32', '--steps', '5'], { encoding: 'utf8' });
    expect(py.status, py.stderr).toBe(0);
    const rows = parseMetricsCsv(readFileSync(join(out, 'metrics.csv'), 'utf8'));
    const cpu = (await cpuRun(exp)).rows.filter((r) => exported.has(r.metric));
    const byKey = new Map(rows.map((r) => [key(r), r.value]));
    expect([...byKey.keys()].sort()).toEqual(cpu.map(key).sort());
    // Curvature in float32: finite differences with h = 1e-3 (as our GPU), about 1e-3 relative.
    for (const c of cpu)
      expect(rel(byKey.get(key(c))!, c.value), key(c)).toBeLessThan(CURVATURE.has(c.metric) ? 1e-2 : 1e-4);
  });
});
