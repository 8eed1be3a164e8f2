/**
 * The presets gallery: one experiment per phenomenon from the papers, each with what to look for
 * and the citation. Presets are written as partial configs and completed by the validator; a
 * preset whose data kind or optimizer is not available in this build is left out (never shown
 * broken). Settings are small enough to train visibly on a CPU-backed WebGPU adapter. The presets
 * themselves, with their claims, are in preset_defs/curvature.ts, preset_defs/training.ts and
 * preset_defs/optimizers.ts.
 */
import type { Experiment } from './types';
import { parseExperiment } from './validate';
import type { Claim } from './claims';
import * as curvature from './preset_defs/curvature';
import * as training from './preset_defs/training';
import * as optimizers from './preset_defs/optimizers';

/** What a preset says beside its experiment. */
export interface PresetInfo {
  id: string;
  title: string;
  /** Short citation. */
  paper: string;
  /** One sentence a class can read off the first screen: the effect to look for. */
  lookFor: string;
  /** Two or three sentences: the set-up and what to look for. */
  summary: string;
  /**
   * What the paper reports, as statements over the logged metrics (claims.ts). The tests check
   * each on the preset's seed and the two seeds after it, at full length (on the CPU backend, and
   * on WebGPU for a few presets); the page shows them live.
   */
  claims: Claim[];
  /** The metrics whose charts tell the story, first one first; the page shows these charts and keeps the rest one click away. */
  charts: string[];
  /** Set when the paper's setting is reconstructed (data model, constants): what is ours. */
  reconstruction?: string;
  /**
   * Set when the loss valley seen from above (the loss on the plane of the top two Hessian
   * eigenvectors with the path on it) tells the story: the page opens that panel on `run`
   * (otherwise it stays collapsed, since each refresh costs an eigenvector estimate and a grid
   * of forward passes).
   */
  valley?: { run: number };
}

export interface Preset extends PresetInfo {
  experiment: Experiment;
}

export interface PresetSource extends PresetInfo {
  config: () => unknown;
}

const SOURCES: PresetSource[] = [
  curvature.benignOscillation,
  curvature.edgeOfStability,
  curvature.sgdTraceStability,
  curvature.directionalSharpness,
  optimizers.adaptiveVariants,
  training.sgdSai,
  training.simplicityBias,
  training.noiseTemperature,
  training.dpClipping,
  training.schedules,
  curvature.opposingSignals,
  training.cnnImages,
  curvature.benignOscillationPatchCnn,
  optimizers.samFlatMinima,
  optimizers.scheduleFree,
  optimizers.muonVsAdamw,
];

/**
 * The presets among `sources` that validate in this build: one whose data kind or optimizer is
 * not registered (or that is otherwise invalid) is left out, never shown broken.
 */
export function filterPresets(sources: readonly PresetSource[]): Preset[] {
  const out: Preset[] = [];
  for (const s of sources) {
    const res = parseExperiment(s.config());
    if (res.ok) {
      const { config: _config, ...info } = s;
      out.push({ ...info, experiment: res.value });
    }
  }
  return out;
}

/** Every shipped preset that validates in this build. */
export function availablePresets(): Preset[] {
  return filterPresets(SOURCES);
}

/** For tests: the presets that did not validate, with the reason. */
export function rejectedPresets(sources: readonly PresetSource[] = SOURCES): { id: string; errors: string[] }[] {
  return sources.flatMap((s) => {
    const res = parseExperiment(s.config());
    return res.ok ? [] : [{ id: s.id, errors: res.errors.map((e) => `${e.path}: ${e.message}`) }];
  });
}

export const PRESET_COUNT = SOURCES.length;

/** The experiment without what a preset's claims do not depend on: the seed, run labels and colours. */
function claimShape(exp: Experiment): string {
  return JSON.stringify({
    ...exp,
    seed: 0,
    runs: exp.runs.map(({ label: _label, color: _color, ...rest }) => rest),
  });
}

let shapes: { preset: Preset; shape: string }[] | undefined;

/**
 * The preset whose experiment `exp` is, up to the seed, run labels and colours (a shared link
 * of a preset, the default experiment, a preset re-run on another seed), else null.
 */
export function matchPreset(exp: Experiment, presets?: readonly Preset[]): Preset | null {
  const list = presets
    ? presets.map((p) => ({ preset: p, shape: claimShape(p.experiment) }))
    : (shapes ??= availablePresets().map((p) => ({ preset: p, shape: claimShape(p.experiment) })));
  const s = claimShape(exp);
  return list.find((x) => x.shape === s)?.preset ?? null;
}

/** The shipped preset with this id, if it validates in this build. */
export function presetById(id: string): Preset | null {
  return availablePresets().find((p) => p.id === id) ?? null;
}
