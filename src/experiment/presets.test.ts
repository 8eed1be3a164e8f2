import { describe, expect, it } from 'vitest';
import { availablePresets, PRESET_COUNT, rejectedPresets } from './presets';
import { parseExperiment } from './validate';

describe('presets', () => {
  it('every shipped preset validates (none is hidden in this build)', () => {
    expect(rejectedPresets()).toEqual([]);
    expect(availablePresets()).toHaveLength(PRESET_COUNT);
  });

  it('each has a title, a citation and a summary, and re-validates to itself', () => {
    const ids = new Set<string>();
    for (const p of availablePresets()) {
      expect(p.title.length).toBeGreaterThan(3);
      expect(p.paper.length).toBeGreaterThan(3);
      expect(p.summary.split('. ').length).toBeGreaterThanOrEqual(2);
      expect(ids.has(p.id)).toBe(false);
      ids.add(p.id);
      const again = parseExperiment(JSON.parse(JSON.stringify(p.experiment)));
      expect(again.ok && again.value).toEqual(p.experiment);
    }
  });
});
