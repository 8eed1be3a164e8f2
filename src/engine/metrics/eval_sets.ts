/**
 * Extra evaluation sets: data-model metrics that are a loss or an accuracy over a fixed set of
 * points other than the train and test sets. Built once per experiment on the host; both backends
 * evaluate them at every logged step with the same code path as train/test (CPU: cpu/mlp.ts
 * evalSet; GPU: MlpGpuOptions.extraEvalSets), so their values obey the same definitions:
 * - s_randomized_acc_<choice> (slab data, docs/metrics.md): test accuracy after permuting the chosen
 *   coordinates across test points (data_metrics.ts randomizedTestInputs, permutation seeded by the
 *   experiment seed). Choices: metrics.sRandomized, default every choice the data has.
 * - group_loss_pos / group_loss_neg (opposing-signals data, docs/metrics.md): mean train loss over the
 *   train points with x0 > 0 / x0 < 0 (meta.group +1 / -1). A group with no points logs nothing.
 */
import type { Experiment, SRandomizedChoice } from '../../schema/types';
import { S_RANDOMIZED_CHOICES } from '../../schema/types';
import type { Dataset } from '../data/types';
import { randomizedTestInputs } from './data_metrics';

export interface EvalSetSpec {
  /** Unique key (the GPU graph's set name). */
  key: string;
  /** The metric name its value is logged under. */
  metric: string;
  /** Which of the set's mean loss or accuracy is logged. */
  report: 'acc' | 'loss';
  /** Inputs [n][inputDim] and targets [n][targetDim] (class indices on classification data). */
  x: Float32Array;
  y: Float32Array;
  n: number;
}

const SLAB_KINDS = ['lms', 'ms57', 'lsn'];

/** The S-randomized choices a dataset supports ('linear' needs a linear coordinate). */
export function applicableSRandomized(ds: Dataset): SRandomizedChoice[] {
  const { linearCoords, slabCoords } = ds.meta;
  if (!SLAB_KINDS.includes(ds.meta.kind) || !linearCoords || !slabCoords) return [];
  return S_RANDOMIZED_CHOICES.filter((c) =>
    c === 'linear' ? linearCoords.length > 0 : c === 'slab' ? slabCoords.length > 0 : ds.inputDim > linearCoords.length,
  );
}

/** The S-randomized choices the experiment logs (metrics.sRandomized, or every applicable one). */
export function sRandomizedChoices(exp: Pick<Experiment, 'metrics'>, ds: Dataset): SRandomizedChoice[] {
  const ok = applicableSRandomized(ds);
  const asked = exp.metrics.sRandomized;
  if (asked === undefined) return ds.test.n > 0 ? ok : [];
  for (const [i, c] of asked.entries()) {
    if (ok.includes(c)) continue;
    throw new Error(
      ok.length === 0
        ? `metrics.sRandomized: needs slab data (lms, ms57 or lsn), got data kind "${ds.meta.kind}"`
        : `metrics.sRandomized[${i}]: "${c}" does not apply to ${ds.meta.kind} data; use one of ${ok.join(', ')}`,
    );
  }
  if (asked.length > 0 && ds.test.n === 0) throw new Error('metrics.sRandomized: needs test points (data.nTest > 0)');
  return asked.slice();
}

/** Every extra evaluation set of an experiment on its dataset (possibly none). */
export function buildEvalSets(exp: Pick<Experiment, 'metrics' | 'seed'>, ds: Dataset): EvalSetSpec[] {
  const sets: EvalSetSpec[] = [];
  for (const c of sRandomizedChoices(exp, ds)) {
    sets.push({
      key: `s-randomized-${c}`,
      metric: `s_randomized_acc_${c}`,
      report: 'acc',
      x: Float32Array.from(randomizedTestInputs(ds, c, exp.seed)),
      y: ds.test.y,
      n: ds.test.n,
    });
  }
  const group = ds.meta.group;
  if (group) {
    const D = ds.inputDim;
    const T = ds.targetDim;
    for (const [g, name] of [
      [1, 'pos'],
      [-1, 'neg'],
    ] as const) {
      const rows: number[] = [];
      for (let k = 0; k < ds.train.n; k++) if (group[k] === g) rows.push(k);
      if (rows.length === 0) continue;
      const x = new Float32Array(rows.length * D);
      const y = new Float32Array(rows.length * T);
      rows.forEach((r, k) => {
        x.set(ds.train.x.subarray(r * D, (r + 1) * D), k * D);
        y.set(ds.train.y.subarray(r * T, (r + 1) * T), k * T);
      });
      sets.push({ key: `group-${name}`, metric: `group_loss_${name}`, report: 'loss', x, y, n: rows.length });
    }
  }
  return sets;
}

/** The logged value of a set: its accuracy or its mean loss, from the loss sum and correct count. */
export function evalSetValue(set: Pick<EvalSetSpec, 'report' | 'n'>, lossSum: number, correct: number): number {
  return set.report === 'acc' ? correct / set.n : lossSum / set.n;
}
