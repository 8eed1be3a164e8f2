/** The editing panel: data, model, training settings and runs; problems listed at the top (ProblemsSummary). */
import { DataEditor } from './DataEditor';
import { ModelEditor, TrainingEditor } from './ModelEditor';
import { RunsEditor } from './RunsEditor';
import { ProblemsSummary } from './ProblemsSummary';

export function ExperimentEditor() {
  return (
    <aside className="editor" aria-label="Experiment editor">
      <ProblemsSummary />
      <RunsEditor />
      <DataEditor />
      <ModelEditor />
      <TrainingEditor />
    </aside>
  );
}
