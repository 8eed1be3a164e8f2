import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../experiment/defaults';
import { parseExperiment } from '../../experiment/validate';
import { MODEL_KIND_OPTIONS, switchModelKind } from './modelKind';

describe('switchModelKind', () => {
  it('every kind switched to validates, on feature-noise, 2-D and image data', () => {
    const datas = [
      defaultExperiment().data,
      { kind: 'circle', nTrain: 64, nTest: 64, noise: 0.1 } as const,
      { kind: 'images', nTrain: 64, nTest: 64, size: 8, channels: 1, nClasses: 2, noise: 0.1 } as const,
    ];
    for (const data of datas)
      for (const { value } of MODEL_KIND_OPTIONS) {
        const d = { ...defaultExperiment(), data };
        if (data.kind !== 'feature-noise') d.loss = 'cross-entropy';
        switchModelKind(d, value);
        expect(d.model.kind).toBe(value);
        const res = parseExperiment(d);
        // The patch CNN needs a patch dimension on data other than feature-noise.
        if (value === 'patch-cnn' && data.kind !== 'feature-noise') {
          expect(!res.ok && res.errors.map((e) => e.path)).toEqual(['model.patchDim']);
          continue;
        }
        expect(res.ok, `${data.kind} ${value}: ${JSON.stringify(!res.ok && res.errors)}`).toBe(true);
      }
  });

  it('keeps outputScale; patch-cnn turns mse into logistic; same kind is a no-op', () => {
    const d = defaultExperiment();
    d.model.outputScale = 4;
    switchModelKind(d, 'patch-cnn');
    expect(d.model).toMatchObject({ kind: 'patch-cnn', outputScale: 4 });
    expect(d.loss).toBe('logistic');
    d.loss = 'hinge';
    switchModelKind(d, 'cnn');
    expect(d.loss).toBe('hinge');
    const before = structuredClone(d);
    switchModelKind(d, 'cnn');
    expect(d).toEqual(before);
  });
});
