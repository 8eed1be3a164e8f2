/** The editing panel: data, model, training settings and runs; problems listed at the top. */
import { formatErrors } from '../../experiment/validate';
import { usePlayground } from '../store/store';
import { DataEditor } from './DataEditor';
import { ModelEditor, TrainingEditor } from './ModelEditor';
import { RunsEditor } from './RunsEditor';

export function ExperimentEditor() {
  const errors = usePlayground((s) => s.errors);
  return (
    <aside className="editor" aria-label="Experiment editor">
      {errors.length > 0 ? (
        <div className="problems" role="alert">
          <strong>The edited experiment has problems</strong> (training continues with the last valid one):
          <ul>
            {formatErrors(errors).map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <RunsEditor />
      <DataEditor />
      <ModelEditor />
      <TrainingEditor />
    </aside>
  );
}
