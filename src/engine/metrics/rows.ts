/** Turn one run's stats record (see model/mlp_gpu.ts STAT) into metric rows (names.ts). */
import type { MetricRow } from '../trainer';
import { STAT } from '../model/mlp_gpu';
import { evalSetValue } from './eval_sets';

export interface StatsRecord {
  run: number;
  step: number;
  stats: ArrayLike<number>;
  /** Scheduled lr of this step (undefined at step 0). */
  lr?: number;
  batch: number;
  evalTrain: number;
  nTest: number;
  classification: boolean;
  featureNoise: boolean;
  /** Whether the alignment fields were computed (feature-noise data, a hidden layer). */
  alignment?: boolean;
  /** ||theta_0|| of the run (relative_weight_change; none when absent or 0). */
  w0Norm?: number;
  /** Extra evaluation sets (metrics/eval_sets.ts): loss sum at `field`, correct count at field + 1. */
  extra?: { metric: string; report: 'acc' | 'loss'; n: number; field: number }[];
}

export function statsToRows(s: StatsRecord): MetricRow[] {
  const rows: MetricRow[] = [];
  const add = (metric: string, value: number) => rows.push({ run: s.run, step: s.step, metric, value });
  const st = s.stats;
  add('train_loss', st[STAT.trainLoss] / s.evalTrain);
  if (s.classification) add('train_acc', st[STAT.trainCorrect] / s.evalTrain);
  if (s.nTest > 0) {
    add('test_loss', st[STAT.testLoss] / s.nTest);
    if (s.classification) add('test_acc', st[STAT.testCorrect] / s.nTest);
    if (s.classification && s.featureNoise) add('weak_feature_acc', st[STAT.testCorrect] / s.nTest);
  }
  add('weight_norm', Math.sqrt(st[STAT.weightSq]));
  for (const e of s.extra ?? []) add(e.metric, evalSetValue(e, st[e.field], st[e.field + 1]));
  if (s.step > 0 && s.w0Norm) add('relative_weight_change', Math.sqrt(st[STAT.w0DistSq]) / s.w0Norm);
  if (s.featureNoise && s.alignment) {
    add('weak_alignment', st[STAT.weakAlign]);
    add('strong_alignment', st[STAT.strongAlign]);
  }
  if (s.step >= 2) add('period2_distance', Math.sqrt(st[STAT.period2Sq]));
  if (s.step > 0 && s.lr !== undefined) {
    add('batch_loss', st[STAT.batchLoss] / s.batch);
    add('lr', s.lr);
    add('temperature', s.lr / s.batch);
    add('grad_norm', Math.sqrt(st[STAT.gradSq]));
    const dist = Math.sqrt(st[STAT.stepSq]);
    add('step_distance', dist);
    add('update_norm', s.lr !== 0 ? dist / s.lr : 0);
  }
  return rows;
}
