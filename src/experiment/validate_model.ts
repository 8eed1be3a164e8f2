/** Validation of the `model` and `metrics` sections. */
import { ACTIVATIONS, type Activation, type MetricsConfig, type ModelConfig, type ModelKind } from './types';
import { defaultModelOf, readOutputScale, validateCnnModel, validatePatchCnnModel } from './validate_cnn';
import { S_RANDOMIZED_CHOICES, type SRandomizedChoice } from './types';
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
} from '../schema/fields';

const MODEL_KEYS = ['kind', 'hidden', 'activation', 'initScale', 'bias', 'outputScale'] as const;
export const MODEL_KINDS = ['mlp', 'cnn', 'patch-cnn'] as const satisfies readonly ModelKind[];
const METRICS_KEYS = ['every', 'evalSubset', 'sharpness', 'trace', 'sRandomized'] as const;
const SHARPNESS_KEYS = ['every', 'iters', 'tol', 'subset', 'k'] as const;
const TRACE_KEYS = ['every', 'samples', 'subset'] as const;

/**
 * The model: `kind` (default: the fallback's) picks the fields allowed; missing fields come from the
 * fallback when it has the same kind, else from defaultModelOf(kind).
 */
export function validateModel(issues: Issues, raw: unknown, fallback: ModelConfig): ModelConfig | undefined {
  const path = 'model';
  if (raw === undefined) return structuredClone(fallback);
  const obj = readObject(issues, raw, path);
  if (!obj) return undefined;
  const kind =
    obj.kind === undefined
      ? fallback.kind
      : checkEnum<ModelKind>(issues, obj.kind, child(path, 'kind'), 'model kind', MODEL_KINDS);
  if (!kind) return undefined;
  const base = fallback.kind === kind ? fallback : defaultModelOf(kind);
  if (base.kind === 'cnn') return validateCnnModel(issues, obj, path, base);
  if (base.kind === 'patch-cnn') return validatePatchCnnModel(issues, obj, path, base);
  checkKeys(issues, obj, path, MODEL_KEYS);
  const before = issues.count;
  const hidden =
    obj.hidden === undefined ? base.hidden.slice() : validateHidden(issues, obj.hidden, child(path, 'hidden'));
  const activation =
    obj.activation === undefined
      ? base.activation
      : checkEnum<Activation>(issues, obj.activation, child(path, 'activation'), 'activation', ACTIVATIONS);
  const initScale = readNumber(
    issues,
    obj,
    'initScale',
    path,
    { min: 0, minExclusive: true, max: 1000 },
    base.initScale,
  );
  const bias = readBoolean(issues, obj, 'bias', path, base.bias);
  const outputScale = readOutputScale(issues, obj, path, base.outputScale);
  if (issues.count > before || !hidden || !activation || initScale === undefined || bias === undefined)
    return undefined;
  const out: ModelConfig = { kind: 'mlp', hidden, activation, initScale, bias };
  if (typeof outputScale === 'number') out.outputScale = outputScale;
  return out;
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
      const k =
        s.k === undefined ? undefined : checkNumber(issues, s.k, child(sp, 'k'), { integer: true, min: 1, max: 5 });
      if (k !== undefined && iters !== undefined && k > Math.min(iters, 32))
        issues.add(
          child(sp, 'k'),
          `expected at most iters = ${iters} eigenvalues (one product per eigenvalue), got ${k}`,
        );
      else if (sEvery !== undefined && iters !== undefined) {
        out.sharpness = { every: sEvery, iters };
        if (tol !== undefined) out.sharpness.tol = tol;
        if (subset !== undefined) out.sharpness.subset = subset;
        if (k !== undefined) out.sharpness.k = k;
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
  if (obj.sRandomized !== undefined) {
    const sr = validateSRandomized(issues, obj.sRandomized, child(path, 'sRandomized'));
    if (sr) out.sRandomized = sr;
  }
  return issues.count > before ? undefined : out;
}

/** metrics.sRandomized: a list of distinct choices ('linear', 'slab', 'complex'). */
function validateSRandomized(issues: Issues, v: unknown, path: string): SRandomizedChoice[] | undefined {
  if (!Array.isArray(v)) {
    issues.add(
      path,
      `expected a list of ${S_RANDOMIZED_CHOICES.join(', ')} (such as ["linear", "complex"]), got ${show(v)}`,
    );
    return undefined;
  }
  const out: SRandomizedChoice[] = [];
  let ok = true;
  v.forEach((item, i) => {
    const c = checkEnum<SRandomizedChoice>(issues, item, at(path, i), 'S-randomized choice', S_RANDOMIZED_CHOICES);
    if (c === undefined) ok = false;
    else if (out.includes(c)) {
      issues.add(at(path, i), `"${c}" is listed twice; list each choice once`);
      ok = false;
    } else out.push(c);
  });
  return ok ? out : undefined;
}
