/**
 * The presets gallery: every card loads its experiment, which trains some steps without console
 * errors. A screenshot of one preset goes to test-output/.
 */
import { expect, test } from '@playwright/test';
import { watchConsole, waitForHook, waitForStep } from './helpers';

test('each preset loads and trains some steps without errors', async ({ page }) => {
  test.setTimeout(300_000);
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  await page.getByText('Presets: phenomena from the papers').click();
  const cards = page.locator('.preset-card');
  const n = await cards.count();
  expect(n).toBeGreaterThanOrEqual(8);
  for (let i = 0; i < n; i++) {
    const card = cards.nth(i);
    const title = (await card.locator('h3').textContent()) ?? '';
    await card.getByRole('button', { name: 'Load' }).click();
    await page.waitForFunction((t) => document.body.textContent?.includes(`Loaded preset: ${t}.`) ?? false, title, {
      timeout: 20_000,
    });
    await waitForStep(page, 10, 120_000);
    const exp = await page.evaluate(() => window.__playground!.experiment());
    expect(exp.runs.length, title).toBeGreaterThan(0);
    if (i === 1) await page.screenshot({ path: 'test-output/preset.png', fullPage: true });
  }
  expect(log.errors).toEqual([]);
});
