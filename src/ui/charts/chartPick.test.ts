import { describe, expect, it } from 'vitest';
import { movePick, splitForPick, togglePick } from './chartPick';
import type { MetricGroup } from '../metricGroups';

const g = (id: string): MetricGroup => ({ id, title: id.toUpperCase(), metrics: [{ name: id }] });

describe('chart picker', () => {
  it('adds a chart at the end and removes it again', () => {
    expect(togglePick(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(togglePick(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
  });
  it('moves a chart one place, and not past the ends', () => {
    expect(movePick(['a', 'b', 'c'], 'c', -1)).toEqual(['a', 'c', 'b']);
    expect(movePick(['a', 'b', 'c'], 'a', 1)).toEqual(['b', 'a', 'c']);
    expect(movePick(['a', 'b', 'c'], 'a', -1)).toEqual(['a', 'b', 'c']);
    expect(movePick(['a', 'b', 'c'], 'c', 1)).toEqual(['a', 'b', 'c']);
    expect(movePick(['a'], 'zzz', 1)).toEqual(['a']);
  });
  it('shows the picked charts in the picked order, skipping ids no chart has', () => {
    const groups = [g('loss'), g('accuracy'), g('sharpness'), g('trace')];
    const { first, rest } = splitForPick(groups, ['sharpness', 'gone', 'loss']);
    expect(first.map((x) => x.id)).toEqual(['sharpness', 'loss']);
    expect(rest.map((x) => x.id)).toEqual(['accuracy', 'trace']);
  });
});
