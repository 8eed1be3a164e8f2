/**
 * The loaded preset's claims, judged live on the metrics logged so far (the same evaluator the
 * tests and `cli check-presets` use).
 */
import { useMemo } from 'react';
import { evaluateClaim, claimMetric, type ClaimResult } from '../../experiment/claims';
import { matchPreset, presetById, type Preset } from '../../experiment/presets';
import type { PlaygroundState } from '../store/types';
import { appStoreApi, usePlayground } from '../store/store';
import { useMetricsTick, useThrottledSelector } from '../charts/useMetricsTick';

export interface PresetClaims {
  preset: Preset;
  /** The experiment is the preset's (up to seed, labels and colours). */
  exact: boolean;
  results: ClaimResult[];
}

/** Judge the claims of the state's preset; null when no preset is loaded. */
export function presetClaims(s: PlaygroundState): PresetClaims | null {
  const preset = s.presetId ? presetById(s.presetId) : null;
  if (!preset) return null;
  const exact = matchPreset(s.applied)?.id === preset.id;
  const ctx = {
    get: (run: number, metric: string) => s.metrics.get(run, metric),
    steps: s.applied.steps,
    step: s.status.steps === s.applied.steps ? s.status.step : 0,
    done: s.status.state === 'done',
    labels: s.applied.runs.map((r) => r.label),
  };
  return { preset, exact, results: preset.claims.map((c) => evaluateClaim(c.test, ctx)) };
}

/** Markers for the charts: metric -> the steps where a claim was seen, numbered as in the story panel. */
export function claimMarkers(pc: PresetClaims | null): Map<string, { step: number; label: string }[]> {
  const out = new Map<string, { step: number; label: string }[]>();
  if (!pc) return out;
  pc.results.forEach((r, i) => {
    if (r.status !== 'seen' || r.step === undefined) return;
    const m = claimMetric(pc.preset.claims[i].test);
    const list = out.get(m) ?? [];
    // claims seen at the same step share one marker: "✓1 ✓3"
    const same = list.find((x) => x.step === r.step);
    if (same) same.label += ` ✓${i + 1}`;
    else list.push({ step: r.step, label: `✓${i + 1}` });
    out.set(m, list);
  });
  return out;
}

const statusKey = (s: PlaygroundState) => `${s.status.state}|${s.status.step}|${s.presetId}|${s.gen}`;

/** The loaded preset's claims, re-judged at most twice a second while metrics arrive. */
export function usePresetClaims(): PresetClaims | null {
  const tick = useMetricsTick(500);
  const status = useThrottledSelector(statusKey, 500);
  const applied = usePlayground((s) => s.applied);
  const presetId = usePlayground((s) => s.presetId);
  // metrics are mutated in place: tick and status mark their changes
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => presetClaims(appStoreApi().getState()), [tick, status, applied, presetId]);
}
