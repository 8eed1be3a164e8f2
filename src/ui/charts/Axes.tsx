/**
 * A chart's frame in SVG, for charts with a handful of points (the phase diagram): dashed grid,
 * x and y axes with tick marks and labels, and whatever the chart draws inside (children, in
 * the SVG's coordinates). Same layout and look as the canvas-drawn metric charts
 * (chartCanvas.ts). Class names: chart-surface (the SVG, found by the PNG export), chart-cartesian-*.
 */
import { memo, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { preserveEnd, type Scale } from './ticks';
import { AXIS_FONT_PX, LABEL_HEIGHT, type PlotArea } from './chartCanvas';

const TICK = 6;
/** Rough label width per character at AXIS_FONT_PX (no DOM measuring). */
const CHAR_W = 6.2;

interface AxesProps {
  width: number;
  height: number;
  area: PlotArea;
  x: Scale;
  y: Scale;
  xTicks: readonly number[];
  yTicks: readonly number[];
  format(v: number): string;
  label?: string;
  children?: ReactNode;
}

function AxesImpl({ width, height, area, x, y, xTicks, yTicks, format, label, children }: AxesProps) {
  const bottom = area.y + area.height;
  const right = area.x + area.width;
  const inX = (px: number) => Number.isFinite(px) && px >= area.x - 0.5 && px <= right + 0.5;
  const inY = (py: number) => Number.isFinite(py) && py >= area.y - 0.5 && py <= bottom + 0.5;
  const xLabels = xTicks.map(format);
  const yLabels = yTicks.map(format);
  const xAll = xTicks.map((t) => x.map(t));
  const yAll = yTicks.map((t) => y.map(t));
  // ticks whose labels would overlap are dropped (marks and grid lines too), keeping the last
  const keepX = preserveEnd(
    xAll.length,
    (i) => (inX(xAll[i]) ? xAll[i] : NaN),
    (i) => xLabels[i].length * CHAR_W,
  );
  const keepY = preserveEnd(
    yAll.length,
    (i) => (inY(yAll[i]) ? yAll[i] : NaN),
    () => LABEL_HEIGHT,
  );
  const xs = xAll.map((px, i) => (keepX[i] ? px : NaN));
  const ys = yAll.map((py, i) => (keepY[i] ? py : NaN));
  return (
    <svg
      className="chart-surface"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <g className="chart-cartesian-grid" stroke="var(--grid)" strokeDasharray="3 3" fill="none">
        {ys.map((py, i) => (inY(py) ? <line key={`h${i}`} x1={area.x} y1={py} x2={right} y2={py} /> : null))}
        {xs.map((px, i) => (inX(px) ? <line key={`v${i}`} x1={px} y1={area.y} x2={px} y2={bottom} /> : null))}
      </g>
      {children}
      <g className="chart-cartesian-axis chart-xAxis" stroke="var(--muted)" fill="none">
        <line x1={area.x} y1={bottom} x2={right} y2={bottom} />
        {xs.map((px, i) => (inX(px) ? <line key={i} x1={px} y1={bottom + TICK} x2={px} y2={bottom} /> : null))}
      </g>
      <g className="chart-cartesian-axis chart-yAxis" stroke="var(--muted)" fill="none">
        <line x1={area.x} y1={area.y} x2={area.x} y2={bottom} />
        {ys.map((py, i) => (inY(py) ? <line key={i} x1={area.x - TICK} y1={py} x2={area.x} y2={py} /> : null))}
      </g>
      <g className="chart-cartesian-axis-tick-labels" fill="var(--muted)" stroke="none" fontSize={AXIS_FONT_PX}>
        {xs.map((px, i) =>
          inX(px) ? (
            <text key={`x${i}`} x={px} y={bottom + TICK + 2} dy="0.71em" textAnchor="middle">
              {xLabels[i]}
            </text>
          ) : null,
        )}
        {ys.map((py, i) =>
          inY(py) ? (
            <text key={`y${i}`} x={area.x - TICK - 2} y={py} dy="0.355em" textAnchor="end">
              {yLabels[i]}
            </text>
          ) : null,
        )}
      </g>
    </svg>
  );
}

export const Axes = memo(AxesImpl);

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
