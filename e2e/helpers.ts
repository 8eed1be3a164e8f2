/** Shared e2e helpers: console capture, waiting on the page's read-only test hook, small configs. */
import { expect, type Page } from '@playwright/test';
import type { Experiment } from '../src/experiment/types';
import type { MetricRow } from '../src/engine/trainer';

export interface ConsoleLog {
  errors: string[];
  infos: string[];
}

/** Collects console errors, uncaught page errors and the other console lines of a page. */
export function watchConsole(page: Page): ConsoleLog {
  const log: ConsoleLog = { errors: [], infos: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
    else log.infos.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(`uncaught: ${e.message}`));
  return log;
}

export async function snapshot(page: Page) {
  return page.evaluate(() => window.__playground!.snapshot());
}

export async function waitForHook(page: Page): Promise<void> {
  await page.waitForFunction(() => !!window.__playground);
}

/** Waits until the current experiment has trained at least `step` steps. */
export async function waitForStep(page: Page, step: number, timeout = 150_000): Promise<void> {
  await page.waitForFunction((s) => (window.__playground?.snapshot().step ?? 0) >= s, step, { timeout, polling: 250 });
}

export async function rows(page: Page): Promise<MetricRow[]> {
  return page.evaluate(() => window.__playground!.rows());
}

/** A quick experiment derived from the default: small data, a small net, no curvature probes. */
export function smallExperiment(base: Experiment, steps = 100): Experiment {
  const e = structuredClone(base);
  e.steps = steps;
  e.data = { ...e.data, nTrain: 64, nTest: 64 };
  if (e.model.kind === 'mlp') e.model = { ...e.model, hidden: [8] };
  e.metrics = { every: 10, evalSubset: 0 };
  return e;
}

/** Opens the app on an experiment (through its link hash) and waits for the hook. */
export async function openExperiment(page: Page, exp: Experiment): Promise<string> {
  await page.goto('/');
  await waitForHook(page);
  const hash = await page.evaluate((raw) => window.__playground!.hashFor(raw), exp as unknown);
  if (typeof hash !== 'string') throw new Error(`invalid test experiment: ${hash.errors.join('; ')}`);
  await page.goto('about:blank');
  await page.goto(`/${hash}`);
  await waitForHook(page);
  return hash;
}

export async function defaultFromPage(page: Page): Promise<Experiment> {
  await page.goto('/');
  await waitForHook(page);
  return page.evaluate(() => window.__playground!.experiment());
}

export function valuesOf(all: MetricRow[], run: number, metric: string): { step: number; value: number }[] {
  return all.filter((r) => r.run === run && r.metric === metric).map((r) => ({ step: r.step, value: r.value }));
}

/** Load preset `id` from the header's gallery; resolves with its title once the page says it is loaded. */
export async function loadPreset(page: Page, id: string): Promise<string> {
  // the gallery opens from the header and closes once a preset is loaded
  const gallery = page.locator('details.presets');
  if ((await gallery.getAttribute('open')) === null) await gallery.locator('summary').click();
  const card = page.locator(`.preset-card[data-preset="${id}"]`);
  const title = (await card.locator('h2').textContent()) ?? '';
  await card.getByRole('button', { name: /^Load/ }).click();
  await page.waitForFunction((t) => document.body.textContent?.includes(`Loaded preset: ${t}.`) ?? false, title, {
    timeout: 20_000,
  });
  return title;
}

export { expect };
