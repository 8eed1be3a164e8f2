/** The experiment slice: the draft being edited, validation, and run editing actions. */
import type { StateCreator } from 'zustand/vanilla';
import type { Experiment, RunConfig } from '../../experiment/types';
import { formatErrors, parseExperiment } from '../../experiment/validate';
import { autoLabel, optimizerWithDefaults, runWithDefaults } from '../../experiment/defaults';
import { dataShape } from '../../experiment/limits';
import { defaultDataConfig } from '../../engine/data/defaults';
import { getOptimizer, optimizerNames } from '../../engine/optim/registry';
import { refineSchedule } from '../../engine/optim/schedules';
import { nextColor } from '../palette';
import { expandSweep, specForKey } from '../sweep';
import { problemMessage } from '../hash';
import type { ExperimentSlice, PlaygroundState } from './types';
import { LIMITS } from '../../experiment/limits';
import { matchPreset } from '../../experiment/presets';

/** Give every run an explicit colour so that colours stay with runs when others are removed. */
export function withColors(exp: Experiment): Experiment {
  const out = structuredClone(exp);
  const used: (string | undefined)[] = out.runs.map((r) => r.color);
  out.runs.forEach((r, i) => {
    if (!r.color) {
      r.color = nextColor(used);
      used[i] = r.color;
    }
  });
  return out;
}

/**
 * The experiment up to what does not change the numbers: run labels and colours. Two experiments
 * with the same shape train identically, so an edit that keeps it needs no restart.
 */
export function numericShape(exp: Experiment): string {
  return JSON.stringify({ ...exp, runs: exp.runs.map(({ label: _l, color: _c, ...rest }) => rest) });
}

/** Optimizer added by "Add run": Adam when registered, else the first one. */
function newRunOptimizer(): string {
  const names = optimizerNames();
  return names.includes('adam') ? 'adam' : names[0];
}

export const createExperimentSlice =
  (initial: {
    experiment: Experiment;
    notice: string | null;
    embed: boolean;
    chartPick?: readonly string[] | null;
  }): StateCreator<PlaygroundState, [], [], ExperimentSlice> =>
  (set, get) => {
    const start = withColors(initial.experiment);
    // Labels the user typed; any other label (a preset's, a generated one) follows the optimizer.
    const typedLabels = new Set<string>();
    const relabel = (run: RunConfig) => {
      if (!typedLabels.has(run.label)) run.label = autoLabel(run.optimizer).slice(0, LIMITS.labelLength);
    };
    const editRuns = (fn: (runs: RunConfig[], d: Experiment) => void) => get().edit((d) => fn(d.runs, d));
    return {
      draft: start,
      applied: start,
      errors: [],
      notice: initial.notice,
      embed: initial.embed,
      presetId: matchPreset(start)?.id ?? null,
      hiddenRuns: [],
      xZoom: null,
      chartPick: initial.chartPick ?? null,

      toggleRun(i) {
        const h = get().hiddenRuns;
        set({ hiddenRuns: h.includes(i) ? h.filter((x) => x !== i) : [...h, i].sort((a, b) => a - b) });
      },

      setXZoom(range) {
        if (range === null) set({ xZoom: null });
        else {
          const lo = Math.max(0, Math.min(range[0], range[1]));
          const hi = Math.min(get().applied.steps, Math.max(range[0], range[1]));
          // a range under one step shows nothing: keep the view as it is
          if (hi - lo >= 1) set({ xZoom: [lo, hi] });
        }
      },

      setChartPick(ids) {
        set({ chartPick: ids === null ? null : [...new Set(ids)] });
      },

      edit(fn) {
        const draft = structuredClone(get().draft);
        fn(draft);
        const res = parseExperiment(draft);
        if (res.ok) {
          const cosmetic = numericShape(res.value) === numericShape(get().applied);
          const hiddenRuns = cosmetic ? get().hiddenRuns : [];
          // a zoom stays while the run length does
          const xZoom = res.value.steps === get().applied.steps ? get().xZoom : null;
          set({ draft, applied: res.value, errors: [], hiddenRuns, xZoom });
          // renaming or recolouring keeps the curves; anything else trains the new experiment
          if (!cosmetic) get().restart();
        } else {
          set({ draft, errors: res.errors });
        }
      },

      load(exp, notice = null, presetId) {
        const e = withColors(exp);
        set({
          draft: e,
          applied: e,
          errors: [],
          notice,
          presetId: presetId ?? matchPreset(e)?.id ?? null,
          hiddenRuns: [],
          xZoom: null,
          // a preset brings its own charts
          chartPick: presetId ? null : get().chartPick,
        });
        get().restart();
      },

      importJson(text, source) {
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch (e) {
          set({
            notice: `${source} is not valid JSON (${e instanceof Error ? e.message : String(e)}); the experiment was not changed.`,
          });
          return false;
        }
        const res = parseExperiment(raw);
        if (!res.ok) {
          set({ notice: problemMessage(res.errors, source, 'The experiment was not changed.') });
          return false;
        }
        get().load(res.value, null);
        return true;
      },

      setNotice(notice) {
        set({ notice });
      },

      setDataKind(kind) {
        get().edit((d) => {
          d.data = { ...defaultDataConfig(kind) };
          const shape = dataShape(d.data);
          if (shape.nClasses === 0) d.loss = 'mse';
          else if (shape.nClasses > 2 && (d.loss === 'logistic' || d.loss === 'hinge')) d.loss = 'cross-entropy';
          if (typeof d.batchSize === 'number' && d.batchSize > d.data.nTrain) d.batchSize = 'full';
        });
      },

      addRun() {
        editRuns((runs) => {
          if (runs.length >= LIMITS.runs) return;
          const run = runWithDefaults({ optimizer: { name: newRunOptimizer() } });
          run.color = nextColor(runs.map((r) => r.color));
          runs.push(run);
        });
      },

      duplicateRun(i) {
        editRuns((runs) => {
          const src = runs[i];
          if (!src || runs.length >= LIMITS.runs) return;
          const copy = structuredClone(src);
          copy.label = `${src.label} (copy)`.slice(0, LIMITS.labelLength);
          copy.color = nextColor(runs.map((r) => r.color));
          runs.splice(i + 1, 0, copy);
        });
      },

      removeRun(i) {
        editRuns((runs) => {
          if (runs.length > 1 && i >= 0 && i < runs.length) runs.splice(i, 1);
        });
      },

      setOptimizer(i, name) {
        if (!getOptimizer(name)) return;
        editRuns((runs) => {
          const run = runs[i];
          if (!run) return;
          run.optimizer = optimizerWithDefaults(name);
          relabel(run);
        });
      },

      setHyper(i, key, value) {
        editRuns((runs) => {
          const run = runs[i];
          if (!run) return;
          run.optimizer[key] = Array.isArray(value) ? [value[0], value[1]] : value;
          relabel(run);
        });
      },

      setLabel(i, label) {
        typedLabels.add(label);
        editRuns((runs) => {
          if (runs[i]) runs[i].label = label;
        });
      },

      setColor(i, color) {
        editRuns((runs) => {
          if (runs[i]) runs[i].color = color;
        });
      },

      setSchedule(i, schedule) {
        editRuns((runs) => {
          if (runs[i]) runs[i].schedule = structuredClone(schedule);
        });
      },

      sweep(i, spec) {
        const run = get().draft.runs[i];
        if (!run) return `there is no run ${i + 1}`;
        const def = getOptimizer(run.optimizer.name);
        const hyper = def ? specForKey(def.hyperparams, spec.key) : undefined;
        if (!hyper || (hyper.type !== 'number' && hyper.type !== 'betas'))
          return `${run.optimizer.name} has no numeric hyperparameter "${spec.key}"`;
        const expanded = expandSweep(run, spec, hyper, typedLabels.has(run.label) ? undefined : autoLabel);
        if (typeof expanded === 'string') return expanded;
        const total = get().draft.runs.length - 1 + expanded.length;
        if (total > LIMITS.runs) return `the sweep would make ${total} runs; the limit is ${LIMITS.runs}`;
        editRuns((runs) => {
          runs.splice(i, 1, ...expanded);
        });
        return null;
      },

      refineRun(i) {
        const s = get();
        const run = s.applied.runs[i];
        if (!run) return `there is no run ${i + 1}`;
        if (s.errors.length > 0) return 'fix the problems in the edited experiment first';
        if (s.status.state !== 'done')
          return 'finish training first: the refined schedule needs the whole gradient-norm history';
        const series = s.metrics.get(i, 'grad_norm');
        const points = series
          ? series.steps.map((step, k) => ({ step, value: series.values[k] })).filter((p) => p.step >= 1)
          : [];
        if (points.length === 0) return `run ${i + 1} has no logged gradient norms`;
        if (points.some((p) => !Number.isFinite(p.value) || p.value < 0))
          return `run ${i + 1} diverged; its gradient norms cannot define a schedule`;
        let factors: number[];
        try {
          // The SGD form (w = 1/g², l2 norms): the logs hold l2 gradient norms only.
          factors = refineSchedule(
            points.map((p) => p.value),
            s.applied.steps,
            { at: points.map((p) => p.step) },
          ).map((f) => Number(f.toPrecision(4)));
        } catch (e) {
          return e instanceof Error ? e.message : String(e);
        }
        if (s.applied.runs.length >= LIMITS.runs) return `the limit is ${LIMITS.runs} runs`;
        const res = parseExperiment({
          ...s.applied,
          runs: [
            ...s.applied.runs,
            {
              label: `${run.label} (refined)`.slice(0, LIMITS.labelLength),
              color: nextColor(s.applied.runs.map((r) => r.color)),
              optimizer: structuredClone(run.optimizer),
              schedule: { name: 'refined', factors },
            },
          ],
        });
        if (!res.ok) return `the refined run is not valid: ${formatErrors(res.errors).join('; ')}`;
        get().load(res.value);
        return null;
      },
    };
  };
