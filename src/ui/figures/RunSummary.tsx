/**
 * Per-run summary under the charts: the final value of a chosen metric (default: the test loss)
 * as one bar per run, in the run's colour. A recharts bar chart (loaded on demand), re-rendered
 * at most every SUMMARY_MS as metrics arrive while it is on screen, never per frame; an SVG
 * button downloads it.
 */
import { lazy, Suspense, useId, useMemo, useState } from 'react';
import { usePlayground } from '../store/store';
import { metricLabel } from '../metricGroups';
import { runColor } from '../palette';
import { stamp } from '../download';
import { useWidth } from '../charts/Axes';
import { useFigureTick } from './useFigureTick';
import { barPlotHeight, figureRuns, summaryFigure, summaryMetric, type BarFigure } from './figure';
import { downloadFigureSvg, loadedPreset, warn } from './exportFigure';
import { usePageLook } from './usePageLook';
import './figures.css';

const BarFigurePlot = lazy(() => import('./figurePlots').then((m) => ({ default: m.BarFigurePlot })));

/** How often the bars follow new metrics. */
export const SUMMARY_MS = 500;

export function RunSummary() {
  const applied = usePlayground((s) => s.applied.runs);
  const hidden = usePlayground((s) => s.hiddenRuns);
  const diverged = usePlayground((s) => s.diverged);
  const store = usePlayground((s) => s.metrics);
  const metricCount = usePlayground((s) => s.metrics.metrics.length);
  const [tickRef, version] = useFigureTick(SUMMARY_MS);
  const [chosen, setChosen] = useState<string | null>(null);
  const id = useId();
  const runs = useMemo(() => figureRuns(applied, runColor, hidden, diverged), [applied, hidden, diverged]);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the store's list grows in place; metricCount marks changes
  const present = useMemo(() => [...store.metrics], [store, metricCount]);
  const metric = chosen && present.includes(chosen) ? chosen : summaryMetric(present);
  const fig = useMemo(
    () => (metric ? summaryFigure({ runs, last: (r, m) => store.last(r, m), metric }) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the store mutates in place; version marks new values
    [runs, store, metric, version],
  );
  if (!fig || fig.bars.length === 0) return null;
  const svg = () => {
    const withPreset = summaryFigure({
      runs,
      last: (r, m) => store.last(r, m),
      metric: metric!,
      preset: loadedPreset(),
    });
    downloadFigureSvg(withPreset, stamp('run-summary')).catch(warn);
  };
  return (
    <figure ref={tickRef} className="chart run-summary" aria-label="Final values per run" data-metric={metric}>
      <figcaption>
        <span className="chart-title">{fig.title}</span>
        <span className="chart-exports">
          <label htmlFor={id} className="log-toggle">
            metric{' '}
          </label>
          <select id={id} value={metric} onChange={(e) => setChosen(e.target.value)}>
            {present.map((m) => (
              <option key={m} value={m}>
                {metricLabel(m)}
              </option>
            ))}
          </select>
          <button type="button" className="small svg" onClick={svg} aria-label="Download the run summary as SVG">
            SVG
          </button>
        </span>
      </figcaption>
      <SummaryPlot fig={fig} />
    </figure>
  );
}

/** The bars at the width of their box (mounted with the box, so it is measured from the start). */
function SummaryPlot({ fig }: { fig: BarFigure }) {
  const [box, width] = useWidth<HTMLDivElement>();
  const look = usePageLook();
  const height = barPlotHeight(fig);
  return (
    <div ref={box} className="figure-body" style={{ height }} data-bars={fig.bars.length}>
      {width > 0 ? (
        <Suspense fallback={<p className="note">Loading the chart…</p>}>
          <BarFigurePlot fig={fig} width={width} height={height} look={look} tooltip />
        </Suspense>
      ) : null}
    </div>
  );
}
