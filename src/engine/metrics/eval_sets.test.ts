/**
 * The extra evaluation sets: which sets each dataset gets, specific errors for choices that do not
 * apply, and agreement of evalSet on a set with the data_metrics.ts definitions it implements.
 */
import { describe, expect, it } from 'vitest';
import type { DataConfig, Experiment } from '../../schema/types';
import { defaultDataConfig } from '../data/defaults';
import { generateDataset } from '../data/index';
import { mlpLayout } from '../model/layout';
import { evalSet } from '../cpu/mlp';
import { randomArray, uniformRng } from '../cpu/testing';
import { groupLosses, sRandomizedAcc } from './data_metrics';
import { applicableSRandomized, buildEvalSets, evalSetValue } from './eval_sets';

function expOf(sRandomized?: Experiment['metrics']['sRandomized']): Pick<Experiment, 'metrics' | 'seed'> {
  return { seed: 17, metrics: { every: 1, evalSubset: 0, ...(sRandomized ? { sRandomized } : {}) } };
}

function small(kind: DataConfig['kind']): DataConfig {
  return { ...defaultDataConfig(kind), nTrain: 120, nTest: 90 } as DataConfig;
}

describe('buildEvalSets', () => {
  it('slab data: every applicable S-randomized choice by default (ms57 has no linear coordinate)', () => {
    const keys = (kind: DataConfig['kind']) =>
      buildEvalSets(expOf(), generateDataset(small(kind), 1)).map((s) => s.metric);
    expect(keys('lms')).toEqual(['s_randomized_acc_linear', 's_randomized_acc_slab', 's_randomized_acc_complex']);
    expect(keys('lsn')).toEqual(['s_randomized_acc_linear', 's_randomized_acc_slab', 's_randomized_acc_complex']);
    expect(keys('ms57')).toEqual(['s_randomized_acc_slab', 's_randomized_acc_complex']);
    expect(keys('feature-noise')).toEqual([]);
    expect(keys('circle')).toEqual([]);
    expect(keys('opposing-signals')).toEqual(['group_loss_pos', 'group_loss_neg']);
  });

  it('metrics.sRandomized picks the choices; [] logs none; a choice the data lacks is a specific error', () => {
    const lms = generateDataset(small('lms'), 1);
    expect(buildEvalSets(expOf(['complex']), lms).map((s) => s.key)).toEqual(['s-randomized-complex']);
    expect(buildEvalSets(expOf([]), lms)).toEqual([]);
    const ms57 = generateDataset(small('ms57'), 1);
    expect(applicableSRandomized(ms57)).toEqual(['slab', 'complex']);
    expect(() => buildEvalSets(expOf(['slab', 'linear']), ms57)).toThrow(
      /metrics\.sRandomized\[1\]: "linear" does not apply to ms57 data; use one of slab, complex/,
    );
    expect(() => buildEvalSets(expOf(['slab']), generateDataset(small('circle'), 1))).toThrow(
      /metrics\.sRandomized: needs slab data \(lms, ms57 or lsn\), got data kind "circle"/,
    );
    const noTest = generateDataset({ ...small('lms'), nTest: 0 } as DataConfig, 1);
    expect(buildEvalSets(expOf(), noTest)).toEqual([]);
    expect(() => buildEvalSets(expOf(['linear']), noTest)).toThrow(/needs test points/);
  });

  it('an S-randomized set scored by evalSet gives sRandomizedAcc (same permutation, same seed)', () => {
    const cfg = { ...small('lms'), dim: 6, randomRotation: true } as DataConfig;
    const ds = generateDataset(cfg, 4);
    const layout = mlpLayout([6, 7, 2]);
    const params = randomArray(layout.paramCount, uniformRng(2), -1.5, 1.5);
    const model = { activation: 'tanh' as const };
    for (const set of buildEvalSets(expOf(), ds)) {
      const choice = set.key.replace('s-randomized-', '') as 'linear' | 'slab' | 'complex';
      const e = evalSet(params, layout, model, 'cross-entropy', set, 2);
      const ref = sRandomizedAcc(params, layout, model, 'cross-entropy', ds, choice, 17);
      // The set holds float32 inputs; the reference permutes float64 ones: a point on the boundary may flip.
      expect(Math.abs(evalSetValue(set, e.lossSum, e.correct) - ref), set.key).toBeLessThanOrEqual(1 / set.n);
    }
  });

  it('the group sets give groupLosses (mean train loss of the x0 > 0 and x0 < 0 points)', () => {
    const ds = generateDataset({ ...small('opposing-signals'), outlierFraction: 0.3 } as DataConfig, 8);
    const layout = mlpLayout([ds.inputDim, 5, 2]);
    const params = randomArray(layout.paramCount, uniformRng(3), -1, 1);
    const model = { activation: 'relu' as const };
    const ref = groupLosses(params, layout, model, 'cross-entropy', ds);
    const sets = buildEvalSets(expOf(), ds);
    const [pos, neg] = sets.map((s) => {
      const e = evalSet(params, layout, model, 'cross-entropy', s, 2);
      return evalSetValue(s, e.lossSum, e.correct);
    });
    expect(pos).toBeCloseTo(ref.pos, 12);
    expect(neg).toBeCloseTo(ref.neg, 12);
    expect(sets[0].n + sets[1].n).toBe(ds.meta.group!.filter((g) => g !== 0).length);
  });

  it('a group with no points logs nothing', () => {
    const ds = generateDataset({ ...small('opposing-signals'), outlierFraction: 0 } as DataConfig, 8);
    expect(buildEvalSets(expOf(), ds)).toEqual([]);
  });
});
