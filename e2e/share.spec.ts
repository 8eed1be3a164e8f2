/** Links, bad links, export and import. */
import { readFile } from 'node:fs/promises';
import { test } from '@playwright/test';
import {
  defaultFromPage,
  expect,
  openExperiment,
  rows,
  smallExperiment,
  snapshot,
  waitForHook,
  waitForStep,
  watchConsole,
} from './helpers';

test('Copy link opens a page with the same config and the same first logged metrics', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const log = watchConsole(page);
  const exp = smallExperiment(await defaultFromPage(page), 60);
  exp.runs[1].optimizer = { ...exp.runs[1].optimizer, lr: 0.5 };
  await openExperiment(page, exp);
  await waitForStep(page, 20);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied to the clipboard.')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(await page.getByLabel('Share link').inputValue());
  expect(link).toMatch(/^http:\/\/localhost:\d+\/#e=1\./);
  const first = (await rows(page)).filter((r) => r.step <= 20);
  const config = await page.evaluate(() => window.__playground!.experiment());

  const other = await context.newPage();
  const log2 = watchConsole(other);
  await other.goto(link);
  await waitForHook(other);
  await waitForStep(other, 20);
  expect(await other.evaluate(() => window.__playground!.experiment())).toEqual(config);
  const second = (await rows(other)).filter((r) => r.step <= 20);
  expect(second.map((r) => `${r.run}/${r.step}/${r.metric}`)).toEqual(
    first.map((r) => `${r.run}/${r.step}/${r.metric}`),
  );
  second.forEach((r, i) => {
    const a = first[i].value;
    expect(Math.abs(r.value - a), `${r.metric} run ${r.run} step ${r.step}`).toBeLessThanOrEqual(
      1e-6 * Math.max(1, Math.abs(a)),
    );
  });
  expect([...log.errors, ...log2.errors]).toEqual([]);
});

test('a garbage link shows a specific message and falls back to the default experiment', async ({ page }) => {
  const log = watchConsole(page);
  await page.goto('/#e=garbage');
  await waitForHook(page);
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText("This link's experiment could not be opened");
  await expect(notice).toContainText('Showing the default experiment instead');
  const s = await snapshot(page);
  expect(s.runs).toBe(2);
  await page.goto('about:blank');
  await page.goto('/#e=9.xyz');
  await expect(page.getByTestId('notice')).toContainText('newer than this playground supports');
  expect(log.errors).toEqual([]);
});

test('exports download files that parse, and a bad import is refused with a message', async ({ page }) => {
  const exp = smallExperiment(await defaultFromPage(page), 40);
  await openExperiment(page, exp);
  await waitForStep(page, 20);

  const [expDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Experiment JSON', exact: true }).click(),
  ]);
  const expText = await readFile(await expDl.path(), 'utf8');
  const parsed = JSON.parse(expText);
  expect(parsed).toEqual(await page.evaluate(() => window.__playground!.experiment()));

  const [csvDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Metrics CSV', exact: true }).click(),
  ]);
  expect(csvDl.suggestedFilename()).toMatch(/\.csv$/);
  const lines = (await readFile(await csvDl.path(), 'utf8')).trim().split('\n');
  expect(lines[0]).toBe('run,step,metric,value');
  expect(lines.length).toBeGreaterThan(5);
  for (const l of lines.slice(1)) expect(l).toMatch(/^\d+,\d+,[a-z_0-9]+,(-?[\d.e+-]+|NaN|-?Infinity)$/);

  const [jsonDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Metrics JSON', exact: true }).click(),
  ]);
  const metrics = JSON.parse(await readFile(await jsonDl.path(), 'utf8'));
  expect(metrics.runs).toHaveLength(2);
  expect(metrics.runs[0].metrics.train_loss.step[0]).toBe(0);

  const input = page.getByLabel('Import experiment JSON');
  await input.setInputFiles({
    name: 'bad.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ ...parsed, steps: 'many' })),
  });
  await expect(page.getByTestId('notice')).toContainText('The file "bad.json" could not be opened: steps:');
  const good = { ...parsed, steps: 30 };
  await input.setInputFiles({
    name: 'good.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(good)),
  });
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await page.waitForFunction(() => window.__playground!.experiment().steps === 30);
});
