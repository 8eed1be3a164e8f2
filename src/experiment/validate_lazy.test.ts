/** Validation of stopAtZeroLoss and metrics.sRandomized. */
import { describe, expect, it } from 'vitest';
import { parseExperiment } from './validate';
import { defaultDataConfig } from '../engine/data/defaults';

const run = { optimizer: { name: 'sgd', lr: 0.1 } };
const gauss = { ...defaultDataConfig('gauss'), nTrain: 32, nTest: 16 };

function errorAt(raw: unknown, path: string): string {
  const res = parseExperiment(raw);
  expect(res.ok, JSON.stringify(res)).toBe(false);
  if (res.ok) return '';
  const hit = res.errors.find((e) => e.path === path);
  expect(hit, `no error at ${path}; got ${JSON.stringify(res.errors)}`).toBeDefined();
  return hit!.message;
}

describe('stopAtZeroLoss', () => {
  it('is optional (absent stays absent) and kept when given with the hinge loss', () => {
    const plain = parseExperiment({ runs: [run] });
    expect(plain.ok && plain.value.stopAtZeroLoss).toBe(undefined);
    const on = parseExperiment({ data: gauss, loss: 'hinge', stopAtZeroLoss: true, runs: [run] });
    expect(on.ok && on.value.stopAtZeroLoss).toBe(true);
    const off = parseExperiment({ data: gauss, loss: 'cross-entropy', stopAtZeroLoss: false, runs: [run] });
    expect(off.ok && off.value.stopAtZeroLoss).toBe(false);
  });

  it('a non-boolean is a specific error', () => {
    expect(errorAt({ data: gauss, loss: 'hinge', stopAtZeroLoss: 'yes', runs: [run] }, 'stopAtZeroLoss')).toBe(
      'expected true or false, got "yes"',
    );
  });

  it('true with another loss is an error naming the loss', () => {
    const msg = errorAt({ data: gauss, loss: 'logistic', stopAtZeroLoss: true, runs: [run] }, 'stopAtZeroLoss');
    expect(msg).toContain('"hinge"');
    expect(msg).toContain('"logistic"');
  });
});

describe('metrics.sRandomized', () => {
  const lms = { ...defaultDataConfig('lms'), nTrain: 32, nTest: 16 };
  const ms57 = { ...defaultDataConfig('ms57'), nTrain: 32, nTest: 16 };

  it('accepts a list of distinct choices on slab data', () => {
    const res = parseExperiment({ data: lms, metrics: { sRandomized: ['linear', 'complex'] }, runs: [run] });
    expect(res.ok && res.value.metrics.sRandomized).toEqual(['linear', 'complex']);
    const none = parseExperiment({ data: lms, metrics: { sRandomized: [] }, runs: [run] });
    expect(none.ok && none.value.metrics.sRandomized).toEqual([]);
  });

  it('rejects a non-list, an unknown choice (with a suggestion) and a repeated choice', () => {
    expect(errorAt({ data: lms, metrics: { sRandomized: 'linear' }, runs: [run] }, 'metrics.sRandomized')).toContain(
      'expected a list of linear, slab, complex',
    );
    expect(
      errorAt({ data: lms, metrics: { sRandomized: ['slabs'] }, runs: [run] }, 'metrics.sRandomized[0]'),
    ).toContain('did you mean "slab"');
    expect(
      errorAt({ data: lms, metrics: { sRandomized: ['slab', 'slab'] }, runs: [run] }, 'metrics.sRandomized[1]'),
    ).toContain('listed twice');
  });

  it('needs slab data, and "linear" a linear coordinate (not ms57)', () => {
    expect(errorAt({ data: gauss, metrics: { sRandomized: ['slab'] }, runs: [run] }, 'metrics.sRandomized')).toContain(
      'needs slab data',
    );
    expect(
      errorAt({ data: ms57, metrics: { sRandomized: ['slab', 'linear'] }, runs: [run] }, 'metrics.sRandomized[1]'),
    ).toContain('no linear coordinate');
    expect(parseExperiment({ data: ms57, metrics: { sRandomized: ['slab', 'complex'] }, runs: [run] }).ok).toBe(true);
  });
});
