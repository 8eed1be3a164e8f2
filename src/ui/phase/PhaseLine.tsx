/**
 * The 1-D phase diagram: a metric's final value per swept value, points joined by a line, drawn
 * by recharts (loaded on demand, like the other figures that are not redrawn at frame rate; the
 * diagram follows new metrics at most every 500 ms). The same figure is what the SVG export draws.
 */
import { lazy, Suspense, useMemo } from 'react';
import { useWidth } from '../charts/Axes';
import { CHART_HEIGHT } from '../charts/chartCanvas';
import { phaseFigure } from '../figures/figure';
import { usePageLook } from '../figures/usePageLook';
import type { SweepAxis } from './phase';
import '../figures/figures.css';

const LineFigurePlot = lazy(() => import('../figures/figurePlots').then((m) => ({ default: m.LineFigurePlot })));

const HEIGHT = CHART_HEIGHT + 20;

export function PhaseLine({
  axis,
  values,
  metric,
  title,
}: {
  axis: SweepAxis;
  values: (number | undefined)[];
  metric: string;
  title: string;
}) {
  const [box, width] = useWidth<HTMLDivElement>();
  const look = usePageLook();
  const fig = useMemo(
    () => phaseFigure({ axis, values, metric, title, color: 'var(--accent)' }),
    [axis, values, metric, title],
  );
  return (
    <div className="chart-body">
      <div ref={box} className="chart-plot figure-body" style={{ height: HEIGHT }}>
        {width > 0 ? (
          <Suspense fallback={null}>
            <LineFigurePlot fig={fig} width={width} height={HEIGHT} look={look} tooltip />
          </Suspense>
        ) : null}
      </div>
    </div>
  );
}
