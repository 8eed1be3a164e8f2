/** One run: label, colour, optimizer and its hyperparameters, schedule, sweep; duplicate/remove. */
import { useId, useState } from 'react';
import { OPTIMIZERS, getOptimizer } from '../../engine/optim/registry';
import type { RunConfig } from '../../experiment/types';
import { RUN_COLORS, runColor } from '../palette';
import { usePlayground } from '../store/store';
import { FieldError, useFieldError } from './fields';
import { HyperFields } from './HyperFields';
import { ScheduleEditor } from './ScheduleEditor';
import { SweepForm } from './SweepForm';
import { divergenceNote, sharpnessText } from '../divergence';
import { useMetricsTick } from '../charts/useMetricsTick';

export function RunCard({ run, index, count, steps }: { run: RunConfig; index: number; count: number; steps: number }) {
  const setLabel = usePlayground((st) => st.setLabel);
  const setColor = usePlayground((st) => st.setColor);
  const setOptimizer = usePlayground((st) => st.setOptimizer);
  const setHyper = usePlayground((st) => st.setHyper);
  const setSchedule = usePlayground((st) => st.setSchedule);
  const duplicate = usePlayground((st) => st.duplicateRun);
  const remove = usePlayground((st) => st.removeRun);
  const diverged = usePlayground((st) => st.diverged[index]);
  const id = useId();
  const def = getOptimizer(run.optimizer.name);
  const color = runColor(run.color, index);
  const labelError = useFieldError(`runs[${index}].label`);
  const nameError = useFieldError(`runs[${index}].optimizer.name`);
  const n = index + 1;

  return (
    <section className="run-card" style={{ borderLeftColor: color }} aria-label={`Run ${n}`}>
      <div className="run-head">
        <span className="swatch" style={{ background: color }} aria-hidden="true" />
        <input
          className="run-label"
          aria-label={`Label of run ${n}`}
          value={run.label}
          maxLength={200}
          onChange={(e) => setLabel(index, e.target.value)}
        />
        <button
          type="button"
          onClick={() => duplicate(index)}
          title="Duplicate this run"
          aria-label={`Duplicate run ${n}`}
        >
          Duplicate
        </button>
        <button
          type="button"
          onClick={() => remove(index)}
          disabled={count <= 1}
          title="Remove this run"
          aria-label={`Remove run ${n}`}
        >
          Remove
        </button>
      </div>
      <FieldError message={labelError} />
      {diverged !== undefined ? <DivergedNote run={index} step={diverged} /> : null}
      <div className="colors" role="group" aria-label={`Colour of run ${n}`}>
        {RUN_COLORS.map((c) => (
          <button
            key={c}
            type="button"
            className={`color-btn${c.toLowerCase() === color.toLowerCase() ? ' on' : ''}`}
            style={{ background: c }}
            aria-label={`Colour ${c}`}
            aria-pressed={c.toLowerCase() === color.toLowerCase()}
            onClick={() => setColor(index, c)}
          />
        ))}
        <input
          type="color"
          aria-label={`Custom colour of run ${n}`}
          value={/^#[0-9a-f]{6}$/i.test(color) ? color : '#000000'}
          onChange={(e) => setColor(index, e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-opt`}>Optimizer</label>
        <select
          id={`${id}-opt`}
          aria-label={`Optimizer of run ${n}`}
          value={run.optimizer.name}
          onChange={(e) => setOptimizer(index, e.target.value)}
        >
          {OPTIMIZERS.map((o) => (
            <option key={o.name} value={o.name} title={o.description}>
              {o.name}
            </option>
          ))}
        </select>
        {def ? <div className="field-desc">{def.description}</div> : null}
        <FieldError message={nameError} />
      </div>
      {def ? (
        <HyperFields
          run={index}
          optimizer={run.optimizer}
          specs={def.hyperparams}
          onChange={(k, v) => setHyper(index, k, v)}
        />
      ) : null}
      {def?.ownSchedule && run.schedule.name === 'constant' && !run.schedule.warmup ? (
        // Schedule-Free: no schedule to edit (a non-constant one stays editable so its error can be fixed).
        <p className="field-desc own-schedule">
          Schedule: none — {def.name} {def.ownSchedule}.
        </p>
      ) : (
        <>
          <ScheduleEditor run={index} schedule={run.schedule} steps={steps} onChange={(sc) => setSchedule(index, sc)} />
          <RefineButton index={index} />
        </>
      )}
      {def ? (
        <details className="sweep-box">
          <summary>Sweep a hyperparameter…</summary>
          <SweepForm key={run.optimizer.name} run={index} optimizer={run.optimizer} specs={def.hyperparams} />
        </details>
      ) : null}
    </section>
  );
}

/** "Add refined copy": a new run whose schedule is derived from this finished run's gradient norms. */
function RefineButton({ index }: { index: number }) {
  const done = usePlayground(
    (st) => st.status.state === 'done' && st.errors.length === 0 && index < st.applied.runs.length,
  );
  const refine = usePlayground((st) => st.refineRun);
  const [message, setMessage] = useState('');
  if (!done) return null;
  return (
    <div>
      <button
        type="button"
        title="Refined schedule (Defazio et al. 2023) from this run's gradient norms"
        onClick={() => setMessage(refine(index) ?? '')}
      >
        Add refined-schedule copy
      </button>
      <FieldError message={message} />
    </div>
  );
}

/** "Diverged at step N (loss not finite)", with the last sharpness against the stability line when measured. */
function DivergedNote({ run, step }: { run: number; step: number }) {
  const store = usePlayground((st) => st.metrics);
  useMetricsTick(1000); // late rows of the divergence step
  const more = sharpnessText(divergenceNote((m) => store.get(run, m), step));
  return (
    <p className="diverged-note">
      Diverged at step {step} (loss not finite){more ? `; ${more}` : ''}.
    </p>
  );
}
