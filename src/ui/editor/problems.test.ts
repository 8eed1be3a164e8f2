import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../experiment/defaults';
import { formatErrors, parseExperiment } from '../../experiment/validate';
import type { Experiment } from '../../experiment/types';
import { describeProblems, placeOf } from './problems';

/** The validator's errors for an edited default experiment, and that experiment. */
function problems(edit: (e: Record<string, unknown> & Experiment) => void) {
  const exp = defaultExperiment() as Record<string, unknown> & Experiment;
  edit(exp);
  const res = parseExperiment(exp);
  if (res.ok) throw new Error('expected the edit to be invalid');
  return { errors: res.errors, exp };
}

describe('describeProblems', () => {
  it('names a run by number and label and a hyperparameter by its on-screen label, keeping what was expected', () => {
    const { errors, exp } = problems((e) => {
      e.runs[0].label = 'GD small lr';
      (e.runs[0].optimizer as Record<string, unknown>).lr = 'abc';
      e.runs[1].optimizer.momentum = -1;
    });
    expect(describeProblems(errors, exp)).toEqual([
      'Run 1 (GD small lr): learning rate lr — expected a number > 0, got "abc"',
      'Run 2 (GD large lr (0.4)): momentum — expected a number >= 0 and < 1, got -1',
    ]);
    // the CLI's lines keep the paths
    expect(formatErrors(errors)[0]).toBe('runs[0].optimizer.lr: expected a number > 0, got "abc"');
  });

  it('names experiment-wide fields by their section and label, and internal paths inside messages too', () => {
    const { errors, exp } = problems((e) => {
      e.batchSize = 5000;
    });
    expect(describeProblems(errors, exp)).toEqual([
      `Training: Batch size — 5000 is larger than Data's nTrain (128); use at most 128 or "full"`,
    ]);
    const zero = problems((e) => {
      e.batchSize = 0;
    });
    expect(describeProblems(zero.errors, zero.exp)).toEqual([
      'Training: Batch size — expected an integer >= 1 and <= 100000, got 0',
    ]);
    expect(describeProblems([{ path: 'model.hidden', message: 'reduce model.hidden widths' }], exp)).toEqual([
      "Model: Hidden widths — reduce Model's Hidden widths",
    ]);
  });

  it('lists each problem once', () => {
    const err = { path: 'batchSize', message: 'expected a positive integer or "full", got "x"' };
    expect(describeProblems([err, err, { ...err }])).toEqual([
      'Training: Batch size — expected a positive integer or "full", got "x"',
    ]);
    // two paths in one field on screen (two widths of Hidden widths) are one line
    expect(
      describeProblems([
        { path: 'model.hidden[0]', message: 'expected an integer >= 1' },
        { path: 'model.hidden[1]', message: 'expected an integer >= 1' },
      ]),
    ).toEqual(['Model: Hidden widths — expected an integer >= 1']);
    // each half of betas is a field of its own
    expect(
      describeProblems([
        { path: 'runs[0].optimizer.betas[0]', message: 'expected a number < 1' },
        { path: 'runs[0].optimizer.betas[1]', message: 'expected a number < 1' },
      ]),
    ).toEqual(['Run 1: betas[0] — expected a number < 1', 'Run 1: betas[1] — expected a number < 1']);
  });

  it('places paths in the editor', () => {
    const exp = defaultExperiment();
    expect(placeOf('runs[1].schedule.warmup', exp)).toEqual({
      where: 'Run 2 (GD large lr (0.4))',
      field: 'Warmup steps',
    });
    expect(placeOf('runs[3].optimizer.name', exp)).toEqual({ where: 'Run 4', field: 'Optimizer' });
    expect(placeOf('runs', exp)).toEqual({ where: 'Runs', field: '' });
    expect(placeOf('data.kind', exp)).toEqual({ where: 'Data', field: 'Dataset' });
    expect(placeOf('data.teacherHidden[0]', exp)).toEqual({ where: 'Data', field: 'teacherHidden' });
    expect(placeOf('model.hidden[1]', exp)).toEqual({ where: 'Model', field: 'Hidden widths' });
    expect(placeOf('metrics.sharpness.iters', exp)).toEqual({ where: 'Training', field: 'Lanczos products (max)' });
    expect(placeOf('metrics.sRandomized[0]', exp)).toEqual({ where: 'Training', field: 'Metrics' });
    expect(placeOf('', exp)).toEqual({ where: '', field: '' });
    expect(describeProblems([{ path: '', message: 'could not validate the experiment' }])).toEqual([
      'could not validate the experiment',
    ]);
  });

  it('names a CNN layer as the Layers field does', () => {
    const exp = defaultExperiment();
    exp.model = {
      kind: 'cnn',
      inputShape: [1, 8, 8],
      layers: [{ type: 'maxpool', size: [2, 2], stride: [2, 2] }],
      activation: 'relu',
      initScale: 1,
      bias: true,
    } as unknown as Experiment['model'];
    const [line] = describeProblems([{ path: 'model.layers[0].size', message: 'expected at most 8' }], exp);
    expect(line).toMatch(/^Model: Layers — layer 1 \(.+\), size: expected at most 8$/);
  });
});
