/** Title, backend badge, the presets gallery and view toggles (theme, large text). */
import { usePlayground } from './store/store';
import { PresetsPanel } from './presets/PresetsPanel';
import { hashFor } from './hash';

/** Embed mode: the way out to the whole playground, with this experiment and chart choice. */
function OpenFull() {
  const applied = usePlayground((s) => s.applied);
  const charts = usePlayground((s) => s.chartPick);
  const href = `${location.origin}${location.pathname}${hashFor(applied, false, charts)}`;
  return (
    <a className="open-full" href={href} target="_blank" rel="noopener noreferrer">
      Open in the playground ↗
    </a>
  );
}

export function Header() {
  const backend = usePlayground((s) => s.backend);
  const theme = usePlayground((s) => s.theme);
  const setTheme = usePlayground((s) => s.setTheme);
  const large = usePlayground((s) => s.largeFont);
  const setLarge = usePlayground((s) => s.setLargeFont);
  const embed = usePlayground((s) => s.embed);
  return (
    <header className="top">
      <h1>Optimizer playground</h1>
      <span className={`badge backend ${backend?.backend ?? 'pending'}`} data-testid="backend" title={backend?.adapter}>
        {backend ? (backend.backend === 'webgpu' ? `WebGPU · ${backend.adapter}` : 'CPU backend') : 'starting…'}
      </span>
      {embed ? <OpenFull /> : <PresetsPanel />}
      {embed ? null : (
        <div className="toggles">
          <button
            type="button"
            aria-pressed={theme === 'dark'}
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          >
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
          <button type="button" aria-pressed={large} onClick={() => setLarge(!large)}>
            Large text
          </button>
        </div>
      )}
    </header>
  );
}
