/** The presets gallery: one card per phenomenon, with what to look for and the paper. */
import { useMemo } from 'react';
import { availablePresets } from '../experiment/presets';
import { usePlayground } from './store/store';

export function PresetsPanel() {
  const presets = useMemo(() => availablePresets(), []);
  const load = usePlayground((s) => s.load);
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
            <button type="button" onClick={() => load(structuredClone(p.experiment), `Loaded preset: ${p.title}.`)}>
              Load
            </button>
          </article>
        ))}
      </div>
    </details>
  );
}
