/** Launched without --enable-unsafe-webgpu (see playwright.config.ts): the CPU backend trains. */
import { test } from '@playwright/test';
import {
  defaultFromPage,
  expect,
  openExperiment,
  rows,
  smallExperiment,
  snapshot,
  valuesOf,
  waitForStep,
  watchConsole,
} from './helpers';

test('without WebGPU the CPU banner shows and training still runs', async ({ page }) => {
  const log = watchConsole(page);
  const exp = smallExperiment(await defaultFromPage(page), 80);
  await openExperiment(page, exp);
  await expect(page.getByTestId('cpu-banner')).toBeVisible();
  await expect(page.getByTestId('cpu-banner')).toContainText('WebGPU is unavailable');
  const s = await snapshot(page);
  console.log(`[e2e] backend ${s.backend}, reason: ${s.fallbackReason}`);
  expect(s.backend).toBe('cpu');
  await waitForStep(page, 60);
  const loss = valuesOf(await rows(page), 0, 'train_loss');
  expect(loss.length).toBeGreaterThan(3);
  expect(loss.every((p) => Number.isFinite(p.value))).toBe(true);
  await page.screenshot({ path: 'test-output/cpu-fallback.png', fullPage: true });
  expect(log.errors).toEqual([]);
});
