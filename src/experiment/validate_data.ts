/** Validation of the `data` section: the kind, then each generator parameter against its spec. */
import { ACTIVATIONS, type DataConfig, type DataKind } from './types';
import { dataCrossProblems, defaultDataConfig, dataParamSpecs } from '../engine/data/defaults';
import { CSV_MAX_BYTES } from '../engine/data/csv';
import { DATA_KINDS, LIMITS, dataShape } from './limits';
import {
  Issues,
  checkEnum,
  checkIntArray,
  checkKeys,
  checkNumber,
  child,
  readObject,
  show,
  type NumberRule,
} from '../schema/fields';

/** The fields of a data spec the validator reads (engine/data/defaults.ts owns the specs). */
interface ParamSpecLike {
  key: string;
  min?: number;
  max?: number;
  integer?: boolean;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** Parameters whose limit is a size limit (reported as "reduce X" before the spec's range). */
const SIZE_LIMITS: Record<string, number> = {
  nTrain: LIMITS.points,
  nTest: LIMITS.points,
  inputDim: LIMITS.inputDim,
  outputDim: LIMITS.outputDim,
  nClasses: LIMITS.classes,
};

const POINTS_RULE: NumberRule = { integer: true, min: 1, max: LIMITS.points };

function ruleFor(spec: ParamSpecLike | undefined, key: string): NumberRule {
  const base: NumberRule = key === 'nTrain' || key === 'nTest' ? POINTS_RULE : {};
  if (!spec) return base;
  return {
    min: spec.min ?? base.min,
    max: spec.max ?? base.max,
    integer: spec.integer ?? base.integer,
    minExclusive: spec.minExclusive,
    maxExclusive: spec.maxExclusive,
  };
}

/** The data kind and its parameters, defaults filled in; undefined after reporting problems. */
export function validateData(issues: Issues, raw: unknown, path: string): DataConfig | undefined {
  const obj = readObject(issues, raw, path);
  if (!obj) return undefined;
  if (obj.kind === undefined) {
    issues.add(child(path, 'kind'), `missing; expected one of ${DATA_KINDS.join(', ')}`);
    return undefined;
  }
  const kind = checkEnum<DataKind>(issues, obj.kind, child(path, 'kind'), 'data kind', DATA_KINDS);
  if (!kind) return undefined;
  const defaults = defaultDataConfig(kind) as unknown as Record<string, unknown>;
  const specs = dataParamSpecs(kind) as readonly ParamSpecLike[];
  const keys = Object.keys(defaults);
  checkKeys(issues, obj, path, keys);
  const before = issues.count;
  const out: Record<string, unknown> = { ...defaults, kind };
  for (const key of keys) {
    if (key === 'kind' || obj[key] === undefined) continue;
    const p = child(path, key);
    const v = obj[key];
    if (key === 'teacherHidden') {
      out[key] = checkIntArray(
        issues,
        v,
        p,
        { min: 1, max: LIMITS.hiddenWidth },
        LIMITS.hiddenLayers,
        `${show(v)} has more than ${LIMITS.hiddenLayers} layers; reduce the teacher's depth`,
      );
    } else if (key === 'teacherActivation') {
      out[key] = checkEnum(issues, v, p, 'activation', ACTIVATIONS);
    } else if (key === 'task') {
      out[key] = checkEnum(issues, v, p, 'CSV task', CSV_TASKS);
    } else if (key === 'text' || key === 'labelColumn') {
      if (typeof v !== 'string') issues.add(p, `expected a string, got ${show(v)}`);
      else if (key === 'text' && v.length > CSV_MAX_BYTES)
        issues.add(p, `the CSV is larger than the limit of ${CSV_MAX_BYTES} bytes (5 MB); use fewer rows`);
      else out[key] = v;
    } else if (key in SIZE_LIMITS && typeof v === 'number' && v > SIZE_LIMITS[key]) {
      issues.add(p, `${v} exceeds the limit of ${SIZE_LIMITS[key]}; reduce ${key}`);
    } else if (typeof defaults[key] === 'number') {
      out[key] = checkNumber(
        issues,
        v,
        p,
        ruleFor(
          specs.find((s) => s.key === key),
          key,
        ),
      );
    } else if (typeof defaults[key] === 'boolean') {
      if (typeof v === 'boolean') out[key] = v;
      else issues.add(p, `expected true or false, got ${show(v)}`);
    } else {
      issues.add(p, `cannot be set from a config`);
    }
  }
  if (issues.count > before) return undefined;
  const data = out as unknown as DataConfig;
  for (const pr of dataCrossProblems(data)) issues.add(child(path, pr.key), pr.message);
  if (issues.count > before) return undefined;
  checkDataLimits(issues, data, path);
  return issues.count > before ? undefined : data;
}

const CSV_TASKS = ['auto', 'classification', 'regression'] as const;

/** Size limits that say what to reduce. */
function checkDataLimits(issues: Issues, data: DataConfig, path: string): void {
  const shape = dataShape(data);
  if (shape.inputDim > LIMITS.inputDim) {
    const what = data.kind === 'feature-noise' ? 'patchDim * numPatches' : 'inputDim';
    issues.add(path, `input dimension ${shape.inputDim} exceeds the limit of ${LIMITS.inputDim}; reduce ${what}`);
  }
  if (shape.targetDim > LIMITS.outputDim)
    issues.add(
      child(path, 'outputDim'),
      `${shape.targetDim} exceeds the limit of ${LIMITS.outputDim}; reduce outputDim`,
    );
  if (shape.nClasses > LIMITS.classes)
    issues.add(child(path, 'nClasses'), `${shape.nClasses} exceeds the limit of ${LIMITS.classes}; reduce nClasses`);
}
