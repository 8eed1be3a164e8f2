import { describe, expect, it } from 'vitest';
import { deflateSync, strToU8 } from 'fflate';
import { defaultExperiment } from '../experiment/defaults';
import { toBase64Url } from '../experiment/codec';
import { MAX_CHART_IDS, hashFor, readCharts, readHash } from './hash';

describe('readHash', () => {
  it('an empty hash is the default experiment with no message', () => {
    const h = readHash('');
    expect(h).toMatchObject({ fromLink: false, embed: false, notice: null });
    expect(h.experiment).toEqual(defaultExperiment());
  });

  it('round-trips an experiment and the embed flag', () => {
    const exp = { ...defaultExperiment(), steps: 42, seed: 3 };
    const h = readHash(hashFor(exp, true));
    expect(h).toMatchObject({ fromLink: true, embed: true, notice: null });
    expect(h.experiment).toEqual(exp);
    expect(readHash(hashFor(exp)).embed).toBe(false);
  });

  it('round-trips the chart picker, and reads only chart-like ids from a link', () => {
    const exp = { ...defaultExperiment(), steps: 42 };
    const h = readHash(hashFor(exp, false, ['sharpness', 'loss', 'metric:my_metric']));
    expect(h.charts).toEqual(['sharpness', 'loss', 'metric:my_metric']);
    expect(h.experiment).toEqual(exp);
    expect(readHash(hashFor(exp)).charts).toBeNull();
    expect(readHash('#charts=loss,accuracy').charts).toEqual(['loss', 'accuracy']);
    expect(readHash('#charts=loss,accuracy').notice).toBeNull();
    // markup, empty or repeated ids are dropped, never shown
    expect(readCharts('%3Cimg%20src%3Dx%3E,loss,,loss')).toEqual(['loss']);
    expect(readCharts('%E0%A4%A')).toBeNull();
    expect(readCharts('')).toBeNull();
    const many = Array.from({ length: 100 }, (_, i) => `m${i}`).join(',');
    expect(readCharts(many)).toHaveLength(MAX_CHART_IDS);
  });

  it('a garbage experiment falls back to the default with a specific message', () => {
    const h = readHash('#e=garbage');
    expect(h.fromLink).toBe(false);
    expect(h.experiment).toEqual(defaultExperiment());
    expect(h.notice).toMatch(
      /^This link's experiment could not be opened: .*format tag.*Showing the default experiment instead\.$/,
    );
  });

  it('names a corrupt payload and an unknown hash', () => {
    expect(readHash('#e=1.AAAA').notice).toMatch(/could not be opened: .*(corrupt|truncated)/);
    expect(readHash('#hello').notice).toMatch(/does not understand/);
  });

  it('a link from a newer playground says so', () => {
    expect(readHash('#e=2.abc').notice).toMatch(/newer/);
    const future = { ...defaultExperiment(), version: 2 };
    const enc = `1.${toBase64Url(deflateSync(strToU8(JSON.stringify(future))))}`;
    const h = readHash(`#e=${enc}`);
    expect(h.notice).toMatch(/^This link's experiment could not be opened: version: /);
  });

  it('reports field paths of an invalid experiment', () => {
    const bad = { ...defaultExperiment(), runs: [{ optimizer: { name: 'sgd', lr: 'fast' } }] };
    const enc = `1.${toBase64Url(deflateSync(strToU8(JSON.stringify(bad))))}`;
    expect(readHash(`#e=${enc}`).notice).toMatch(/runs\[0\]\.optimizer\.lr/);
  });
});
