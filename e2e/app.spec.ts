/** The main view on WebGPU: loads cleanly, trains the default experiment, edits runs, screenshots. */
import { test } from '@playwright/test';
import {
  defaultFromPage,
  expect,
  openExperiment,
  rows,
  smallExperiment,
  snapshot,
  valuesOf,
  waitForHook,
  waitForStep,
  watchConsole,
} from './helpers';

test('loads with no console errors and logs the WebGPU adapter it trains on', async ({ page }) => {
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  await expect(page.getByRole('heading', { name: 'Optimizer playground' })).toBeVisible();
  await page.waitForFunction(() => window.__playground!.snapshot().backend !== null);
  const s = await snapshot(page);
  console.log(
    `[e2e] backend ${s.backend}, adapter "${s.adapter}"${s.fallbackReason ? `, fallback: ${s.fallbackReason}` : ''}`,
  );
  expect(s.backend, `fell back to the CPU: ${s.fallbackReason}`).toBe('webgpu');
  await expect(page.getByTestId('backend')).toContainText('WebGPU');
  expect(log.infos.some((l) => l.startsWith('[playground] backend: webgpu; adapter: '))).toBe(true);
  await waitForStep(page, 20);
  expect(log.errors).toEqual([]);
});

test('the default experiment trains at once and its training loss falls', async ({ page }) => {
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  await waitForStep(page, 120);
  const all = await rows(page);
  const s = await snapshot(page);
  expect(s.runs).toBe(2);
  for (let run = 0; run < 2; run++) {
    const loss = valuesOf(all, run, 'train_loss');
    expect(loss[0].step).toBe(0);
    expect(loss.length).toBeGreaterThan(10);
    const best = Math.min(...loss.map((p) => p.value));
    expect(best, `run ${run} loss never fell below its start`).toBeLessThan(loss[0].value * 0.9);
  }
  const small = valuesOf(all, 0, 'train_loss');
  expect(small[small.length - 1].value).toBeLessThan(small[0].value);
  const lossChart = page.locator('figure.chart[data-group="loss"]');
  await expect(lossChart).toBeVisible();
  // hover read-out
  const box = await lossChart.locator('.chart-surface').boundingBox();
  if (!box) throw new Error('the loss chart has no drawing surface');
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await expect(lossChart.locator('.chart-tooltip-wrapper')).toContainText('step');
  await page.screenshot({ path: 'test-output/main-view.png', fullPage: true });
  await page.getByRole('button', { name: 'Dark theme' }).click();
  await page.getByRole('button', { name: 'Large text' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: 'test-output/main-view-dark-large.png', fullPage: true });
  expect(log.errors).toEqual([]);
});

test('changing an optimizer and adding a run restarts training with the new runs', async ({ page }) => {
  const log = watchConsole(page);
  await openExperiment(page, smallExperiment(await defaultFromPage(page), 5000));
  await waitForStep(page, 10);
  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByLabel('Optimizer of run 2').selectOption('adam');
  await page.getByRole('button', { name: 'Add run' }).click();
  await expect(page.getByRole('region', { name: 'Run 3' })).toBeVisible();
  const exp = await page.evaluate(() => window.__playground!.experiment());
  expect(exp.runs.map((r) => r.optimizer.name)).toEqual(['sgd', 'adam', 'adam']);
  await page.getByRole('button', { name: 'Play' }).click();
  await waitForStep(page, 20);
  const all = await rows(page);
  for (let run = 0; run < 3; run++) expect(valuesOf(all, run, 'train_loss').length).toBeGreaterThan(1);
  expect(all.filter((r) => r.run > 2)).toEqual([]);
  // keyboard: space pauses
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  expect(log.errors).toEqual([]);
});

test('embed mode hides the editor', async ({ page }) => {
  const hash = await openExperiment(page, smallExperiment(await defaultFromPage(page), 100));
  await page.goto('about:blank');
  await page.goto(`/${hash}&embed=1`);
  await waitForHook(page);
  await expect(page.getByRole('toolbar', { name: 'Training controls' })).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Experiment editor' })).toHaveCount(0);
  await waitForStep(page, 10);
  await page.screenshot({ path: 'test-output/embed-view.png' });
});

test('edit → watch: after a run finished, an edit trains again without Play; renaming keeps the curves; labels follow the optimizer', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const log = watchConsole(page);
  await openExperiment(page, smallExperiment(await defaultFromPage(page), 60));
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 120_000 });
  const before = await snapshot(page);
  const rowsBefore = (await rows(page)).length;
  // a cosmetic edit: same generation, same rows
  await page.getByLabel('Label of run 1').fill('my small rate');
  await page.getByRole('group', { name: 'Colour of run 1' }).getByRole('button').nth(3).click();
  expect((await snapshot(page)).gen).toBe(before.gen);
  expect((await rows(page)).length).toBe(rowsBefore);
  // a numeric edit after the end: a new generation that plays by itself
  await page.getByLabel('Optimizer of run 2').selectOption('adam');
  await expect(page.getByLabel('Label of run 2')).toHaveValue('adam lr=0.001');
  await page.waitForFunction((g) => window.__playground!.snapshot().gen > g, before.gen);
  await waitForStep(page, 20);
  const after = await snapshot(page);
  expect(after.state === 'playing' || after.state === 'done').toBe(true);
  await expect(page.getByLabel('Label of run 1')).toHaveValue('my small rate');
  expect(log.errors).toEqual([]);
});

test('keyboard: the skip link reaches Play in a few Tabs; space on a summary opens it instead of toggling training', async ({
  page,
}) => {
  const log = watchConsole(page);
  await openExperiment(page, smallExperiment(await defaultFromPage(page), 5000));
  await waitForStep(page, 5);
  // from the top of the freshly loaded page: Tab to the skip link, follow it, Tab to Play/Pause
  let presses = 0;
  await page.keyboard.press('Tab');
  presses++;
  await expect(page.locator(':focus')).toHaveText('Skip to the training controls');
  await page.keyboard.press('Enter');
  for (; presses < 5; presses++) {
    const name = await page.evaluate(() => document.activeElement?.textContent ?? '');
    if (/Pause|Play/.test(name) && (await page.evaluate(() => document.activeElement?.tagName)) === 'BUTTON') break;
    await page.keyboard.press('Tab');
  }
  await expect(page.locator(':focus')).toHaveText(/Pause|Play/);
  expect(presses).toBeLessThanOrEqual(5);
  // space on the presets' summary opens the gallery and leaves training alone
  const stateBefore = (await snapshot(page)).state;
  const summary = page.locator('details.presets > summary');
  await summary.focus();
  await page.keyboard.press(' ');
  await expect(page.locator('details.presets')).toHaveAttribute('open', '');
  expect((await snapshot(page)).state).toBe(stateBefore);
  expect(log.errors).toEqual([]);
});

test('the legend hides a run from every chart and shows it again', async ({ page }) => {
  const log = watchConsole(page);
  await openExperiment(page, smallExperiment(await defaultFromPage(page), 60));
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 120_000 });
  const exp = await page.evaluate(() => window.__playground!.experiment());
  const [first, second] = exp.runs.map((r) => r.label);
  const loss = page.locator('figure.chart[data-group="loss"] .chart-plot');
  const hoverNames = async () => {
    const box = (await loss.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    const items = page.locator('figure.chart[data-group="loss"] .chart-tooltip-item-name');
    await expect(items.first()).toBeVisible();
    return items.allTextContents();
  };
  expect((await hoverNames()).some((n) => n.startsWith(second))).toBe(true);
  await page.getByLabel(`Show ${second} in the charts`).uncheck();
  await page.mouse.move(0, 0);
  const names = await hoverNames();
  expect(names.some((n) => n.startsWith(first))).toBe(true);
  expect(names.some((n) => n.startsWith(second))).toBe(false);
  await page.getByLabel(`Show ${second} in the charts`).check();
  await page.mouse.move(0, 0);
  expect((await hoverNames()).some((n) => n.startsWith(second))).toBe(true);
  expect(log.errors).toEqual([]);
});

test('hover on one chart shows the same step on every chart', async ({ page }) => {
  const log = watchConsole(page);
  const exp = smallExperiment(await defaultFromPage(page), 60);
  exp.metrics.every = 1; // loss and accuracy logged at every step: the same steps exist on both charts
  await openExperiment(page, exp);
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 120_000 });
  const loss = page.locator('figure.chart[data-group="loss"] .chart-hover');
  const acc = page.locator('figure.chart[data-group="accuracy"] .chart-hover');
  const box = (await loss.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.5);
  await expect(loss).toHaveAttribute('data-step', /^\d+$/);
  const step = await loss.getAttribute('data-step');
  await expect(acc).toHaveAttribute('data-step', step!);
  // the other chart shows a cursor, not a second tooltip
  await expect(page.locator('figure.chart[data-group="accuracy"] .chart-tooltip')).toHaveCount(0);
  await expect(page.locator('figure.chart[data-group="loss"] .chart-tooltip')).toHaveCount(1);
  await page.mouse.move(0, 0);
  await expect(acc).not.toHaveAttribute('data-step', /\d/);
  expect(log.errors).toEqual([]);
});
