import { describe, expect, it } from 'vitest';
import {
  availablePresets,
  filterPresets,
  matchPreset,
  PRESET_COUNT,
  rejectedPresets,
  type PresetSource,
} from './presets';
import { defaultExperiment } from './defaults';
import { parseExperiment } from './validate';

describe('presets', () => {
  it('every shipped preset validates (none is hidden in this build)', () => {
    expect(rejectedPresets()).toEqual([]);
    expect(availablePresets()).toHaveLength(PRESET_COUNT);
  });

  it('each has a title, a citation, a one-line look-for and a summary, and re-validates to itself', () => {
    const ids = new Set<string>();
    for (const p of availablePresets()) {
      expect(p.title.length).toBeGreaterThan(3);
      expect(p.paper.length).toBeGreaterThan(3);
      expect(p.summary.split('. ').length).toBeGreaterThanOrEqual(2);
      // the one-liner fits a slide: one sentence, short enough for the embed's caption
      expect(p.lookFor.length, p.id).toBeLessThanOrEqual(120);
      expect(p.lookFor.trim().split(/\. |; /).length, p.id).toBeLessThanOrEqual(2);
      expect(ids.has(p.id)).toBe(false);
      ids.add(p.id);
      const again = parseExperiment(JSON.parse(JSON.stringify(p.experiment)));
      expect(again.ok && again.value).toEqual(p.experiment);
    }
  });

  it('hides a preset whose data kind or optimizer is not in this build, keeps the valid ones', () => {
    const base = { title: 'T', paper: 'P', lookFor: 'L.', summary: 'A. B.', claims: [], charts: ['train_loss'] };
    const sources: PresetSource[] = [
      { id: 'ok', ...base, config: () => defaultExperiment() },
      { id: 'no-data', ...base, config: () => ({ ...defaultExperiment(), data: { kind: 'not-landed-yet' } }) },
      {
        id: 'no-optimizer',
        ...base,
        config: () => ({
          ...defaultExperiment(),
          runs: [{ label: 'x', optimizer: { name: 'not-landed-yet', lr: 0.1 } }],
        }),
      },
    ];
    expect(filterPresets(sources).map((p) => p.id)).toEqual(['ok']);
    const rejected = rejectedPresets(sources);
    expect(rejected.map((r) => r.id)).toEqual(['no-data', 'no-optimizer']);
    expect(rejected[0].errors.join(' ')).toMatch(/data\.kind/);
    expect(rejected[1].errors.join(' ')).toMatch(/runs\[0\]\.optimizer|optimizer/);
  });

  it('recognises a preset up to its seed, labels and colours, and nothing else', () => {
    for (const p of availablePresets()) {
      const other = structuredClone(p.experiment);
      other.seed += 5;
      other.runs.forEach((r, i) => {
        r.label = `renamed ${i}`;
        r.color = '#123456';
      });
      expect(matchPreset(other)?.id).toBe(p.id);
      const changed = structuredClone(p.experiment);
      changed.steps += 1;
      expect(matchPreset(changed)?.id, p.id).not.toBe(p.id);
    }
    expect(matchPreset(defaultExperiment())?.id).toBe('benign-oscillation');
  });
});
