/**
 * The editor's problems summary in the page's own words: each validation error names where it is
 * (a run by number and label, or the Data, Model or Training part of the editor) and the field by
 * the label it has on screen, then says what was expected. Identical lines are listed once.
 * The validator's paths ("runs[0].optimizer.lr") stay for the CLI (formatErrors).
 */
import type { Experiment, ValidationError } from '../../experiment/types';
import { describeLayerError } from './layerSyntax';

/** On-screen labels of the Training part's fields, by path. */
const TRAINING_LABELS: Record<string, string> = {
  steps: 'Steps',
  batchSize: 'Batch size',
  seed: 'Seed',
  loss: 'Loss',
  varySeedPerRun: 'Vary seed per run',
  stopAtZeroLoss: 'Stop at zero loss',
  metrics: 'Metrics',
  'metrics.every': 'Log every (steps)',
  'metrics.evalSubset': 'Eval subset',
  'metrics.sharpness': 'Sharpness',
  'metrics.sharpness.every': 'Sharpness every',
  'metrics.sharpness.iters': 'Lanczos products (max)',
  'metrics.sharpness.k': 'Top eigenvalues (k)',
  'metrics.trace': 'Hessian trace',
  'metrics.trace.every': 'Trace every',
  'metrics.trace.samples': 'Probes',
};

/** On-screen labels of the Model part's fields (below "model."). */
const MODEL_LABELS: Record<string, string> = {
  kind: 'Kind',
  hidden: 'Hidden widths',
  layers: 'Layers',
  inputShape: 'Layers',
  filters: 'Filters per sign (m)',
  patchDim: 'Patch dimension',
  activation: 'Activation',
  initScale: 'Init scale',
  bias: 'Bias',
};

/** On-screen labels of a run's fields (below "runs[i]."). */
const RUN_LABELS: Record<string, string> = {
  label: 'Label',
  color: 'Colour',
  optimizer: 'Optimizer',
  'optimizer.name': 'Optimizer',
  'optimizer.lr': 'learning rate lr',
  schedule: 'Schedule',
  'schedule.name': 'Schedule',
  'schedule.warmup': 'Warmup steps',
};

/** A path without its list indices: "model.hidden[1]" -> "model.hidden". */
const noIndex = (p: string) => p.replace(/\[\d+\]/g, '');

/** The last key of a path: "optimizer.betas[0]" -> "betas". */
const lastKey = (p: string) => noIndex(p).split('.').pop() ?? p;

const MAX_LABEL = 40;

function runName(i: number, exp: Experiment | undefined): string {
  const label = exp?.runs[i]?.label.trim() ?? '';
  if (!label) return `Run ${i + 1}`;
  const shown = label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
  return `Run ${i + 1} (${shown})`;
}

interface Place {
  /** "Run 1 (GD small lr)", "Data", "Model", "Training", or "" for the whole experiment. */
  where: string;
  /** The field's on-screen label, or "" for the part as a whole. */
  field: string;
}

/** Where a validation path points, in the page's words. */
export function placeOf(path: string, exp?: Experiment): Place {
  if (path === '') return { where: '', field: '' };
  const run = /^runs\[(\d+)\](?:\.(.*))?$/.exec(path);
  if (run) {
    const rest = run[2] ?? '';
    const where = runName(Number(run[1]), exp);
    if (rest === '') return { where, field: '' };
    const bare = noIndex(rest);
    // hyperparameters are labelled by their key, betas by each half ("betas[0]")
    const hyper = /^optimizer\.([A-Za-z]+(?:\[\d+\])?)$/.exec(rest);
    return { where, field: RUN_LABELS[bare] ?? (hyper ? hyper[1] : lastKey(rest)) };
  }
  if (path === 'runs' || path.startsWith('runs[')) return { where: 'Runs', field: '' };
  if (path === 'data' || path.startsWith('data.') || path.startsWith('data[')) {
    const key = path === 'data' ? '' : noIndex(path.slice('data.'.length)).split('.')[0];
    return { where: 'Data', field: key === 'kind' ? 'Dataset' : key };
  }
  if (path === 'model' || path.startsWith('model.')) {
    const key = path === 'model' ? '' : noIndex(path.slice('model.'.length)).split('.')[0];
    return { where: 'Model', field: MODEL_LABELS[key] ?? key };
  }
  const bare = noIndex(path);
  return { where: 'Training', field: TRAINING_LABELS[bare] ?? TRAINING_LABELS[bare.split('.')[0]] ?? lastKey(path) };
}

/** Internal paths inside a message ("larger than data.nTrain") in the page's words ("Data's nTrain"). */
function plainMessage(message: string, exp?: Experiment): string {
  const token = /\b(runs\[\d+\](?:\.[A-Za-z]+)*|(?:data|model|metrics)(?:\.[A-Za-z]+)+)( [a-z]+)?/g;
  return message.replace(token, (_all, path: string, next: string | undefined) => {
    const p = placeOf(path, exp);
    const named = !p.field ? p.where : p.where === 'Training' ? p.field : `${p.where}'s ${p.field}`;
    // "model.hidden widths" reads "Model's Hidden widths", not "… widths widths"
    return next && named.toLowerCase().endsWith(next.trim()) ? named : named + (next ?? '');
  });
}

/** One line per distinct problem: "Run 1 (GD small lr): learning rate lr — expected a number > 0, got 0". */
export function describeProblems(errors: readonly ValidationError[], exp?: Experiment): string[] {
  const layers = exp?.model.kind === 'cnn' ? exp.model.layers : [];
  const out: string[] = [];
  for (const e of errors) {
    const p = placeOf(e.path, exp);
    // a CNN layer's problem names the layer ("layer 2 (maxpool 2): …"), as the Layers field does
    const message = /^model\.layers\[\d+\]/.test(e.path)
      ? describeLayerError(e.path, plainMessage(e.message, exp), layers)
      : plainMessage(e.message, exp);
    const head = p.where ? (p.field ? `${p.where}: ${p.field}` : p.where) : '';
    const line = head ? `${head} — ${message}` : message;
    if (!out.includes(line)) out.push(line);
  }
  return out;
}
