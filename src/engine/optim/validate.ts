/**
 * The generic hyperparameter validator: checks a raw `{ key: value }` object against an
 * optimizer's HyperSpec list and fills in defaults. Errors name the field (path.key, path.betas[1])
 * and say what was expected. The experiment validator calls it for every run.
 */
import type { ValidationError } from '../../schema/types';
import { Issues, checkNumber, child, show, suggestion, type NumberRule } from '../../schema/fields';
import type { Hyper, HyperSpec, OptimizerDef } from './types';

function rule(spec: HyperSpec): NumberRule {
  return {
    min: spec.min,
    max: spec.max,
    minExclusive: spec.minExclusive,
    maxExclusive: spec.maxExclusive,
    integer: spec.integer,
  };
}

/** One value against its spec; undefined after reporting a problem. */
function checkValue(
  issues: Issues,
  spec: HyperSpec,
  v: unknown,
  path: string,
): number | boolean | [number, number] | undefined {
  if (spec.type === 'boolean') {
    if (typeof v === 'boolean') return v;
    issues.add(path, `expected true or false, got ${show(v)}`);
    return undefined;
  }
  if (spec.type === 'number') return checkNumber(issues, v, path, rule(spec));
  if (!Array.isArray(v) || v.length !== 2) {
    issues.add(path, `expected a pair [beta1, beta2] of numbers, got ${show(v)}`);
    return undefined;
  }
  const a = checkNumber(issues, v[0], `${path}[0]`, rule(spec));
  const b = checkNumber(issues, v[1], `${path}[1]`, rule(spec));
  return a === undefined || b === undefined ? undefined : [a, b];
}

/**
 * Validate `raw` (the optimizer object without its name) for `def`. `path` is the optimizer's path,
 * e.g. "runs[0].optimizer". Returns every hyperparameter (defaults filled in) and the problems.
 */
export function validateHyper(
  def: OptimizerDef,
  raw: Record<string, unknown>,
  path: string,
): { value: Hyper; errors: ValidationError[] } {
  const issues = new Issues();
  const keys = def.hyperparams.map((h) => h.key);
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) {
      issues.add(
        child(path, key),
        `unknown hyperparameter for ${def.name}${suggestion(key, keys)}; expected one of ${keys.join(', ')}`,
      );
    }
  }
  const value: Hyper = {};
  for (const spec of def.hyperparams) {
    const v = raw[spec.key];
    if (v === undefined) {
      value[spec.key] = Array.isArray(spec.default) ? [spec.default[0], spec.default[1]] : spec.default;
      continue;
    }
    const checked = checkValue(issues, spec, v, child(path, spec.key));
    if (checked !== undefined) value[spec.key] = checked;
  }
  return { value, errors: issues.list() };
}

/** Problems with an optimizer's own schema (each default must pass its own ranges); for tests and docs. */
export function checkDefaults(def: OptimizerDef): ValidationError[] {
  const raw: Record<string, unknown> = {};
  for (const spec of def.hyperparams) raw[spec.key] = spec.default;
  return validateHyper(def, raw, def.name).errors;
}
