import { describe, expect, it } from 'vitest';
import type { TeacherStudentData } from '../../../schema/types';
import { ACTIVATION_FNS } from '../../cpu/activations';
import { generateDataset } from '../index';
import { makeTeacher, teacherForward } from './teacher_student';

const cfg: TeacherStudentData = {
  kind: 'teacher-student',
  nTrain: 2000,
  nTest: 500,
  inputDim: 6,
  outputDim: 2,
  teacherHidden: [16, 8],
  teacherActivation: 'tanh',
  noise: 0.3,
};

describe('teacher-student generator', () => {
  const ds = generateDataset(cfg, 21);
  const teacher = makeTeacher(cfg, 21);

  it('has the regression shape', () => {
    expect([ds.inputDim, ds.nClasses, ds.targetDim]).toEqual([6, 0, 2]);
    expect(ds.train.x.length).toBe(2000 * 6);
    expect(ds.train.y.length).toBe(2000 * 2);
    expect(ds.test.y.length).toBe(500 * 2);
    expect(teacher.widths).toEqual([6, 16, 8, 2]);
  });

  it('draws x ~ N(0, I)', () => {
    const x = ds.train.x;
    const n = x.length;
    const m = x.reduce((s, v) => s + v, 0) / n;
    const v = x.reduce((s, u) => s + (u - m) ** 2, 0) / (n - 1);
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  it('draws teacher weights N(0, 1/fanIn)', () => {
    for (let l = 0; l < teacher.weights.length; l++) {
      const w = teacher.weights[l];
      const ms = w.reduce((s, u) => s + u * u, 0) / w.length;
      const fanIn = teacher.widths[l];
      expect(w.length).toBe(fanIn * teacher.widths[l + 1]);
      // Mean square of w.length draws of variance 1/fanIn: relative sd sqrt(2 / w.length).
      expect(Math.abs(ms * fanIn - 1)).toBeLessThan(5 * Math.sqrt(2 / w.length));
    }
  });

  it('computes the teacher by hand for a one-layer check', () => {
    const t = makeTeacher({ ...cfg, teacherHidden: [3], teacherActivation: 'relu' }, 4);
    const x = [0.5, -1, 2, 0, 1, -0.25];
    const h = [0, 1, 2].map((o) => ACTIVATION_FNS.relu.f(x.reduce((s, xi, i) => s + t.weights[0][o * 6 + i] * xi, 0)));
    const y = [0, 1].map((o) => h.reduce((s, hi, i) => s + t.weights[1][o * 3 + i] * hi, 0));
    const got = teacherForward(t, x);
    expect(got[0]).toBeCloseTo(y[0], 14);
    expect(got[1]).toBeCloseTo(y[1], 14);
  });

  it('adds label noise of std `noise` to the teacher output', () => {
    for (const split of [ds.train, ds.test]) {
      const res: number[] = [];
      for (let k = 0; k < split.n; k++) {
        const f = teacherForward(teacher, split.x.subarray(k * 6, (k + 1) * 6));
        for (let o = 0; o < 2; o++) res.push(split.y[k * 2 + o] - f[o]);
      }
      const n = res.length;
      const m = res.reduce((s, v) => s + v, 0) / n;
      const v = res.reduce((s, u) => s + (u - m) ** 2, 0) / (n - 1);
      expect(Math.abs(m)).toBeLessThan((5 * cfg.noise) / Math.sqrt(n));
      expect(Math.abs(v - cfg.noise ** 2)).toBeLessThan(5 * cfg.noise ** 2 * Math.sqrt(2 / n));
    }
    // Noise 0: the targets are the teacher's outputs (float32 rounding only).
    const exact = generateDataset({ ...cfg, noise: 0, nTrain: 50, nTest: 0 }, 21);
    for (let k = 0; k < 50; k++) {
      const f = teacherForward(teacher, exact.train.x.subarray(k * 6, (k + 1) * 6));
      for (let o = 0; o < 2; o++) expect(exact.train.y[k * 2 + o]).toBe(Math.fround(f[o]));
    }
  });

  it('is deterministic, differs between seeds, and keeps the teacher when nTrain changes', () => {
    expect(generateDataset(cfg, 21).train.y).toEqual(ds.train.y);
    expect(generateDataset(cfg, 22).train.y).not.toEqual(ds.train.y);
    expect(makeTeacher({ ...cfg, nTrain: 3 }, 21).weights).toEqual(teacher.weights);
    expect(makeTeacher(cfg, 22).weights[0]).not.toEqual(teacher.weights[0]);
    expect(generateDataset({ ...cfg, nTrain: 3 }, 21).test.y).toEqual(ds.test.y);
  });

  it('supports a linear teacher (no hidden layers) and every activation', () => {
    const lin = generateDataset({ ...cfg, teacherHidden: [], nTrain: 20, nTest: 0 }, 1);
    expect(lin.train.y.every(Number.isFinite)).toBe(true);
    for (const a of Object.keys(ACTIVATION_FNS) as (keyof typeof ACTIVATION_FNS)[]) {
      const d = generateDataset({ ...cfg, teacherActivation: a, nTrain: 20, nTest: 5 }, 1);
      expect(d.train.y.every(Number.isFinite), a).toBe(true);
    }
  });
});
