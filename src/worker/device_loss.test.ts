/**
 * Device loss end to end (issue 8), with real WebGPU trainers: the training session runs an
 * experiment on one device, the test destroys that device mid-run (device.destroy()), and the
 * session resumes from its last checkpoint on a new device. Training finishes, every logged step
 * reaches the page once, the curve equals an uninterrupted run bit for bit, and the notice says
 * what happened.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../schema/types';
import type { MetricRow } from '../engine/trainer';
import { createTrainer } from '../engine/create';
import { acquireGpu, type GpuHandle } from '../engine/webgpu/device';
import { PipelineCache } from '../engine/webgpu/pipelines';
import { testGpu } from '../engine/webgpu/testing';
import type { FromWorker } from './protocol';
import { TrainingSession } from './session';
import { circleData, mlp, run, testExperiment } from '../test_fixtures';

const handles: GpuHandle[] = [];
afterAll(() => {
  // Dawn aborts at exit while a device is alive.
  for (const h of handles) h.destroy();
});

function experiment(): Experiment {
  return testExperiment({
    seed: 5,
    data: circleData({ nTest: 32 }),
    model: mlp({ activation: 'tanh' }),
    steps: 120,
    varySeedPerRun: true,
    runs: [run('adam', { name: 'adam', lr: 0.02 }), run('sgd', { name: 'sgd', lr: 0.1, momentum: 0.9 })],
  });
}

/** Run `exp` in a session whose first device is destroyed at step 90; `noSecondGpu`: no new device can be had. */
async function trainThroughLoss(exp: Experiment, noSecondGpu: boolean) {
  {
    const mine: GpuHandle[] = [];
    const posted: FromWorker[] = [];
    let destroyed = false;
    const session = new TrainingSession({
      post: (m) => {
        posted.push(m);
        // Destroy the first device once step 90 is reached (checkpoints were asked for at 40 and 80).
        if (!destroyed && m.type === 'status' && m.step >= 90 && mine[0]) {
          destroyed = true;
          mine[0].device.destroy();
        }
      },
      createTrainer: async (e, backend, resume) => {
        if (backend === 'cpu') return createTrainer(e, { backend, resume });
        if (noSecondGpu && mine.length > 0) throw new Error('requestAdapter returned null');
        const handle = await acquireGpu();
        handles.push(handle);
        mine.push(handle);
        return createTrainer(e, { backend, gpu: handle, pipelines: new PipelineCache(handle.device), resume });
      },
      yieldToEvents: () => new Promise((r) => setTimeout(r, 0)),
      now: () => 0,
      checkpointEvery: 40,
    });
    session.handle({ type: 'speed', stepsPerFrame: 10 });
    session.handle({ type: 'config', gen: 1, experiment: exp, play: true });
    const of = <T extends FromWorker['type']>(type: T) =>
      posted.filter((m): m is Extract<FromWorker, { type: T }> => m.type === type);
    for (let i = 0; i < 2000 && of('status').at(-1)?.state !== 'done'; i++) {
      await session.idle();
      await new Promise((r) => setTimeout(r, 0));
    }

    expect(destroyed).toBe(true);
    expect(of('error')).toEqual([]);
    expect(of('status').at(-1)).toMatchObject({ state: 'done', step: 120, steps: 120 });
    // The uninterrupted run, for the curves.
    const { gpu, pipelines } = await testGpu();
    const ref = await createTrainer(exp, { backend: 'webgpu', gpu, pipelines });
    const want = await ref.advance(120);
    ref.dispose();
    const curve = (rows: MetricRow[], run: number) => rows.filter((r) => r.run === run && r.metric === 'train_loss');
    return { of, got: of('rows').flatMap((m) => m.rows), want, curve };
  }
}

const STEPS = Array.from({ length: 13 }, (_, i) => 10 * i);

describe('TrainingSession on WebGPU: the device is destroyed mid-run', () => {
  it('resumes from the last checkpoint on a new device, finishes, and the curves equal an uninterrupted run', async () => {
    const { of, got, want, curve } = await trainThroughLoss(experiment(), false);
    expect(of('backend').map((m) => m.backend)).toEqual(['webgpu', 'webgpu']);
    expect(of('notice').map((m) => m.message)).toEqual([
      expect.stringMatching(
        /^The WebGPU device was lost \(.+\)\. Training resumed on a new WebGPU device from the checkpoint at step 80; steps 81-90 are computed again, the curves so far are kept\.$/,
      ),
    ]);
    // Every logged step reached the page once, in order, bit-identical to the uninterrupted run.
    for (const run of [0, 1]) {
      expect(curve(got, run).map((r) => r.step)).toEqual(STEPS);
      expect(curve(got, run)).toEqual(curve(want, run));
    }
  });

  it('without a new device: resumes on the CPU from the GPU checkpoint, within the parity tolerance', async () => {
    const { of, got, want, curve } = await trainThroughLoss(experiment(), true);
    expect(of('backend').map((m) => m.backend)).toEqual(['webgpu', 'cpu']);
    expect(of('backend')[1].fallbackReason).toMatch(
      /^the WebGPU device was lost \(.+\) and no new one could be acquired \(requestAdapter returned null\); training resumed from the checkpoint at step 80$/,
    );
    expect(of('notice')[0].message).toMatch(/Training resumed on the CPU from the checkpoint at step 80/);
    for (const run of [0, 1]) {
      const g = curve(got, run);
      const w = curve(want, run);
      expect(g.map((r) => r.step)).toEqual(STEPS);
      g.forEach((r, i) => {
        if (r.step <= 90)
          expect(r.value).toBe(w[i].value); // computed on the first device
        else expect(Math.abs(r.value - w[i].value)).toBeLessThanOrEqual(1e-3 * Math.abs(w[i].value));
      });
    }
  });
});
