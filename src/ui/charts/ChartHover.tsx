/**
 * The pointer read-out of a metric chart: a vertical cursor, a dot on each line at the hovered
 * step and a tooltip with every line's value logged there (full resolution, not the drawn
 * envelope). Dragging across the plot zooms every chart to that step range; a double click
 * (or the charts' "Reset zoom") shows the whole run again.
 */
import { useEffect, useImperativeHandle, useRef, useState, type Ref } from 'react';
import { adjacentStep, hoverAt, tooltipRows, type Hover, type LineSpec } from '../chartData';
import type { MetricStore } from '../series';
import type { Plot } from './chartCanvas';
import { HoverCursor, TooltipBox } from './Tooltip';
import { metricLabel } from '../metricGroups';
import { lastHover, publishHover, subscribeHover } from './hoverSync';
import { appStoreApi } from '../store/store';

/** A drag shorter than this (CSS pixels) is a click, not a zoom. */
export const MIN_DRAG_PX = 6;

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
  /** The chart's metrics, in order (several: the read-out has a row per run, a column per metric). */
  metrics?: readonly string[];
  runLabel?: (run: number) => string;
}

interface Pointer {
  mx: number;
  my: number;
  width: number;
  height: number;
}

export function ChartHover({ ref, plot, lines, store, log, metrics = [], runLabel = (r) => `run ${r + 1}` }: Props) {
  const [shown, setShown] = useState<(Pointer & { hover: Hover; plot: Plot; echo?: boolean }) | null>(null);
  const pointer = useRef<Pointer | null>(null);
  const box = useRef<HTMLDivElement>(null);
  // this chart's identity for the hover broadcast
  const [self] = useState(() => ({}));
  // the drag under way: where it started and where the pointer is (x, CSS pixels)
  const [drag, setDrag] = useState<{ x0: number; x1: number } | null>(null);

  // another chart's read-out: cursor and dots here at the nearest logged step, no tooltip
  const echoAt = (step: number | null) => {
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
  };
  // subscribed afresh after every render, so the listener sees this render's plot, lines and store
  useEffect(() => subscribeHover((step, source) => source !== self && echoAt(step)));

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

  // After a redraw: the read-out at the pointer, or the echo of another chart's (the step published
  // before this chart had a plot, or before it was mounted, lands here too).
  useImperativeHandle(ref, () => ({
    refresh: () => {
      if (pointer.current) return update();
      const h = lastHover();
      if (h.source !== self && (h.step !== null || shown?.echo)) echoAt(h.step);
    },
  }));

  const onMove = (e: React.MouseEvent<HTMLDivElement>) => {
    const r = box.current?.getBoundingClientRect();
    if (!r) return;
    pointer.current = { mx: e.clientX - r.left, my: e.clientY - r.top, width: r.width, height: r.height };
    update();
  };
  const inPlot = (mx: number) => {
    const a = plot.current?.area;
    return !!a && mx >= a.x && mx <= a.x + a.width;
  };
  const clampX = (mx: number) => {
    const a = plot.current?.area;
    return a ? Math.min(a.x + a.width, Math.max(a.x, mx)) : mx;
  };
  // The drag lives in a ref, read and written by the pointer handlers as the events arrive; the
  // state copy only draws the band. Read from state, a pointerup that came before React rendered
  // the moves (a busy main thread) saw the drag as it began, too short to zoom.
  const dragNow = useRef<{ x0: number; x1: number } | null>(null);
  const setDragBoth = (d: { x0: number; x1: number } | null) => {
    dragNow.current = d;
    setDrag(d);
  };
  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    const r = box.current?.getBoundingClientRect();
    if (e.button !== 0 || !r || !inPlot(e.clientX - r.left)) return;
    try {
      box.current?.setPointerCapture?.(e.pointerId);
    } catch {
      // the pointer is gone already (released before this handler ran): the drag still works inside the box
    }
    setDragBoth({ x0: e.clientX - r.left, x1: e.clientX - r.left });
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>) => {
    const r = box.current?.getBoundingClientRect();
    const d = dragNow.current;
    if (d && r) setDragBoth({ ...d, x1: clampX(e.clientX - r.left) });
  };
  const onPointerUp = (e: React.PointerEvent<HTMLDivElement>) => {
    const p = plot.current;
    const r = box.current?.getBoundingClientRect();
    const d = dragNow.current && r ? { ...dragNow.current, x1: clampX(e.clientX - r.left) } : null;
    if (d && p && Math.abs(d.x1 - d.x0) >= MIN_DRAG_PX) {
      const a = p.x.invert(Math.min(d.x0, d.x1));
      const b = p.x.invert(Math.max(d.x0, d.x1));
      appStoreApi()
        .getState()
        .setXZoom([Math.floor(a), Math.ceil(b)]);
    }
    setDragBoth(null);
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
    } else if (e.key === '+' || e.key === '=' || e.key === '-' || e.key === '0') {
      e.preventDefault();
      const st = appStoreApi().getState();
      if (e.key === '0') return st.setXZoom(null);
      const [lo, hi] = st.xZoom ?? [0, st.applied.steps];
      const half = ((hi - lo) / 2) * (e.key === '-' ? 2 : 0.5);
      const mid = current ?? (lo + hi) / 2;
      const a = Math.max(0, Math.floor(mid - half));
      const b = Math.min(st.applied.steps, Math.ceil(mid + half));
      return st.setXZoom(a <= 0 && b >= st.applied.steps ? null : [a, b]);
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
        {shown.echo ? null : (
          <TooltipBox
            {...shown}
            label={`step ${hover.step}`}
            items={hover.items}
            columns={metrics.map(metricLabel)}
            rows={tooltipRows(hover.items, metrics, runLabel)}
          />
        )}
      </>
    );
  }
  const band =
    drag && Math.abs(drag.x1 - drag.x0) >= MIN_DRAG_PX && plot.current ? (
      <div
        className="zoom-band"
        style={{
          left: Math.min(drag.x0, drag.x1),
          width: Math.abs(drag.x1 - drag.x0),
          top: plot.current.area.y,
          height: plot.current.area.height,
        }}
      />
    ) : null;
  return (
    <div
      ref={box}
      className="chart-hover"
      data-step={shown ? shown.hover.step : undefined}
      tabIndex={0}
      role="application"
      aria-label="Chart read-out: left and right arrows move between logged steps; plus and minus zoom, 0 shows the whole run"
      onMouseMove={onMove}
      onMouseLeave={onLeave}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => setDragBoth(null)}
      onDoubleClick={() => appStoreApi().getState().setXZoom(null)}
      onKeyDown={onKey}
      onBlur={onLeave}
    >
      {overlay}
      {band}
    </div>
  );
}
