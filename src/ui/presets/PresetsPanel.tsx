/**
 * The presets gallery: one card per phenomenon (title, citation, what to look for); "Load"
 * replaces the experiment and starts training.
 */
import { useMemo } from 'react';
import { availablePresets, type Preset } from '../../experiment/presets';
import { appStoreApi } from '../store/store';

export function loadPreset(p: Preset): void {
  const s = appStoreApi().getState();
  s.load(structuredClone(p.experiment), `Loaded preset: ${p.title}.`, p.id);
  appStoreApi().getState().play();
}

export function PresetsPanel() {
  const presets = useMemo(() => availablePresets(), []);
  return (
    <details className="panel presets" aria-label="Presets">
      <summary>
        <h2 className="inline-title">Presets: phenomena from the papers</h2>
      </summary>
      <div className="preset-grid">
        {presets.map((p) => (
          <article key={p.id} className="preset-card" data-preset={p.id}>
            <h3>{p.title}</h3>
            <p className="note">{p.paper}</p>
            <p>{p.summary}</p>
            <button type="button" onClick={() => loadPreset(p)} aria-label={`Load preset: ${p.title}`}>
              Load
            </button>
          </article>
        ))}
      </div>
    </details>
  );
}
