/**
 * The divergence guard (shaders/diverge_guard.wgsl): the kernel against a CPU model of it on random
 * inputs, and end to end on both trainers: a run whose step N produces non-finite parameters is
 * flagged at exactly N on both backends, stays at its parameters of step N - 1, and the other runs
 * of its population are bit-identical to a population without it.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../schema/types';
import { testGpu } from './testing';
import { GpuTrainer } from './trainer';
import { CpuTrainer } from '../cpu/trainer';
import { DivergeGuard, GUARD_NONE } from './diverge_guard';
import { StepSlots } from './step_slots';
import { readF32, storageBuffer } from './buffers';
import type { MetricRow } from '../trainer';
import { run, threeRunExperiment } from '../../test_fixtures';

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('diverge_guard.wgsl against its CPU model', () => {
  it.each([
    [5, 37],
    [3, 300],
    [2, 1],
    [3, 2500], // several workgroups per run, each thread visiting several parameters
  ])('R=%i P=%i: three steps with NaN/Inf injected in some runs and losses', async (R, P) => {
    const { device, pipelines } = await testGpu();
    const rnd = mulberry(R * 1000 + P);
    const NS = 4;
    const LOSS = 1;
    const TRAIN = 2;
    const params = storageBuffer(
      device,
      new Float32Array(R * P).map(() => rnd() * 2 - 1),
      'p',
    );
    const stats = storageBuffer(device, 3 * R * NS, 's');
    const slots = new StepSlots(device, 3, R, P);
    const guard = await DivergeGuard.create(device, pipelines, {
      runs: R,
      paramCount: P,
      params,
      stats,
      ns: NS,
      batchField: LOSS,
      trainField: TRAIN,
      stepInfo: slots.buffer,
    });
    // Host model: last good params, status.
    let host = await readF32(device, params, R * P);
    const lastGood = host.slice();
    const div: number[] = new Array<number>(R).fill(GUARD_NONE);
    const frozen: number[] = new Array<number>(R).fill(GUARD_NONE);
    // Run 0 is frozen for another reason after step 2 (word 1): it keeps theta_2.
    frozen[0] = 2;
    guard.writeStatus({ divergedAt: div.map(() => null), frozenAt: frozen.map((f) => (f === GUARD_NONE ? null : f)) });
    slots.write(0, 3);
    const statsHost = new Float32Array(3 * R * NS).map(() => rnd());
    for (let k = 0; k < 3; k++) {
      const t = k + 1;
      // The "optimizer update": new random params, some non-finite; some losses non-finite.
      const next = new Float32Array(R * P).map(() => rnd() * 2 - 1);
      // Step 2 is a logged step: its train loss is checked too (other steps' train fields are stale).
      const logged = t === 2;
      for (let r = 0; r < R; r++) {
        const u = rnd();
        if (u < 0.25) next[r * P + Math.floor(rnd() * P)] = [NaN, Infinity, -Infinity][Math.floor(rnd() * 3)];
        else if (u < 0.4) statsHost[(k * R + r) * NS + LOSS] = rnd() < 0.5 ? NaN : Infinity;
        else if (u < 0.6) statsHost[(k * R + r) * NS + TRAIN] = Infinity;
      }
      device.queue.writeBuffer(params, 0, next);
      device.queue.writeBuffer(stats, 0, statsHost);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      guard.encodeCheck(pass, slots.offset(k), logged);
      guard.encodeHold(pass, slots.offset(k));
      pass.end();
      device.queue.submit([enc.finish()]);
      // Model.
      host = next.slice();
      for (let r = 0; r < R; r++) {
        let bad = !Number.isFinite(statsHost[(k * R + r) * NS + LOSS]);
        if (logged) bad ||= !Number.isFinite(statsHost[(k * R + r) * NS + TRAIN]);
        for (let j = 0; j < P; j++) bad ||= !Number.isFinite(host[r * P + j]);
        if (bad) div[r] = Math.min(div[r], t);
        const isFrozen = div[r] !== GUARD_NONE || frozen[r] < t;
        for (let j = 0; j < P; j++) {
          if (isFrozen) host[r * P + j] = lastGood[r * P + j];
          else lastGood[r * P + j] = host[r * P + j];
        }
      }
      expect(Array.from(await readF32(device, params, R * P)), `params after step ${t}`).toEqual(Array.from(host));
      expect(Array.from(await readF32(device, guard.lastGood, R * P)), `last good after step ${t}`).toEqual(
        Array.from(lastGood),
      );
      const [st] = await DivergeGuard.read(device, [guard]);
      expect(st.divergedAt).toEqual(div.map((d) => (d === GUARD_NONE ? null : d)));
      expect(st.frozenAt).toEqual(frozen.map((f) => (f === GUARD_NONE ? null : f)));
    }
    guard.destroy();
    slots.destroy();
    params.destroy();
    stats.destroy();
  });
});

/** The feature-noise experiment of trainer.test.ts, without runs. */
const baseExperiment = (steps: number): Experiment => ({ ...threeRunExperiment(steps), runs: [] });

/**
 * Three sgd runs in one population; run 1's lr is infinite at step `bad` only (a spike in a
 * refined schedule), so its parameters become non-finite at exactly that step on both backends.
 */
function spikeExperiment(bad: number, steps = 40): Experiment {
  const exp = baseExperiment(steps);
  const factors = Array.from({ length: steps }, (_, k) => (k === bad - 1 ? 1e300 : 5e-12));
  exp.runs = [
    run('ok', { name: 'sgd', lr: 0.05 }),
    run('spike', { name: 'sgd', lr: 1e10 }, { name: 'refined', factors }),
    run('ok2', { name: 'sgd', lr: 0.01, momentum: 0.9 }),
  ];
  return exp;
}

const value = (rows: MetricRow[], run: number, step: number, metric: string) =>
  rows.find((r) => r.run === run && r.step === step && r.metric === metric)?.value;

async function gpuTrainer(exp: Experiment): Promise<GpuTrainer> {
  const { gpu, pipelines } = await testGpu();
  return GpuTrainer.create(exp, { gpu, pipelines, stepsPerSubmit: 16 });
}

describe('divergence: exact step, frozen at step N - 1, the others unaffected', () => {
  const N = 13; // not a logged step (metrics.every = 10)

  it('both backends flag the run at exactly step N and agree', async () => {
    const exp = spikeExperiment(N);
    const g = await gpuTrainer(exp);
    const gRows = await g.advance(40);
    const c = CpuTrainer.create(exp);
    const cRows = await c.advance(40);
    expect(g.divergedAt()).toEqual([null, N, null]);
    expect(c.divergedAt()).toEqual([null, N, null]);
    // Nothing is logged for the run after N (steps 20, 30, 40); before N it trained normally.
    for (const rows of [gRows, cRows]) {
      expect(rows.filter((r) => r.run === 1 && r.step > N)).toEqual([]);
      expect(Number.isFinite(value(rows, 1, 10, 'train_loss'))).toBe(true);
    }
    g.dispose();
  });

  it('the diverged run keeps its finite parameters of step N - 1 (GPU bit-identical, CPU exact)', async () => {
    const exp = spikeExperiment(N);
    const g = await gpuTrainer(exp);
    await g.advance(40);
    const frozen = await g.getParams(1);
    expect(frozen.every(Number.isFinite)).toBe(true);
    const ref = await gpuTrainer(exp);
    await ref.advance(N - 1);
    expect(Array.from(frozen)).toEqual(Array.from(await ref.getParams(1)));
    g.dispose();
    ref.dispose();

    const c = CpuTrainer.create(exp);
    await c.advance(40);
    const cref = CpuTrainer.create(exp);
    await cref.advance(N - 1);
    expect(c.getParams64(1).every(Number.isFinite)).toBe(true);
    expect(c.getParams64(1)).toEqual(cref.getParams64(1));
  });

  it('the other runs are bit-identical to a population without the diverging run (rows and parameters)', async () => {
    const exp = spikeExperiment(N);
    const without: Experiment = { ...exp, runs: [exp.runs[0], exp.runs[2]] };
    const g = await gpuTrainer(exp);
    const rows = await g.advance(40);
    const h = await gpuTrainer(without);
    const rowsWithout = await h.advance(40);
    expect(rowsWithout.length).toBeGreaterThan(0);
    for (const row of rowsWithout) {
      const r = row.run === 0 ? 0 : 2;
      expect(value(rows, r, row.step, row.metric), `${row.metric}@${row.step}`).toBe(row.value);
    }
    expect(Array.from(await g.getParams(0))).toEqual(Array.from(await h.getParams(0)));
    expect(Array.from(await g.getParams(2))).toEqual(Array.from(await h.getParams(1)));
    g.dispose();
    h.dispose();
  });

  it('a run blowing up on its own (lr = 1e6) is flagged at its first non-finite step, with finite frozen parameters', async () => {
    const exp = baseExperiment(40);
    exp.metrics.every = 1;
    exp.runs = [run('ok', { name: 'sgd', lr: 0.05 }), run('boom', { name: 'sgd', lr: 1e6 })];
    const g = await gpuTrainer(exp);
    const rows = await g.advance(40);
    const d = g.divergedAt()[1];
    expect(d).not.toBeNull();
    // Logged every step: the rows of step d show the blow-up (a loss, or the step distance to
    // non-finite parameters), the losses before it are finite.
    const at = (s: number) => rows.filter((r) => r.run === 1 && r.step === s);
    expect(at(d!).some((r) => !Number.isFinite(r.value))).toBe(true);
    for (let s = 0; s < d!; s++) {
      const losses = at(s).filter((r) => /^(batch|train)_loss$/.test(r.metric));
      expect(
        losses.every((r) => Number.isFinite(r.value)),
        `step ${s}`,
      ).toBe(true);
    }
    expect(rows.filter((r) => r.run === 1 && r.step > d!)).toEqual([]);
    expect((await g.getParams(1)).every(Number.isFinite)).toBe(true);
    g.dispose();
  });
});
