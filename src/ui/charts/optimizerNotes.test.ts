import { describe, expect, it } from 'vitest';
import { optimizerChartNotes } from './optimizerNotes';

const runs = (...names: string[]) => names.map((name) => ({ optimizer: { name } }));

describe('optimizerChartNotes', () => {
  it('says where Schedule-Free and SAM runs are measured, once each, in run order', () => {
    const notes = optimizerChartNotes(runs('sgd', 'sf-adamw', 'sam', 'sf-sgd', 'sam-adam'));
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^Schedule-Free runs are measured at x/);
    expect(notes[1]).toMatch(/^SAM runs take two gradients/);
  });

  it('has nothing to add for optimizers measured at their parameters', () => {
    expect(optimizerChartNotes(runs('sgd', 'adam', 'unknown'))).toEqual([]);
  });
});
