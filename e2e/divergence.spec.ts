/**
 * A run that diverges (issue #8): its legend row and run card say "diverged at step N", N being
 * the first logged step whose loss is not finite, with the last finite sharpness next to the
 * stability line 2/η measured before it; the run that does not diverge says nothing of the kind.
 */
import { expect, test } from '@playwright/test';
import { defaultFromPage, openExperiment, rows, waitForHook, watchConsole } from './helpers';

test('a diverging run shows the step it diverged at and its last sharpness against 2/η', async ({ page }) => {
  test.setTimeout(180_000);
  const log = watchConsole(page);
  // The default problem, where lr >= 1 diverges: lr 1.2 sharpens past 2/1.2 within a few steps.
  const exp = await defaultFromPage(page);
  exp.steps = 200;
  exp.metrics = { every: 1, evalSubset: 0, sharpness: { every: 5, iters: 20 } };
  exp.runs = [
    { label: 'SGD lr 0.05', optimizer: { name: 'sgd', lr: 0.05 }, schedule: { name: 'constant' } },
    { label: 'SGD lr 1.2', optimizer: { name: 'sgd', lr: 1.2 }, schedule: { name: 'constant' } },
  ];
  await openExperiment(page, exp);
  await waitForHook(page);

  const badge = page.locator('table.legend tr[data-run="1"] .diverged');
  await expect(badge).toContainText(/diverged at step \d+/, { timeout: 120_000 });
  await expect(badge).toContainText(/last sharpness \S+ vs 2\/η = 1\.667\b/);
  const text = (await badge.textContent()) ?? '';
  const step = Number(/diverged at step (\d+)/.exec(text)?.[1]);
  console.log(`[e2e] legend: "${text.trim()}"`);

  // N is the first logged step with a non-finite loss; the sharpness shown is the last finite one before it
  const all = await rows(page);
  const loss = all.filter((r) => r.run === 1 && (r.metric === 'train_loss' || r.metric === 'batch_loss'));
  const firstBad = Math.min(...loss.filter((r) => !Number.isFinite(r.value)).map((r) => r.step));
  expect(step).toBe(firstBad);
  const sharp = all.filter(
    (r) => r.run === 1 && r.metric === 'sharpness' && r.step <= step && Number.isFinite(r.value),
  );
  expect(sharp.length).toBeGreaterThan(0);

  await expect(page.getByRole('region', { name: 'Run 2' }).locator('.diverged-note')).toContainText(
    new RegExp(`Diverged at step ${step} \\(loss not finite\\); last sharpness \\S+ vs 2/η = 1\\.667`),
  );
  await expect(page.locator('table.legend tr[data-run="0"] .diverged')).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Run 1' }).locator('.diverged-note')).toHaveCount(0);
  expect(log.errors).toEqual([]);
});
