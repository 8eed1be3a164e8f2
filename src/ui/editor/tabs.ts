/** The editor's tabs, and which tab holds the field an error path names. */
export type EditorTab = 'runs' | 'data' | 'model' | 'training';

export const EDITOR_TABS: readonly { id: EditorTab; label: string }[] = [
  { id: 'runs', label: 'Runs' },
  { id: 'data', label: 'Data' },
  { id: 'model', label: 'Model' },
  { id: 'training', label: 'Training' },
];

/** "runs[1].optimizer.lr" -> runs, "data.nTrain" -> data, "model.hidden" -> model, the rest -> training. */
export function editorTabOf(path: string): EditorTab {
  const head = path.split(/[.[]/, 1)[0];
  if (head === 'runs') return 'runs';
  if (head === 'data') return 'data';
  if (head === 'model') return 'model';
  return 'training';
}
