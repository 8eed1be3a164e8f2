/** Export as PyTorch (a ZIP of the CLI's folder) and Import metrics CSV (runs drawn as "torch: ..."). */
import { spawnSync } from 'node:child_process';
import { test } from '@playwright/test';
import { defaultFromPage, expect, openExperiment, rows, smallExperiment, waitForStep, watchConsole } from './helpers';

test('Export as PyTorch downloads the folder as a ZIP; an imported metrics CSV is drawn beside the runs', async ({
  page,
}) => {
  const log = watchConsole(page);
  const exp = smallExperiment(await defaultFromPage(page), 40);
  await openExperiment(page, exp);
  await waitForStep(page, 20);

  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export as PyTorch' }).click(),
  ]);
  expect(dl.suggestedFilename()).toMatch(/^torch-.*\.zip$/);
  const listing = spawnSync('/usr/bin/python3', ['-m', 'zipfile', '-t', await dl.path()], { encoding: 'utf8' });
  expect(listing.status, listing.stderr).toBe(0);
  const names = spawnSync(
    '/usr/bin/python3',
    ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', await dl.path()],
    { encoding: 'utf8' },
  ).stdout;
  for (const f of ['train.py', 'config.json', 'x_train.npy', 'init-run-0.npy', 'init-run-1.npy'])
    expect(names).toMatch(new RegExp(`^torch-[^/]+/${f.replace('.', '\\.')}$`, 'm'));
  await expect(page.getByRole('status').filter({ hasText: 'python3 torch-' })).toBeVisible();

  const input = page.getByLabel('Import metrics CSV');
  const bad = 'run,step,metric,value\n0,0,train_loss,0.7\n0,5,<img src=x onerror=alert(1)>,0.5\n';
  await input.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  const alert = page.getByRole('alert').filter({ hasText: 'bad.csv' });
  await expect(alert).toContainText('line 3: metric: expected a name');
  await expect(alert).toContainText('<img src=x onerror=alert(1)>');
  await expect(alert.locator('img')).toHaveCount(0);

  const good = ['run,step,metric,value', '0,0,train_loss,0.71', '0,20,train_loss,0.4', '1,0,train_loss,0.72'];
  await input.setInputFiles({ name: 'metrics.csv', mimeType: 'text/csv', buffer: Buffer.from(good.join('\n')) });
  await expect(alert).toHaveCount(0);
  const list = page.getByTestId('imported-runs');
  await expect(list).toContainText(`torch: ${exp.runs[0].label}`);
  await expect(list).toContainText(`torch: ${exp.runs[1].label}`);
  const imported = (await rows(page)).filter((r) => r.run >= 2);
  expect(imported.map((r) => `${r.run}/${r.step}/${r.value}`).sort()).toEqual(['2/0/0.71', '2/20/0.4', '3/0/0.72']);
  // listed in the charts that draw them (the loss), not in the others; hidden and shown like a run
  const loss = page.locator('figure.chart').filter({ has: page.getByText('Loss', { exact: true }) });
  const weightNorm = page.locator('figure.chart').filter({ has: page.getByText('Weight norm', { exact: true }) });
  const torchButton = loss.getByRole('button', { name: `torch: ${exp.runs[0].label}` });
  await expect(torchButton).toHaveAttribute('aria-pressed', 'true');
  await expect(weightNorm.getByRole('button', { name: /^torch:/ })).toHaveCount(0);
  await torchButton.click();
  await expect(torchButton).toHaveAttribute('aria-pressed', 'false');
  await page.getByRole('button', { name: 'Remove imported runs' }).click();
  await expect(list).toHaveCount(0);
  expect(log.errors).toEqual([]);
});
