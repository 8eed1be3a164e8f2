/**
 * One zustand store for the playground, built from three slices (experiment, runtime, prefs).
 * createPlaygroundStore makes independent stores (tests); the app uses one instance.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Experiment } from '../../experiment/types';
import { createExperimentSlice } from './experimentSlice';
import { createRuntimeSlice } from './runtimeSlice';
import { createPrefsSlice, defaultPrefs, loadPrefs, savePrefs } from './prefsSlice';
import type { PlaygroundState, Prefs } from './types';

export interface StoreOptions {
  experiment: Experiment;
  notice?: string | null;
  embed?: boolean;
  /** The chart picker's choice from the link (null: automatic). */
  chartPick?: readonly string[] | null;
  /** Start training as soon as the worker connects (default true). */
  autoplay?: boolean;
  /** Where prefs persist (localStorage in the app; null in tests). */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  prefersDark?: boolean;
}

export type PlaygroundStore = StoreApi<PlaygroundState>;

export function createPlaygroundStore(opts: StoreOptions): PlaygroundStore {
  const storage = opts.storage ?? null;
  const prefs = loadPrefs(storage, defaultPrefs(opts.prefersDark));
  const store = createStore<PlaygroundState>()((...a) => ({
    ...createExperimentSlice({
      experiment: opts.experiment,
      notice: opts.notice ?? null,
      embed: opts.embed ?? false,
      chartPick: opts.chartPick ?? null,
    })(...a),
    ...createRuntimeSlice(opts.autoplay ?? true)(...a),
    ...createPrefsSlice(prefs)(...a),
  }));
  if (storage) {
    let last: Prefs = prefs;
    store.subscribe((s) => {
      if (
        s.theme !== last.theme ||
        s.largeFont !== last.largeFont ||
        s.logScale !== last.logScale ||
        s.stepsPerFrame !== last.stepsPerFrame
      ) {
        last = { theme: s.theme, largeFont: s.largeFont, logScale: s.logScale, stepsPerFrame: s.stepsPerFrame };
        savePrefs(storage, last);
      }
    });
  }
  return store;
}

let appStore: PlaygroundStore | undefined;

/** The app's store; created once by main.tsx. */
export function setAppStore(s: PlaygroundStore): void {
  appStore = s;
}

export function appStoreApi(): PlaygroundStore {
  if (!appStore) throw new Error('the playground store is not created yet (main.tsx creates it)');
  return appStore;
}

/** Select from the app's store in a component. */
export function usePlayground<T>(selector: (s: PlaygroundState) => T): T {
  return useStore(appStoreApi(), selector);
}
