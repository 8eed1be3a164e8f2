/**
 * `cli check-presets`: train each preset headless on several seeds and judge its claims on the
 * logged rows, the same evaluator the page runs live. Used by the preset tests too.
 */
import type { Experiment } from '../schema/types';
import { parseExperiment } from '../experiment/validate';
import { evaluateClaim, seriesFromRows, type ClaimResult } from '../experiment/claims';
import type { Preset } from '../experiment/presets';
import type { MetricRow, Trainer } from '../engine/trainer';
import type { Backend } from './args';
import { chunkSize } from './run';

export interface SeedOutcome {
  seed: number;
  steps: number;
  results: ClaimResult[];
  /** Seconds spent training (setup excluded). */
  wallSec: number;
}

/** The preset's experiment on another seed (validated again). */
export function presetVariant(preset: Preset, seed: number): Experiment {
  const res = parseExperiment({ ...preset.experiment, seed });
  if (!res.ok)
    throw new Error(
      `preset ${preset.id} with seed ${seed}: ${res.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  return res.value;
}

/** Train `exp` to its end and return every logged row. */
export async function trainAll(trainer: Trainer): Promise<MetricRow[]> {
  const rows: MetricRow[] = [];
  const total = trainer.experiment.steps;
  const chunk = chunkSize(trainer.experiment);
  while (trainer.step < total) {
    const before = trainer.step;
    rows.push(...(await trainer.advance(chunk)));
    if (trainer.step <= before) throw new Error(`no progress at step ${before}`);
  }
  return rows;
}

/** Judge every claim of `preset` on finished rows of `exp`. */
export function judgeClaims(preset: Preset, exp: Experiment, rows: readonly MetricRow[]): ClaimResult[] {
  const get = seriesFromRows(rows);
  const ctx = { get, steps: exp.steps, step: exp.steps, done: true, labels: exp.runs.map((r) => r.label) };
  return preset.claims.map((c) => evaluateClaim(c.test, ctx));
}

export async function checkPresetSeed(
  preset: Preset,
  seed: number,
  opts: {
    backend: Backend;
    createTrainer: (e: Experiment, o: { backend: Backend }) => Promise<Trainer>;
  },
): Promise<SeedOutcome> {
  const exp = presetVariant(preset, seed);
  const trainer = await opts.createTrainer(exp, { backend: opts.backend });
  try {
    const t0 = performance.now();
    const rows = await trainAll(trainer);
    const wallSec = (performance.now() - t0) / 1000;
    return { seed, steps: exp.steps, results: judgeClaims(preset, exp, rows), wallSec };
  } finally {
    trainer.dispose();
  }
}

/** The seeds a preset's claims are checked on: its own and the `n - 1` after it. */
export function checkSeeds(preset: Preset, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (preset.experiment.seed + i) >>> 0);
}

/** One table row per claim: held on k of n seeds, with each seed's numbers. */
export function claimTable(preset: Preset, outcomes: readonly SeedOutcome[]): string[] {
  const lines: string[] = [
    `${preset.id}: trained ${outcomes.map((o) => `seed ${o.seed} in ${o.wallSec.toFixed(1)} s`).join(', ')}`,
  ];
  preset.claims.forEach((c, i) => {
    const held = outcomes.filter((o) => o.results[i].status === 'seen').length;
    lines.push(`${preset.id} | ${c.text} | ${held}/${outcomes.length} seeds`);
    for (const o of outcomes) {
      const r = o.results[i];
      const mark = r.status === 'seen' ? 'held' : r.status === 'pending' ? 'PENDING' : 'FAILED';
      lines.push(
        `    seed ${o.seed} (${o.steps} steps): ${mark}${r.step !== undefined ? ` at step ${r.step}` : ''}: ${r.detail}`,
      );
    }
  });
  return lines;
}
