/**
 * The 1-D phase diagram: a metric's final value per swept value, points joined by a line, on SVG
 * axes (charts/Axes.tsx) with a hover read-out. A handful of points, so plain SVG.
 */
import { useMemo, useRef, useState } from 'react';
import { tick } from '../format';
import { Axes, useWidth } from '../charts/Axes';
import { CHART_HEIGHT, CHART_MARGIN, Y_AXIS_WIDTH, plotArea } from '../charts/chartCanvas';
import { HoverCursor, TooltipBox } from '../charts/Tooltip';
import { linearTicks, logTicks, makeScale, niceDomain } from '../charts/ticks';
import type { SweepAxis } from './phase';

const HEIGHT = CHART_HEIGHT;
const STROKE = 'var(--accent)';

export function PhaseLine({ axis, values }: { axis: SweepAxis; values: (number | undefined)[] }) {
  const [box, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<{ mx: number; my: number; i: number } | null>(null);
  const data = useMemo(
    () =>
      axis.values
        .map((x, r) => ({ x, y: values[r] !== undefined && Number.isFinite(values[r]) ? values[r] : null, r }))
        .filter((p) => !axis.log || p.x > 0)
        .sort((a, b) => a.x - b.x),
    [axis, values],
  );
  const frame = useMemo(() => {
    if (width <= 0 || data.length === 0) return null;
    const area = plotArea(width, HEIGHT, CHART_MARGIN, Y_AXIS_WIDTH);
    const xd: [number, number] = [data[0].x, data[data.length - 1].x];
    const ys = data.flatMap((p) => (p.y === null ? [] : [p.y]));
    // a nice domain around the values: the axis stays while the values move inside it
    const yd = ys.length ? niceDomain(Math.min(...ys), Math.max(...ys)) : ([0, 1] as [number, number]);
    const x = makeScale(xd, area.x, area.x + area.width, axis.log);
    const y = makeScale(yd, area.y + area.height, area.y, false);
    const pts = data.map((p) => ({ ...p, px: x.map(p.x), py: p.y === null ? NaN : y.map(p.y) }));
    const d = pts
      .filter((p) => Number.isFinite(p.py))
      .map((p, k) => `${k === 0 ? 'M' : 'L'}${p.px},${p.py}`)
      .join('');
    return {
      area,
      x,
      y,
      pts,
      d,
      xTicks: axis.log ? logTicks(xd[0], xd[1]) : linearTicks(xd[0], xd[1]),
      yTicks: linearTicks(yd[0], yd[1]),
    };
  }, [width, data, axis.log]);
  const layer = useRef<HTMLDivElement>(null);

  const onMove = (e: React.MouseEvent<HTMLDivElement>) => {
    const r = layer.current?.getBoundingClientRect();
    if (!r || !frame) return;
    const mx = e.clientX - r.left;
    const my = e.clientY - r.top;
    const a = frame.area;
    if (mx < a.x || mx > a.x + a.width || my < a.y || my > a.y + a.height) {
      setHover(null);
      return;
    }
    let best = 0;
    frame.pts.forEach((p, i) => {
      if (Math.abs(p.px - mx) < Math.abs(frame.pts[best].px - mx)) best = i;
    });
    setHover({ mx, my, i: best });
  };

  const hp = hover && frame ? frame.pts[hover.i] : null;
  return (
    <div className="chart-body">
      <div ref={box} className="chart-plot" style={{ height: HEIGHT }}>
        {frame ? (
          <Axes
            width={width}
            height={HEIGHT}
            area={frame.area}
            x={frame.x}
            y={frame.y}
            xTicks={frame.xTicks}
            yTicks={frame.yTicks}
            format={tick}
            label={`Final value against ${axis.key}`}
          >
            <g className="chart-line">
              <path
                className="chart-curve chart-line-curve"
                d={frame.d}
                stroke={STROKE}
                strokeWidth={1.6}
                fill="none"
              />
              {frame.pts.map((p) =>
                Number.isFinite(p.py) ? (
                  <circle key={p.r} cx={p.px} cy={p.py} r={3} fill="#fff" stroke={STROKE} strokeWidth={1.6} />
                ) : null,
              )}
            </g>
          </Axes>
        ) : null}
        <div ref={layer} className="chart-hover" onMouseMove={onMove} onMouseLeave={() => setHover(null)}>
          {hover && hp && frame ? (
            <>
              <HoverCursor
                x={hp.px}
                top={frame.area.y}
                bottom={frame.area.y + frame.area.height}
                dots={Number.isFinite(hp.py) ? [{ key: 'y', y: hp.py, color: STROKE }] : []}
              />
              <TooltipBox
                mx={hover.mx}
                my={hover.my}
                width={width}
                height={HEIGHT}
                label={`${axis.key} = ${String(hp.x)}`}
                items={[{ key: 'y', name: 'final', color: STROKE, value: hp.y ?? NaN }]}
              />
            </>
          ) : null}
        </div>
      </div>
    </div>
  );
}
