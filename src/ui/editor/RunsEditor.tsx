/** The list of runs (each trained side by side on the same data) and "Add run". */
import { LIMITS } from '../../experiment/limits';
import { usePlayground } from '../store/store';
import { FieldError, useFieldError } from './fields';
import { RunCard } from './RunCard';

export function RunsEditor() {
  const runs = usePlayground((s) => s.draft.runs);
  const steps = usePlayground((s) => s.draft.steps);
  const addRun = usePlayground((s) => s.addRun);
  const error = useFieldError('runs');
  return (
    <fieldset className="panel-section">
      <legend>Runs ({runs.length})</legend>
      <FieldError message={error} />
      {runs.map((run, i) => (
        <RunCard key={i} run={run} index={i} count={runs.length} steps={steps} />
      ))}
      <button type="button" className="add-run" onClick={addRun} disabled={runs.length >= LIMITS.runs}>
        Add run
      </button>
    </fieldset>
  );
}
