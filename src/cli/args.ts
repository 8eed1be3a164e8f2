/** Command-line parsing for the headless CLI: argv -> a typed command, or specific errors. */
import type { Result, ValidationError } from '../schema/types';
import { parseArgs as parseArgv } from 'node:util';
import { didYouMean } from '../schema/fields';
import { LIMITS } from '../schema/limits';

export type Backend = 'webgpu' | 'cpu';

export interface RunCommand {
  kind: 'run';
  /** A JSON file path or an experiment URL / hash. */
  source: string;
  out: string;
  steps?: number;
  backend: Backend;
  saveWeights: boolean;
  saveData: boolean;
  /**
   * At the end, per run: a 1-D loss slice along this direction (slice-run-<i>.csv), or with
   * 'eigen2' the loss on the plane of the top two Hessian eigenvectors with the last 300 steps'
   * path projected onto it (surface-run-<i>.csv, path-run-<i>.csv).
   */
  slice?: 'eigen' | 'update' | 'eigen2';
}
export interface RefineCommand {
  kind: 'refine';
  dir: string;
  run: number;
  tau: number;
  out: string;
}
export interface ListCommand {
  kind: 'list';
}
export interface HelpCommand {
  kind: 'help';
}
export interface CheckPresetsCommand {
  kind: 'check-presets';
  /** Seeds per preset: its own and the ones after it. */
  seeds: number;
  backend: Backend;
  /** Preset ids to check (all when empty). */
  only: string[];
}
export interface ExportCommand {
  kind: 'export';
  /** What to export to (only "torch" so far). */
  target: 'torch';
  source: string;
  out: string;
  /** With a sweep launcher: one Ray Tune trial or SLURM array task per run. */
  sweep?: { kind: 'ray' | 'slurm'; gpusPerTrial: number; cpusPerTrial: number };
}
export type Command = RunCommand | RefineCommand | ListCommand | CheckPresetsCommand | ExportCommand | HelpCommand;

export const USAGE = `Usage:
  npm run cli -- run <file.json | experiment URL> --out DIR [--steps N] [--backend webgpu|cpu]
                     [--save-weights] [--save-data] [--slice eigen|update|eigen2]
  npm run cli -- refine DIR --run I [--tau 0.1] --out FILE.json
  npm run cli -- list
  npm run cli -- check-presets [--seeds 3] [--backend cpu|webgpu] [--only ID,ID]
  npm run cli -- export torch <file.json | experiment URL> --out DIR [--sweep ray|slurm]
                     [--gpus-per-trial 1] [--cpus-per-trial 1]
  npm run cli -- help

run     trains every run of the experiment and writes DIR/metrics.csv (run,step,metric,value),
        DIR/summary.json, and with the flags DIR/weights/run-<i>-step-<n>.json and DIR/data.json.
        --slice eigen|update writes DIR/slice-run-<i>.csv (alpha,loss) at the end; --slice eigen2
        writes DIR/surface-run-<i>.csv (a,b,loss: the loss on the plane of the top two Hessian
        eigenvectors, 25 x 25), DIR/path-run-<i>.csv (step,a,b,off: the last 300 steps) and
        DIR/surface-run-<i>.json (the two eigenvalues and the radius).
refine  reads run I's grad_norm series from a finished run's DIR and writes a copy of its
        experiment with an added run on the refined schedule (Defazio et al. 2023).
list    prints the optimizers with their hyperparameters, and the data kinds.
check-presets  trains each preset at full length on its seed and the ones after it (default
        3 seeds, CPU backend) and prints each claim with the number of seeds it held on and the
        numbers. Exit 1 if any claim failed.
export torch  writes DIR/train.py, a PyTorch script that replays the experiment (MLP, CNN and
        patch-CNN models; see docs/export.md), with its config.json, data and initial weights:
        python3 DIR/train.py.
        --sweep ray|slurm adds a launcher with one trial per run (ray_tune.py, or
        slurm_submit.sh and its job array) and trial.py, the trial in plain Python.
Exit codes: 0 success, 1 runtime failure, 2 bad arguments or bad experiment.`;

type OptType = 'flag' | 'string' | 'int' | 'number' | 'backend';
interface OptSpec {
  type: OptType;
  min?: number;
  max?: number;
  minExclusive?: boolean;
}

const RUN_OPTS: Record<string, OptSpec> = {
  out: { type: 'string' },
  steps: { type: 'int', min: 1, max: LIMITS.steps },
  backend: { type: 'backend' },
  'save-weights': { type: 'flag' },
  'save-data': { type: 'flag' },
  slice: { type: 'string' },
};
const REFINE_OPTS: Record<string, OptSpec> = {
  out: { type: 'string' },
  run: { type: 'int', min: 0, max: LIMITS.runs - 1 },
  tau: { type: 'number', min: 0, max: 1, minExclusive: true },
};
const CHECK_OPTS: Record<string, OptSpec> = {
  seeds: { type: 'int', min: 1, max: 20 },
  backend: { type: 'backend' },
  only: { type: 'string' },
};
const EXPORT_OPTS: Record<string, OptSpec> = {
  out: { type: 'string' },
  sweep: { type: 'string' },
  'gpus-per-trial': { type: 'number', min: 0, max: 64 },
  'cpus-per-trial': { type: 'int', min: 1, max: 256 },
};
const COMMANDS = ['run', 'refine', 'list', 'check-presets', 'export', 'help'] as const;

type Parsed = { positional: string[]; opts: Record<string, string | number | boolean> };

/**
 * The options of one command, read with node:util parseArgs (tokens, not strict, so that every
 * problem is reported, each with its option) and checked against `specs`.
 */
function parseOptions(argv: string[], specs: Record<string, OptSpec>, errors: ValidationError[]): Parsed {
  const out: Parsed = { positional: [], opts: {} };
  readOptions(argv, specs, errors, out);
  return out;
}

function readOptions(argv: string[], specs: Record<string, OptSpec>, errors: ValidationError[], out: Parsed): void {
  const names = Object.keys(specs);
  const options = Object.fromEntries(
    names.map((n) => [n, { type: specs[n].type === 'flag' ? ('boolean' as const) : ('string' as const) }]),
  );
  const { tokens } = parseArgv({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const choices = `options are ${names.map((n) => `--${n}`).join(', ')}`;
  let lastShort = -1;
  for (const tok of tokens) {
    if (tok.kind === 'positional') out.positional.push(tok.value);
    if (tok.kind !== 'option') continue;
    if (tok.rawName.length === 2 && tok.rawName !== '--') {
      // A short option: we have none. "-abc" is one argument (one error); "-1" is a positional.
      if (tok.index === lastShort) continue;
      lastShort = tok.index;
      const raw = argv[tok.index];
      if (/^-\d/.test(raw)) out.positional.push(raw);
      else errors.push({ path: raw, message: `unknown option; ${choices}` });
      continue;
    }
    const { name } = tok;
    const spec = specs[name];
    const path = `--${name}`;
    if (!spec) {
      const near = didYouMean(name, names);
      errors.push({ path, message: `unknown option${near ? ` (did you mean --${near}?)` : ''}; ${choices}` });
      continue;
    }
    if (name in out.opts) errors.push({ path, message: 'given more than once' });
    if (spec.type === 'flag') {
      if (tok.value !== undefined) errors.push({ path, message: `is a flag and takes no value, got "${tok.value}"` });
      out.opts[name] = true;
      continue;
    }
    // parseArgs takes the next argument as the value even when it is another option ("--out
    // --steps 5"): then the value is missing, and the rest is read again from that argument.
    if (tok.value !== undefined && !tok.inlineValue && tok.value.startsWith('--')) {
      errors.push({ path, message: `expects a value (${describe(spec)})` });
      readOptions(argv.slice(tok.index + 1), specs, errors, out);
      return;
    }
    if (tok.value === undefined || tok.value === '') {
      errors.push({ path, message: `expects a value (${describe(spec)})` });
      continue;
    }
    const v = convert(tok.value, spec);
    if (v === undefined) errors.push({ path, message: `expected ${describe(spec)}, got "${tok.value}"` });
    else out.opts[name] = v;
  }
}

function describe(spec: OptSpec): string {
  switch (spec.type) {
    case 'backend':
      return 'webgpu or cpu';
    case 'string':
      return 'a path';
    case 'flag':
      return 'nothing';
    default: {
      const kind = spec.type === 'int' ? 'an integer' : 'a number';
      const lo = spec.min === undefined ? '' : ` ${spec.minExclusive ? '>' : '>='} ${spec.min}`;
      const hi = spec.max === undefined ? '' : `${lo ? ' and' : ''} <= ${spec.max}`;
      return `${kind}${lo}${hi}`;
    }
  }
}

function convert(value: string, spec: OptSpec): string | number | undefined {
  if (spec.type === 'string') return value;
  if (spec.type === 'backend') return value === 'webgpu' || value === 'cpu' ? value : undefined;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) return undefined;
  if (spec.type === 'int' && !Number.isInteger(n)) return undefined;
  if (spec.min !== undefined && (spec.minExclusive ? n <= spec.min : n < spec.min)) return undefined;
  if (spec.max !== undefined && n > spec.max) return undefined;
  return n;
}

function onePositional(p: Parsed, what: string, errors: ValidationError[]): string {
  if (p.positional.length === 0) errors.push({ path: what, message: 'missing' });
  else if (p.positional.length > 1)
    errors.push({ path: what, message: `expected one, got ${p.positional.length}: ${p.positional.join(' ')}` });
  return p.positional[0] ?? '';
}

function requireOpt(p: Parsed, name: string, errors: ValidationError[]): void {
  if (!(name in p.opts)) errors.push({ path: `--${name}`, message: 'is required' });
}

export function parseArgs(argv: readonly string[]): Result<Command> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h')
    return { ok: true, value: { kind: 'help' } };
  if (rest.includes('--help') || rest.includes('-h')) return { ok: true, value: { kind: 'help' } };
  const errors: ValidationError[] = [];
  if (cmd === 'run') {
    const p = parseOptions(rest, RUN_OPTS, errors);
    const source = onePositional(p, '<file.json | experiment URL>', errors);
    requireOpt(p, 'out', errors);
    if (errors.length) return { ok: false, errors };
    const value: RunCommand = {
      kind: 'run',
      source,
      out: p.opts.out as string,
      backend: (p.opts.backend as Backend | undefined) ?? 'webgpu',
      saveWeights: p.opts['save-weights'] === true,
      saveData: p.opts['save-data'] === true,
    };
    if (p.opts.steps !== undefined) value.steps = p.opts.steps as number;
    if (p.opts.slice !== undefined) {
      if (p.opts.slice !== 'eigen' && p.opts.slice !== 'update' && p.opts.slice !== 'eigen2') {
        return {
          ok: false,
          errors: [
            { path: '--slice', message: `expected "eigen", "update" or "eigen2", got "${String(p.opts.slice)}"` },
          ],
        };
      }
      value.slice = p.opts.slice;
    }
    return { ok: true, value };
  }
  if (cmd === 'refine') {
    const p = parseOptions(rest, REFINE_OPTS, errors);
    const dir = onePositional(p, 'DIR', errors);
    requireOpt(p, 'run', errors);
    requireOpt(p, 'out', errors);
    if (errors.length) return { ok: false, errors };
    return {
      ok: true,
      value: {
        kind: 'refine',
        dir,
        run: p.opts.run as number,
        tau: (p.opts.tau as number | undefined) ?? 0.1,
        out: p.opts.out as string,
      },
    };
  }
  if (cmd === 'check-presets') {
    const p = parseOptions(rest, CHECK_OPTS, errors);
    if (p.positional.length)
      errors.push({ path: p.positional[0], message: 'check-presets takes no positional arguments (use --only ID,ID)' });
    if (errors.length) return { ok: false, errors };
    const only =
      typeof p.opts.only === 'string'
        ? p.opts.only
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : [];
    return {
      ok: true,
      value: {
        kind: 'check-presets',
        seeds: (p.opts.seeds as number | undefined) ?? 3,
        backend: (p.opts.backend as Backend | undefined) ?? 'cpu',
        only,
      },
    };
  }
  if (cmd === 'export') {
    const p = parseOptions(rest, EXPORT_OPTS, errors);
    const [target, ...sources] = p.positional;
    if (target !== 'torch')
      errors.push({
        path: target ?? 'TARGET',
        message: target === undefined ? 'missing; expected "torch"' : 'unknown export target; expected "torch"',
      });
    const source = onePositional({ ...p, positional: sources }, '<file.json | experiment URL>', errors);
    requireOpt(p, 'out', errors);
    const sweep = p.opts.sweep;
    if (sweep !== undefined && sweep !== 'ray' && sweep !== 'slurm')
      errors.push({ path: '--sweep', message: `expected "ray" or "slurm", got "${String(sweep)}"` });
    if (sweep === undefined && ('gpus-per-trial' in p.opts || 'cpus-per-trial' in p.opts))
      errors.push({ path: '--gpus-per-trial', message: 'only with --sweep ray|slurm' });
    if (errors.length) return { ok: false, errors };
    const value: ExportCommand = { kind: 'export', target: 'torch', source, out: p.opts.out as string };
    if (sweep === 'ray' || sweep === 'slurm')
      value.sweep = {
        kind: sweep,
        gpusPerTrial: (p.opts['gpus-per-trial'] as number | undefined) ?? 1,
        cpusPerTrial: (p.opts['cpus-per-trial'] as number | undefined) ?? 1,
      };
    return { ok: true, value };
  }
  if (cmd === 'list') {
    if (rest.length) return { ok: false, errors: [{ path: rest[0], message: 'list takes no arguments' }] };
    return { ok: true, value: { kind: 'list' } };
  }
  const near = didYouMean(cmd, COMMANDS);
  return {
    ok: false,
    errors: [
      {
        path: cmd,
        message: `unknown command${near ? ` (did you mean "${near}"?)` : ''}; commands are ${COMMANDS.join(', ')}`,
      },
    ],
  };
}
