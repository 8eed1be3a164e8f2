/**
 * SVG downloads of figures. recharts and the off-screen render load on the first click
 * (figurePlots.tsx, a chunk of its own); the 2-D phase heatmap needs neither.
 */
import { presetById } from '../../experiment/presets';
import { downloadText } from '../download';
import { appStoreApi } from '../store/store';
import type { Figure, PresetHeading } from './figure';

/** The loaded preset (title, citation, what to look for), if any. */
export function loadedPreset(): PresetHeading | null {
  const id = appStoreApi().getState().presetId;
  return id ? presetById(id) : null;
}

/** Render `fig` with recharts off screen and download it as `<name>.svg`. */
export async function downloadFigureSvg(fig: Figure, name: string): Promise<void> {
  const { renderFigureSvg } = await import('./figurePlots');
  downloadText(`${name}.svg`, await renderFigureSvg(fig), 'image/svg+xml');
}

/** Log a failed export (nothing to show yet, a chunk that did not load) without breaking the page. */
export function warn(e: unknown): void {
  console.warn(e instanceof Error ? e.message : String(e));
}
