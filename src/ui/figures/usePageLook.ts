/** The page's look for recharts figures: theme colours, axis text that grows with large-text mode. */
import { useEffect, useMemo, useState } from 'react';
import { usePlayground } from '../store/store';
import { axisFontPx } from '../charts/chartCanvas';
import { pageLook, type PlotLook } from './figure';

const rootAxisPx = () => axisFontPx(parseFloat(getComputedStyle(document.documentElement).fontSize));

export function usePageLook(): PlotLook {
  const large = usePlayground((s) => s.largeFont);
  const [px, setPx] = useState(rootAxisPx);
  useEffect(() => {
    // the root font changes in the App's effect, after this one: read it a frame later
    const raf = requestAnimationFrame(() => setPx(rootAxisPx()));
    return () => cancelAnimationFrame(raf);
  }, [large]);
  return useMemo(() => pageLook(px), [px]);
}
