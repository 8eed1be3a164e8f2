import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../experiment/defaults';
import { getOptimizer } from '../../engine/optim/registry';
import type { ToWorker } from '../../worker/protocol';
import { OKABE_ITO } from '../palette';
import { createPlaygroundStore } from './store';
import { PREFS_KEY, loadPrefs, defaultPrefs } from './prefsSlice';

function setup(opts: { autoplay?: boolean } = {}) {
  const sent: ToWorker[] = [];
  const store = createPlaygroundStore({
    experiment: defaultExperiment(),
    autoplay: opts.autoplay ?? true,
    storage: null,
  });
  store.getState().connect({ send: (m) => sent.push(m) });
  const configs = () => sent.filter((m): m is Extract<ToWorker, { type: 'config' }> => m.type === 'config');
  return { store, sent, configs };
}

describe('experiment slice', () => {
  it('starts from the experiment with a colour on every run and sends it to the worker on connect', () => {
    const { store, configs } = setup();
    const s = store.getState();
    expect(s.applied.runs.map((r) => r.color)).toEqual([OKABE_ITO[0], OKABE_ITO[1]]);
    expect(configs()).toHaveLength(1);
    expect(configs()[0]).toMatchObject({ gen: 1, play: true });
    expect(configs()[0].experiment).toEqual(s.applied);
  });

  it('applies a valid edit and restarts with a new generation', () => {
    const { store, configs } = setup();
    store.getState().edit((d) => {
      d.steps = 123;
    });
    const s = store.getState();
    expect(s.errors).toEqual([]);
    expect(s.applied.steps).toBe(123);
    expect(configs().at(-1)).toMatchObject({ gen: 2 });
    expect(configs().at(-1)?.experiment.steps).toBe(123);
  });

  it('keeps an invalid draft with path-specific errors, and the last valid experiment keeps training', () => {
    const { store, configs } = setup();
    store.getState().edit((d) => {
      d.runs[1].optimizer.lr = -1;
    });
    const s = store.getState();
    expect(s.draft.runs[1].optimizer.lr).toBe(-1);
    expect(s.applied.runs[1].optimizer.lr).toBe(defaultExperiment().runs[1].optimizer.lr);
    expect(s.errors.map((e) => e.path)).toContain('runs[1].optimizer.lr');
    expect(configs()).toHaveLength(1);
  });

  it('adds, duplicates, recolours, renames and removes runs', () => {
    const { store } = setup();
    const st = () => store.getState();
    st().addRun();
    expect(st().applied.runs).toHaveLength(3);
    const added = st().applied.runs[2];
    expect(added.color).toBe(OKABE_ITO[2]);
    expect(added.optimizer.name).toBe('adam');
    st().duplicateRun(0);
    expect(st().applied.runs).toHaveLength(4);
    expect(st().applied.runs[1].label).toBe(`${st().applied.runs[0].label} (copy)`);
    expect(st().applied.runs[1].optimizer).toEqual(st().applied.runs[0].optimizer);
    expect(new Set(st().applied.runs.map((r) => r.color)).size).toBe(4);
    st().setColor(0, '#CC79A7');
    st().setLabel(0, 'mine');
    expect(st().applied.runs[0]).toMatchObject({ color: '#CC79A7', label: 'mine' });
    const colorOfLast = st().applied.runs[3].color;
    st().removeRun(0);
    expect(st().applied.runs).toHaveLength(3);
    expect(st().applied.runs[2].color).toBe(colorOfLast); // colours stay with their runs
  });

  it('never removes the last run', () => {
    const { store } = setup();
    store.getState().removeRun(0);
    store.getState().removeRun(0);
    expect(store.getState().applied.runs).toHaveLength(1);
  });

  it('switching optimizer takes the registry defaults and updates an automatic label', () => {
    const { store } = setup();
    const st = () => store.getState();
    st().addRun(); // "adam lr=0.001"-style automatic label
    st().setOptimizer(2, 'sgd');
    const run = st().applied.runs[2];
    const def = getOptimizer('sgd');
    if (!def) throw new Error('sgd is not registered');
    for (const h of def.hyperparams) expect(run.optimizer[h.key]).toEqual(h.default);
    expect(run.label).toBe(`sgd lr=${String(def.hyperparams.find((h) => h.key === 'lr')?.default)}`);
    st().setHyper(2, 'lr', 0.25);
    expect(st().applied.runs[2].label).toBe('sgd lr=0.25');
    // a preset's label describes its optimizer: it follows the change instead of lying
    st().setOptimizer(0, 'adam');
    expect(st().applied.runs[0].label).toBe('adam lr=0.001');
    // a label the user typed is kept through optimizer and hyperparameter changes
    st().setLabel(1, 'my run');
    st().setOptimizer(1, 'adam');
    st().setHyper(1, 'lr', 0.01);
    expect(st().applied.runs[1].label).toBe('my run');
    // non-default hyperparameters appear in a generated label
    st().setHyper(0, 'weightDecay', 0.1);
    expect(st().applied.runs[0].label).toBe('adam lr=0.001 weightDecay=0.1');
  });

  it('renaming or recolouring a run keeps its curves; a numeric edit restarts', () => {
    const { store, sent } = setup();
    const st = () => store.getState();
    const gen = st().gen;
    const configs = () => sent.filter((m) => m.type === 'config').length;
    const before = configs();
    st().setLabel(0, 'renamed');
    st().setColor(0, '#123456');
    expect(st().gen).toBe(gen);
    expect(configs()).toBe(before);
    expect(st().applied.runs[0].label).toBe('renamed');
    st().setHyper(0, 'lr', 0.03);
    expect(st().gen).toBe(gen + 1);
    expect(configs()).toBe(before + 1);
  });

  it('an edit after a run finished plays the new experiment; after a pause it stays paused', () => {
    const { store, sent } = setup();
    const st = () => store.getState();
    st().receive({ type: 'status', gen: st().gen, state: 'done', step: 600, steps: 600, stepsPerSecond: 1 });
    expect(st().wantPlay).toBe(false);
    st().setHyper(0, 'lr', 0.03);
    const last = () => sent.filter((m) => m.type === 'config').at(-1) as { play: boolean } | undefined;
    expect(last()?.play).toBe(true);
    expect(st().wantPlay).toBe(true);
    st().pause();
    st().setHyper(0, 'lr', 0.04);
    expect(last()?.play).toBe(false);
    st().play();
    st().setHyper(0, 'lr', 0.05);
    expect(last()?.play).toBe(true);
  });

  it('expands a sweep into runs in place of the source run', () => {
    const { store } = setup();
    const err = store.getState().sweep(1, { key: 'lr', from: 0.1, to: 1, count: 3, scale: 'log' });
    expect(err).toBeNull();
    const runs = store.getState().applied.runs;
    expect(runs).toHaveLength(4);
    expect(runs.slice(1).map((r) => r.optimizer.lr)).toEqual([0.1, 0.3162, 1]);
    expect(store.getState().sweep(0, { key: 'nope', from: 1, to: 2, count: 2, scale: 'linear' })).toMatch(
      /no numeric hyperparameter/,
    );
  });

  it('switching the data kind to regression switches the loss to mse', () => {
    const { store } = setup();
    store.getState().setDataKind('teacher-student');
    const s = store.getState();
    expect(s.errors).toEqual([]);
    expect(s.applied.data.kind).toBe('teacher-student');
    expect(s.applied.loss).toBe('mse');
  });

  it('imports experiment JSON validated like a link, with specific messages', () => {
    const { store, configs } = setup();
    const st = () => store.getState();
    expect(st().importJson('{ nope', 'The file "x.json"')).toBe(false);
    expect(st().notice).toMatch(/^The file "x.json" is not valid JSON/);
    const bad = { ...defaultExperiment(), steps: -5 };
    expect(st().importJson(JSON.stringify(bad), 'The file "y.json"')).toBe(false);
    expect(st().notice).toMatch(/^The file "y.json" could not be opened: steps: /);
    expect(configs()).toHaveLength(1);
    const good = { ...defaultExperiment(), steps: 77 };
    expect(st().importJson(JSON.stringify(good), 'The file "z.json"')).toBe(true);
    expect(st().applied.steps).toBe(77);
    expect(st().notice).toBeNull();
    expect(configs()).toHaveLength(2);
  });
});

describe('runtime slice', () => {
  it('keeps rows of the current generation and drops those of replaced experiments', () => {
    const { store } = setup();
    const st = () => store.getState();
    st().receive({ type: 'rows', gen: 1, rows: [{ run: 0, step: 0, metric: 'train_loss', value: 0.7 }] });
    expect(st().metrics.last(0, 'train_loss')).toBe(0.7);
    st().edit((d) => {
      d.seed = 8;
    });
    expect(st().gen).toBe(2);
    expect(st().metrics.rowCount).toBe(0);
    st().receive({ type: 'rows', gen: 1, rows: [{ run: 0, step: 10, metric: 'train_loss', value: 0.6 }] });
    expect(st().metrics.rowCount).toBe(0);
    st().receive({ type: 'backend', gen: 1, backend: 'cpu', adapter: 'old' });
    expect(st().backend).toBeNull();
    st().receive({ type: 'backend', gen: 2, backend: 'webgpu', adapter: 'google swiftshader' });
    expect(st().backend).toEqual({ backend: 'webgpu', adapter: 'google swiftshader', fallbackReason: undefined });
  });

  it('play/pause/step/reset send the matching messages; finishing clears the wish to play', () => {
    const { store, sent } = setup();
    const st = () => store.getState();
    st().pause();
    expect(st().wantPlay).toBe(false);
    st().togglePlay();
    expect(st().wantPlay).toBe(true);
    st().stepOnce();
    expect(st().wantPlay).toBe(false);
    st().reset();
    expect(sent.map((m) => m.type).slice(-4)).toEqual(['pause', 'play', 'step', 'reset']);
    expect(sent.at(-1)).toEqual({ type: 'reset', gen: 2 });
    st().play();
    st().receive({ type: 'status', gen: 2, state: 'done', step: 600, steps: 600, stepsPerSecond: 50 });
    expect(st().wantPlay).toBe(false);
    // play after the end starts over
    st().play();
    expect(sent.at(-1)).toMatchObject({ type: 'config', gen: 3, play: true });
  });

  it('records divergence per run and worker errors', () => {
    const { store } = setup();
    store.getState().receive({ type: 'diverged', gen: 1, run: 1, step: 40 });
    store.getState().receive({ type: 'error', gen: 1, message: 'boom' });
    expect(store.getState().diverged).toEqual({ 1: 40 });
    expect(store.getState().workerError).toBe('boom');
    expect(store.getState().wantPlay).toBe(false);
  });

  it('sends speed (clamped) and stop-at', () => {
    const { store, sent } = setup();
    store.getState().setStepsPerFrame(5000);
    expect(store.getState().stepsPerFrame).toBe(1000);
    store.getState().setStopAt(250);
    store.getState().setStopAt(0);
    expect(sent.slice(-3)).toEqual([
      { type: 'speed', stepsPerFrame: 1000 },
      { type: 'stop-at', step: 250 },
      { type: 'stop-at', step: null },
    ]);
  });
});

describe('prefs slice', () => {
  it('persists prefs and ignores malformed stored values field by field', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
    };
    const store = createPlaygroundStore({ experiment: defaultExperiment(), storage });
    store.getState().setTheme('dark');
    store.getState().setLargeFont(true);
    store.getState().setLogScale('loss', false);
    const again = createPlaygroundStore({ experiment: defaultExperiment(), storage });
    expect(again.getState()).toMatchObject({ theme: 'dark', largeFont: true, logScale: { loss: false } });

    data.set(
      PREFS_KEY,
      JSON.stringify({ theme: 'neon', largeFont: 'yes', logScale: { a: true, b: 3 }, stepsPerFrame: 1e9 }),
    );
    expect(loadPrefs(storage, defaultPrefs())).toEqual({
      theme: 'light',
      largeFont: false,
      logScale: { a: true },
      stepsPerFrame: 1000,
    });
    data.set(PREFS_KEY, '{not json');
    expect(loadPrefs(storage, defaultPrefs(true)).theme).toBe('dark');
  });
});

describe('refined schedule', () => {
  it('adds a refined copy of a finished run from its gradient norms', () => {
    const { store } = setup();
    const st = () => store.getState();
    st().edit((d) => {
      d.steps = 40;
    });
    expect(st().refineRun(0)).toMatch(/finish training first/);
    const gen = st().gen;
    const rows = [10, 20, 30, 40].flatMap((step) => [{ run: 0, step, metric: 'grad_norm', value: 1 }]);
    st().receive({ type: 'rows', gen, rows });
    st().receive({ type: 'status', gen, state: 'done', step: 40, steps: 40, stepsPerSecond: 1 });
    expect(st().refineRun(1)).toMatch(/no logged gradient norms/);
    expect(st().refineRun(0)).toBeNull();
    const runs = st().applied.runs;
    expect(runs).toHaveLength(3);
    expect(runs[2].label).toBe(`${runs[0].label} (refined)`);
    expect(runs[2].optimizer).toEqual(runs[0].optimizer);
    const f = runs[2].schedule.factors ?? [];
    expect(runs[2].schedule.name).toBe('refined');
    expect(f).toHaveLength(40);
    // constant gradient norms refine to linear decay: 1 at the start, about 0 at the end
    expect(f[0]).toBe(1);
    expect(f[39]).toBeLessThan(0.05);
    for (let t = 1; t < 40; t++) expect(f[t]).toBeLessThanOrEqual(f[t - 1]);
  });
});

describe('hiding runs from the charts', () => {
  it('toggles a run, keeps the choice through a rename, forgets it on a numeric edit or a new experiment', () => {
    const { store } = setup();
    const st = () => store.getState();
    st().toggleRun(1);
    expect(st().hiddenRuns).toEqual([1]);
    st().setLabel(0, 'renamed');
    expect(st().hiddenRuns).toEqual([1]);
    st().toggleRun(1);
    expect(st().hiddenRuns).toEqual([]);
    st().toggleRun(0);
    st().setHyper(0, 'lr', 0.07);
    expect(st().hiddenRuns).toEqual([]);
    st().toggleRun(0);
    st().load(defaultExperiment());
    expect(st().hiddenRuns).toEqual([]);
  });
});

describe('zoom and the chart picker', () => {
  it('zooms every chart to a step range inside the run, keeps it through edits of the same length', () => {
    const { store } = setup();
    const st = () => store.getState();
    const steps = st().applied.steps;
    st().setXZoom([300, 100]);
    expect(st().xZoom).toEqual([100, 300]);
    st().setXZoom([-50, steps + 1000]);
    expect(st().xZoom).toEqual([0, steps]);
    // less than a step: nothing to show, the view stays
    st().setXZoom([10, 10.5]);
    expect(st().xZoom).toEqual([0, steps]);
    st().setXZoom([100, 200]);
    st().setHyper(0, 'lr', 0.07);
    expect(st().xZoom).toEqual([100, 200]);
    st().edit((d) => void (d.steps = steps + 10));
    expect(st().xZoom).toBeNull();
    st().setXZoom([5, 50]);
    st().load(defaultExperiment());
    expect(st().xZoom).toBeNull();
  });

  it('keeps the picked charts once each, and a preset brings back its own', () => {
    const { store } = setup();
    const st = () => store.getState();
    st().setChartPick(['sharpness', 'loss', 'sharpness']);
    expect(st().chartPick).toEqual(['sharpness', 'loss']);
    st().load(defaultExperiment());
    expect(st().chartPick).toEqual(['sharpness', 'loss']);
    st().load(defaultExperiment(), null, 'benign-oscillation');
    expect(st().chartPick).toBeNull();
  });
});
