/**
 * generateDataset: the dispatcher over the data generators. Every generator draws from
 * (seed, STREAM_DATA) with one sub-stream per part (train, test, teacher), computes in float64
 * and stores float32.
 */
import type { DataConfig } from '../../schema/types';
import type { Dataset } from './types';
import { dataConfigProblems } from './defaults';
import { featureNoise } from './generators/feature_noise';
import { circle, gauss, spiral, xor } from './generators/toy2d';
import { teacherStudent } from './generators/teacher_student';
import { lms, lsn, ms57 } from './generators/slabs';
import { opposingSignals } from './generators/opposing';
import { images } from './generators/images';
import { csvDataset } from './generators/csv';

export type { Dataset, DataSplit } from './types';
export { defaultDataConfig, dataParamSpecs } from './defaults';

export function generateDataset(cfg: DataConfig, seed: number): Dataset {
  const problems = dataConfigProblems(cfg);
  if (problems.length) throw new Error(`invalid data config: ${problems.join('; ')}`);
  const s = seed >>> 0;
  switch (cfg.kind) {
    case 'feature-noise':
      return featureNoise(cfg, s);
    case 'circle':
      return circle(cfg, s);
    case 'xor':
      return xor(cfg, s);
    case 'gauss':
      return gauss(cfg, s);
    case 'spiral':
      return spiral(cfg, s);
    case 'teacher-student':
      return teacherStudent(cfg, s);
    case 'lms':
      return lms(cfg, s);
    case 'ms57':
      return ms57(cfg, s);
    case 'lsn':
      return lsn(cfg, s);
    case 'opposing-signals':
      return opposingSignals(cfg, s);
    case 'images':
      return images(cfg, s);
    case 'csv':
      return csvDataset(cfg, s);
  }
  throw new Error(`unknown data kind "${String((cfg as { kind: unknown }).kind)}"`);
}
