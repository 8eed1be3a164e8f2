/**
 * The loss valley seen from above, on the edge-of-stability preset (which opens the panel): the
 * worker's loss surface on the plane of the top two Hessian eigenvectors is drawn on the canvas
 * (more than a few colours), the λ1 label shows a number, the projected path has more than a
 * handful of points, and the canvas's text for screen readers says λ1, λ2 and the path length.
 * Closing the panel stops the requests; a screenshot goes to test-output/.
 */
import { test } from '@playwright/test';
import { expect, loadPreset, waitForHook, waitForStep, watchConsole } from './helpers';

test('edge of stability: the valley is drawn with the path of the run on it', async ({ page }) => {
  test.setTimeout(240_000);
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  await loadPreset(page, 'edge-of-stability');
  const panel = page.locator('section.valley');
  await expect(panel).toHaveAttribute('data-open', 'true');
  const toggle = panel.getByLabel('Show the loss valley (top-2 eigenvectors)');
  await expect(toggle).toBeChecked();
  await expect(panel.getByLabel('Run')).toHaveValue('1'); // the preset's run: GD η=0.3
  await waitForStep(page, 60, 180_000);

  // drawn from a surface whose path has more than a handful of points
  const fig = panel.locator('.valley-figure');
  await expect(panel).toHaveAttribute('data-state', 'drawn', { timeout: 120_000 });
  await expect.poll(async () => Number(await fig.getAttribute('data-path')), { timeout: 120_000 }).toBeGreaterThan(20);
  expect(Number(await fig.getAttribute('data-step'))).toBeGreaterThan(0);
  const lambda1 = Number(await fig.getAttribute('data-lambda1'));
  expect(lambda1).toBeGreaterThan(0);
  await expect(panel.locator('.valley-lambda1')).toHaveText(/^\d+(\.\d+)?(e[+-]?\d+)?$/);
  await expect(panel.locator('.valley-lambda2')).toHaveText(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/);
  const label = (await panel.locator('canvas').getAttribute('aria-label')) ?? '';
  expect(label).toMatch(/λ1 = [\d.e+-]+, λ2 = [-\d.e+]+, radius [\d.e+-]+; path of \d+ points/);

  // the heatmap has many colours (a uniform or blank canvas has one)
  const colours = await panel.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 37) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
  expect(colours).toBeGreaterThan(30);
  await panel.scrollIntoViewIfNeeded();
  await panel.screenshot({ path: 'test-output/valley.png' });

  // closed: the canvas goes away and the text says what it would cost
  await toggle.uncheck();
  await expect(panel).toHaveAttribute('data-state', 'hidden');
  await expect(panel.locator('canvas')).toHaveCount(0);
  await expect(panel).toContainText('loss evaluations');
  expect(log.errors).toEqual([]);
});
