/**
 * `export torch` on every preset (availablePresets()): each is exported at PRESET_STEPS steps (its
 * sharpness and trace measured every 10 logged steps, or at its logging interval when that is
 * longer, so that warm-started estimates and precond_sharpness come into the run), its train.py run
 * under /usr/bin/python3 in float64, and its metrics.csv compared with our CPU backend: exactly the
 * CPU backend's rows (the extra evaluation sets, S-randomized accuracies and group losses,
 * included), each within 1e-6 relative, the curvature rows (grad_eig_cosine included) within 1e-4.
 * Prints the worst differences per preset (and of the extra evaluation sets alone). Needs PyTorch
 * and NumPy, as export_torch.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuTrainer } from '../engine/cpu/trainer';
import type { MetricRow } from '../engine/trainer';
import { availablePresets } from '../experiment/presets';
import type { Experiment } from '../schema/types';
import { exportErrors } from './export_torch';
import { exportTorch } from './export_torch_write';
import { parseMetricsCsv } from './output';
import { CURVATURE, PYTHON, rel, requireTorch, tolOf } from './export_torch_testing';

const PRESET_STEPS = 30;
/** The extra evaluation sets' rows (metrics/eval_sets.ts), reported apart. */
const EVAL_SETS = /^(s_randomized_acc_|group_loss_)/;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'export-presets-'));
  requireTorch();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The preset shortened, its curvature measured every max(10, metrics.every) steps. */
function shortened(exp: Experiment): Experiment {
  const m = exp.metrics;
  const every = Math.max(10, m.every);
  return {
    ...exp,
    steps: PRESET_STEPS,
    metrics: {
      ...m,
      ...(m.sharpness ? { sharpness: { ...m.sharpness, every } } : {}),
      ...(m.trace ? { trace: { ...m.trace, every } } : {}),
    },
  };
}

const key = (r: MetricRow) => `${r.run}/${r.step}/${r.metric}`;
const report: string[] = [];

describe('export torch: every preset replays our CPU backend in float64', () => {
  for (const preset of availablePresets()) {
    it(preset.id, async () => {
      const exp = shortened(preset.experiment);
      expect(exportErrors(exp)).toEqual([]);
      const out = join(dir, preset.id);
      await exportTorch(exp, out);
      const py = spawnSync(PYTHON, [join(out, 'train.py'), '--dtype', 'float64', '--device', 'cpu'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(py.status, `train.py failed:\n${py.stdout}\n${py.stderr}`).toBe(0);
      const torchRows = new Map(
        parseMetricsCsv(readFileSync(join(out, 'metrics.csv'), 'utf8')).map((r) => [key(r), r]),
      );
      const cpuRows = await CpuTrainer.create(exp).advance(exp.steps);
      expect([...torchRows.keys()].sort()).toEqual(cpuRows.map(key).sort());
      let other = { d: 0, at: '' };
      let curv = { d: -1, at: '' };
      let cos = { d: -1, at: '' };
      let evalSets = { d: -1, at: '' };
      const bad: string[] = [];
      for (const c of cpuRows) {
        const t = torchRows.get(key(c))!.value;
        const d = rel(t, c.value);
        if (EVAL_SETS.test(c.metric) && d > evalSets.d) evalSets = { d, at: key(c) };
        if (c.metric === 'grad_eig_cosine') {
          if (d > cos.d) cos = { d, at: key(c) };
        } else if (CURVATURE.has(c.metric)) {
          if (d > curv.d) curv = { d, at: key(c) };
        } else if (d > other.d) other = { d, at: key(c) };
        if (d > tolOf(c.metric)) bad.push(`${key(c)}: torch ${t}, cpu ${c.value}`);
      }
      report.push(
        `  ${preset.id.padEnd(29)} ${String(cpuRows.length).padStart(5)} rows   worst ${other.d.toExponential(1)} (${other.at})` +
          (curv.d >= 0 ? `   curvature ${curv.d.toExponential(1)} (${curv.at})` : '') +
          (cos.d >= 0 ? `   grad_eig_cosine ${cos.d.toExponential(1)}` : '') +
          (evalSets.d >= 0 ? `   evaluation sets ${evalSets.d.toExponential(1)} (${evalSets.at})` : ''),
      );
      expect(bad.slice(0, 10), `${bad.length} values beyond their tolerance`).toEqual([]);
    });
  }

  it('prints the worst relative differences per preset', () => {
    console.log(`export torch vs CPU backend on every preset, ${PRESET_STEPS} steps (float64):\n${report.join('\n')}`);
    expect(report.length).toBe(availablePresets().length);
  });
});
