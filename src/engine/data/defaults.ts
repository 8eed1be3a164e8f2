/**
 * Default parameters of each data generator and the spec of every numeric parameter (range,
 * integer, description): the validator, the CLI's `list` and the UI read them from here.
 */
import type { DataConfig, DataKind } from '../../schema/types';
import { LIMITS } from '../../schema/limits';
import { exampleCsv, parseCsvCached } from './csv';

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

/** Largest dim of the slab kinds, and of the slab kinds with randomRotation (O(n dim^2) work). */
export const SLAB_MAX_DIM = 1000;
export const SLAB_MAX_ROTATED_DIM = 256;

function slabDim(min: number, what: string): DataParamSpec {
  return { key: 'dim', min, max: SLAB_MAX_DIM, integer: true, description: `Input dimension: ${what}.` };
}
const SLAB_COMMON: readonly DataParamSpec[] = [
  N_TRAIN,
  N_TEST,
  { key: 'width', min: 0, max: 1000, minExclusive: true, description: 'W: coordinates lie in [-W, W].' },
  {
    key: 'slabMargin',
    min: 0,
    max: 0.5,
    maxExclusive: true,
    description: 'Slab margin as a fraction of W (gap 2m between slabs); below 1/(k-1) for k slabs.',
  },
  {
    key: 'corruptSlab',
    min: 0,
    max: 1,
    description: 'Fraction of points whose slab coordinates are redrawn from a slab of the other class.',
  },
];
const LINEAR: readonly DataParamSpec[] = [
  {
    key: 'linearMargin',
    min: 0,
    max: 1,
    maxExclusive: true,
    description: 'Linear margin as a fraction of W: |x_lin| lies in [margin W, W], its sign carries the label.',
  },
  {
    key: 'corruptLinear',
    min: 0,
    max: 1,
    description: 'Fraction of points whose linear coordinate has its sign flipped.',
  },
  {
    key: 'linCoord',
    min: 0,
    max: SLAB_MAX_DIM - 1,
    integer: true,
    description: 'Index of the linear coordinate (below dim).',
  },
];

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
  lms: [
    ...SLAB_COMMON,
    slabDim(2, '1 linear + (dim - 1) k-slab coordinates'),
    { key: 'slabs', min: 3, max: 7, integer: true, description: 'k: slabs per slab coordinate (3, 5 or 7).' },
    ...LINEAR,
  ],
  ms57: [...SLAB_COMMON, slabDim(2, 'one 5-slab + (dim - 1) 7-slab coordinates')],
  lsn: [...SLAB_COMMON, slabDim(2, '1 linear + 1 three-slab + (dim - 2) noise coordinates'), ...LINEAR],
  'opposing-signals': [
    N_TRAIN,
    N_TEST,
    {
      key: 'dim',
      min: 1,
      max: 10_000,
      integer: true,
      description: 'd: clean coordinates x1..xd (input dimension d + 1).',
    },
    { key: 'alpha', min: 0, max: 1000, description: 'Magnitude of the opposing signal x0 = +-alpha of the outliers.' },
    { key: 'outlierFraction', min: 0, max: 1, description: 'Fraction of points that are outliers (x0 != 0).' },
    { key: 'signal', min: 0, max: 1000, description: 'True signal: clean points have x1 = (2y - 1) * signal.' },
    { key: 'noiseStd', min: 0, max: 100, description: 'Std of the noise coordinates x2..xd.' },
    { key: 'outlierClass', min: 0, max: 1, integer: true, description: 'The class both outlier groups share.' },
  ],
  images: [
    N_TRAIN,
    N_TEST,
    { key: 'size', min: 4, max: 64, integer: true, description: 'Image height and width in pixels (e.g. 8 or 16).' },
    { key: 'channels', min: 1, max: 4, integer: true, description: 'Channels (inputs are channels-first).' },
    {
      key: 'nClasses',
      min: 2,
      max: 6,
      integer: true,
      description: 'Classes: horizontal, vertical, diagonal, anti-diagonal bar, blob, ring (the first nClasses).',
    },
    { key: 'noise', min: 0, max: 10, description: 'Std of the Gaussian noise added to every pixel.' },
  ],
  csv: [N_TRAIN, N_TEST],
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
    case 'lms':
      return {
        kind,
        nTrain: 2048,
        nTest: 1024,
        dim: 20,
        slabs: 5,
        width: 1,
        linearMargin: 0.1,
        slabMargin: 0.1,
        corruptLinear: 0,
        corruptSlab: 0,
        randomRotation: false,
        linCoord: 0,
      };
    case 'ms57':
      return {
        kind,
        nTrain: 2048,
        nTest: 1024,
        dim: 20,
        width: 1,
        slabMargin: 0.1,
        corruptSlab: 0,
        randomRotation: false,
      };
    case 'lsn':
      return {
        kind,
        nTrain: 2048,
        nTest: 1024,
        dim: 20,
        width: 1,
        linearMargin: 0.1,
        slabMargin: 0.1,
        corruptLinear: 0,
        corruptSlab: 0,
        randomRotation: false,
        linCoord: 0,
      };
    case 'opposing-signals':
      return {
        kind,
        nTrain: 512,
        nTest: 512,
        dim: 10,
        alpha: 8,
        outlierFraction: 0.05,
        signal: 1,
        noiseStd: 0.5,
        outlierClass: 1,
      };
    case 'images':
      return { kind, nTrain: 512, nTest: 512, size: 8, channels: 1, nClasses: 4, noise: 0.2 };
    case 'csv':
      return { kind, nTrain: 48, nTest: 16, text: exampleCsv(), labelColumn: 'label', task: 'auto' };
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
  out.push(...dataCrossProblems(cfg).map((p) => `data.${p.key}: ${p.message}`));
  if (cfg.kind === 'teacher-student') {
    const h = cfg.teacherHidden;
    if (!Array.isArray(h) || !h.every((w) => Number.isInteger(w) && w >= 1)) {
      out.push(`data.teacherHidden: expected an array of positive integers, got ${JSON.stringify(h)}`);
    }
  }
  return out;
}

/**
 * Cross-field rules of the slab, csv kinds (margins that leave room for k slabs, linCoord < dim,
 * the CSV text parses and has nTrain + nTest rows), as (parameter key, message).
 */
export function dataCrossProblems(cfg: DataConfig): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const push = (line: string) => {
    const i = line.indexOf(': ');
    out.push({ key: line.slice('data.'.length, i), message: line.slice(i + 2) });
  };
  if (cfg.kind === 'lms' || cfg.kind === 'ms57' || cfg.kind === 'lsn') {
    const k = cfg.kind === 'lms' ? cfg.slabs : cfg.kind === 'ms57' ? 7 : 3;
    if (cfg.kind === 'lms' && ![3, 5, 7].includes(cfg.slabs))
      push(`data.slabs: expected 3, 5 or 7, got ${String(cfg.slabs)}`);
    else if (!(cfg.slabMargin < 1 / (k - 1)))
      push(
        `data.slabMargin: expected below 1/${k - 1} for ${k}-slab coordinates (room for the slabs), got ${cfg.slabMargin}`,
      );
    if ((cfg.kind === 'lms' || cfg.kind === 'lsn') && cfg.linCoord >= cfg.dim)
      push(`data.linCoord: expected an index below dim = ${cfg.dim}, got ${cfg.linCoord}`);
    if (typeof cfg.randomRotation !== 'boolean')
      push(`data.randomRotation: expected true or false, got ${JSON.stringify(cfg.randomRotation)}`);
    else if (cfg.randomRotation && cfg.dim > SLAB_MAX_ROTATED_DIM)
      push(`data.dim: ${cfg.dim} exceeds the limit of ${SLAB_MAX_ROTATED_DIM} with randomRotation; reduce dim`);
  }
  if (cfg.kind === 'csv') {
    if (typeof cfg.labelColumn !== 'string')
      push(`data.labelColumn: expected a column name, got ${JSON.stringify(cfg.labelColumn)}`);
    else if (!['auto', 'classification', 'regression'].includes(cfg.task))
      push(`data.task: expected one of auto, classification, regression, got ${JSON.stringify(cfg.task)}`);
    else {
      const r = parseCsvCached(cfg.text, { labelColumn: cfg.labelColumn, task: cfg.task });
      if (!r.ok)
        for (const e of r.errors)
          push(e.startsWith('labelColumn:') ? `data.${e}` : `data.text: ${e.replace(/^text: /, '')}`);
      else if (cfg.nTrain + cfg.nTest > r.value.n)
        push(`data.nTrain: nTrain + nTest = ${cfg.nTrain + cfg.nTest} exceeds the ${r.value.n} rows of the CSV`);
    }
  }
  return out;
}
