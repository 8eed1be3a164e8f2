import { describe, expect, it } from 'vitest';
import { MetricStore } from '../series';
import { METRIC_GROUPS, axisTitle, metricLabel, type MetricGroup } from '../metricGroups';
import type { SweepAxis } from '../phase/phase';
import {
  figureRuns,
  firstSentence,
  metricFigure,
  phaseFigure,
  presetHeading,
  summaryFigure,
  summaryMetric,
  type FigureRun,
} from './figure';
import { escapeXml, figureSvg, fitText, heatmapSvg, legendLayout, textWidth, wrapText } from './figureSvg';

/**
 * A strict check that `xml` is one well-formed element (after an optional XML declaration): tags
 * nest and match, attribute values are quoted and free of '<', text holds no bare '<' or '&'.
 * Returns the element names in document order.
 */
function wellFormed(xml: string): string[] {
  let s = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  const stack: string[] = [];
  const names: string[] = [];
  const tag = /^<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/?)>/;
  const text = /^[^<]+/;
  let roots = 0;
  while (s.length) {
    const t = tag.exec(s);
    if (t) {
      const [all, close, name, , selfClose] = t;
      if (close) {
        if (stack.pop() !== name) throw new Error(`unbalanced </${name}>`);
      } else {
        if (stack.length === 0) roots++;
        names.push(name);
        if (!selfClose) stack.push(name);
      }
      s = s.slice(all.length);
      continue;
    }
    const x = text.exec(s);
    if (!x) throw new Error(`not a tag or text at: ${s.slice(0, 40)}`);
    if (stack.length === 0 && x[0].trim()) throw new Error('text outside the root element');
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(x[0])) throw new Error(`bare & in: ${x[0]}`);
    s = s.slice(x[0].length);
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('><')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return names;
}

const group = (id: string): MetricGroup => METRIC_GROUPS.find((g) => g.id === id)!;

const RUNS: FigureRun[] = [
  { label: 'sgd lr=0.1', color: '#0072B2' },
  { label: 'adam', color: '#D55E00' },
  { label: 'hidden one', color: '#009E73', hidden: true },
];

function lossStore(n: number): MetricStore {
  const store = new MetricStore();
  for (let run = 0; run < 3; run++)
    for (let i = 0; i < n; i++) {
      const step = i * 10;
      // an oscillation with one spike, so decimation has extremes to keep
      const train = (1 + run) * Math.exp(-i / 400) * (1 + 0.3 * Math.sin(i)) + (i === 1234 ? 50 : 0);
      store.add([
        { run, step, metric: 'train_loss', value: train },
        { run, step, metric: 'test_loss', value: train * 1.2 },
      ]);
    }
  return store;
}

describe('metricFigure', () => {
  it('draws the chart lines of the visible runs from the decimated envelope, with a legend of runs and line styles', () => {
    const store = lossStore(5000);
    const fig = metricFigure({ group: group('loss'), runs: RUNS, store, log: true, xEnd: 60_000 });
    expect(fig.series.map((s) => s.key)).toEqual(['r0:train_loss', 'r0:test_loss', 'r1:train_loss', 'r1:test_loss']);
    expect(fig.series[1].dash).toBe('6 4');
    expect(fig.series[0].color).toBe('#0072B2');
    for (const s of fig.series) {
      expect(s.points.length).toBeGreaterThan(1000);
      expect(s.points.length).toBeLessThanOrEqual(2 * 1024 + 1);
      const xs = s.points.map((p) => p.x);
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
    }
    // the spike survives decimation
    expect(Math.max(...fig.series[0].points.map((p) => p.y))).toBeGreaterThan(50);
    expect(fig.legend.map((l) => l.label)).toEqual([
      'sgd lr=0.1',
      'adam',
      metricLabel('train_loss'),
      metricLabel('test_loss'),
    ]);
    expect(fig.legend[3].dash).toBe('6 4');
    expect(fig.x).toMatchObject({ label: 'step', log: false, domain: [0, 60_000] });
    expect(fig.x.ticks).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(fig.y.label).toBe(`${axisTitle(group('loss'))} (log scale)`);
    expect(fig.y.log).toBe(true);
    // whole decades around the data, powers of ten among the ticks
    expect(Number.isInteger(Math.log10(fig.y.domain[0]))).toBe(true);
    expect(fig.y.ticks).toContain(1);
    expect(fig.title).toBe('Loss');
    expect(fig.subtitle).toBeUndefined();
  });

  it('zoomed: the points of the step range (and a neighbour each side), x over the range', () => {
    const store = lossStore(100); // steps 0, 10, ..., 990
    const fig = metricFigure({ group: group('loss'), runs: RUNS, store, log: false, xEnd: 990, zoom: [200, 400] });
    expect(fig.x.domain).toEqual([200, 400]);
    expect(fig.x.ticks[0]).toBeGreaterThanOrEqual(200);
    expect(fig.x.ticks[fig.x.ticks.length - 1]).toBeLessThanOrEqual(400);
    const xs = fig.series[0].points.map((p) => p.x);
    expect(xs[0]).toBe(190);
    expect(xs[xs.length - 1]).toBe(410);
    expect(xs).toHaveLength(23); // every logged point, not the envelope's picks
    // the y range fits the zoomed points only
    const ys = fig.series.flatMap((s) => s.points.filter((p) => p.x >= 200 && p.x <= 400).map((p) => p.y));
    expect(fig.y.domain[1]).toBeLessThan(Math.max(...lossStore(100).get(1, 'test_loss')!.values));
    expect(fig.y.domain[1]).toBeGreaterThanOrEqual(Math.max(...ys));
  });

  it('keeps a diverged run’s stability line out of the y range, names the run diverged, and adds the preset', () => {
    const store = new MetricStore();
    for (let i = 0; i <= 10; i++)
      store.add([
        { run: 0, step: i, metric: 'sharpness', value: 10 + i },
        { run: 0, step: i, metric: 'sharpness_threshold', value: 40 },
        { run: 1, step: i, metric: 'sharpness', value: 5 },
        { run: 1, step: i, metric: 'sharpness_threshold', value: 1e9 },
      ]);
    const runs = figureRuns([{ label: 'a' }, { label: 'b' }], (c, i) => c ?? `#00000${i}`, [], { 1: 7 });
    const fig = metricFigure({
      group: group('sharpness'),
      runs,
      store,
      log: false,
      xEnd: 10,
      markers: [{ step: 4, label: '✓1' }],
      preset: {
        title: 'Edge of stability',
        paper: 'Cohen et al. 2021',
        summary: 'Sharpness rises to 2/η. Then it hovers.',
      },
    });
    expect(fig.y.domain[1]).toBeLessThan(100);
    expect(fig.legend.map((l) => l.label)).toEqual([
      'a',
      'b (diverged)',
      metricLabel('sharpness'),
      metricLabel('sharpness_threshold'),
    ]);
    expect(fig.markers).toEqual([{ x: 4, label: '✓1' }]);
    expect(fig.subtitle).toBe('Preset: Edge of stability (Cohen et al. 2021)');
    expect(fig.caption).toBe('Sharpness rises to 2/η.');
    expect(fig.y.label).toBe(axisTitle(group('sharpness')));
    expect(fig.y.label).not.toBe('Sharpness'); // a unit-bearing title (λmax(H)), not the chart's title
  });
});

describe('summaryFigure and phaseFigure', () => {
  it('one bar per visible run with its final value; none for a non-finite one; the axis starts at zero', () => {
    const store = new MetricStore();
    store.add([
      { run: 0, step: 0, metric: 'test_loss', value: 2 },
      { run: 0, step: 5, metric: 'test_loss', value: 0.37 },
      { run: 1, step: 5, metric: 'test_loss', value: NaN },
      { run: 2, step: 5, metric: 'test_loss', value: 9 },
    ]);
    const fig = summaryFigure({ runs: RUNS, last: (r, m) => store.last(r, m), metric: 'test_loss' });
    expect(fig.bars).toEqual([
      { key: 'r0', label: 'sgd lr=0.1', color: '#0072B2', value: 0.37 },
      { key: 'r1', label: 'adam', color: '#D55E00', value: null },
    ]);
    expect(fig.value.domain[0]).toBe(0);
    expect(fig.value.domain[1]).toBeGreaterThanOrEqual(0.37);
    expect(fig.value.label).toBe(`${metricLabel('test_loss')} (final)`);
    expect(summaryMetric(['train_loss', 'test_acc', 'test_loss'])).toBe('test_loss');
    expect(summaryMetric(['train_loss', 'test_acc'])).toBe('test_acc');
    expect(summaryMetric(['grad_norm'])).toBe('grad_norm');
  });

  it('the 1-D phase line: points by swept value, on a log axis when the sweep spans decades', () => {
    const axis: SweepAxis = { key: 'lr', values: [0.1, 0.001, 0.01], levels: [0.001, 0.01, 0.1], log: true };
    const fig = phaseFigure({ axis, values: [0.5, 0.9, undefined], metric: 'test_acc', title: 'T', color: '#123456' });
    expect(fig.series[0].points).toEqual([
      { x: 0.001, y: 0.9 },
      { x: 0.1, y: 0.5 },
    ]);
    expect(fig.series[0].dots).toBe(true);
    expect(fig.x).toMatchObject({ label: 'lr (log scale)', log: true, domain: [0.001, 0.1] });
    expect(fig.x.ticks).toContain(0.01);
    expect(fig.y.label).toBe(`${metricLabel('test_acc')} (final)`);
    expect(fig.y.domain[0]).toBeLessThanOrEqual(0.5);
    expect(fig.y.domain[1]).toBeGreaterThanOrEqual(0.9);
  });

  it('a preset heading: title and citation, the first sentence of its summary', () => {
    expect(firstSentence('  One thing.  Two things. ')).toBe('One thing.');
    expect(firstSentence('No stop')).toBe('No stop');
    expect(presetHeading(null)).toEqual({});
    expect(presetHeading({ title: 'T', paper: 'P', lookFor: 'Watch it.', summary: 'Long. Text.' })).toEqual({
      subtitle: 'Preset: T (P)',
      caption: 'Watch it.',
    });
  });
});

describe('figure SVG files', () => {
  const plot =
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="760" height="380"><g><text x="1" y="2">0.5</text><path d="M0,0L1,1"/></g></svg>';

  it('a standalone, well-formed SVG with title, preset caption, legend and the plot below them', () => {
    const fig = metricFigure({ group: group('loss'), runs: RUNS, store: lossStore(20), log: false, xEnd: 200 });
    const labelled = {
      ...fig,
      subtitle: 'Preset: A & B <test>',
      caption: 'It says "hi".',
      legend: [...fig.legend, { label: 'run <3> & "friends"', color: '#000' }],
    };
    const svg = figureSvg(labelled, labelled.legend, plot, 760, 380);
    const names = wellFormed(svg);
    expect(names[0]).toBe('svg');
    expect(names.filter((n) => n === 'svg')).toHaveLength(2); // the plot nests inside
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(
      true,
    );
    expect(svg.match(/<\?xml/g)).toHaveLength(1);
    expect(svg).toContain('font-family="Helvetica, Arial, sans-serif"');
    expect(svg).toContain('fill="#ffffff"'); // the light background
    expect(svg).toContain('>Loss</text>');
    expect(svg).toContain('Preset: A &amp; B &lt;test&gt;');
    expect(svg).toContain('It says &quot;hi&quot;.');
    expect(svg).toContain('run &lt;3&gt; &amp; &quot;friends&quot;');
    for (const l of fig.legend) expect(svg).toContain(`>${escapeXml(l.label)}</text>`);
    expect(svg).toContain('stroke-dasharray="6 4"'); // the test-loss line style in the legend
    const height = Number(/height="(\d+)"/.exec(svg)![1]);
    const translate = Number(/translate\(0,(\d+)\)/.exec(svg)![1]);
    expect(height).toBe(translate + 380 + 8);
  });

  it('legend rows wrap inside the width; long labels are cut', () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ label: `run number ${i}`, color: '#000' }));
    const { placed, height } = legendLayout(items, 400, 0);
    expect(placed).toHaveLength(12);
    expect(height).toBeGreaterThanOrEqual(3 * 20);
    for (const p of placed) expect(p.x + 26 + 6 + textWidth(p.text, 13)).toBeLessThanOrEqual(400);
    const long = 'x'.repeat(200);
    const cut = fitText(long, 100, 13);
    expect(cut.endsWith('…')).toBe(true);
    expect(textWidth(cut, 13)).toBeLessThanOrEqual(100);
  });

  it('wraps a caption at spaces into at most two lines, cutting the rest', () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const lines = wrapText(words, 300, 13, 2);
    expect(lines).toHaveLength(2);
    expect(lines[0].startsWith('word0 word1')).toBe(true);
    expect(lines[1].endsWith('…')).toBe(true);
    for (const l of lines) expect(textWidth(l, 13)).toBeLessThanOrEqual(300);
    expect(wrapText('short caption', 300, 13, 2)).toEqual(['short caption']);
  });

  it('escapes markup and drops the characters XML forbids', () => {
    expect(escapeXml(`a<b>&"c'\u0001\u0008d`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;d');
    expect(escapeXml('tab\tnewline\n')).toBe('tab\tnewline\n');
  });

  it('the 2-D heatmap: one cell per grid point with its value, axis titles, a colour bar', () => {
    const svg = heatmapSvg({
      title: 'Final Test accuracy against lr and momentum',
      xLabel: 'lr',
      yLabel: 'momentum',
      xLevels: [0.01, 0.1],
      yLevels: [0, 0.9],
      cells: [
        [{ value: 0.5 }, { value: 0.75 }],
        [{ value: NaN }, null],
      ],
    });
    const names = wellFormed(svg);
    expect(names.filter((n) => n === 'rect')).toHaveLength(1 + 4 + 1); // background, cells, colour bar
    expect(svg).toContain('>0.75</text>');
    expect(svg).toContain('>NaN</text>');
    expect(svg).toContain('>lr</text>');
    expect(svg).toContain('>momentum</text>');
    expect(names).toContain('linearGradient');
  });

  it('the checker itself rejects broken XML', () => {
    expect(() => wellFormed('<svg><g></svg>')).toThrow();
    expect(() => wellFormed('<svg><text>a & b</text></svg>')).toThrow();
    expect(() => wellFormed('<svg a=b></svg>')).toThrow();
    expect(() => wellFormed('<svg></svg><svg></svg>')).toThrow();
  });
});
