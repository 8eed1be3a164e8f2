/**
 * planMemory mirrors the allocation code: a real GpuTrainer (SwiftShader) is built with
 * device.createBuffer recorded, and every storage buffer it creates must be in the plan with the
 * same size (and vice versa). checkDeviceLimits is tested with small fake limits.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment, RunConfig } from '../../schema/types';
import { LIMITS } from '../../schema/limits';
import { testGpu } from './testing';
import { GpuTrainer } from './trainer';
import { MAP_READ, STORAGE } from './buffers';
import { circleData, run as fixtureRun, testExperiment } from '../../test_fixtures';
import { checkDeviceLimits, dataDims, formatBytes, planMemory, type DeviceLimits } from './memory_plan';

/** A run of optimizer `name` at lr 0.01 (plus `extra`), labelled by the name. */
const run = (name: string, extra: Record<string, number> = {}): RunConfig =>
  fixtureRun(name, { name, lr: 0.01, ...extra });

function small(over: Partial<Experiment> = {}): Experiment {
  return testExperiment({
    data: circleData({ nTrain: 100, nTest: 50 }),
    batchSize: 10,
    runs: [run('sgd'), run('sgd')],
    ...over,
  });
}

const ROOMY: DeviceLimits = {
  maxBufferSize: 2 ** 30,
  maxStorageBufferBindingSize: 2 ** 27,
  maxComputeWorkgroupsPerDimension: 65535,
};

/** Optimizer-internal buffers (O(runs x tensors)) that the plan leaves out on purpose. */
const OPTIMIZER_AUX = /^(sgd-sai|dice\.|topc\.|adamp\.|clip\.|frugal|optim)/;

async function recordBuffers(exp: Experiment): Promise<Map<string, number[]>> {
  const { gpu, pipelines } = await testGpu();
  const device = gpu.device;
  const seen = new Map<string, number[]>();
  const original = device.createBuffer;
  (device as { createBuffer: GPUDevice['createBuffer'] }).createBuffer = (d: GPUBufferDescriptor) => {
    const storage = (d.usage & STORAGE) !== 0 || (d.usage & MAP_READ) !== 0; // staging buffers are MAP_READ
    if (storage) {
      const key = d.label || '(staging)';
      seen.set(key, [...(seen.get(key) ?? []), d.size]);
    }
    return original.call(device, d);
  };
  try {
    const t = await GpuTrainer.create(exp, { gpu, pipelines, stepsPerSubmit: 8 });
    await t.advance(exp.steps);
    t.dispose();
  } finally {
    (device as { createBuffer: GPUDevice['createBuffer'] }).createBuffer = original;
  }
  return seen;
}

function planned(exp: Experiment): Map<string, number[]> {
  const plan = planMemory(exp, dataDims(exp), { stepsPerSubmit: 8 });
  const out = new Map<string, number[]>();
  for (const b of plan.buffers) {
    if (!b.storage && b.label.startsWith('step-info')) continue;
    // Staging buffers carry no label in the engine.
    const key = b.label.includes('staging') ? '(staging)' : b.label.replace(/ \(.*\)$/, '');
    out.set(key, [...(out.get(key) ?? []), b.bytes]);
  }
  return out;
}

function compare(actual: Map<string, number[]>, plan: Map<string, number[]>): void {
  for (const [label, sizes] of plan) {
    if (label === '(staging)') continue;
    expect(
      actual
        .get(label)
        ?.slice()
        .sort((a, b) => a - b),
      `planned buffer ${label}`,
    ).toEqual(sizes.slice().sort((a, b) => a - b));
  }
  for (const [label, sizes] of actual) {
    if (OPTIMIZER_AUX.test(label) || label === '(staging)') continue;
    expect(plan.has(label), `allocated buffer ${label} (${sizes.join(', ')} bytes) is missing from the plan`).toBe(
      true,
    );
  }
  // Every staging buffer the trainer maps fits in the planned staging sizes.
  const maxStaging = Math.max(...(plan.get('(staging)') ?? [0]));
  const staging = actual.get('(staging)') ?? [];
  expect(staging.length).toBeGreaterThan(0);
  for (const s of staging) expect(s).toBeLessThanOrEqual(maxStaging);
}

describe('planMemory mirrors the GPU allocation (SwiftShader)', () => {
  it('minibatch sgd, two layers, no curvature', async () => {
    const exp = small({ model: { kind: 'mlp', hidden: [8, 5], activation: 'tanh', initScale: 1, bias: true } });
    compare(await recordBuffers(exp), planned(exp));
  });

  it('full batch, adam + dp-sgd populations, sharpness and trace, feature-noise directions', async () => {
    const exp = small({
      data: {
        kind: 'feature-noise',
        nTrain: 40,
        nTest: 30,
        patchDim: 3,
        numPatches: 3,
        weakNorm: 0.3,
        strongNorm: 2,
        strongFraction: 0.5,
        noiseStd: 0.5,
      },
      batchSize: 'full',
      varySeedPerRun: true,
      runs: [run('adam'), run('dp-sgd'), run('adam')],
      metrics: {
        every: 10,
        evalSubset: 0,
        sharpness: { every: 10, iters: 2, subset: 16 },
        trace: { every: 20, samples: 1 },
      },
    });
    compare(await recordBuffers(exp), planned(exp));
  });

  it('sam and sf-adamw beside sgd: the saved parameters, scales and stats records', async () => {
    const exp = small({
      model: { kind: 'mlp', hidden: [8, 5], activation: 'tanh', initScale: 1, bias: true },
      runs: [
        fixtureRun('sam', { name: 'sam', lr: 0.01, rho: 0.1 }),
        run('sgd'),
        fixtureRun('sf', { name: 'sf-adamw', lr: 0.01 }),
        fixtureRun('asam', { name: 'sam', lr: 0.01, adaptive: true }),
      ],
    });
    compare(await recordBuffers(exp), planned(exp));
  });

  it('muon beside sgd: every matrix on Muon, and the default (first and last on AdamW)', async () => {
    // Hidden [8, 5]: matrices [8, 2] (tall), [5, 8], [2, 5]; the Newton-Schulz scratch is sized from them.
    const exp = small({
      model: { kind: 'mlp', hidden: [8, 5], activation: 'tanh', initScale: 1, bias: true },
      runs: [
        fixtureRun('muon all', { name: 'muon', lr: 0.01, adamFirstLast: false }),
        run('muon'),
        run('sgd'),
        fixtureRun('muon nsSteps 3', { name: 'muon', lr: 0.01, nsSteps: 3, adamFirstLast: false }),
      ],
    });
    compare(await recordBuffers(exp), planned(exp));
  });

  it('varySeedPerRun minibatch indices, no bias, regression data', async () => {
    const exp = small({
      data: {
        kind: 'teacher-student',
        nTrain: 60,
        nTest: 0,
        inputDim: 3,
        outputDim: 2,
        teacherHidden: [4],
        teacherActivation: 'tanh',
        noise: 0.1,
      },
      loss: 'mse',
      model: { kind: 'mlp', hidden: [6], activation: 'gelu', initScale: 1, bias: false },
      varySeedPerRun: true,
      runs: [run('sgd'), run('sgd'), run('sgd')],
    });
    compare(await recordBuffers(exp), planned(exp));
  });

  it('a CNN on images, minibatch, with output centring and sharpness', async () => {
    const exp = small({
      data: { kind: 'images', nTrain: 30, nTest: 20, size: 6, channels: 2, nClasses: 3, noise: 0.1 },
      model: {
        kind: 'cnn',
        layers: [
          { type: 'conv2d', channels: 3, kernel: [3, 3], stride: [1, 1], padding: [1, 1] },
          { type: 'maxpool', size: [2, 2], stride: [2, 2] },
          { type: 'dense', units: 5 },
        ],
        activation: 'relu',
        initScale: 1,
        bias: true,
        outputScale: 2,
      },
      runs: [run('adam'), run('adam')],
      metrics: { every: 10, evalSubset: 0, sharpness: { every: 10, iters: 2, subset: 16 } },
    });
    compare(await recordBuffers(exp), planned(exp));
  });

  it('the patch CNN on feature-noise, full batch (patch-space feature directions)', async () => {
    const exp = small({
      data: {
        kind: 'feature-noise',
        nTrain: 40,
        nTest: 30,
        patchDim: 4,
        numPatches: 3,
        weakNorm: 0.3,
        strongNorm: 2,
        strongFraction: 0.5,
        noiseStd: 0.5,
      },
      loss: 'logistic',
      model: { kind: 'patch-cnn', filters: 3, activation: 'relu2', initScale: 0.1 },
      batchSize: 'full',
      runs: [run('sgd'), run('sgd')],
    });
    compare(await recordBuffers(exp), planned(exp));
  });
});

describe('planMemory sizes', () => {
  it('pins the sizes of a small experiment (P = 2*8+8 + 8*2+2 = 42 floats per run)', () => {
    const plan = planMemory(small(), dataDims(small()));
    const size = (label: string) => plan.buffers.find((b) => b.label === label)?.bytes;
    expect(size('params')).toBe(2 * 42 * 4);
    expect(size('opt-state')).toBe(2 * 42 * 4); // sgd: one momentum slot
    expect(size('x-train')).toBe(100 * 2 * 4);
    expect(size('y-train')).toBe(100 * 4);
    // ReLU: the hidden layer keeps A only (its backward reads act'(Z) = [A > 0] from A).
    expect(size('Z0')).toBeUndefined();
    expect(size('A0')).toBe(2 * 10 * 8 * 4);
    expect(size('Z1')).toBe(2 * 10 * 2 * 4);
    expect(size('evalZ')).toBe(2 * 100 * 8 * 4);
    expect(plan.totalBytes).toBe(plan.buffers.reduce((a, b) => a + b.bytes, 0));
    expect(plan.buffers.some((b) => b.label.startsWith('curv'))).toBe(false);
  });

  it('is arithmetic only: a config far past the validator limits plans without allocating', () => {
    // 10^6 units and 10^4 runs would be terabytes; the plan is a list of numbers, computed at once.
    const exp = small({ model: { kind: 'mlp', hidden: [1_000_000], activation: 'relu', initScale: 1, bias: true } });
    exp.runs = Array.from({ length: 10_000 }, () => run('sgd'));
    const plan = planMemory(exp, dataDims(exp));
    expect(plan.totalBytes).toBeGreaterThan(1e12);
    expect(Number.isFinite(plan.totalBytes)).toBe(true);
    const errors = checkDeviceLimits(exp, dataDims(exp), ROOMY);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('checkDeviceLimits', () => {
  it('accepts the small experiment under roomy limits and a roomy budget', () => {
    expect(checkDeviceLimits(small(), dataDims(small()), ROOMY, 2 ** 30)).toEqual([]);
  });

  it('names the layer whose activations pass the storage binding limit, and what to reduce', () => {
    const exp = small({ model: { kind: 'mlp', hidden: [8, 400], activation: 'relu', initScale: 1, bias: true } });
    // Layer 1 activations: 2 runs x 10 points x 400 units x 4 B = 32000 B; evaluation: 2 x 100 x 400 x 4 = 320000 B.
    const limits = { ...ROOMY, maxStorageBufferBindingSize: 16 * 1024 };
    const errors = checkDeviceLimits(exp, dataDims(exp), limits);
    const layer = errors.find((e) => e.path === 'model.hidden[1]');
    expect(layer?.message).toBe(
      "the activations of layer 1 (2 runs x 10 points x 400 units) need 31.3 KiB, more than this GPU's 16 KiB storage binding limit; " +
        'reduce the width, the batch size or the number of runs',
    );
    expect(errors.find((e) => e.path === 'model.hidden')?.message).toMatch(
      /evaluation buffers .* need 313 KiB, .* reduce the widest layer or the number of runs/,
    );
    expect(errors.some((e) => e.path === 'model.hidden[0]')).toBe(false);
    // One error per path and limit, not one per buffer (Z, A and delta are the same size).
    expect(new Set(errors.map((e) => e.path)).size).toBe(errors.length);
  });

  it('reports the buffer size limit for non-bound buffers and storage buffers alike', () => {
    const exp = small({ data: { kind: 'circle', nTrain: 5000, nTest: 50, noise: 0.1 } });
    const limits = { ...ROOMY, maxBufferSize: 32 * 1024, maxStorageBufferBindingSize: 2 ** 30 };
    const errors = checkDeviceLimits(exp, dataDims(exp), limits);
    // x-train: 5000 x 2 x 4 = 40000 B.
    expect(errors.find((e) => e.path === 'data.nTrain')?.message).toMatch(
      /^the training inputs need 39\.1 KiB, more than this GPU's 32 KiB buffer size limit; reduce data\.nTrain/,
    );
  });

  it('points curvature buffers at the subset field', () => {
    const exp = small({
      model: { kind: 'mlp', hidden: [64], activation: 'relu', initScale: 1, bias: true },
      metrics: { every: 10, evalSubset: 0, sharpness: { every: 10, iters: 2, subset: 100 } },
      batchSize: 1,
      runs: [run('sgd')],
    });
    // Curvature graph: 2 x 1 run x 100 points x 64 units x 4 B = 51200 B; training batch: 1 x 1 x 64 x 4 B.
    const errors = checkDeviceLimits(exp, dataDims(exp), { ...ROOMY, maxStorageBufferBindingSize: 48 * 1024 });
    const e = errors.find((x) => x.path === 'metrics.sharpness.subset');
    expect(e?.message).toMatch(
      /^the activations of layer 0 \(2 runs x 100 points x 64 units\) need 50 KiB, .*reduce metrics\.sharpness\.subset/,
    );
  });

  it('checks dispatch sizes against the workgroups-per-dimension limit', () => {
    const exp = small({ model: { kind: 'mlp', hidden: [1000], activation: 'relu', initScale: 1, bias: true } });
    // Forward layer 0: 2 x 10 x 1000 = 20000 threads / 64 = 313 workgroups.
    const errors = checkDeviceLimits(exp, dataDims(exp), { ...ROOMY, maxComputeWorkgroupsPerDimension: 200 });
    expect(errors.find((e) => e.path === 'model.hidden[0]')?.message).toMatch(
      /^the forward layer 0 kernel needs 313 x 1 workgroups, more than this GPU's 200 per dimension; reduce the width/,
    );
    // 2 runs per per-run kernel stay under a limit of 2.
    const runsOnly = checkDeviceLimits(small(), dataDims(small()), { ...ROOMY, maxComputeWorkgroupsPerDimension: 2 });
    expect(runsOnly.some((e) => e.path === 'runs')).toBe(false);
  });

  it('compares the total with a memory budget and lists the largest buffers', () => {
    const exp = small();
    const total = planMemory(exp, dataDims(exp)).totalBytes;
    expect(checkDeviceLimits(exp, dataDims(exp), ROOMY, total)).toEqual([]);
    const errors = checkDeviceLimits(exp, dataDims(exp), ROOMY, total - 1);
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('runs');
    expect(errors[0].message).toMatch(
      /^this experiment needs .* of GPU memory, more than the .* available \(largest: evalA0 /,
    );
    expect(errors[0].message).toMatch(/reduce the number of runs/);
  });

  it('the largest config the validator accepts is refused on a 128 MiB binding, with a path', () => {
    const exp = small({
      data: { kind: 'circle', nTrain: LIMITS.points, nTest: 50, noise: 0.1 },
      model: { kind: 'mlp', hidden: [LIMITS.hiddenWidth], activation: 'relu', initScale: 1, bias: true },
      batchSize: 'full',
    });
    const errors = checkDeviceLimits(exp, dataDims(exp), ROOMY);
    expect(errors.find((e) => e.path === 'model.hidden[0]')?.message).toMatch(
      /need 3\.05 GiB, more than this GPU's 128 MiB storage binding limit/,
    );
  });
});

describe('formatBytes', () => {
  it('uses binary units and trims zeros', () => {
    expect([80, 1024, 1536, 256 * 2 ** 20, 1.2 * 2 ** 30].map(formatBytes)).toEqual([
      '80 B',
      '1 KiB',
      '1.5 KiB',
      '256 MiB',
      '1.2 GiB',
    ]);
  });
});
