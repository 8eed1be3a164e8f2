/**
 * parseExperiment: any input -> a typed, complete Experiment, or every specific problem found
 * ({path, message}). Never throws. Missing optional fields take the defaults of
 * defaultExperiment(); `runs` is required. Size limits are checked here, before the engine
 * allocates anything.
 */
import { EXPERIMENT_VERSION, LOSSES, type Experiment, type LossName, type Result, type ValidationError } from './types';
import { defaultExperiment } from './defaults';
import { LIMITS, dataShape, paramsPerRun } from './limits';
import { Issues, checkEnum, checkKeys, checkNumber, readBoolean, readNumber, show } from '../schema/fields';
import { validateData } from './validate_data';
import { validateMetrics, validateModel } from './validate_model';
import { checkModelFitsData } from './validate_cnn';
import { validateRuns } from './validate_runs';

export const EXPERIMENT_KEYS = [
  'version',
  'seed',
  'data',
  'model',
  'loss',
  'steps',
  'batchSize',
  'varySeedPerRun',
  'runs',
  'metrics',
  'stopAtZeroLoss',
] as const;

export function parseExperiment(raw: unknown): Result<Experiment> {
  try {
    return parseUnsafe(raw);
  } catch (e) {
    // A bug in a validator must not crash the caller; report it as a problem with the input.
    return {
      ok: false,
      errors: [
        { path: '', message: `could not validate the experiment: ${e instanceof Error ? e.message : String(e)}` },
      ],
    };
  }
}

/** One line per problem: `path: message`. */
export function formatErrors(errors: readonly ValidationError[]): string[] {
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
}

function parseUnsafe(raw: unknown): Result<Experiment> {
  const issues = new Issues();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ path: '', message: `expected an experiment object, got ${show(raw)}` }] };
  }
  const obj = raw as Record<string, unknown>;
  const version = checkVersion(obj.version);
  if (typeof version === 'object') return { ok: false, errors: [version] };
  const def = defaultExperiment();
  checkKeys(issues, obj, '', EXPERIMENT_KEYS);

  const seed = readNumber(issues, obj, 'seed', '', { integer: true, min: 0, max: 0xffffffff }, def.seed);
  const steps = readSteps(issues, obj.steps, def.steps);
  const data = obj.data === undefined ? def.data : validateData(issues, obj.data, 'data');
  const model = validateModel(issues, obj.model, def.model);
  const loss = readLoss(issues, obj.loss, data, obj.data !== undefined, def.loss);
  const batchSize = readBatchSize(issues, obj.batchSize, def.batchSize);
  const varySeedPerRun = readBoolean(issues, obj, 'varySeedPerRun', '', def.varySeedPerRun);
  const metrics = validateMetrics(issues, obj.metrics, def.metrics);
  const runs = validateRuns(issues, obj.runs, steps);
  const stopAtZeroLoss = readStopAtZeroLoss(issues, obj.stopAtZeroLoss, loss);
  if (data && metrics) checkSRandomizedFitsData(issues, metrics.sRandomized, data);

  if (data && loss) checkLossFitsData(issues, loss, data);
  if (data && batchSize !== undefined && batchSize !== 'full' && batchSize > data.nTrain) {
    issues.add(
      'batchSize',
      `${batchSize} is larger than data.nTrain (${data.nTrain}); use at most ${data.nTrain} or "full"`,
    );
  }
  // Convolutional models: input shape, spatial sizes, patch dimension, loss, optimizers (validate_cnn.ts).
  const modelFits = data && model && loss ? checkModelFitsData(issues, { data, model, loss, runs }) : false;
  if (data && model && loss && runs && modelFits) checkTotalParams(issues, { data, model, loss }, runs.length);

  if (issues.count > 0) return { ok: false, errors: issues.list() };
  if (
    seed === undefined ||
    steps === undefined ||
    !data ||
    !model ||
    !loss ||
    batchSize === undefined ||
    varySeedPerRun === undefined ||
    !metrics ||
    !runs
  ) {
    return {
      ok: false,
      errors: [{ path: '', message: 'could not validate the experiment (a field failed without a message)' }],
    };
  }
  const exp: Experiment = {
    version: EXPERIMENT_VERSION,
    seed,
    data,
    model,
    loss,
    steps,
    batchSize,
    varySeedPerRun,
    runs,
    metrics,
  };
  if (stopAtZeroLoss !== undefined) exp.stopAtZeroLoss = stopAtZeroLoss;
  return { ok: true, value: exp };
}

/** The version number, or the one error that stops validation (newer or malformed versions). */
function checkVersion(v: unknown): number | ValidationError {
  if (v === undefined) return EXPERIMENT_VERSION;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    return { path: 'version', message: `expected ${EXPERIMENT_VERSION}, got ${show(v)}` };
  }
  if (v > EXPERIMENT_VERSION) {
    return {
      path: 'version',
      message: `${v} is newer than this playground supports (${EXPERIMENT_VERSION}); update the playground to open it`,
    };
  }
  return v;
}

function readSteps(issues: Issues, v: unknown, fallback: number): number | undefined {
  if (v === undefined) return fallback;
  if (typeof v === 'number' && Number.isInteger(v) && v > LIMITS.steps) {
    issues.add('steps', `${v} exceeds the limit of ${LIMITS.steps} steps; reduce steps`);
    return undefined;
  }
  return checkNumber(issues, v, 'steps', { integer: true, min: 1, max: LIMITS.steps });
}

/**
 * The loss. When absent: the default experiment's loss when the data is the default too, else mse
 * for regression data and cross-entropy for classification data.
 */
function readLoss(
  issues: Issues,
  v: unknown,
  data: Experiment['data'] | undefined,
  dataGiven: boolean,
  fallback: LossName,
): LossName | undefined {
  if (v === undefined) {
    if (!dataGiven || !data) return fallback;
    return dataShape(data).nClasses === 0 ? 'mse' : 'cross-entropy';
  }
  return checkEnum<LossName>(issues, v, 'loss', 'loss', LOSSES);
}

function readBatchSize(issues: Issues, v: unknown, fallback: number | 'full'): number | 'full' | undefined {
  if (v === undefined) return fallback;
  if (v === 'full') return 'full';
  if (typeof v === 'string') {
    issues.add('batchSize', `expected a positive integer or "full", got ${show(v)}`);
    return undefined;
  }
  const n = checkNumber(issues, v, 'batchSize', { integer: true, min: 1, max: LIMITS.points });
  return n;
}

/** stopAtZeroLoss: a boolean, meaningful only with the hinge loss (the only loss that reaches exactly 0). */
function readStopAtZeroLoss(issues: Issues, v: unknown, loss: LossName | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') {
    issues.add('stopAtZeroLoss', `expected true or false, got ${show(v)}`);
    return undefined;
  }
  if (v && loss !== undefined && loss !== 'hinge')
    issues.add(
      'stopAtZeroLoss',
      `only the "hinge" loss reaches exactly 0, but loss is ${show(loss)}; set loss to "hinge" or remove stopAtZeroLoss`,
    );
  return v;
}

/** metrics.sRandomized needs slab data (lms, ms57, lsn), and "linear" a linear coordinate (not ms57). */
function checkSRandomizedFitsData(
  issues: Issues,
  choices: readonly string[] | undefined,
  data: Experiment['data'],
): void {
  if (choices === undefined || choices.length === 0) return;
  if (data.kind !== 'lms' && data.kind !== 'ms57' && data.kind !== 'lsn') {
    issues.add('metrics.sRandomized', `needs slab data (lms, ms57 or lsn), but data.kind is ${show(data.kind)}`);
    return;
  }
  const i = choices.indexOf('linear');
  if (data.kind === 'ms57' && i >= 0)
    issues.add(`metrics.sRandomized[${i}]`, 'ms57 data has no linear coordinate; use "slab" or "complex"');
}

function checkLossFitsData(issues: Issues, loss: LossName, data: Experiment['data']): void {
  const shape = dataShape(data);
  if (shape.nClasses === 0 && loss !== 'mse') {
    issues.add('loss', `${data.kind} data is regression and needs "mse", got ${show(loss)}`);
  }
  if ((loss === 'logistic' || loss === 'hinge') && shape.nClasses !== 0 && shape.nClasses !== 2) {
    issues.add(
      'loss',
      `"${loss}" needs 2-class data, but data (${data.kind}) has nClasses = ${shape.nClasses}; use "cross-entropy" or set data.nClasses to 2`,
    );
  }
}

const REDUCE_MODEL: Record<Experiment['model']['kind'], string> = {
  mlp: 'model.hidden widths',
  cnn: 'the channels and units of model.layers',
  'patch-cnn': 'model.filters',
};

function checkTotalParams(issues: Issues, exp: Pick<Experiment, 'data' | 'model' | 'loss'>, runs: number): void {
  const per = paramsPerRun(exp);
  const total = per * runs;
  if (total > LIMITS.totalParams) {
    const fmt = (n: number) => n.toLocaleString('en-US');
    issues.add(
      'model',
      `${fmt(per)} parameters per run x ${runs} runs = ${fmt(total)} exceeds the limit of ${fmt(LIMITS.totalParams)}; ` +
        `reduce ${REDUCE_MODEL[exp.model.kind]}, the input dimension or the number of runs`,
    );
  }
}
