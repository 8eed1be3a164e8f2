/**
 * The presets gallery, opened from the header: one card per phenomenon (title, citation, the
 * sentence to look for); "Load" replaces the experiment, starts training and closes the gallery.
 */
import { useEffect, useMemo, useRef } from 'react';
import { availablePresets, type Preset } from '../../experiment/presets';
import { appStoreApi, usePlayground } from '../store/store';

export function loadPreset(p: Preset): void {
  const s = appStoreApi().getState();
  s.load(structuredClone(p.experiment), `Loaded preset: ${p.title}.`, p.id);
  appStoreApi().getState().play();
}

export function PresetsPanel() {
  const presets = useMemo(() => availablePresets(), []);
  const current = usePlayground((s) => s.presetId);
  const ref = useRef<HTMLDetailsElement>(null);
  const close = () => {
    if (ref.current) ref.current.open = false;
  };
  // a press anywhere outside the open gallery closes it (it lies over the page)
  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      const d = ref.current;
      if (d?.open && e.target instanceof Node && !d.contains(e.target)) d.open = false;
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, []);
  return (
    <details
      ref={ref}
      className="presets"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && ref.current?.open) {
          close();
          ref.current.querySelector('summary')?.focus();
        }
      }}
    >
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
