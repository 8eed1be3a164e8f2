/**
 * The width of a chart's box, for the charts that lay themselves out in pixels (the canvas
 * metric charts, the recharts figures). The SVG axes that lived here went when the phase
 * diagram moved to recharts (figures/figurePlots.tsx).
 */
import { useLayoutEffect, useRef, useState } from 'react';

/** The width of an element, followed with a ResizeObserver (0 until measured). */
export function useWidth<T extends HTMLElement>(): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  // measured before the first paint (no extra render later), then followed
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    if (typeof ResizeObserver !== 'function') return;
    const ro = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}
