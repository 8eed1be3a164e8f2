/**
 * The runtime slice: talks to the training worker and holds the current generation's metrics.
 * Rows go into the MetricStore as they arrive; the `metricsVersion` bump that tells the page
 * about them happens at most once per animation frame, however many messages came in between.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { FromWorker, ToWorker } from '../../worker/protocol';
import { MetricStore } from '../series';
import { storeWithImported } from '../metricsImport';
import type { PlaygroundState, RuntimeSlice, Status } from './types';

const IDLE: Status = { state: 'idle', step: 0, steps: 0, stepsPerSecond: 0 };

export const createRuntimeSlice =
  (autoplay: boolean): StateCreator<PlaygroundState, [], [], RuntimeSlice> =>
  (set, get) => {
    const send = { send: (msg: ToWorker) => get().transport?.send(msg) };
    let bumpQueued = false;
    const bump = () => {
      bumpQueued = false;
      set({ metricsVersion: get().metricsVersion + 1 });
    };
    /** Announce new rows: on the next animation frame in the page, at once where there are no frames (tests). */
    const metricsChanged = () => {
      if (typeof requestAnimationFrame !== 'function') bump();
      else if (!bumpQueued) {
        bumpQueued = true;
        requestAnimationFrame(bump);
      }
    };
    return {
      gen: 0,
      backend: null,
      status: IDLE,
      wantPlay: autoplay,
      userPaused: !autoplay,
      stopAt: null,
      metrics: new MetricStore(),
      metricsVersion: 0,
      imported: null,
      diverged: {},
      workerError: null,
      transport: null,

      connect(t) {
        set({ transport: t });
        const s = get();
        t.send({ type: 'speed', stepsPerFrame: s.stepsPerFrame });
        t.send({ type: 'stop-at', step: s.stopAt });
        s.restart();
      },

      receive(msg: FromWorker) {
        if (msg.gen !== get().gen) return; // from a replaced experiment
        switch (msg.type) {
          case 'backend': {
            const { backend, adapter, fallbackReason } = msg;
            set({ backend: { backend, adapter, fallbackReason } });
            break;
          }
          case 'status': {
            const status: Status = {
              state: msg.state,
              step: msg.step,
              steps: msg.steps,
              stepsPerSecond: msg.stepsPerSecond,
            };
            const patch: Partial<PlaygroundState> = { status };
            if (msg.state === 'done' || (msg.state === 'paused' && get().status.state === 'playing'))
              patch.wantPlay = false;
            set(patch);
            break;
          }
          case 'rows':
            get().metrics.add(msg.rows);
            metricsChanged();
            break;
          case 'diverged':
            set({ diverged: { ...get().diverged, [msg.run]: msg.step } });
            break;
          case 'error':
            set({ workerError: msg.message, wantPlay: false });
            break;
          case 'notice':
            // e.g. the WebGPU device was lost and training resumed from a checkpoint (curves kept).
            set({ notice: msg.message });
            break;
        }
      },

      restart(play) {
        const s = get();
        const gen = s.gen + 1;
        // a new experiment plays unless the user paused on purpose (finishing a run is not pausing)
        const wantPlay = play ?? !s.userPaused;
        set({
          gen,
          wantPlay,
          metrics: storeWithImported(null, s.applied.runs.length, s.imported),
          metricsVersion: s.metricsVersion + 1,
          diverged: {},
          workerError: null,
          status: { ...IDLE, state: 'building', steps: s.applied.steps },
        });
        send.send({ type: 'config', gen, experiment: s.applied, play: wantPlay });
      },

      play() {
        set({ userPaused: false });
        if (get().status.state === 'done') {
          get().restart(true);
          return;
        }
        set({ wantPlay: true });
        send.send({ type: 'play' });
      },

      pause() {
        set({ wantPlay: false, userPaused: true });
        send.send({ type: 'pause' });
      },

      togglePlay() {
        if (get().wantPlay) get().pause();
        else get().play();
      },

      stepOnce() {
        set({ wantPlay: false, userPaused: true });
        send.send({ type: 'step', n: 1 });
      },

      reset() {
        const s = get();
        const gen = s.gen + 1;
        set({
          gen,
          wantPlay: false,
          userPaused: true,
          metrics: storeWithImported(null, s.applied.runs.length, s.imported),
          metricsVersion: s.metricsVersion + 1,
          diverged: {},
          workerError: null,
          status: { ...IDLE, state: 'building', steps: s.applied.steps },
        });
        send.send({ type: 'reset', gen });
      },

      setImported(imported) {
        const s = get();
        const metrics = storeWithImported(s.metrics, s.applied.runs.length, imported);
        const hiddenRuns = s.hiddenRuns.filter((i) => i < s.applied.runs.length); // hidden imported runs: shown again
        set({ imported, metrics, metricsVersion: s.metricsVersion + 1, hiddenRuns });
      },

      setStopAt(step) {
        const v = step === null || !Number.isFinite(step) || step <= 0 ? null : Math.floor(step);
        set({ stopAt: v });
        send.send({ type: 'stop-at', step: v });
      },

      setWorkerError(message) {
        set({ workerError: message, wantPlay: false });
      },
    };
  };
