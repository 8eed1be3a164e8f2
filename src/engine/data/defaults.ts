/**
 * Default parameters of each data generator and the spec of every numeric parameter (range,
 * integer, description): the validator, the CLI's `list` and the UI read them from here.
 */
import type { DataConfig, DataKind } from '../../experiment/types';
import { LIMITS } from '../../experiment/limits';

export interface DataParamSpec {
  key: string;
  /** Inclusive bounds unless minExclusive / maxExclusive. */
  min: number;
  max: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
  /** UI hint: log-scale slider. */
  log?: boolean;
  description: string;
}

const MAX_POINTS = LIMITS.points;

const N_TRAIN: DataParamSpec = {
  key: 'nTrain',
  min: 1,
  max: MAX_POINTS,
  integer: true,
  log: true,
  description: 'Training points.',
};
const N_TEST: DataParamSpec = {
  key: 'nTest',
  min: 0,
  max: MAX_POINTS,
  integer: true,
  log: true,
  description: 'Test points (0: no test set).',
};

function jitter(max: number): DataParamSpec {
  return {
    key: 'noise',
    min: 0,
    max,
    description: 'Std of the Gaussian jitter added to each input coordinate (labels stay those of the clean point).',
  };
}

function classes(what: string): DataParamSpec {
  return {
    key: 'nClasses',
    min: 2,
    max: 100,
    integer: true,
    description: `Number of classes (${what}), balanced exactly.`,
  };
}

const SPECS: Readonly<Record<DataKind, readonly DataParamSpec[]>> = {
  'feature-noise': [
    N_TRAIN,
    N_TEST,
    {
      key: 'patchDim',
      min: 2,
      max: 10_000,
      integer: true,
      description: 'd: dimension of each patch (input dimension = d * numPatches).',
    },
    {
      key: 'numPatches',
      min: 2,
      max: 10_000,
      integer: true,
      description: 'P: patches per point: 0 weak feature, 1 strong feature or noise, 2..P-1 noise.',
    },
    {
      key: 'weakNorm',
      min: 0,
      max: 100,
      description: 'Norm of the weak feature y * weakNorm * v, present in every train and test point.',
    },
    {
      key: 'strongNorm',
      min: 0,
      max: 100,
      description: 'Norm of the strong feature y * strongNorm * u (train points only).',
    },
    {
      key: 'strongFraction',
      min: 0,
      max: 1,
      description: 'Probability that a train point carries the strong feature (else patch 1 is noise).',
    },
    {
      key: 'noiseStd',
      min: 0,
      max: 100,
      description: 'Std of the noise patches, N(0, noiseStd^2) projected orthogonal to u and v.',
    },
  ],
  circle: [N_TRAIN, N_TEST, jitter(10)],
  xor: [N_TRAIN, N_TEST, jitter(10)],
  gauss: [
    N_TRAIN,
    N_TEST,
    classes('Gaussian blobs'),
    { key: 'separation', min: 0, max: 100, description: 'Radius of the circle the blob centres sit on.' },
    { key: 'noise', min: 0, max: 100, description: 'Std of each blob (per coordinate).' },
  ],
  spiral: [
    N_TRAIN,
    N_TEST,
    classes('interleaved arms'),
    { key: 'turns', min: 0, max: 10, description: 'Turns of each arm from the centre to radius 5.' },
    jitter(10),
  ],
  'teacher-student': [
    N_TRAIN,
    N_TEST,
    {
      key: 'inputDim',
      min: 1,
      max: LIMITS.inputDim,
      integer: true,
      log: true,
      description: 'Input dimension; x ~ N(0, I).',
    },
    {
      key: 'outputDim',
      min: 1,
      max: LIMITS.outputDim,
      integer: true,
      description: 'Outputs of the teacher (regression targets).',
    },
    { key: 'noise', min: 0, max: 100, description: 'Std of the Gaussian label noise added to each teacher output.' },
  ],
};

/** The numeric parameters of a data kind (teacherHidden and teacherActivation are not numbers). */
export function dataParamSpecs(kind: DataKind): readonly DataParamSpec[] {
  const specs = SPECS[kind];
  if (!specs) throw new Error(`unknown data kind "${String(kind)}"`);
  return specs;
}

/** Defaults of each kind; nTrain/nTest are sized to train in seconds. */
export function defaultDataConfig<K extends DataKind>(kind: K): Extract<DataConfig, { kind: K }>;
export function defaultDataConfig(kind: DataKind): DataConfig {
  switch (kind) {
    case 'feature-noise':
      return {
        kind,
        nTrain: 256,
        nTest: 1024,
        patchDim: 32,
        numPatches: 3,
        weakNorm: 0.2,
        strongNorm: 2,
        strongFraction: 0.8,
        noiseStd: 0.3,
      };
    case 'circle':
      return { kind, nTrain: 256, nTest: 256, noise: 0.25 };
    case 'xor':
      return { kind, nTrain: 256, nTest: 256, noise: 0.25 };
    case 'gauss':
      return { kind, nTrain: 256, nTest: 256, nClasses: 2, separation: 3, noise: 1 };
    case 'spiral':
      return { kind, nTrain: 512, nTest: 512, nClasses: 2, turns: 1.75, noise: 0.2 };
    case 'teacher-student':
      return {
        kind,
        nTrain: 512,
        nTest: 512,
        inputDim: 10,
        outputDim: 1,
        teacherHidden: [32],
        teacherActivation: 'tanh',
        noise: 0.1,
      };
  }
  throw new Error(`unknown data kind "${String(kind)}"`);
}

/**
 * Problems of a data config against the specs, as "data.<key>: ..." messages (empty when valid).
 * The experiment validator reports the same with field paths; this guards direct engine callers.
 */
export function dataConfigProblems(cfg: DataConfig): string[] {
  const out: string[] = [];
  const rec = cfg as unknown as Record<string, unknown>;
  for (const s of dataParamSpecs(cfg.kind)) {
    const v = rec[s.key];
    const range = `${s.integer ? 'an integer ' : 'a number '}in ${s.minExclusive ? '(' : '['}${s.min}, ${s.max}${s.maxExclusive ? ')' : ']'}`;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!s.integer || Number.isInteger(v)) &&
      (s.minExclusive ? v > s.min : v >= s.min) &&
      (s.maxExclusive ? v < s.max : v <= s.max);
    if (!ok) out.push(`data.${s.key}: expected ${range}, got ${typeof v === 'number' ? String(v) : JSON.stringify(v)}`);
  }
  if (cfg.kind === 'teacher-student') {
    const h = cfg.teacherHidden;
    if (!Array.isArray(h) || !h.every((w) => Number.isInteger(w) && w >= 1)) {
      out.push(`data.teacherHidden: expected an array of positive integers, got ${JSON.stringify(h)}`);
    }
  }
  return out;
}
