/** Validation of `runs`: each run's label, colour, optimizer (via the registry) and schedule. */
import type { OptimizerConfig, RunConfig, ScheduleConfig, ValidationError } from './types';
import { getOptimizer, optimizerNames } from '../engine/optim/registry';
import { validateHyper } from '../engine/optim/validate';
import { validateSchedule } from '../engine/optim/schedules';
import { LIMITS } from './limits';
import { autoLabel } from './defaults';
import { Issues, at, checkKeys, child, readObject, show, suggestion } from '../schema/fields';

const RUN_KEYS = ['label', 'color', 'optimizer', 'schedule'] as const;
/** CSS colours: names, #hex, rgb()/hsl() forms; nothing that could escape a style value. */
const COLOR_RE = /^[#a-zA-Z0-9(),.%\s-]{1,64}$/;

/** The engine's {value, errors} results, whatever their exact value type. */
interface Checked<T> {
  value?: T;
  errors: ValidationError[];
}

function merge<T>(issues: Issues, res: Checked<T>): T | undefined {
  for (const e of res.errors) issues.add(e.path, e.message);
  return res.errors.length === 0 ? res.value : undefined;
}

export function validateOptimizer(issues: Issues, raw: unknown, path: string): OptimizerConfig | undefined {
  const obj = readObject(issues, raw, path);
  if (!obj) return undefined;
  const namePath = child(path, 'name');
  const name = obj.name;
  const known = optimizerNames();
  if (name === undefined) {
    issues.add(namePath, `missing; expected one of ${known.join(', ')}`);
    return undefined;
  }
  if (typeof name !== 'string') {
    issues.add(namePath, `expected a string (one of ${known.join(', ')}), got ${show(name)}`);
    return undefined;
  }
  const def = getOptimizer(name);
  if (!def) {
    issues.add(namePath, `unknown optimizer ${show(name)}${suggestion(name, known)} (known: ${known.join(', ')})`);
    return undefined;
  }
  const hyperRaw: Record<string, unknown> = { ...obj };
  delete hyperRaw.name;
  const hp = merge(issues, validateHyper(def, hyperRaw, path) as Checked<Record<string, unknown>>);
  if (!hp) return undefined;
  return { name: def.name, ...(hp as Omit<OptimizerConfig, 'name'>) } as OptimizerConfig;
}

export function validateRun(
  issues: Issues,
  raw: unknown,
  path: string,
  steps: number | undefined,
): RunConfig | undefined {
  const obj = readObject(issues, raw, path);
  if (!obj) return undefined;
  checkKeys(issues, obj, path, RUN_KEYS);
  const before = issues.count;
  const optimizer = validateOptimizer(issues, obj.optimizer, child(path, 'optimizer'));
  let schedule: ScheduleConfig | undefined;
  if (obj.schedule === undefined) schedule = { name: 'constant' };
  else if (steps !== undefined)
    schedule = merge(issues, validateSchedule(obj.schedule, child(path, 'schedule'), steps) as Checked<ScheduleConfig>);

  const def = optimizer && getOptimizer(optimizer.name);
  if (def?.ownSchedule && schedule && (schedule.name !== 'constant' || (schedule.warmup ?? 0) > 0))
    issues.add(
      child(path, 'schedule'),
      `${def.name} ${def.ownSchedule}; expected {"name": "constant"} without warmup, got ${JSON.stringify(schedule)}`,
    );

  let label: string | undefined;
  if (obj.label === undefined) label = optimizer ? autoLabel(optimizer) : undefined;
  else if (typeof obj.label !== 'string') issues.add(child(path, 'label'), `expected a string, got ${show(obj.label)}`);
  else if (obj.label.length > LIMITS.labelLength)
    issues.add(
      child(path, 'label'),
      `is ${obj.label.length} characters long; shorten it to at most ${LIMITS.labelLength}`,
    );
  else label = obj.label;

  let color: string | undefined;
  if (obj.color !== undefined) {
    if (typeof obj.color === 'string' && COLOR_RE.test(obj.color)) color = obj.color;
    else
      issues.add(
        child(path, 'color'),
        `expected a CSS colour such as "#1f77b4" or "rgb(31,119,180)", got ${show(obj.color)}`,
      );
  }
  if (issues.count > before || !optimizer || !schedule || label === undefined) return undefined;
  const run: RunConfig = { label, optimizer, schedule };
  if (color !== undefined) run.color = color;
  return run;
}

export function validateRuns(issues: Issues, raw: unknown, steps: number | undefined): RunConfig[] | undefined {
  if (raw === undefined) {
    issues.add('runs', 'missing; expected at least one run');
    return undefined;
  }
  if (!Array.isArray(raw)) {
    issues.add('runs', `expected an array of runs, got ${show(raw)}`);
    return undefined;
  }
  if (raw.length === 0) {
    issues.add('runs', 'expected at least one run');
    return undefined;
  }
  if (raw.length > LIMITS.runs) {
    issues.add(
      'runs',
      `${raw.length} runs exceeds the limit of ${LIMITS.runs}; remove ${raw.length - LIMITS.runs} runs`,
    );
    return undefined;
  }
  const runs: RunConfig[] = [];
  let ok = true;
  raw.forEach((r, i) => {
    const run = validateRun(issues, r, at('runs', i), steps);
    if (run) runs.push(run);
    else ok = false;
  });
  return ok ? runs : undefined;
}
