/**
 * The editing panel: problems listed at the top, then one tab each for the runs, the data, the
 * model and the training settings, so every editor is one click from the top (no long inner
 * scroll). A tab whose fields have problems is marked.
 */
import { useRef, useState, type JSX, type KeyboardEvent } from 'react';
import { usePlayground } from '../store/store';
import { DataEditor } from './DataEditor';
import { ModelEditor, TrainingEditor } from './ModelEditor';
import { RunsEditor } from './RunsEditor';
import { ProblemsSummary } from './ProblemsSummary';
import { editorTabOf, EDITOR_TABS, type EditorTab } from './tabs';
import './editor.css';

const PANELS: Record<EditorTab, () => JSX.Element> = {
  runs: RunsEditor,
  data: DataEditor,
  model: ModelEditor,
  training: TrainingEditor,
};

export function ExperimentEditor() {
  const errors = usePlayground((s) => s.errors);
  const runCount = usePlayground((s) => s.draft.runs.length);
  const [tab, setTab] = useState<EditorTab>('runs');
  const tabRefs = useRef(new Map<EditorTab, HTMLButtonElement>());
  const withErrors = new Set(errors.map((e) => editorTabOf(e.path)));
  const onKey = (e: KeyboardEvent) => {
    const i = EDITOR_TABS.findIndex((t) => t.id === tab);
    const next =
      e.key === 'ArrowRight'
        ? i + 1
        : e.key === 'ArrowLeft'
          ? i - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? -1
              : null;
    if (next === null) return;
    e.preventDefault();
    const t = EDITOR_TABS[(next + EDITOR_TABS.length) % EDITOR_TABS.length].id;
    setTab(t);
    tabRefs.current.get(t)?.focus();
  };
  const Panel = PANELS[tab];
  return (
    <aside className="editor" aria-label="Experiment editor">
      <ProblemsSummary />
      <div className="editor-tabs" role="tablist" aria-label="Edit" onKeyDown={onKey}>
        {EDITOR_TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              if (el) tabRefs.current.set(t.id, el);
            }}
            type="button"
            role="tab"
            id={`editor-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`editor-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={withErrors.has(t.id) ? 'has-problem' : undefined}
            onClick={() => setTab(t.id)}
          >
            {t.id === 'runs' ? `${t.label} (${runCount})` : t.label}
            {withErrors.has(t.id) ? <span className="tab-problem"> ⚠</span> : null}
          </button>
        ))}
      </div>
      <div className="editor-panel" role="tabpanel" id={`editor-panel-${tab}`} aria-labelledby={`editor-tab-${tab}`}>
        <Panel />
      </div>
    </aside>
  );
}
