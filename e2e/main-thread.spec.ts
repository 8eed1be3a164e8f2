/**
 * Main-thread health with 8 runs training and every chart live, over 10 s. Asserted: training
 * goes on while the page animates, Chromium reports long animation frames (so the figures below
 * are real), and nothing logs an error. Measured and printed, never asserted: the longest task,
 * the frame rate, the time our own scripts take in the worst long frame, and each long frame's
 * attribution. All of them are wall-clock times that grow with the machine's load (the browser's
 * rendering of the software-GPU canvases took 74-140 ms per frame with no script at all on a busy
 * 2-core machine, and our scripts' share reached 52 ms once there), and a test must not fail
 * because the machine is busy. docs/performance.md keeps the figures as a benchmark.
 */
import { expect, test } from '@playwright/test';
import { openExperiment, snapshot, waitForHook, waitForStep, watchConsole } from './helpers';

const WINDOW_MS = 10_000;

test('8 runs train with every chart live for 10 s (long tasks, frame rate and our scripts per long frame printed)', async ({
  page,
}) => {
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
  // every chart of the default experiment's metrics is on the page and drawing
  await expect(page.locator('figure.chart[data-group="sharpness"] canvas.chart-canvas')).toHaveCount(1);
  const startStep = (await snapshot(page)).step;
  const m = await page.evaluate(async (windowMs) => {
    const tasks: number[] = [];
    const frames: string[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push(e.duration);
    });
    obs.observe({ type: 'longtask', buffered: false });
    // Long animation frames (Chromium): where the time of a long frame went.
    interface Script {
      invoker: string;
      invokerType: string;
      duration: number;
      sourceURL: string;
    }
    let ownWorst = 0;
    let loafSupported = true;
    const loaf = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { renderStart: number; scripts: Script[] })[]) {
        if (e.duration <= 50) continue;
        const own = e.scripts
          .filter((x) => x.sourceURL.startsWith(location.origin))
          .reduce((a, x) => a + x.duration, 0);
        ownWorst = Math.max(ownWorst, own);
        const scripts = e.scripts.map((s) => `${s.invokerType} ${s.invoker} ${Math.round(s.duration)} ms`);
        const render = Math.round(e.startTime + e.duration - e.renderStart);
        frames.push(`${Math.round(e.duration)} ms (rendering ${render} ms; ${scripts.join(', ') || 'no script'})`);
      }
    });
    try {
      loaf.observe({ type: 'long-animation-frame', buffered: false });
    } catch {
      loafSupported = false;
    }
    let count = 0;
    const t0 = performance.now();
    await new Promise<void>((done) => {
      const tick = () => {
        count++;
        if (performance.now() - t0 < windowMs) requestAnimationFrame(tick);
        else done();
      };
      requestAnimationFrame(tick);
    });
    obs.disconnect();
    loaf.disconnect();
    const secs = (performance.now() - t0) / 1000;
    return {
      longest: tasks.length ? Math.max(...tasks) : 0,
      tasks,
      frames,
      fps: count / secs,
      ownWorst,
      loafSupported,
    };
  }, WINDOW_MS);
  const endStep = (await snapshot(page)).step;
  console.log(
    `[e2e] 8 runs training, 10 s: longest main-thread task ${m.longest.toFixed(0)} ms (${m.tasks.length} tasks over 50 ms), ${m.fps.toFixed(1)} frames/s, our scripts at most ${m.ownWorst.toFixed(0)} ms in one long frame, steps ${startStep} -> ${endStep}`,
  );
  for (const f of m.frames) console.log(`[e2e]   long animation frame: ${f}`);
  expect(endStep).toBeGreaterThan(startStep);
  expect(m.loafSupported, 'Chromium reports long animation frames').toBe(true);
  expect(log.errors).toEqual([]);
});
