/** UI preferences, saved in localStorage (best effort: private windows may refuse). */
import type { StateCreator } from 'zustand/vanilla';
import { DEFAULT_STEPS_PER_FRAME, MAX_STEPS_PER_FRAME } from '../../worker/protocol';
import type { Prefs, PlaygroundState, PrefsSlice } from './types';

export const PREFS_KEY = 'optimizer-playground:prefs';

export function defaultPrefs(prefersDark = false): Prefs {
  return {
    theme: prefersDark ? 'dark' : 'light',
    largeFont: false,
    logScale: {},
    stepsPerFrame: DEFAULT_STEPS_PER_FRAME,
  };
}

export function clampSpeed(n: number): number {
  return Math.min(MAX_STEPS_PER_FRAME, Math.max(1, Math.floor(Number.isFinite(n) ? n : DEFAULT_STEPS_PER_FRAME)));
}

/** Stored prefs merged over the defaults; anything malformed is ignored field by field. */
export function loadPrefs(storage: Pick<Storage, 'getItem'> | null, fallback: Prefs): Prefs {
  let raw: unknown;
  try {
    const text = storage?.getItem(PREFS_KEY);
    raw = text ? JSON.parse(text) : null;
  } catch {
    raw = null;
  }
  if (typeof raw !== 'object' || raw === null) return fallback;
  const r = raw as Record<string, unknown>;
  const logScale: Record<string, boolean> = {};
  if (typeof r.logScale === 'object' && r.logScale !== null) {
    for (const [k, v] of Object.entries(r.logScale)) if (typeof v === 'boolean') logScale[k] = v;
  }
  return {
    theme: r.theme === 'dark' || r.theme === 'light' ? r.theme : fallback.theme,
    largeFont: typeof r.largeFont === 'boolean' ? r.largeFont : fallback.largeFont,
    logScale,
    stepsPerFrame: typeof r.stepsPerFrame === 'number' ? clampSpeed(r.stepsPerFrame) : fallback.stepsPerFrame,
  };
}

export function savePrefs(storage: Pick<Storage, 'setItem'> | null, p: Prefs): void {
  try {
    storage?.setItem(
      PREFS_KEY,
      JSON.stringify({ theme: p.theme, largeFont: p.largeFont, logScale: p.logScale, stepsPerFrame: p.stepsPerFrame }),
    );
  } catch {
    // storage full or refused: preferences just do not persist
  }
}

export const createPrefsSlice =
  (initial: Prefs): StateCreator<PlaygroundState, [], [], PrefsSlice> =>
  (set, get) => ({
    ...initial,
    setTheme: (theme) => set({ theme }),
    setLargeFont: (largeFont) => set({ largeFont }),
    setLogScale: (groupId, on) => set({ logScale: { ...get().logScale, [groupId]: on } }),
    setStepsPerFrame(n) {
      const stepsPerFrame = clampSpeed(n);
      set({ stepsPerFrame });
      get().transport?.send({ type: 'speed', stepsPerFrame });
    },
  });
