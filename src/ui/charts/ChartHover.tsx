/**
 * The pointer read-out of a metric chart: a vertical cursor, a dot on each line at the hovered
 * step and a tooltip with every line's value logged there (full resolution, not the drawn
 * envelope).
 */
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { adjacentStep, hoverAt, type Hover, type LineSpec } from '../chartData';
import type { MetricStore } from '../series';
import type { Plot } from './chartCanvas';
import { HoverCursor, TooltipBox } from './Tooltip';
import { publishHover, subscribeHover } from './hoverSync';

export interface HoverHandle {
  /** Recompute the read-out at the last pointer position (after new data or new axes). */
  refresh(): void;
}

interface Props {
  ref?: Ref<HoverHandle>;
  plot: { current: Plot | null };
  lines: { current: readonly LineSpec[] };
  store: MetricStore;
  log: boolean;
}

interface Pointer {
  mx: number;
  my: number;
  width: number;
  height: number;
}

export function ChartHover({ ref, plot, lines, store, log }: Props) {
  const [shown, setShown] = useState<(Pointer & { hover: Hover; plot: Plot; echo?: boolean }) | null>(null);
  const pointer = useRef<Pointer | null>(null);
  const box = useRef<HTMLDivElement>(null);
  // this chart's identity for the hover broadcast
  const [self] = useState(() => ({}));

  // another chart's read-out: cursor and dots here at the nearest logged step, no tooltip
  useEffect(
    () =>
      subscribeHover((step, source) => {
        if (source === self) return;
        const p = plot.current;
        const r = box.current?.getBoundingClientRect();
        if (step === null || !p || !r) {
          setShown((s) => (s?.echo ? null : s));
          return;
        }
        const hover = hoverAt(lines.current, store, step, p.xMax);
        setShown(
          hover
            ? { mx: p.x.map(hover.step), my: p.area.y, width: r.width, height: r.height, hover, plot: p, echo: true }
            : null,
        );
      }),
    [self, plot, lines, store],
  );

  const update = () => {
    const p = plot.current;
    const at = pointer.current;
    const a = p?.area;
    if (!p || !a || !at || at.mx < a.x || at.mx > a.x + a.width || at.my < a.y || at.my > a.y + a.height) {
      setShown(null);
      publishHover(null, self);
      return;
    }
    const hover = hoverAt(lines.current, store, p.x.invert(at.mx), p.xMax);
    setShown(hover ? { ...at, hover, plot: p } : null);
    publishHover(hover ? hover.step : null, self);
  };

  useImperativeHandle(ref, () => ({ refresh: () => pointer.current && update() }));

  const onMove = (e: React.MouseEvent<HTMLDivElement>) => {
    const r = box.current?.getBoundingClientRect();
    if (!r) return;
    pointer.current = { mx: e.clientX - r.left, my: e.clientY - r.top, width: r.width, height: r.height };
    update();
  };
  const onLeave = () => {
    pointer.current = null;
    setShown(null);
    publishHover(null, self);
  };
  // Keyboard (as recharts' accessibility layer did): arrows move the read-out between logged steps.
  const onKey = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const p = plot.current;
    const r = box.current?.getBoundingClientRect();
    if (!p || !r) return;
    let step: number | null = null;
    const current = shown?.hover.step;
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const dir = e.key === 'ArrowRight' ? 1 : -1;
      step = current === undefined ? (dir > 0 ? 0 : p.xMax) : adjacentStep(lines.current, store, current, dir, p.xMax);
      if (current === undefined && step !== null) step = hoverAt(lines.current, store, step, p.xMax)?.step ?? null;
    } else if (e.key === 'Escape') {
      onLeave();
      return;
    } else return;
    e.preventDefault();
    if (step === null) return;
    pointer.current = { mx: p.x.map(step), my: p.area.y + p.area.height / 2, width: r.width, height: r.height };
    update();
  };

  let overlay = null;
  if (shown) {
    const { plot: p, hover } = shown;
    const dots = hover.items.flatMap((it) => {
      if (!Number.isFinite(it.value) || (log && it.value <= 0)) return [];
      const y = p.y.map(it.value);
      return Number.isFinite(y) ? [{ key: it.key, y, color: it.color }] : [];
    });
    overlay = (
      <>
        <HoverCursor x={p.x.map(hover.step)} top={p.area.y} bottom={p.area.y + p.area.height} dots={dots} />
        {shown.echo ? null : <TooltipBox {...shown} label={`step ${hover.step}`} items={hover.items} />}
      </>
    );
  }
  return (
    <div
      ref={box}
      className="chart-hover"
      data-step={shown ? shown.hover.step : undefined}
      tabIndex={0}
      role="application"
      aria-label="Chart read-out: left and right arrows move between logged steps"
      onMouseMove={onMove}
      onMouseLeave={onLeave}
      onKeyDown={onKey}
      onBlur={onLeave}
    >
      {overlay}
    </div>
  );
}
