/**
 * Accessibility: axe-core (every rule it has, every impact) finds nothing on the trained default
 * page in light and dark themes and in large-text mode, with the presets gallery open, with a
 * field error showing, with the data tab, the chart picker and the claims' numbers open and the
 * charts zoomed, on a page with a preset loaded (2-D data: decision boundaries, weights
 * buttons) and on an embedded page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test, type Page } from '@playwright/test';
import type { AxeResults } from 'axe-core';
import {
  defaultFromPage,
  expect,
  openExperiment,
  smallExperiment,
  waitForHook,
  waitForStep,
  watchConsole,
} from './helpers';

/** axe's source, evaluated in the page (the page's CSP refuses an injected <script>). */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Every violation of every axe rule (experimental ones included), one line each. */
async function axeViolations(page: Page, mode: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    const rules = axe.getRules().map((r) => r.ruleId);
    const res: AxeResults = await axe.run(document, {
      runOnly: { type: 'rule', values: rules },
      resultTypes: ['violations'],
    });
    return res.violations.map((v) => {
      // contrast: one line per distinct colour pair, with the first element that has it
      const pairs = new Map<string, string>();
      for (const n of v.nodes) {
        const d = n.any[0]?.data as { fgColor?: string; bgColor?: string; contrastRatio?: number } | undefined;
        const key = d?.fgColor ? `${d.fgColor} on ${d.bgColor} (${d.contrastRatio})` : '';
        if (key && !pairs.has(key)) pairs.set(key, n.target.join(' '));
      }
      return {
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
        summary: pairs.size ? [...pairs].map(([k, t]) => `${k}: ${t}`).join('\n') : (v.nodes[0]?.failureSummary ?? ''),
      };
    });
  });
  const lines = results.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.targets.length} node(s): ${v.targets.slice(0, 8).join(' | ')}` +
      `${v.targets.length > 8 ? ' | …' : ''}\n    ${v.summary.replace(/\n/g, '\n    ')}`,
  );
  console.log(`[a11y] ${mode}: ${results.length} violation(s)${lines.length ? '\n  ' + lines.join('\n  ') : ''}`);
  return lines;
}

/** The default page once it trained a little: charts and the run table are there. */
async function openDefault(page: Page): Promise<void> {
  await page.goto('/');
  await waitForHook(page);
  await waitForStep(page, 10);
  await expect(page.locator('figure.chart[data-group="loss"]')).toBeVisible();
  await expect(page.locator('table.legend tbody tr')).not.toHaveCount(0);
  await page.getByRole('button', { name: 'Pause' }).click();
}

test('axe: the default page in light, dark and large-text modes, gallery open, a field error', async ({ page }) => {
  test.setTimeout(240_000);
  const log = watchConsole(page);
  await openDefault(page);
  const found: Record<string, string[]> = {};
  found.light = await axeViolations(page, 'light');

  await page.getByRole('button', { name: 'Dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  found.dark = await axeViolations(page, 'dark');

  await page.getByRole('button', { name: 'Large text' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-font', 'large');
  found['dark, large text'] = await axeViolations(page, 'dark, large text');

  await page.getByRole('button', { name: 'Light theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  found['light, large text'] = await axeViolations(page, 'light, large text');
  await page.getByRole('button', { name: 'Large text' }).click();

  await page.locator('details.presets > summary').click();
  await expect(page.locator('details.presets')).toHaveAttribute('open', '');
  // the gallery may lie over the editor: open the sweep form from the keyboard
  const sweep = page.locator('.run-card').first().locator('details.sweep-box');
  await sweep.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(sweep).toHaveAttribute('open', '');
  found['light, gallery and sweep open'] = await axeViolations(page, 'light, gallery and sweep open');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  found['dark, gallery and sweep open'] = await axeViolations(page, 'dark, gallery and sweep open');

  const lr = page.getByRole('region', { name: 'Run 1' }).getByLabel('lr', { exact: true });
  await lr.fill('abc');
  await expect(page.getByRole('region', { name: 'Run 1' }).locator('.field-error')).toBeVisible();
  found['dark, field error'] = await axeViolations(page, 'dark, field error');
  await page.getByRole('button', { name: 'Light theme' }).click();
  found['light, field error'] = await axeViolations(page, 'light, field error');

  // a value the validator rejects: the problems summary shows too
  await lr.fill('0');
  await expect(page.locator('.problems')).toBeVisible();
  found['light, problems'] = await axeViolations(page, 'light, problems');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  found['dark, problems'] = await axeViolations(page, 'dark, problems');

  // the data tab (dataset tiles), the chart picker and the claims' numbers open, zoomed in
  await lr.fill('0.05');
  await expect(page.locator('.problems')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Data' }).click();
  await page.getByRole('button', { name: /Show the numbers/ }).click();
  const plot = (await page.locator('figure.chart[data-group="loss"] .chart-hover').boundingBox())!;
  await page.mouse.move(plot.x + plot.width * 0.3, plot.y + plot.height / 2);
  await page.mouse.down();
  await page.mouse.move(plot.x + plot.width * 0.6, plot.y + plot.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(page.locator('.zoom-state')).toBeVisible();
  await page.locator('details.chart-picker > summary').click();
  await expect(page.locator('details.chart-picker')).toHaveAttribute('open', '');
  found['dark, data tab, chart picker, numbers, zoom'] = await axeViolations(
    page,
    'dark, data tab, chart picker, numbers, zoom',
  );
  await page.getByRole('button', { name: 'Light theme' }).click();
  await page.getByRole('button', { name: 'Large text' }).click();
  found['light, large text, data tab, chart picker, numbers, zoom'] = await axeViolations(
    page,
    'light, large text, data tab, chart picker, numbers, zoom',
  );

  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  expect(log.errors).toEqual([]);
});

test('axe: a preset with 2-D data (boundaries, weights buttons), light and dark', async ({ page }) => {
  test.setTimeout(240_000);
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  await page.locator('details.presets > summary').click();
  const card = page.locator('.preset-card[data-preset="edge-of-stability"]');
  const title = (await card.locator('h2').textContent()) ?? '';
  await card.getByRole('button', { name: /^Load/ }).click();
  await page.waitForFunction((t) => document.body.textContent?.includes(`Loaded preset: ${t}.`) ?? false, title);
  await waitForStep(page, 30);
  await expect(page.locator('.boundary-run').first()).toHaveAttribute('data-step', /^\d+$/);
  await page.getByRole('button', { name: 'Pause' }).click();
  const found: Record<string, string[]> = {};
  found['preset, light'] = await axeViolations(page, 'preset, light');
  await page.getByRole('button', { name: 'Dark theme' }).click();
  found['preset, dark'] = await axeViolations(page, 'preset, dark');
  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  expect(log.errors).toEqual([]);
});

test('axe: an embedded experiment', async ({ page }) => {
  const log = watchConsole(page);
  const hash = await openExperiment(page, smallExperiment(await defaultFromPage(page), 5000));
  await page.goto('about:blank');
  await page.goto(`/${hash}&embed=1`);
  await waitForHook(page);
  await waitForStep(page, 10);
  await expect(page.locator('figure.chart[data-group="loss"]')).toBeVisible();
  await page.getByRole('button', { name: 'Pause' }).click();
  const found: Record<string, string[]> = {};
  found['embed, light'] = await axeViolations(page, 'embed, light');
  // no theme buttons in an embed: the page follows the system's colour scheme
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('about:blank');
  await page.goto(`/${hash}&embed=1`);
  await waitForHook(page);
  await waitForStep(page, 10);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByRole('button', { name: 'Pause' }).click();
  found['embed, dark'] = await axeViolations(page, 'embed, dark');
  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  expect(log.errors).toEqual([]);
});
