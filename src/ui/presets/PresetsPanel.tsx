/**
 * The presets gallery, opened from the header: one card per phenomenon (title, citation, the
 * sentence to look for); "Load" replaces the experiment, starts training and closes the gallery.
 */
import { useMemo } from 'react';
import { availablePresets, type Preset } from '../../experiment/presets';
import { appStoreApi, usePlayground } from '../store/store';
import { usePopover } from '../popover';

export function loadPreset(p: Preset): void {
  const s = appStoreApi().getState();
  s.load(structuredClone(p.experiment), `Loaded preset: ${p.title}.`, p.id);
  appStoreApi().getState().play();
}

export function PresetsPanel() {
  const presets = useMemo(() => availablePresets(), []);
  const current = usePlayground((s) => s.presetId);
  // it lies over the page: a press outside or Escape closes it, and so does loading a preset
  const { ref, close, onKeyDown } = usePopover();
  return (
    <details ref={ref} className="presets" onKeyDown={onKeyDown}>
      <summary>Presets: phenomena from the papers ({presets.length})</summary>
      <div className="preset-popover panel" role="group" aria-label="Presets">
        <div className="preset-grid">
          {presets.map((p) => (
            <article key={p.id} className={`preset-card${p.id === current ? ' current' : ''}`} data-preset={p.id}>
              <h2>{p.title}</h2>
              <p className="note">{p.paper}</p>
              <p className="preset-look">{p.lookFor}</p>
              <button
                type="button"
                onClick={() => {
                  loadPreset(p);
                  close();
                }}
                aria-label={`Load preset: ${p.title}`}
              >
                Load
              </button>
            </article>
          ))}
        </div>
      </div>
    </details>
  );
}
