/**
 * Presets, the decision boundary, exports and main-thread responsiveness:
 * - every preset card loads its experiment, which trains some steps without console errors (a
 *   screenshot of one preset goes to test-output/);
 * - on 2-D data every run's decision-boundary canvas is drawn from the worker's parameters;
 * - a chart downloads as a PNG, a run's weights as JSON that parses;
 * - the largest main-thread task while 8 runs (an lr sweep) train for ~10 s (PerformanceObserver
 *   'longtask'), printed, not asserted; the sweep's phase diagram shows.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import {
  defaultFromPage,
  loadPreset,
  openExperiment,
  smallExperiment,
  watchConsole,
  waitForHook,
  waitForStep,
} from './helpers';

test('each preset loads and trains some steps without errors', async ({ page }) => {
  test.setTimeout(480_000); // every preset, 10 steps each (16 presets)
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  await page.getByText('Presets: phenomena from the papers').click();
  const ids = await page.locator('.preset-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-preset')!));
  expect(ids.length).toBeGreaterThanOrEqual(8);
  for (const id of ids) {
    const title = await loadPreset(page, id);
    await waitForStep(page, 10, 120_000);
    const snap = await page.evaluate(() => window.__playground!.snapshot());
    expect(snap.runs, title).toBeGreaterThan(0);
    expect(snap.state, title).not.toBe('idle');
    // the story stays beside the charts, with the preset's claims judged live
    const story = page.locator(`section.story[data-preset="${id}"]`);
    await expect(story.locator('.story-title')).toHaveText(title);
    expect(await story.locator('li.claim').count(), title).toBeGreaterThan(0);
  }
  expect(log.errors).toEqual([]);
});

test('the default preset trains to the end and the page marks each of its claims as seen', async ({ page }) => {
  test.setTimeout(300_000);
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  const story = page.locator('section.story[data-preset="benign-oscillation"]');
  await expect(story).toBeVisible();
  const claims = story.locator('li.claim');
  const n = await claims.count();
  expect(n).toBeGreaterThan(0);
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 280_000 });
  for (let i = 0; i < n; i++) {
    await expect(claims.nth(i)).toHaveAttribute('data-status', 'seen', { timeout: 10_000 });
    expect((await claims.nth(i).textContent()) ?? '').toMatch(/seen at step \d+/);
  }
  await page.screenshot({ path: 'test-output/default-preset-claims.png', fullPage: false });
  expect(log.errors).toEqual([]);
});

test('decision boundary per run on 2-D data, chart PNG and weights JSON downloads', async ({ page }) => {
  test.setTimeout(180_000);
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  await page.getByText('Presets: phenomena from the papers').click();
  await loadPreset(page, 'edge-of-stability');
  await waitForStep(page, 30, 120_000);
  const runs = await page.evaluate(() => window.__playground!.snapshot().runs);
  const figs = page.locator('.boundary-run');
  await expect(figs).toHaveCount(runs);
  // Every canvas drawn (data-step set once the worker's parameters arrived), with more than one colour.
  for (let r = 0; r < runs; r++) await expect(figs.nth(r)).toHaveAttribute('data-step', /^\d+$/);
  const colours = await page
    .locator('.boundary-run canvas')
    .first()
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
  expect(colours).toBeGreaterThan(5);
  await page.locator('.boundary').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-output/preset.png', fullPage: true });

  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.chart[data-group="loss"]').getByRole('button', { name: /PNG/ }).click(),
  ]);
  await png.saveAs('test-output/chart-loss.png');
  const bytes = readFileSync((await png.path())!);
  expect(png.suggestedFilename()).toMatch(/\.png$/);
  expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(bytes.length).toBeGreaterThan(2000);

  const [weights] = await Promise.all([
    page.waitForEvent('download'),
    figs
      .nth(0)
      .getByRole('button', { name: /weights/i })
      .click(),
  ]);
  const w = JSON.parse(readFileSync((await weights.path())!, 'utf8')) as {
    layers: { name: string; shape: number[]; values: number[] }[];
  };
  expect(w.layers[0].name).toBe('layers.0.weight');
  const model = (await page.evaluate(() => window.__playground!.experiment())).model;
  const width = model.kind === 'mlp' ? model.hidden[0] : NaN;
  expect(w.layers[0].shape).toEqual([width, 2]); // [out, in]: the first hidden layer on 2-D data
  for (const l of w.layers) expect(l.values.length).toBe(l.shape.reduce((a, b) => a * b, 1));
  expect(log.errors).toEqual([]);
});

test('largest main-thread task while 8 runs train (measured, not asserted)', async ({ page }) => {
  test.setTimeout(180_000);
  const log = watchConsole(page);
  const base = smallExperiment(await defaultFromPage(page), 100_000);
  if (base.model.kind === 'mlp') base.model = { ...base.model, hidden: [32] };
  // An lr sweep (same optimizer, lr 0.01 * 1.5^i), so the phase diagram shows too.
  base.runs = Array.from({ length: 8 }, (_, i) => {
    const r = structuredClone(base.runs[0]);
    r.optimizer = { ...r.optimizer, lr: Number((0.01 * 1.5 ** i).toPrecision(4)) };
    return { ...r, label: `run ${i + 1}` };
  });
  for (const r of base.runs) delete r.color;
  await openExperiment(page, base);
  await waitForStep(page, 20, 120_000);
  const tasks = await page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const seen: number[] = [];
        const obs = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) seen.push(e.duration);
        });
        obs.observe({ type: 'longtask', buffered: false });
        setTimeout(() => {
          obs.disconnect();
          resolve(seen);
        }, 10_000);
      }),
  );
  const longest = Math.max(0, ...tasks);
  const top = tasks
    .sort((a, b) => b - a)
    .slice(0, 5)
    .map((d) => Math.round(d));
  const snap = await page.evaluate(() => window.__playground!.snapshot());
  const note = longest === 0 ? ' (no task over the 50 ms long-task threshold)' : '';
  console.log(
    `[e2e] longest main-thread task: ${Math.round(longest)} ms${note} (8 runs, step ${snap.step}, ${snap.backend}; ${tasks.length} tasks over 50 ms, longest [${top.join(', ')}] ms)`,
  );
  expect(snap.runs).toBe(8);
  await expect(page.locator('.phase')).toHaveAttribute('data-axes', 'lr');
  await expect(page.locator('.phase .chart-line-curve')).toHaveCount(1);
  expect(Number.isFinite(longest)).toBe(true);
  expect(log.errors).toEqual([]);
});
