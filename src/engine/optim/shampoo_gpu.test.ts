/**
 * Shampoo's kernels on the real WebGPU adapter (SwiftShader here) against the float64 reference:
 * the factors kernel (outer-product accumulation, then the coupled Newton inverse fourth root) on
 * random inputs, and the whole update (Linv m_hat Rinv, grafting) for shapes with rows > cols,
 * rows < cols and 1 x n, none a multiple of the workgroup size.
 */
import { describe, expect, it } from 'vitest';
import { mlpLayout, type TensorInfo } from '../model/layout';
import { BufferPool, COPY_DST, readF32, STORAGE, storageBuffer, UNIFORM } from '../webgpu/buffers';
import { testGpu } from '../webgpu/testing';
import { harnessRng, maxRelDiff, runCpuOptimizer, runGpuOptimizer } from './harness';
import { shampoo } from './shampoo';
import { inverseFourthRoot, shampooLayout } from './shampoo_cpu';
import { shampooKernels, shampooTables } from './shampoo_gpu';
import { hyperOf } from './testing_cpu';
import { STEP_SCALARS } from './types';

const weight = (rows: number, cols: number): TensorInfo[] => [
  { name: 'w', offset: 0, size: rows * cols, shape: [rows, cols], layer: 0, kind: 'weight' },
];

/** Max |a - b| over max |b| of two n x n matrices after multiplying both by `by` (n x n) on the right. */
function relAfter(a: ArrayLike<number>, b: ArrayLike<number>, by: ArrayLike<number>, n: number): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let x = 0;
      let y = 0;
      for (let k = 0; k < n; k++) {
        x += a[i * n + k] * by[k * n + j];
        y += b[i * n + k] * by[k * n + j];
      }
      num = Math.max(num, Math.abs(x - y));
      den = Math.max(den, Math.abs(y));
    }
  return num / den;
}

/**
 * One `factors` dispatch on a single weight [rows, cols] for R runs: starting factors A0 (random
 * PSD, rank `rank` per factor, plus `ridge` I), the kernel adds G G^T / G^T G and, on this refresh
 * step, writes the inverse fourth roots. Returns the factors and roots it wrote, per run.
 */
async function factorsOnce(rows: number, cols: number, rank: number, ridge: number, seed: number) {
  const { device, pipelines } = await testGpu();
  const R = 2;
  const tensors = weight(rows, cols);
  const layout = shampooLayout(tensors);
  const P = rows * cols;
  const FR = layout.floats;
  const rng = harnessRng(seed);
  const hps = [
    hyperOf(shampoo, { preconditionFrequency: 1 }),
    hyperOf(shampoo, { preconditionFrequency: 1, epsilon: 1e-3 }),
  ];
  const facs0 = new Float32Array(R * FR);
  for (let r = 0; r < R; r++)
    for (const f of layout.factors) {
      const B = rng.array(f.n * rank, 1 / Math.sqrt(Math.max(1, rank)));
      for (let i = 0; i < f.n; i++)
        for (let j = 0; j < f.n; j++) {
          let s = i === j ? ridge : 0;
          for (let q = 0; q < rank; q++) s += B[i * rank + q] * B[j * rank + q];
          facs0[r * FR + f.off + i * f.n + j] = s;
        }
    }
  const grads = rng.array(R * P);
  const hyper = new Float32Array(R * shampoo.hyperSize);
  const sc = new Float32Array(R * STEP_SCALARS);
  hps.forEach((hp, r) => {
    hyper.set(shampoo.packHyper(hp), r * shampoo.hyperSize);
    sc.set(shampoo.stepScalars(hp, 1, 0.01), r * STEP_SCALARS);
  });
  const own: GPUBuffer[] = [];
  const mk = (b: GPUBuffer) => (own.push(b), b);
  const stepInfo = mk(device.createBuffer({ size: 256, usage: UNIFORM | COPY_DST }));
  device.queue.writeBuffer(stepInfo, 0, new Uint32Array([1, 0, R, P]));
  const facs = mk(storageBuffer(device, facs0, 'shampoo.facs'));
  const roots = mk(storageBuffer(device, R * FR, 'shampoo.roots'));
  const buffers = {
    params: mk(storageBuffer(device, R * P)),
    grads: mk(storageBuffer(device, grads)),
    state: mk(storageBuffer(device, 2 * R * P)),
    hyperR: mk(storageBuffer(device, hyper)),
    scalars: mk(storageBuffer(device, sc)),
    tables: mk(storageBuffer(device, shampooTables(layout))),
    facs,
    roots,
    newton: mk(storageBuffer(device, 4 * R * FR)),
    work: mk(storageBuffer(device, 2 * R * P)),
  };
  const dims = { runs: R, paramCount: P, layout, tensors: 1 };
  const k = await shampooKernels(device, pipelines, shampoo, dims, buffers, stepInfo);
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  k.factors!.encode(pass, 0);
  pass.end();
  device.queue.submit([enc.finish()]);
  const [F, X] = [await readF32(device, facs, R * FR), await readF32(device, roots, R * FR)];
  for (const b of own) b.destroy();
  return { layout, facs0, grads, F, X, hps, R, FR, P };
}

describe('shampoo factors kernel (WebGPU) against float64', () => {
  const shapes: [number, number, number, number][] = [
    // rows, cols, rank of the starting factor, its ridge
    [1, 9, 1, 0.5],
    [5, 3, 5, 0.1],
    [13, 70, 6, 0],
    [70, 13, 70, 1],
    [130, 2, 0, 0],
  ];
  for (const [rows, cols, rank, ridge] of shapes)
    it(`[${rows} x ${cols}] factors (start rank ${rank}, ridge ${ridge}): accumulation and inverse fourth roots`, async () => {
      const o = await factorsOnce(rows, cols, rank, ridge, 3 + rows);
      const lines: string[] = [];
      const worst = { acc: 0, seen: 0, whole: 0 };
      for (let r = 0; r < o.R; r++)
        for (const f of o.layout.factors) {
          const at = r * o.FR + f.off;
          const nn = f.n * f.n;
          // The accumulation, in float64 from the same float32 inputs.
          const want = new Float64Array(nn);
          for (let a = 0; a < f.n; a++)
            for (let b = 0; b < f.n; b++) {
              let s = 0;
              const G = (i: number, j: number) => o.grads[r * o.P + i * cols + j];
              if (f.side === 0) for (let j = 0; j < cols; j++) s += G(a, j) * G(b, j);
              else for (let i = 0; i < rows; i++) s += G(i, a) * G(i, b);
              want[a * f.n + b] = o.facs0[at + a * f.n + b] + s;
            }
          const got = o.F.subarray(at, at + nn);
          worst.acc = Math.max(worst.acc, maxRelDiff(got, want, Math.max(...want.map(Math.abs))));
          // The root of what the kernel accumulated (so both start from the same float32 matrix).
          const A = Float64Array.from(got);
          const eps = o.hps[r].epsilon as number;
          const ref = inverseFourthRoot(A, f.n, eps)!;
          const X = o.X.subarray(at, at + nn);
          const whole = maxRelDiff(X, ref, Math.max(...ref.map(Math.abs)));
          // What the update mostly uses: the root applied to directions the factor has seen (its columns).
          const seen = relAfter(X, ref, A, f.n);
          lines.push(
            `n=${f.n} eps=${eps}: root ${whole.toExponential(2)}, on the factor's range ${seen.toExponential(2)}`,
          );
          worst.seen = Math.max(worst.seen, seen);
          // Float32 rounding of the factor's null space is about 1e-7 |A|, known to ~1e-7/eps.
          worst.whole = Math.max(worst.whole, whole / (1e-3 / eps));
        }
      console.log(
        `[shampoo] factors [${rows} x ${cols}]: accumulation ${worst.acc.toExponential(2)}; ${lines.join('; ')}`,
      );
      expect(worst.acc).toBeLessThan(1e-6);
      expect(worst.seen).toBeLessThan(1e-4);
      expect(worst.whole).toBeLessThan(1);
    });
});

describe('shampoo update (WebGPU) against float64', () => {
  it('rows > cols, rows < cols and 1 x n weights, roots refreshed every step: 12 steps', async () => {
    // Weights 70 x 13, 1 x 70; biases 70 and 1. Every step refreshes the roots (frequency 1).
    const { tensors, paramCount: P } = mlpLayout([13, 70, 1]);
    const hps = [
      hyperOf(shampoo, { lr: 0.01, preconditionFrequency: 1 }),
      hyperOf(shampoo, { lr: 0.02, preconditionFrequency: 2, beta2: 0.9, adagradGrafting: true, weightDecay: 0.1 }),
    ];
    const rng = harnessRng(5);
    const R = hps.length;
    const args = {
      hps,
      tensors,
      paramCount: P,
      init: rng.array(R * P, 0.5),
      grads: Array.from({ length: 12 }, () => rng.array(R * P)),
      withState: true,
    };
    const gpu = await runGpuOptimizer(shampoo, args);
    const cpu = runCpuOptimizer(shampoo, args);
    let worst = 0;
    for (let k = 0; k < 12; k++) worst = Math.max(worst, maxRelDiff(gpu.params[k], cpu.params[k]));
    const state = maxRelDiff(gpu.state![11], cpu.state![11]);
    console.log(`[shampoo] update 12 steps: params ${worst.toExponential(2)}, state ${state.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    expect(state).toBeLessThan(1e-4);
  });
});

describe('shampoo GPU buffers and dispatches', () => {
  /** The storage buffers shampoo.createGpu allocates (label -> bytes), and the optimizer's dispatch count. */
  async function allocated(tensors: TensorInfo[], P: number, runs: number) {
    const { device } = await testGpu();
    const seen = new Map<string, number>();
    const original = device.createBuffer;
    let dispatches = -1;
    (device as { createBuffer: GPUDevice['createBuffer'] }).createBuffer = (d: GPUBufferDescriptor) => {
      if ((d.usage & STORAGE) !== 0 && d.label?.startsWith('shampoo.')) seen.set(d.label, d.size);
      return original.call(device, d);
    };
    const def = {
      ...shampoo,
      createGpu: async (ctx: Parameters<typeof shampoo.createGpu>[0]) => {
        const g = await shampoo.createGpu(ctx);
        dispatches = g.dispatches ?? 1;
        return g;
      },
    };
    try {
      const hps = Array.from({ length: runs }, () => hyperOf(shampoo));
      const rng = harnessRng(1);
      await runGpuOptimizer(def, {
        hps,
        tensors,
        paramCount: P,
        init: rng.array(runs * P),
        grads: [rng.array(runs * P)],
      });
    } finally {
      (device as { createBuffer: GPUDevice['createBuffer'] }).createBuffer = original;
    }
    return { seen, dispatches };
  }

  it('allocates exactly what gpuBuffers declares (the memory plan), and dispatches twice per step', async () => {
    // The 2-128-128-2 MLP: factors 128 and 2, 128 and 128, 2 and 128.
    const { tensors, paramCount: P } = mlpLayout([2, 128, 128, 2]);
    const { seen, dispatches } = await allocated(tensors, P, 3);
    const declared = shampoo.gpuBuffers!(tensors, 3, []);
    expect(new Map(declared.map((b) => [b.label, BufferPool.round(b.floats * 4)]))).toEqual(seen);
    expect(declared.find((b) => b.label === 'shampoo.facs')!.floats).toBe(3 * (4 * 128 * 128 + 2 * 4));
    expect(dispatches).toBe(2);
  });

  it('a layout without weight matrices: no factors, one dispatch, the grafting step alone', async () => {
    const tensors: TensorInfo[] = [{ name: 'b', offset: 0, size: 5, shape: [5], layer: 0, kind: 'bias' }];
    const { seen, dispatches } = await allocated(tensors, 5, 2);
    const declared = shampoo.gpuBuffers!(tensors, 2, []);
    expect(new Map(declared.map((b) => [b.label, BufferPool.round(b.floats * 4)]))).toEqual(seen);
    expect(dispatches).toBe(1);
  });
});
