import { describe, expect, it } from 'vitest';
import type { CnnLayer } from '../../experiment/types';
import { parseExperiment } from '../../experiment/validate';
import { defaultModelOf } from '../../experiment/validate_cnn';
import { describeLayerError, formatLayers, parseLayers } from './layerSyntax';

describe('CNN layer syntax', () => {
  it('parses every layer type with defaults filled in', () => {
    const r = parseLayers('conv 8 k3 p1, maxpool 2, conv 16 k3x5 s2 p1x2, avgpool 3 s1, flatten, dense 32');
    expect(r).toEqual({
      ok: true,
      layers: [
        { type: 'conv2d', channels: 8, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
        { type: 'maxpool', size: [2, 2], stride: [2, 2] },
        { type: 'conv2d', channels: 16, kernel: [3, 5], stride: [2, 2], padding: [1, 2] },
        { type: 'avgpool', size: [3, 3], stride: [1, 1] },
        { type: 'flatten' },
        { type: 'dense', units: 32 },
      ],
    });
  });

  it('is case- and space-tolerant; empty text is no layers', () => {
    expect(parseLayers('  CONV2D 4  K2 ,DENSE 3 ')).toEqual({
      ok: true,
      layers: [
        { type: 'conv2d', channels: 4, kernel: [2, 2], stride: [1, 1], padding: [0, 0] },
        { type: 'dense', units: 3 },
      ],
    });
    expect(parseLayers('  ')).toEqual({ ok: true, layers: [] });
  });

  it('errors name the layer (0-based index) and what to write', () => {
    const err = (text: string, index: number, fragment: string) => {
      const r = parseLayers(text);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.index).toBe(index);
      expect(r.message).toContain(fragment);
    };
    err('conv 8', 0, 'needs a kernel size');
    err('dense 4, conv x k3', 1, 'C channels');
    err('conv 8 k3 q1', 0, 'unexpected "q1"');
    err('conv 8 k3 k5', 0, '"k" is given twice');
    err('conv 8 k0', 0, 'at least 1');
    err('conv 8 k3x', 0, 'HxW');
    err('maxpool', 0, 'needs a window size');
    err('maxpool 2 p1', 0, 'unexpected "p1"');
    err('dense', 0, 'dense U');
    err('dense 2.5', 0, 'dense U');
    err('flatten 2', 0, 'takes no options');
    err('dense 3,, dense 4', 1, 'empty layer');
    err('pool 2', 0, 'unknown layer "pool"');
  });

  it('formatLayers is canonical and round-trips', () => {
    const layers: CnnLayer[] = [
      { type: 'conv2d', channels: 8, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
      { type: 'conv2d', channels: 2, kernel: [1, 3], stride: [2, 1], padding: [0, 0] },
      { type: 'maxpool', size: [2, 2], stride: [2, 2] },
      { type: 'avgpool', size: [3, 2], stride: [1, 1] },
      { type: 'flatten' },
      { type: 'dense', units: 32 },
    ];
    const text = formatLayers(layers);
    expect(text).toBe('conv 8 k3 p1, conv 2 k1x3 s2x1, maxpool 2, avgpool 3x2 s1, flatten, dense 32');
    expect(parseLayers(text)).toEqual({ ok: true, layers });
    const def = defaultModelOf('cnn');
    if (def.kind === 'cnn') expect(parseLayers(formatLayers(def.layers))).toEqual({ ok: true, layers: def.layers });
  });

  it('parsed layers pass the validator, whose errors are described by layer', () => {
    const r = parseLayers('conv 4 k3 p3, dense 8');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const res = parseExperiment({
      data: { kind: 'images', size: 8, channels: 1, nClasses: 2 },
      model: { kind: 'cnn', layers: r.layers },
      runs: [{ optimizer: { name: 'sgd' } }],
    });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    const e = res.errors.find((x) => x.path.startsWith('model.layers'))!;
    expect(describeLayerError(e.path, e.message, r.layers)).toMatch(/^layer 1 \(conv 4 k3 p3\), padding: padding 3/);
    expect(describeLayerError('model.inputShape', 'bad', r.layers)).toBe('model.inputShape: bad');
  });
});
