/** The main view on WebGPU: loads cleanly, trains the default experiment, edits runs, screenshots. */
import { test } from '@playwright/test';
import {
  defaultFromPage,
  expect,
  loadPreset,
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

test('keyboard: the skip link reaches Play in a few Tabs; space on a summary opens it; no shortcut while a field, a checkbox or a summary has focus', async ({
  page,
}) => {
  const log = watchConsole(page);
  const hash = await openExperiment(page, smallExperiment(await defaultFromPage(page), 5000));
  await waitForStep(page, 5);
  const before = await snapshot(page);
  // from the top of the freshly loaded page: Tab to the skip link, follow it, one Tab to Play/Pause
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveText('Skip to the training controls');
  await page.keyboard.press('Enter');
  await expect(page.locator(':focus')).toHaveId('controls');
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveAccessibleName(/^(Pause|Play)$/);
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BUTTON');
  // following the skip link leaves the address (the experiment's hash) and the experiment alone
  expect(new URL(page.url()).hash).toBe(hash);
  const after = await snapshot(page);
  expect([after.gen, after.notice]).toEqual([before.gen, null]);

  // no shortcut acts while focus is on a <summary>, a text field or a checkbox; each does its own thing
  const untouched = async () => {
    const s = await snapshot(page);
    expect([s.state, s.gen]).toEqual(['playing', before.gen]);
  };
  const gallery = page.locator('details.presets');
  await gallery.locator('summary').focus();
  await page.keyboard.press(' ');
  await expect(gallery).toHaveAttribute('open', '');
  await untouched();
  await page.keyboard.press('Escape');
  await expect(gallery).not.toHaveAttribute('open', '');
  const sweep = page.getByRole('region', { name: 'Run 1' }).locator('details.sweep-box');
  await sweep.locator('summary').focus();
  await page.keyboard.press(' ');
  await expect(sweep).toHaveAttribute('open', '');
  await untouched();
  await page.keyboard.press('Enter');
  await expect(sweep).not.toHaveAttribute('open', '');
  const label = page.getByLabel('Label of run 1');
  await label.focus();
  await page.keyboard.press('End');
  await page.keyboard.type(' s r');
  await expect(label).toHaveValue(/ s r$/);
  await untouched();
  const show = page.locator('table.legend input[type="checkbox"]').first();
  await show.focus();
  await page.keyboard.press(' ');
  await expect(show).not.toBeChecked();
  await untouched();
  // and on the page itself, space pauses
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press(' ');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  expect(log.errors).toEqual([]);
});

test('the problems summary names the run and the field as the page does, each problem once', async ({ page }) => {
  const log = watchConsole(page);
  const exp = smallExperiment(await defaultFromPage(page), 5000);
  exp.batchSize = 16;
  await openExperiment(page, exp);
  await waitForStep(page, 5);
  const gen = (await snapshot(page)).gen;
  const problems = page.locator('.problems');
  const run1 = page.getByRole('region', { name: 'Run 1' });
  const lr = run1.getByLabel('lr', { exact: true });
  await lr.fill('0');
  // the label follows the optimizer's hyperparameters until one is typed
  const label = await page.getByLabel('Label of run 1').inputValue();
  const badLr = `Run 1 (${label}): learning rate lr — expected a number > 0, got 0`;
  await expect(problems.locator('li')).toHaveText([badLr]);
  await expect(run1.locator('.field-error')).toHaveText(['expected a number > 0, got 0']);
  // the editor may show the training settings in a tab of their own
  const trainingTab = page.getByRole('tab', { name: /^Training/ });
  if ((await trainingTab.count()) > 0) await trainingTab.click();
  await page.getByLabel('Batch size', { exact: true }).fill('5000');
  const tooLarge = `5000 is larger than Data's nTrain (64); use at most 64 or "full"`;
  await expect(problems.locator('li')).toHaveText([badLr, `Training: Batch size — ${tooLarge}`]);
  // beside the fields, the batch-size problem shows once (under Batch size, not also under Full batch)
  await expect(page.locator('.field-error', { hasText: 'is larger than' })).toHaveCount(1);
  await expect(problems).not.toContainText('runs[');
  await expect(problems).not.toContainText('batchSize');
  expect((await snapshot(page)).gen).toBe(gen); // training goes on with the last valid experiment
  await page.getByLabel('Batch size', { exact: true }).fill('32');
  const runsTab = page.getByRole('tab', { name: /^Runs/ });
  if ((await runsTab.count()) > 0) await runsTab.click();
  await page.getByRole('region', { name: 'Run 1' }).getByLabel('lr', { exact: true }).fill('0.05');
  await expect(problems).toHaveCount(0);
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
    // the run table sits below the charts: bring the chart back into view before pointing at it
    await loss.scrollIntoViewIfNeeded();
    const box = (await loss.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    // the read-out lists lines by name, or (several metrics per run) has a row per run
    const items = page.locator(
      'figure.chart[data-group="loss"] :is(.chart-tooltip-item-name, .chart-tooltip-table tbody th)',
    );
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

test("a chart drawn after another chart's read-out moved still shows its cursor at that step", async ({ page }) => {
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  await loadPreset(page, 'edge-of-stability');
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 120_000 });
  const loss = page.locator('figure.chart[data-group="loss"] .chart-hover');
  const before = await page.locator('figure.chart .chart-hover').count();
  // a read-out on the loss chart without moving the real pointer (which would leave the chart)
  await loss.evaluate((el) => {
    const r = el.getBoundingClientRect();
    el.dispatchEvent(
      new MouseEvent('mousemove', { bubbles: true, clientX: r.left + r.width * 0.55, clientY: r.top + r.height * 0.5 }),
    );
  });
  await expect(loss).toHaveAttribute('data-step', /^\d+$/);
  const step = Number(await loss.getAttribute('data-step'));
  // the preset's other charts mount now, after the step was published
  await page.locator('button.show-all-charts').evaluate((b) => (b as HTMLButtonElement).click());
  const later = page.locator('figure.chart .chart-hover');
  await expect.poll(() => later.count()).toBeGreaterThan(before);
  const n = await later.count();
  for (let i = before; i < n; i++) {
    const h = later.nth(i);
    // each shows a cursor at its logged step nearest to the read-out's (metrics every 10 steps)
    await expect(h).toHaveAttribute('data-step', /^\d+$/);
    expect(Math.abs(Number(await h.getAttribute('data-step')) - step)).toBeLessThanOrEqual(10);
  }
  expect(log.errors).toEqual([]);
});
