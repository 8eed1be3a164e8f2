/**
 * The pieces of a hover read-out, shared by the metric charts and the phase diagram: a tooltip
 * box that looks like recharts' default one (same class names and layout, items in name order)
 * and a cursor line with a dot per line.
 */
import { useLayoutEffect, useRef } from 'react';
import { fmt } from '../format';
import type { TooltipRow } from '../chartData';

export interface TooltipItem {
  key: string;
  name: string;
  color: string;
  value: number;
  run?: number;
  metric?: string;
}

const OFFSET = 10;

/** Entries in name order, as recharts' tooltip listed them. */
export function sortedByName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The tooltip at pointer (mx, my) inside a box of width x height: right of and below the
 * pointer, flipped where it would overflow (placed after measuring itself, as recharts does).
 */
export function TooltipBox(props: {
  mx: number;
  my: number;
  width: number;
  height: number;
  label: string;
  items: readonly TooltipItem[];
  /** When set: one row per run, these column headings (the chart's metrics). */
  columns?: readonly string[];
  rows?: readonly TooltipRow[] | null;
}) {
  const { mx, my, width, height, label, items, columns, rows } = props;
  const tip = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = tip.current;
    if (!el) return;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    let x = mx + OFFSET;
    if (x + w > width) x = Math.max(0, mx - OFFSET - w);
    let y = my + OFFSET;
    if (y + h > height) y = Math.max(0, my - OFFSET - h);
    el.style.transform = `translate(${x}px, ${y}px)`;
  });
  return (
    <div ref={tip} className="chart-tooltip-wrapper chart-tooltip">
      <div className="chart-default-tooltip">
        <p className="chart-tooltip-label">{label}</p>
        {rows && columns ? (
          <table className="chart-tooltip-table">
            <thead>
              <tr>
                <th />
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <th style={{ color: r.color }}>{r.label}</th>
                  {r.values.map((v, i) => (
                    <td key={i}>{v === undefined ? '' : fmt(v)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <ul className="chart-tooltip-item-list">
            {sortedByName(items).map((it) => (
              <li key={it.key} className="chart-tooltip-item" style={{ color: it.color }}>
                <span className="chart-tooltip-item-name">{it.name}</span>
                <span className="chart-tooltip-item-separator"> : </span>
                <span className="chart-tooltip-item-value">{fmt(it.value)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** A vertical cursor at x from top to bottom, and a dot (line colour, white ring) per point. */
export function HoverCursor(props: {
  x: number;
  top: number;
  bottom: number;
  dots: readonly { key: string; y: number; color: string }[];
}) {
  const { x, top, bottom, dots } = props;
  if (!Number.isFinite(x)) return null;
  return (
    <svg className="chart-cursor" aria-hidden="true">
      <path
        className="chart-tooltip-cursor"
        d={`M${x},${top}L${x},${bottom}`}
        stroke="#ccc"
        strokeWidth={1}
        fill="none"
      />
      {dots.map((d) => (
        <circle key={d.key} cx={x} cy={d.y} r={4} fill={d.color} stroke="#fff" strokeWidth={2} />
      ))}
    </svg>
  );
}
