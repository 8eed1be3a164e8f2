/**
 * Shared by the CNN parity tests (cnn_gpu_kernels.test.ts, cnn_gpu.test.ts): a seeded generator,
 * random tensors, the model and layer builders, and the relative-error check, whose worst value per
 * kind each test file logs at its end.
 */
import { afterAll, expect } from 'vitest';
import type { Activation, CnnLayer } from '../../schema/types';

/** Tolerance of every parity check: max |gpu - cpu| / max |cpu| per tensor. */
export const TOL = 2e-4;

/** A seeded LCG on [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
/** n values uniform on [lo, hi). */
export const rand = (n: number, rnd: () => number, lo = -1, hi = 1) =>
  new Float32Array(n).map(() => lo + (hi - lo) * rnd());

/**
 * The check of one test file: expectClose(what, gpu, cpu) asserts max |gpu - cpu| / max |cpu| < TOL
 * and records it under `what`; the worst value per kind is logged after the file's tests as
 * "[tag] worst relative errors".
 */
export function parityCheck(tag: string): (what: string, gpu: ArrayLike<number>, cpu: ArrayLike<number>) => void {
  const worst = new Map<string, number>();
  afterAll(() => {
    const lines = [...worst].map(([k, v]) => `  ${k}: ${v.toExponential(2)}`);
    console.log(`[${tag}] worst relative errors (tolerance ${TOL}):\n${lines.join('\n')}`);
  });
  return (what, gpu, cpu) => {
    expect(gpu.length).toBe(cpu.length);
    let err = 0;
    let scale = 0;
    for (let i = 0; i < cpu.length; i++) {
      err = Math.max(err, Math.abs(gpu[i] - cpu[i]));
      scale = Math.max(scale, Math.abs(cpu[i]));
    }
    const rel = scale > 0 ? err / scale : err;
    const kind = what.replace(/ run \d+.*/, '');
    worst.set(kind, Math.max(worst.get(kind) ?? 0, rel));
    expect(rel, `${what}: max error ${err} on values up to ${scale}`).toBeLessThan(TOL);
  };
}

/** A "cnn" model config of these layers. */
export const cnnModel = (layers: CnnLayer[], activation: Activation, bias = true) => ({
  kind: 'cnn' as const,
  layers,
  activation,
  initScale: 1,
  bias,
});
/** A conv2d layer. */
export const conv = (channels: number, kernel: [number, number], stride: [number, number], padding: [number, number]) =>
  ({ type: 'conv2d', channels, kernel, stride, padding }) as const;
/** A pooling layer. */
export const pool = (type: 'maxpool' | 'avgpool', size: [number, number], stride: [number, number]) =>
  ({ type, size, stride }) as const;
