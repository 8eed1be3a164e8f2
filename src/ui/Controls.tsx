/** Play/pause, step, reset, speed and stop-at, with the step counter. Keys: space, s, r. */
import { useId, useState } from 'react';
import { usePlayground } from './store/store';
import { useThrottledSelector } from './charts/useMetricsTick';
import { LiveText } from './LiveText';
import type { PlaygroundState } from './store/types';

/** The step counter and progress follow the worker at most this often. */
const STATUS_MS = 250;
const selectStatus = (s: PlaygroundState) => s.status;

const SPEEDS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/** `compact` (embed mode): play/pause, step, reset and the counter only. */
export function Controls({ compact = false }: { compact?: boolean }) {
  const state = usePlayground((s) => s.status.state);
  const status = useThrottledSelector(selectStatus, STATUS_MS);
  const wantPlay = usePlayground((s) => s.wantPlay);
  const togglePlay = usePlayground((s) => s.togglePlay);
  const stepOnce = usePlayground((s) => s.stepOnce);
  const reset = usePlayground((s) => s.reset);
  const speed = usePlayground((s) => s.stepsPerFrame);
  const setSpeed = usePlayground((s) => s.setStepsPerFrame);
  const stopAt = usePlayground((s) => s.stopAt);
  const setStopAt = usePlayground((s) => s.setStopAt);
  const [stopText, setStopText] = useState(stopAt === null ? '' : String(stopAt));
  const id = useId();
  const playing = wantPlay && state !== 'done';
  const speeds = SPEEDS.includes(speed) ? SPEEDS : [...SPEEDS, speed].sort((a, b) => a - b);
  const pct = status.steps > 0 ? Math.min(100, (100 * status.step) / status.steps) : 0;

  return (
    <div className="controls" role="toolbar" aria-label="Training controls" id="controls" tabIndex={-1}>
      <button
        type="button"
        className="primary"
        onClick={togglePlay}
        aria-label={playing ? 'Pause' : 'Play'}
        title="Play/pause (space)"
      >
        {playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <button type="button" onClick={stepOnce} disabled={state === 'done'} title="One step (s)">
        Step
      </button>
      <button type="button" onClick={reset} title="Back to step 0 (r)">
        Reset
      </button>
      {compact ? null : (
        <>
          <label htmlFor={`${id}-speed`}>Steps per frame</label>
          <select id={`${id}-speed`} value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {speeds.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-stop`}>Stop at</label>
          <input
            id={`${id}-stop`}
            className="stop-at"
            type="text"
            inputMode="numeric"
            placeholder="end"
            value={stopText}
            onChange={(e) => {
              setStopText(e.target.value);
              const t = e.target.value.trim();
              const v = Number(t);
              if (t === '') setStopAt(null);
              else if (Number.isInteger(v) && v > 0) setStopAt(v);
            }}
          />
        </>
      )}
      <div className="status" aria-live="polite">
        <span data-testid="step-counter">
          <LiveText text={`step ${status.step} / ${status.steps}`} />
        </span>{' '}
        <span className={`state state-${state}`} data-testid="run-state">
          {state}
        </span>
        {status.stepsPerSecond > 0 ? (
          <span className="sps">
            <LiveText text={` · ${Math.round(status.stepsPerSecond)} steps/s`} />
          </span>
        ) : null}
      </div>
      <div className="progress" aria-hidden="true">
        <div style={{ transform: `scaleX(${pct / 100})` }} />
      </div>
    </div>
  );
}
