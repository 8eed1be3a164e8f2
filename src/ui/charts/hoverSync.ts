/**
 * Hover synced across charts: the chart under the pointer publishes the step it reads out, and
 * every other chart draws its cursor and dots at its own logged step nearest to it (no tooltip,
 * so one read-out stays on screen). A tiny broadcast outside the store: hovering re-renders only
 * the hover layers, never the charts.
 */
export type HoverListener = (step: number | null, source: object) => void;

const listeners = new Set<HoverListener>();
// The last step published and by whom: a chart that draws after it (mounted later, or without a
// plot yet when the step came) takes it from here.
let last: { step: number | null; source: object | null } = { step: null, source: null };

export function publishHover(step: number | null, source: object): void {
  last = { step, source };
  for (const l of listeners) l(step, source);
}

export function lastHover(): { step: number | null; source: object | null } {
  return last;
}

export function subscribeHover(l: HoverListener): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}
