/**
 * Figures drawn with recharts (loaded on demand):
 * - a metric chart's SVG button downloads a standalone SVG that parses as XML (DOMParser, no
 *   parsererror) with the chart title, both axis titles and a legend of every visible run (a
 *   hidden run left out), and the loaded preset's title when one is loaded;
 * - the run summary under the charts shows one bar per run (scrolled into view: figures follow
 *   the metrics only on screen) and downloads as SVG;
 * - a learning-rate sweep's phase diagram is drawn (points per run) and downloads as SVG.
 * Downloads are saved in test-output/ for a look.
 */
import { readFileSync } from 'node:fs';
import { test, type Download, type Page } from '@playwright/test';
import type { Experiment } from '../src/experiment/types';
import { METRIC_GROUPS, axisTitle, metricLabel } from '../src/ui/metricGroups';
import {
  defaultFromPage,
  expect,
  openExperiment,
  smallExperiment,
  waitForHook,
  waitForStep,
  watchConsole,
} from './helpers';

interface ParsedSvg {
  error: string | null;
  root: string;
  ns: string | null;
  texts: string[];
  width: number;
}

/** Click `button`, save the download as test-output/<name> and parse it in the page as SVG. */
async function downloadSvg(
  page: Page,
  click: () => Promise<void>,
  name: string,
): Promise<{ d: Download; svg: ParsedSvg }> {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  await d.saveAs(`test-output/${name}`);
  const text = readFileSync((await d.path())!, 'utf8');
  const svg = await page.evaluate((t) => {
    const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
    const err = doc.querySelector('parsererror');
    return {
      error: err ? (err.textContent ?? 'parsererror') : null,
      root: doc.documentElement.nodeName,
      ns: doc.documentElement.namespaceURI,
      texts: Array.from(doc.querySelectorAll('text')).map((e) => e.textContent ?? ''),
      width: Number(doc.documentElement.getAttribute('width')),
    };
  }, text);
  return { d, svg };
}

function withSharpness(base: Experiment, steps: number): Experiment {
  const e = smallExperiment(base, steps);
  e.metrics = { ...e.metrics, sharpness: { every: 10, iters: 8, subset: 32 } };
  return e;
}

test('a metric chart downloads as a standalone SVG figure with axis titles and a legend of the visible runs', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const log = watchConsole(page);
  const exp = withSharpness(await defaultFromPage(page), 60);
  exp.runs = [0, 1, 2].map((i) => ({ ...structuredClone(exp.runs[i % exp.runs.length]), label: `fig run ${i + 1}` }));
  for (const r of exp.runs) delete r.color;
  await openExperiment(page, exp);
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 120_000 });
  // a hidden run is in no chart: not in the figure either
  await page.getByLabel('Show fig run 3 in the charts').uncheck();
  const chart = page.locator('figure.chart[data-group="sharpness"]');
  await expect(chart).toBeVisible();
  const { d, svg } = await downloadSvg(
    page,
    () => chart.getByRole('button', { name: /as SVG/ }).click(),
    'figure-sharpness.svg',
  );
  expect(d.suggestedFilename()).toMatch(/^chart-sharpness-.*\.svg$/);
  expect(svg.error).toBeNull();
  expect(svg.root).toBe('svg');
  expect(svg.ns).toBe('http://www.w3.org/2000/svg');
  expect(svg.width).toBeGreaterThan(500);
  const texts = svg.texts.map((t) => t.trim());
  expect(texts).toContain('Sharpness'); // the title
  expect(texts).toContain('step'); // x axis title
  const group = METRIC_GROUPS.find((g) => g.id === 'sharpness')!;
  expect(texts).toContain(`${axisTitle(group)} (log scale)`); // y axis title: the quantity, on its log axis
  expect(texts).toContain(metricLabel('sharpness_threshold')); // the legend's line styles
  expect(texts).toContain('fig run 1');
  expect(texts).toContain('fig run 2');
  expect(texts).not.toContain('fig run 3');
  // round tick labels along the step axis
  expect(texts).toContain('0');
  expect(texts.some((t) => /^[1-9]0$/.test(t))).toBe(true);
  expect(log.errors).toEqual([]);
});

test('the run summary shows a bar per run, and a sweep’s phase diagram is drawn; both download as SVG', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const log = watchConsole(page);
  const base = smallExperiment(await defaultFromPage(page), 60);
  // an lr sweep: same optimizer, four learning rates
  base.runs = [0.02, 0.05, 0.1, 0.2].map((lr) => ({
    ...structuredClone(base.runs[0]),
    optimizer: { ...base.runs[0].optimizer, lr },
    label: `sweep lr=${lr}`,
  }));
  for (const r of base.runs) delete r.color;
  await openExperiment(page, base);
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 120_000 });

  const summary = page.locator('figure.run-summary');
  // figures follow the metrics only on screen (every 500 ms): bring it into view
  await summary.scrollIntoViewIfNeeded();
  await expect(summary).toBeVisible();
  await expect(summary.locator('.recharts-bar-rectangle')).toHaveCount(4);
  for (const lr of [0.02, 0.05, 0.1, 0.2]) await expect(summary).toContainText(`sweep lr=${lr}`);
  const bars = await downloadSvg(
    page,
    () => summary.getByRole('button', { name: /as SVG/ }).click(),
    'figure-run-summary.svg',
  );
  expect(bars.svg.error).toBeNull();
  expect(bars.svg.texts.filter((t) => t.startsWith('sweep lr='))).toHaveLength(4);
  expect(bars.svg.texts.some((t) => t.endsWith(' (final)'))).toBe(true); // the value axis title
  // another metric from the select redraws the bars
  await summary.getByLabel('metric').selectOption('train_loss');
  await expect(summary).toHaveAttribute('data-metric', 'train_loss');
  await expect(summary.locator('.recharts-bar-rectangle')).toHaveCount(4);

  const phase = page.locator('figure.phase');
  await phase.scrollIntoViewIfNeeded();
  await expect(phase).toHaveAttribute('data-axes', 'lr');
  await expect(phase.locator('.recharts-line-curve')).toHaveCount(1);
  await expect(phase.locator('.recharts-line-dot')).toHaveCount(4);
  const ph = await downloadSvg(page, () => phase.getByRole('button', { name: /as SVG/ }).click(), 'figure-phase.svg');
  expect(ph.svg.error).toBeNull();
  expect(ph.svg.texts.map((t) => t.trim())).toContain('lr (log scale)');
  await summary.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-output/figures.png', fullPage: true });
  expect(log.errors).toEqual([]);
});

test('with a preset loaded, the figure carries the preset’s title and caption', async ({ page }) => {
  test.setTimeout(180_000);
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  // the default experiment is a preset's
  const title = await page.locator('section.story .story-title').textContent();
  expect(title).toBeTruthy();
  await waitForStep(page, 20, 120_000);
  const chart = page.locator('figure.chart[data-group="loss"]');
  const { svg } = await downloadSvg(
    page,
    () => chart.getByRole('button', { name: /as SVG/ }).click(),
    'figure-preset.svg',
  );
  expect(svg.error).toBeNull();
  expect(svg.texts.some((t) => t.startsWith(`Preset: ${title!}`))).toBe(true);
  expect(log.errors).toEqual([]);
});
