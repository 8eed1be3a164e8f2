import { describe, expect, it } from 'vitest';
import { divergenceNote, sharpnessText } from './divergence';
import { MetricStore } from './series';

function storeWith(rows: [number, string, number][]): MetricStore {
  const m = new MetricStore();
  m.add(rows.map(([step, metric, value]) => ({ run: 0, step, metric, value })));
  return m;
}

describe('divergenceNote', () => {
  it('gives the last finite sharpness before the divergence and 2/lr logged at that step', () => {
    const m = storeWith([
      [0, 'lr', 0.05],
      [0, 'sharpness', 10],
      [0, 'sharpness_threshold', 40],
      [50, 'lr', 0.05],
      [50, 'sharpness', 41.2],
      [50, 'sharpness_threshold', 40],
      [100, 'lr', 0.05],
      [100, 'sharpness', NaN],
      [100, 'sharpness_threshold', 40],
    ]);
    const n = divergenceNote((metric) => m.get(0, metric), 100);
    expect(n).toEqual({ step: 100, sharpness: { step: 50, value: 41.2 }, threshold: 40, twoOverLr: true });
    expect(sharpnessText(n)).toBe('last sharpness 41.2 vs 2/η = 40');
  });

  it('ignores measurements after the divergence step', () => {
    const m = storeWith([
      [0, 'sharpness', 3],
      [0, 'sharpness_threshold', 4],
      [20, 'sharpness', 9],
      [20, 'sharpness_threshold', 4],
    ]);
    const n = divergenceNote((metric) => m.get(0, metric), 10);
    expect(n.sharpness).toEqual({ step: 0, value: 3 });
    expect(n.threshold).toBe(4);
  });

  it('names a line that is not 2/lr "stability line" (momentum) and says nothing without sharpness', () => {
    const m = storeWith([
      [0, 'lr', 0.1],
      [0, 'sharpness', 30],
      [0, 'sharpness_threshold', 38],
    ]);
    const n = divergenceNote((metric) => m.get(0, metric), 5);
    expect(n.twoOverLr).toBe(false);
    expect(sharpnessText(n)).toBe('last sharpness 30 vs stability line = 38');
    const none = divergenceNote((metric) => storeWith([[0, 'train_loss', 1]]).get(0, metric), 5);
    expect(none).toEqual({ step: 5, sharpness: null, threshold: null, twoOverLr: false });
    expect(sharpnessText(none)).toBe('');
  });

  it('takes the last threshold before the sharpness step when none was logged with it', () => {
    const m = storeWith([
      [0, 'sharpness_threshold', 20],
      [10, 'sharpness', 25],
    ]);
    expect(divergenceNote((metric) => m.get(0, metric), 30).threshold).toBe(20);
  });
});
