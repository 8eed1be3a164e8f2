/**
 * Teacher-student regression: x ~ N(0, I_inputDim); a random teacher MLP with widths
 * inputDim, teacherHidden..., outputDim, activation teacherActivation between layers (none on the
 * output), weights N(0, 1/fanIn) and no biases, gives y = teacher(x) + noise * N(0, 1) per output.
 * The teacher is drawn from its own sub-stream, so it does not depend on nTrain or nTest.
 */
import type { TeacherStudentData } from '../../../schema/types';
import { ACTIVATION_FNS } from '../../cpu/activations';
import type { Dataset, DataSplit } from '../types';
import type { Rng } from '../prng';
import { dataRng, emptySplit, SUB_TEACHER, SUB_TEST, SUB_TRAIN } from './common';

export interface Teacher {
  widths: number[];
  /** Per layer: W [out, in] row-major. */
  weights: Float64Array[];
  act: (z: number) => number;
}

export function makeTeacher(cfg: TeacherStudentData, seed: number): Teacher {
  const widths = [cfg.inputDim, ...cfg.teacherHidden, cfg.outputDim];
  const rng = dataRng(seed, SUB_TEACHER);
  const weights: Float64Array[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l];
    const w = new Float64Array(widths[l + 1] * fanIn);
    const std = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
    weights.push(w);
  }
  return { widths, weights, act: ACTIVATION_FNS[cfg.teacherActivation].f };
}

/** The teacher's output (float64) at input x. */
export function teacherForward(t: Teacher, x: ArrayLike<number>): Float64Array {
  let a = Float64Array.from(x);
  const L = t.weights.length;
  for (let l = 0; l < L; l++) {
    const nIn = t.widths[l];
    const nOut = t.widths[l + 1];
    const w = t.weights[l];
    const z = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
      let s = 0;
      for (let i = 0; i < nIn; i++) s += w[o * nIn + i] * a[i];
      z[o] = l + 1 < L ? t.act(s) : s;
    }
    a = z;
  }
  return a;
}

function split(cfg: TeacherStudentData, teacher: Teacher, n: number, rng: Rng): DataSplit {
  const D = cfg.inputDim;
  const K = cfg.outputDim;
  const s = emptySplit(n, D, K);
  const x = new Float64Array(D);
  for (let k = 0; k < n; k++) {
    // The teacher reads the stored (float32) inputs, so y = teacher(x) holds for the data as stored.
    for (let i = 0; i < D; i++) {
      s.x[k * D + i] = rng.normal();
      x[i] = s.x[k * D + i];
    }
    const y = teacherForward(teacher, x);
    for (let o = 0; o < K; o++) s.y[k * K + o] = y[o] + cfg.noise * rng.normal();
  }
  return s;
}

export function teacherStudent(cfg: TeacherStudentData, seed: number): Dataset {
  const teacher = makeTeacher(cfg, seed);
  return {
    inputDim: cfg.inputDim,
    nClasses: 0,
    targetDim: cfg.outputDim,
    train: split(cfg, teacher, cfg.nTrain, dataRng(seed, SUB_TRAIN)),
    test: split(cfg, teacher, cfg.nTest, dataRng(seed, SUB_TEST)),
    meta: { kind: cfg.kind },
  };
}
