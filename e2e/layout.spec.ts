/**
 * What a class sees first, and the chart tools:
 * - at 1280x720 the story's look-for line, Play and the whole first chart are on the first screen;
 * - on a 390-px phone Play and the first chart are on the first screen, with no sideways scroll;
 * - an embed fits a 720x480 slide: title, look-for line, Play, two charts, the way out;
 * - dragging across a chart zooms every chart to that step range, double-click shows it all;
 * - a chart's own legend hides a run from every chart;
 * - the chart picker's choice is in the link and a reload keeps it.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { defaultFromPage, openExperiment, smallExperiment, waitForHook, waitForStep, watchConsole } from './helpers';

async function inViewport(page: Page, loc: Locator, what: string): Promise<void> {
  const box = await loc.boundingBox();
  const vp = page.viewportSize()!;
  expect(box, what).not.toBeNull();
  console.log(
    `[e2e] ${vp.width}x${vp.height}: ${what} at x ${Math.round(box!.x)}–${Math.round(box!.x + box!.width)}, y ${Math.round(box!.y)}–${Math.round(box!.y + box!.height)}`,
  );
  expect(box!.x, what).toBeGreaterThanOrEqual(0);
  expect(box!.y, what).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, what).toBeLessThanOrEqual(vp.width + 0.5);
  expect(box!.y + box!.height, what).toBeLessThanOrEqual(vp.height + 0.5);
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, 'page wider than the screen').toBeLessThanOrEqual(width);
}

test('1280x720: the story, Play and the whole first chart are on the first screen', async ({ page }) => {
  const log = watchConsole(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/');
  await waitForHook(page);
  await expect(page.locator('.chart-grid .chart').first()).toBeVisible();
  await inViewport(page, page.locator('.story-look'), 'look-for line');
  await inViewport(page, page.getByRole('button', { name: /^(Play|Pause)$/ }), 'Play');
  await inViewport(page, page.locator('.chart-grid .chart').first(), 'first chart');
  await noSidewaysScroll(page);
  await page.screenshot({ path: 'test-output/first-view-1280x720.png' });
  expect(log.errors).toEqual([]);
});

test('phone (390x844): Play and the first chart on the first screen, the editor below, no sideways scroll', async ({
  page,
}) => {
  const log = watchConsole(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await waitForHook(page);
  await expect(page.locator('.chart-grid .chart').first()).toBeVisible();
  await inViewport(page, page.getByRole('button', { name: /^(Play|Pause)$/ }), 'Play');
  await inViewport(page, page.locator('.chart-grid .chart .chart-plot').first(), 'first chart plot');
  await noSidewaysScroll(page);
  // the editor follows the charts instead of coming first
  const editorTop = (await page.getByRole('complementary', { name: 'Experiment editor' }).boundingBox())!.y;
  const chartTop = (await page.locator('.chart-grid .chart').first().boundingBox())!.y;
  expect(editorTop).toBeGreaterThan(chartTop);
  await page.screenshot({ path: 'test-output/phone-390.png' });
  expect(log.errors).toEqual([]);
});

test('embed fits a 720x480 slide: the look-for line, Play, two charts and the way out', async ({ page }) => {
  const log = watchConsole(page);
  const base = await defaultFromPage(page);
  const hash = await page.evaluate((e) => window.__playground!.hashFor(e), base as unknown);
  expect(typeof hash).toBe('string');
  await page.setViewportSize({ width: 720, height: 480 });
  await page.goto('about:blank');
  await page.goto(`/${hash as string}&embed=1`);
  await waitForHook(page);
  const charts = page.locator('.chart-grid .chart');
  await expect(charts.nth(1)).toBeVisible();
  await inViewport(page, page.locator('.story-title'), 'preset title');
  await inViewport(page, page.locator('.story-look'), 'look-for line');
  await inViewport(page, page.getByRole('button', { name: /^(Play|Pause)$/ }), 'Play');
  await inViewport(page, page.getByRole('link', { name: /Open in the playground/ }), 'link to the playground');
  await inViewport(page, charts.nth(0).locator('.chart-plot'), 'first chart plot');
  await inViewport(page, charts.nth(1).locator('.chart-plot'), 'second chart plot');
  await noSidewaysScroll(page);
  // no editing chrome
  await expect(page.getByRole('complementary', { name: 'Experiment editor' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Dark theme' })).toHaveCount(0);
  await expect(page.locator('table.legend')).toHaveCount(0);
  await page.screenshot({ path: 'test-output/embed-720x480.png' });
  expect(log.errors).toEqual([]);
});

test('drag across a chart zooms every chart to that step range; double-click shows the whole run', async ({ page }) => {
  const log = watchConsole(page);
  await openExperiment(page, smallExperiment(await defaultFromPage(page), 200));
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 120_000 });
  const loss = page.locator('.chart[data-group="loss"] .chart-hover');
  const acc = page.locator('.chart[data-group="accuracy"] .chart-hover');
  const box = (await loss.boundingBox())!;
  // from about a quarter to about half of the plot's width
  const y = box.y + box.height * 0.4;
  await page.mouse.move(box.x + box.width * 0.3, y);
  // the read-out answers once the chart has drawn its plot, which the drag needs ("done" can come
  // before the last frame of a busy page)
  await expect(loss).toHaveAttribute('data-step', /^\d+$/);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
  await page.mouse.up();
  const state = page.locator('.zoom-state');
  await expect(state).toBeVisible();
  const m = /Steps (\d+)–(\d+)/.exec((await state.textContent()) ?? '');
  expect(m, 'zoom range shown').not.toBeNull();
  const [lo, hi] = [Number(m![1]), Number(m![2])];
  console.log(`[e2e] zoomed to steps ${lo}–${hi}`);
  expect(lo).toBeGreaterThan(0);
  expect(hi).toBeLessThan(200);
  expect(hi - lo).toBeGreaterThan(20);
  // the other chart now runs over the same range: its left and right edges read out steps inside it
  const ab = (await acc.boundingBox())!;
  // The hover read-out follows the pointer on the next frames (throttled), so wait for it to settle.
  const readStep = () => acc.getAttribute('data-step').then(Number);
  const inZoom = (v: number) => v >= lo - 10 && v <= hi + 10;
  for (const fx of [0.2, 0.95]) {
    await page.mouse.move(ab.x + ab.width * fx, ab.y + ab.height * 0.4);
    await expect.poll(async () => inZoom(await readStep()), { timeout: 5000 }).toBe(true);
  }
  await page.mouse.dblclick(ab.x + ab.width * 0.5, ab.y + ab.height * 0.4);
  await expect(state).toHaveCount(0);
  await page.mouse.move(ab.x + ab.width * 0.95, ab.y + ab.height * 0.4);
  await expect.poll(readStep, { timeout: 5000 }).toBeGreaterThan(hi + 10);
  expect(log.errors).toEqual([]);
});

test('a drag whose events all arrive before the page renders still zooms (a busy main thread)', async ({ page }) => {
  const log = watchConsole(page);
  await openExperiment(page, smallExperiment(await defaultFromPage(page), 200));
  await page.waitForFunction(() => window.__playground!.snapshot().state === 'done', null, { timeout: 120_000 });
  const hover = page.locator('.chart[data-group="loss"] .chart-hover');
  // the chart has drawn its plot once the read-out answers the pointer (the drag needs the plot)
  await hover.evaluate((el) => {
    const r = el.getBoundingClientRect();
    el.dispatchEvent(
      new MouseEvent('mousemove', { bubbles: true, clientX: r.left + r.width * 0.3, clientY: r.top + r.height * 0.4 }),
    );
  });
  await expect(hover).toHaveAttribute('data-step', /^\d+$/);
  // pointerdown, moves and pointerup dispatched in one task: React renders none of them in between
  await hover.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const y = r.top + r.height * 0.4;
    const at = (type: string, f: number) =>
      el.dispatchEvent(
        new PointerEvent(type, { bubbles: true, pointerId: 7, button: 0, clientX: r.left + r.width * f, clientY: y }),
      );
    at('pointerdown', 0.3);
    for (const f of [0.4, 0.5, 0.6]) at('pointermove', f);
    at('pointerup', 0.6);
  });
  const state = page.locator('.zoom-state');
  await expect(state).toBeVisible();
  const m = /Steps (\d+)–(\d+)/.exec((await state.textContent()) ?? '');
  expect(m, 'zoom range shown').not.toBeNull();
  expect(Number(m![2]) - Number(m![1])).toBeGreaterThan(20);
  expect(log.errors).toEqual([]);
});

test("a chart's legend hides a run from every chart; the chart picker's choice is in the link and survives a reload", async ({
  page,
}) => {
  const log = watchConsole(page);
  await openExperiment(page, smallExperiment(await defaultFromPage(page), 5000));
  await waitForStep(page, 20);
  const legend = page.locator('.chart[data-group="loss"] .chart-legend');
  const second = legend.getByRole('button').nth(1);
  await expect(second).toHaveAttribute('aria-pressed', 'true');
  await second.click();
  await expect(second).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator('.chart[data-group="accuracy"] .chart-legend').getByRole('button').nth(1)).toHaveAttribute(
    'aria-pressed',
    'false',
  );
  await expect(page.locator('table.legend tr[data-run="1"] input[type="checkbox"]')).not.toBeChecked();
  await second.click();
  await expect(second).toHaveAttribute('aria-pressed', 'true');

  // choose the charts: accuracy first, without the loss
  const order = () =>
    page.locator('.chart-grid .chart').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
  const before = await order();
  expect(before.slice(0, 2)).toEqual(['loss', 'accuracy']);
  await page.getByText(/^Choose charts/).click();
  await page.getByRole('button', { name: 'Move Accuracy up' }).click();
  await page.locator('.chart-picker li[data-chart="loss"] input[type="checkbox"]').uncheck();
  await expect
    .poll(order)
    .toEqual(before.filter((g) => g !== 'loss').sort((a, b) => (a === 'accuracy' ? -1 : b === 'accuracy' ? 1 : 0)));
  const picked = await order();
  await expect.poll(() => new URL(page.url()).hash).toContain('charts=');
  const url = page.url();
  await page.goto('about:blank');
  await page.goto(url);
  await waitForHook(page);
  await expect.poll(order).toEqual(picked);
  // and back to the automatic choice
  await page.getByText(/^Choose charts/).click();
  await page.getByRole('button', { name: 'Back to the automatic choice' }).click();
  await expect.poll(order).toEqual(before);
  await expect.poll(() => new URL(page.url()).hash).not.toContain('charts=');
  expect(log.errors).toEqual([]);
});

test('the data tab shows a thumbnail per dataset; picking the spiral puts its decision boundary beside the loss', async ({
  page,
}) => {
  const log = watchConsole(page);
  await openExperiment(page, smallExperiment(await defaultFromPage(page), 5000));
  await waitForStep(page, 5);
  await page.getByRole('tab', { name: 'Data' }).click();
  const tiles = page.locator('.dataset-tile');
  expect(await tiles.count()).toBeGreaterThanOrEqual(12);
  // every thumbnail was drawn: some pixel of each canvas is not blank
  const drawn = await tiles.locator('canvas').evaluateAll((cs) =>
    (cs as HTMLCanvasElement[]).map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
      return false;
    }),
  );
  expect(drawn.every(Boolean), JSON.stringify(drawn)).toBe(true);
  const gen = (await page.evaluate(() => window.__playground!.snapshot())).gen;
  await page.locator('.dataset-tile[data-kind="spiral"]').click();
  await expect(page.locator('.dataset-tile[data-kind="spiral"]')).toHaveAttribute('aria-pressed', 'true');
  await page.waitForFunction((g) => window.__playground!.snapshot().gen > g, gen);
  expect(await page.evaluate(() => window.__playground!.experiment().data.kind)).toBe('spiral');
  // the boundary maps lead the chart grid, the loss chart right after them
  const first = page.locator('.chart-grid > *').first();
  await expect(first).toHaveClass(/boundary/);
  await expect(page.locator('.chart-grid > *').nth(1)).toHaveAttribute('data-group', 'loss');
  await expect(first.locator('.boundary-run[data-run="0"]')).not.toHaveAttribute('data-step', '', { timeout: 60_000 });
  expect(log.errors).toEqual([]);
});
