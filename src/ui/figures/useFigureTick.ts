/**
 * When a recharts figure follows new metrics: at most every `minMs` while it is on screen, not
 * while it is scrolled out of view (its React render would share frames with the canvas charts'
 * work for nothing to see), and at once when it comes back into view. The update is
 * a transition: React renders it in slices of a few milliseconds between frames, so a recharts
 * render of a small chart (measured 40-110 ms per update in one piece on a busy 2-core machine,
 * 8 runs training) does not make one long frame.
 */
import { startTransition, useEffect, useState } from 'react';
import { appStoreApi } from '../store/store';
import { chartQueue, exclusive, spaced, type Job } from '../charts/frameQueue';

/** [a ref callback for the figure's element, a value that changes when the figure should update]. */
export function useFigureTick(minMs: number): [(el: Element | null) => void, number] {
  const [el, setEl] = useState<Element | null>(null);
  const [version, setVersion] = useState(() => appStoreApi().getState().metricsVersion);
  useEffect(() => {
    let visible = typeof IntersectionObserver !== 'function'; // no observer: always follow
    let last = 0;
    const job: Job = exclusive(() => {
      last = performance.now();
      // the frame queue spaces the updates out; the render itself is sliced by React
      startTransition(() => setVersion(appStoreApi().getState().metricsVersion));
    });
    const runs = spaced(chartQueue(), job, () => last + minMs - performance.now());
    const request = () => {
      if (visible) runs.request();
    };
    const unsubscribe = appStoreApi().subscribe((s, prev) => {
      if (s.metricsVersion !== prev.metricsVersion) request();
    });
    let io: IntersectionObserver | undefined;
    if (el && typeof IntersectionObserver === 'function') {
      io = new IntersectionObserver((entries) => {
        const was = visible;
        visible = entries.some((e) => e.isIntersecting);
        if (visible && !was) runs.now();
      });
      io.observe(el);
    }
    request(); // catch up with changes made before subscribing
    return () => {
      unsubscribe();
      io?.disconnect();
      runs.cancel();
    };
  }, [el, minMs]);
  return [setEl, version];
}
