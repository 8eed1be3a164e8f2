/** Validation of the `model` and `metrics` sections. */
import { ACTIVATIONS, type Activation, type MetricsConfig, type ModelConfig } from './types';
import { LIMITS } from './limits';
import {
  Issues,
  checkEnum,
  checkKeys,
  checkNumber,
  child,
  at,
  readBoolean,
  readNumber,
  readObject,
  show,
} from './fields';

const MODEL_KEYS = ['kind', 'hidden', 'activation', 'initScale', 'bias'] as const;
const METRICS_KEYS = ['every', 'evalSubset', 'sharpness', 'trace'] as const;
const SHARPNESS_KEYS = ['every', 'iters', 'tol', 'subset'] as const;
const TRACE_KEYS = ['every', 'samples', 'subset'] as const;

export function validateModel(issues: Issues, raw: unknown, fallback: ModelConfig): ModelConfig | undefined {
  const path = 'model';
  if (raw === undefined) return structuredClone(fallback);
  const obj = readObject(issues, raw, path);
  if (!obj) return undefined;
  checkKeys(issues, obj, path, MODEL_KEYS);
  const before = issues.count;
  if (obj.kind !== undefined) checkEnum(issues, obj.kind, child(path, 'kind'), 'model kind', ['mlp'] as const);
  const hidden =
    obj.hidden === undefined ? fallback.hidden.slice() : validateHidden(issues, obj.hidden, child(path, 'hidden'));
  const activation =
    obj.activation === undefined
      ? fallback.activation
      : checkEnum<Activation>(issues, obj.activation, child(path, 'activation'), 'activation', ACTIVATIONS);
  const initScale = readNumber(
    issues,
    obj,
    'initScale',
    path,
    { min: 0, minExclusive: true, max: 1000 },
    fallback.initScale,
  );
  const bias = readBoolean(issues, obj, 'bias', path, fallback.bias);
  if (issues.count > before || !hidden || !activation || initScale === undefined || bias === undefined)
    return undefined;
  return { kind: 'mlp', hidden, activation, initScale, bias };
}

function validateHidden(issues: Issues, v: unknown, path: string): number[] | undefined {
  if (!Array.isArray(v)) {
    issues.add(path, `expected an array of layer widths such as [64, 64] ([] for a linear model), got ${show(v)}`);
    return undefined;
  }
  if (v.length > LIMITS.hiddenLayers) {
    issues.add(
      path,
      `${v.length} hidden layers exceeds the limit of ${LIMITS.hiddenLayers}; remove ${v.length - LIMITS.hiddenLayers} layers`,
    );
    return undefined;
  }
  const out: number[] = [];
  v.forEach((w, i) => {
    const p = at(path, i);
    if (typeof w === 'number' && Number.isInteger(w) && w > LIMITS.hiddenWidth) {
      issues.add(p, `${w} units exceeds the limit of ${LIMITS.hiddenWidth}; reduce the width`);
      return;
    }
    const n = checkNumber(issues, w, p, { integer: true, min: 1, max: LIMITS.hiddenWidth });
    if (n !== undefined) out.push(n);
  });
  return out.length === v.length ? out : undefined;
}

export function validateMetrics(issues: Issues, raw: unknown, fallback: MetricsConfig): MetricsConfig | undefined {
  const path = 'metrics';
  if (raw === undefined) return structuredClone(fallback);
  const obj = readObject(issues, raw, path);
  if (!obj) return undefined;
  checkKeys(issues, obj, path, METRICS_KEYS);
  const before = issues.count;
  const every = readNumber(issues, obj, 'every', path, { integer: true, min: 1, max: LIMITS.steps }, fallback.every);
  const evalSubset = readNumber(
    issues,
    obj,
    'evalSubset',
    path,
    { integer: true, min: 0, max: LIMITS.points },
    fallback.evalSubset,
  );
  const out: MetricsConfig = { every: every ?? 1, evalSubset: evalSubset ?? 0 };

  const sp = child(path, 'sharpness');
  if (obj.sharpness !== undefined && obj.sharpness !== null) {
    const s = readObject(issues, obj.sharpness, sp);
    if (s) {
      checkKeys(issues, s, sp, SHARPNESS_KEYS);
      const sEvery = readNumber(issues, s, 'every', sp, { integer: true, min: 0, max: LIMITS.steps }, 50);
      const iters = readNumber(issues, s, 'iters', sp, { integer: true, min: 1, max: LIMITS.curvatureIters }, 20);
      const tol =
        s.tol === undefined
          ? undefined
          : checkNumber(issues, s.tol, child(sp, 'tol'), { min: 0, minExclusive: true, max: 1 });
      const subset =
        s.subset === undefined
          ? undefined
          : checkNumber(issues, s.subset, child(sp, 'subset'), { integer: true, min: 0, max: LIMITS.points });
      if (sEvery !== undefined && iters !== undefined) {
        out.sharpness = { every: sEvery, iters };
        if (tol !== undefined) out.sharpness.tol = tol;
        if (subset !== undefined) out.sharpness.subset = subset;
      }
    }
  }
  const tp = child(path, 'trace');
  if (obj.trace !== undefined && obj.trace !== null) {
    const t = readObject(issues, obj.trace, tp);
    if (t) {
      checkKeys(issues, t, tp, TRACE_KEYS);
      const tEvery = readNumber(issues, t, 'every', tp, { integer: true, min: 0, max: LIMITS.steps }, 100);
      const samples = readNumber(issues, t, 'samples', tp, { integer: true, min: 1, max: LIMITS.curvatureIters }, 10);
      const subset =
        t.subset === undefined
          ? undefined
          : checkNumber(issues, t.subset, child(tp, 'subset'), { integer: true, min: 0, max: LIMITS.points });
      if (tEvery !== undefined && samples !== undefined) {
        out.trace = { every: tEvery, samples };
        if (subset !== undefined) out.trace.subset = subset;
      }
    }
  }
  return issues.count > before ? undefined : out;
}
