/**
 * Main-thread health with 8 runs training and every chart live: the longest main-thread task
 * (PerformanceObserver 'longtask') and the animation-frame rate over 10 s, printed for the notes.
 * The figures depend on the machine (SwiftShader on 2 cores here), so the test asserts that they
 * were measured and that training advanced, not a threshold.
 */
import { expect, test } from '@playwright/test';
import { openExperiment, snapshot, waitForHook, waitForStep, watchConsole } from './helpers';

test('longest main-thread task and frame rate while 8 runs train', async ({ page }) => {
  test.setTimeout(180_000);
  const log = watchConsole(page);
  await page.goto('/');
  await waitForHook(page);
  const base = await page.evaluate(() => window.__playground!.experiment());
  const exp = structuredClone(base);
  exp.steps = 100000;
  exp.runs = Array.from({ length: 8 }, (_, i) => ({
    label: `SGD lr=${(0.02 * (i + 1)).toFixed(2)}`,
    optimizer: { name: 'sgd', lr: 0.02 * (i + 1) },
    schedule: { name: 'constant' as const },
  }));
  await openExperiment(page, exp);
  await waitForStep(page, 20);
  const startStep = (await snapshot(page)).step;
  const m = await page.evaluate(async () => {
    const tasks: number[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push(e.duration);
    });
    obs.observe({ type: 'longtask', buffered: false });
    let frames = 0;
    const t0 = performance.now();
    await new Promise<void>((done) => {
      const tick = () => {
        frames++;
        if (performance.now() - t0 < 10_000) requestAnimationFrame(tick);
        else done();
      };
      requestAnimationFrame(tick);
    });
    obs.disconnect();
    const secs = (performance.now() - t0) / 1000;
    return { longest: tasks.length ? Math.max(...tasks) : 0, count: tasks.length, fps: frames / secs };
  });
  const endStep = (await snapshot(page)).step;
  console.log(
    `[e2e] 8 runs training, 10 s: longest main-thread task ${m.longest.toFixed(0)} ms (${m.count} tasks over 50 ms), ${m.fps.toFixed(1)} frames/s, steps ${startStep} -> ${endStep}`,
  );
  expect(m.fps).toBeGreaterThan(0);
  expect(endStep).toBeGreaterThan(startStep);
  expect(log.errors).toEqual([]);
});
