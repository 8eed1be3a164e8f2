/**
 * Hover synced across charts: the chart under the pointer publishes the step it reads out, and
 * every other chart draws its cursor and dots at its own logged step nearest to it (no tooltip,
 * so one read-out stays on screen). A tiny broadcast outside the store: hovering re-renders only
 * the hover layers, never the charts.
 */
export type HoverListener = (step: number | null, source: object) => void;

const listeners = new Set<HoverListener>();

export function publishHover(step: number | null, source: object): void {
  for (const l of listeners) l(step, source);
}

export function subscribeHover(l: HoverListener): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}
