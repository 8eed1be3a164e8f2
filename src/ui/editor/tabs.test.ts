import { describe, expect, it } from 'vitest';
import { editorTabOf, EDITOR_TABS } from './tabs';

describe('editor tabs', () => {
  it('send each error path to the tab that holds its field', () => {
    expect(editorTabOf('runs[1].optimizer.lr')).toBe('runs');
    expect(editorTabOf('runs')).toBe('runs');
    expect(editorTabOf('data.nTrain')).toBe('data');
    expect(editorTabOf('model.hidden[0]')).toBe('model');
    expect(editorTabOf('batchSize')).toBe('training');
    expect(editorTabOf('metrics.every')).toBe('training');
    expect(editorTabOf('')).toBe('training');
  });
  it('are four, runs first', () => {
    expect(EDITOR_TABS.map((t) => t.id)).toEqual(['runs', 'data', 'model', 'training']);
  });
});
