import { describe, expect, it } from 'vitest';
import { testGpu } from '../webgpu/testing';
import { readBuffer, storageBuffer } from '../webgpu/buffers';
import { clipFractionF32, clipRank, clipTo, createTopcSelect, topcThreshold } from './select';

/** Small deterministic generator for test data (independent of the production PRNG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** f32 values with many ties (a few levels), exact zeros and both signs. */
function tiedValues(n: number, seed: number): Float32Array {
  const rnd = lcg(seed);
  const levels = [0, 0.25, 1e-3, 3.5, 7, 1e-30, 2.5e4];
  return Float32Array.from({ length: n }, () => {
    const u = rnd();
    const v =
      u < 0.5
        ? levels[Math.floor(rnd() * levels.length)]
        : Math.fround((rnd() - 0.5) * 10 ** Math.floor(rnd() * 8 - 4));
    return rnd() < 0.5 ? -v : v;
  });
}

/** Sort-based reference written independently of select.ts: k-th largest |a| (0-indexed). */
function sortRef(a: Float32Array, c: number, scale: number): number {
  if (c === 0) return Infinity;
  const k = Math.floor(a.length * clipFractionF32(c));
  if (k >= a.length) return 0;
  const d = Array.from(a, Math.abs).sort((x, y) => y - x);
  return Math.fround(d[k] * scale);
}

async function gpuTaus(
  values: Float32Array[],
  cs: number[],
  scales: number[],
  wd?: { params: Float32Array[]; wd: number[] },
): Promise<Float32Array> {
  const { device, pipelines } = await testGpu();
  const R = values.length;
  const P = values[0].length;
  const HS = 4;
  const hyper = new Float32Array(R * HS);
  cs.forEach((c, r) => {
    hyper[r * HS] = clipFractionF32(c);
    hyper[r * HS + 1] = scales[r];
    hyper[r * HS + 2] = wd?.wd[r] ?? 0;
  });
  const flat = (xs: Float32Array[]) => {
    const out = new Float32Array(R * P);
    xs.forEach((x, r) => out.set(x, r * P));
    return out;
  };
  const vBuf = storageBuffer(device, flat(values));
  const pBuf = storageBuffer(device, wd ? flat(wd.params) : R * P);
  const hBuf = storageBuffer(device, hyper);
  const sel = await createTopcSelect({
    device,
    pipelines,
    runs: R,
    paramCount: P,
    values: vBuf,
    params: pBuf,
    hyper: hBuf,
    hyperSize: HS,
    cIndex: 0,
    scaleIndex: 1,
    wdIndex: wd ? 2 : undefined,
  });
  const taus = new Float32Array(R);
  // Twice: the select must leave its histograms zeroed for the next step.
  for (let rep = 0; rep < 2; rep++) {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    sel.encode(pass);
    pass.end();
    device.queue.submit([enc.finish()]);
    const words = new Float32Array(await readBuffer(device, sel.sel, R * 16));
    for (let r = 0; r < R; r++) {
      if (rep === 1) expect(words[4 * r + 3]).toBe(taus[r]);
      taus[r] = words[4 * r + 3];
    }
  }
  sel.destroy();
  for (const b of [vBuf, pBuf, hBuf]) b.destroy();
  return taus;
}

describe('top-c threshold', () => {
  it('clipFractionF32 rounds up and clipRank keeps decimal intent', () => {
    expect(clipFractionF32(0.7)).toBeGreaterThanOrEqual(0.7);
    expect(clipRank(10, 0.7)).toBe(7);
    expect(clipRank(1000, 0.01)).toBe(10);
    expect(clipRank(1000, 0.1)).toBe(100);
    expect(clipRank(5, 1)).toBe(5);
    expect(clipRank(5, 0)).toBe(0);
  });

  it('CPU reference: c = 0, c = 1, middle c, and clipping', () => {
    const a = [3, -1, 4, -1, 5, 9, -2, 6]; // |a| sorted desc: 9 6 5 4 3 2 1 1
    expect(topcThreshold(a, 0)).toBe(Infinity);
    expect(topcThreshold(a, 1)).toBe(0);
    expect(topcThreshold(a, 0.25)).toBe(5); // k = 2
    expect(topcThreshold(a, 0.25, 0.5)).toBe(2.5);
    expect(topcThreshold(a, 0.9)).toBe(1); // k = 7 (a tie)
    expect(topcThreshold(a, 1e-6)).toBe(9); // k = 0: the maximum
    expect(a.map((x) => clipTo(x, 5))).toEqual([3, -1, 4, -1, 5, 5, -2, 5]);
    expect(clipTo(-7, 0)).toBe(-0);
  });

  it('GPU radix select equals a CPU sort (ties, zeros, odd sizes, c = 0 and 1, mixed runs)', async () => {
    const cs = [0, 1, 0.1, 0.5, 0.37, 1e-9, 0.999, 0.7, 0.05];
    const scales = [1, 1, 1, 0.5, 1, 1, 1, 2, 1];
    for (const P of [1, 7, 1000, 2049, 5003]) {
      const values = cs.map((_, r) => tiedValues(P, 1000 * P + r));
      const taus = await gpuTaus(values, cs, scales);
      cs.forEach((c, r) => {
        expect(taus[r], `P=${P} c=${c}`).toBe(sortRef(values[r], c, scales[r]));
      });
    }
  });

  it('GPU select with more than 2^16 coordinates per run (the 32x32-bit rank product)', async () => {
    const P = 70001;
    const cs = [0.3, 0.7, 0.123456];
    const values = cs.map((_, r) => tiedValues(P, 99 + r));
    const taus = await gpuTaus(values, cs, [1, 1, 1]);
    cs.forEach((c, r) => expect(taus[r]).toBe(sortRef(values[r], c, 1)));
  });

  it('GPU select handles all-equal and all-zero vectors and the largest ranks', async () => {
    const P = 777;
    const values = [
      new Float32Array(P).fill(-2),
      new Float32Array(P),
      Float32Array.from({ length: P }, (_, i) => i - 300),
    ];
    const cs = [0.3, 0.3, 0.999];
    const taus = await gpuTaus(values, cs, [1, 1, 1]);
    expect(Array.from(taus)).toEqual([2, 0, sortRef(values[2], 0.999, 1)]);
  });

  it('GPU select on g + wd * theta (clipped Adam) equals the CPU sort', async () => {
    const P = 1531;
    const rnd = lcg(5);
    // Dyadic values so g + wd * theta is exact in f32 and in float64.
    const values = [0, 1].map(() => Float32Array.from({ length: P }, () => Math.round((rnd() - 0.5) * 4096) / 1024));
    const params = [0, 1].map(() => Float32Array.from({ length: P }, () => Math.round((rnd() - 0.5) * 64) / 8));
    const wds = [0.5, 0.25];
    const cs = [0.2, 0.6];
    const taus = await gpuTaus(values, cs, [1, 1], { params, wd: wds });
    for (let r = 0; r < 2; r++) {
      const a = Float32Array.from(values[r], (g, i) => g + wds[r] * params[r][i]);
      expect(taus[r]).toBe(sortRef(a, cs[r], 1));
    }
  });
});
