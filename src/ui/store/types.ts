/** The playground store's shape: one zustand store made of three slices. */
import type { Experiment, HyperValue, ScheduleConfig, ValidationError } from '../../experiment/types';
import type { BackendInfo, FromWorker, RunState, ToWorker } from '../../worker/protocol';
import type { MetricStore } from '../series';
import type { ImportedMetrics } from '../metricsImport';
import type { SweepSpec } from '../sweep';

export interface Transport {
  send(msg: ToWorker): void;
}

/** The experiment being edited and the last valid one (which is what trains). */
export interface ExperimentSlice {
  draft: Experiment;
  applied: Experiment;
  /** Runs hidden from the charts (the legend's checkboxes); a view choice, not part of the experiment. */
  hiddenRuns: readonly number[];
  /** Hide run i from the charts, or show it again. */
  toggleRun(i: number): void;
  /** The x range every chart shows (drag across a chart to zoom); null: the whole run. A view choice. */
  xZoom: readonly [number, number] | null;
  setXZoom(range: readonly [number, number] | null): void;
  /**
   * The charts chosen in the chart picker (metric-group ids, in order), kept in the page's link;
   * null: the preset's charts first (all charts when no preset is loaded).
   */
  chartPick: readonly string[] | null;
  setChartPick(ids: readonly string[] | null): void;
  /** Problems with the draft; empty when the draft is valid (then draft and applied agree). */
  errors: ValidationError[];
  /** A friendly message (bad link, bad import), shown until dismissed. */
  notice: string | null;
  /** Embed mode (from the link): editing panels hidden. */
  embed: boolean;
  /**
   * The preset whose story and claims the page shows: the one loaded (kept through edits, which
   * the page then points out), or the preset an opened link or import matches; else null.
   */
  presetId: string | null;
  /** Edit a copy of the draft; when it validates it is applied and training restarts. */
  edit(fn: (draft: Experiment) => void): void;
  /** Replace the experiment (from a link, an import or a preset: `presetId`) and restart. */
  load(exp: Experiment, notice?: string | null, presetId?: string): void;
  /** Import experiment JSON text, validated like a link; false (and a notice) when it fails. */
  importJson(text: string, source: string): boolean;
  setNotice(notice: string | null): void;
  setDataKind(kind: Experiment['data']['kind']): void;
  addRun(): void;
  duplicateRun(i: number): void;
  removeRun(i: number): void;
  setOptimizer(i: number, name: string): void;
  setHyper(i: number, key: string, value: HyperValue): void;
  setLabel(i: number, label: string): void;
  setColor(i: number, color: string): void;
  setSchedule(i: number, schedule: ScheduleConfig): void;
  /** Replace run i by the sweep's runs; a message when the sweep is invalid, else null. */
  sweep(i: number, spec: SweepSpec): string | null;
  /**
   * Add a copy of finished run i with the refined schedule derived from its logged gradient
   * norms (docs/optimizers.md, "Learning-rate schedules"); a message when that is not possible yet, else null.
   */
  refineRun(i: number): string | null;
}

export interface Status {
  state: RunState;
  step: number;
  steps: number;
  stepsPerSecond: number;
}

/** The worker connection, its status and the logged metrics of the current generation. */
export interface RuntimeSlice {
  gen: number;
  backend: BackendInfo | null;
  status: Status;
  /** Whether the user wants training to run (play pressed and not paused/finished since). */
  wantPlay: boolean;
  /**
   * The user paused (pause, single step, reset) and has not pressed play since. Edits and loads
   * restart training playing unless this is set; a run that finished does not set it.
   */
  userPaused: boolean;
  stopAt: number | null;
  metrics: MetricStore;
  /** Bumped whenever metrics change (metrics itself is mutated in place). */
  metricsVersion: number;
  /** run -> first non-finite step. */
  diverged: Record<number, number>;
  /**
   * Runs read from a metrics CSV (the exported PyTorch script's), drawn after the page's runs:
   * in `metrics` at run index applied.runs.length + j. Kept through restarts; null: none.
   */
  imported: ImportedMetrics | null;
  /** Show the runs of a metrics CSV next to the page's (null: remove them). */
  setImported(imported: ImportedMetrics | null): void;
  workerError: string | null;
  transport: Transport | null;
  connect(t: Transport): void;
  receive(msg: FromWorker): void;
  /** New generation for the applied experiment: clears metrics and sends it to the worker. */
  restart(play?: boolean): void;
  play(): void;
  pause(): void;
  togglePlay(): void;
  stepOnce(): void;
  reset(): void;
  setStopAt(step: number | null): void;
  setWorkerError(message: string | null): void;
}

export type Theme = 'light' | 'dark';

export interface Prefs {
  theme: Theme;
  largeFont: boolean;
  /** Chart group id -> log scale (absent: the group's default). */
  logScale: Record<string, boolean>;
  stepsPerFrame: number;
}

export interface PrefsSlice extends Prefs {
  setTheme(theme: Theme): void;
  setLargeFont(on: boolean): void;
  setLogScale(groupId: string, on: boolean): void;
  setStepsPerFrame(n: number): void;
}

export type PlaygroundState = ExperimentSlice & RuntimeSlice & PrefsSlice;
