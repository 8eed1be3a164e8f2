/**
 * The phase-diagram view of a sweep: a chosen metric's final value against the swept
 * hyperparameter (1-D: points joined by a line, drawn by recharts; 2-D: a viridis heatmap, an
 * HTML table, since recharts has no heatmap). Shown only when the runs differ in one or two
 * numeric hyperparameters. Both download as SVG (the heatmap's file is written by figureSvg.ts).
 */
import { useCallback, useId, useMemo, useRef, useState } from 'react';
import { usePlayground } from '../store/store';
import { metricLabel } from '../metricGroups';
import { fmt } from '../format';
import { RUN_COLORS, viridis } from '../palette';
import { exportChartPng } from '../exporting';
import { downloadText, stamp } from '../download';
import { phaseFigure, presetHeading } from '../figures/figure';
import { heatmapSvg } from '../figures/figureSvg';
import { downloadFigureSvg, loadedPreset, warn } from '../figures/exportFigure';
import { defaultMetric, finalValues, heatGrid, sweepAxes, type SweepAxis } from './phase';
import { useFigureTick } from '../figures/useFigureTick';
import { PhaseLine } from './PhaseLine';
import './phase.css';
import '../figures/figures.css';

/** How often the diagram follows new metrics. */
const PHASE_MS = 500;

export function PhaseDiagram() {
  const runs = usePlayground((s) => s.applied.runs);
  const store = usePlayground((s) => s.metrics);
  // a new metric (the list grows in place) re-renders the select and the default choice
  usePlayground((s) => s.metrics.metrics.length);
  // follows new metrics while on screen (useFigureTick)
  const [tickRef, version] = useFigureTick(PHASE_MS);
  const axes = useMemo(() => sweepAxes(runs), [runs]);
  const [chosen, setChosen] = useState<string | null>(null);
  const id = useId();
  const figRef = useRef<HTMLElement>(null);
  const setFig = useCallback(
    (el: HTMLElement | null) => {
      figRef.current = el;
      tickRef(el);
    },
    [tickRef],
  );
  const present = store.metrics;
  const metric = chosen && present.includes(chosen) ? chosen : defaultMetric(present);
  const values = useMemo(
    () => (metric ? finalValues(runs.length, (r, m) => store.last(r, m), metric) : []),
    [runs, store, metric, version], // eslint-disable-line react-hooks/exhaustive-deps -- store mutates in place; version marks changes
  );
  if (!axes) return null;
  const title = () =>
    `Final ${metric ? metricLabel(metric) : 'metric'} against ${axes.map((a) => a.key).join(' and ')}`;
  const svg = () => {
    if (!metric) return;
    const name = stamp('phase-diagram');
    const preset = loadedPreset();
    if (axes.length === 1) {
      const fig = phaseFigure({ axis: axes[0], values, metric, title: title(), color: RUN_COLORS[0], preset });
      downloadFigureSvg(fig, name).catch(warn);
      return;
    }
    const [ax, ay] = axes;
    const text = heatmapSvg({
      title: title(),
      ...presetHeading(preset),
      xLabel: ax.key,
      yLabel: ay.key,
      xLevels: ax.levels,
      yLevels: ay.levels,
      cells: heatGrid(axes, values),
    });
    downloadText(`${name}.svg`, text, 'image/svg+xml');
  };
  const png = () => {
    if (figRef.current)
      exportChartPng(figRef.current, stamp('phase-diagram'), { title: title() }).catch((e: unknown) =>
        console.warn(e instanceof Error ? e.message : String(e)),
      );
  };
  return (
    <figure
      ref={setFig}
      className="chart phase"
      aria-label="Phase diagram"
      data-axes={axes.map((a) => a.key).join(',')}
    >
      <figcaption>
        <span className="chart-title">{title()}</span>
        <span className="chart-exports">
          <label htmlFor={id} className="log-toggle">
            metric{' '}
          </label>
          <select id={id} value={metric ?? ''} onChange={(e) => setChosen(e.target.value)}>
            {present.map((m) => (
              <option key={m} value={m}>
                {metricLabel(m)}
              </option>
            ))}
          </select>{' '}
          {axes.length === 1 ? (
            <button type="button" className="small png" onClick={png} aria-label="Download the phase diagram as PNG">
              PNG
            </button>
          ) : null}{' '}
          <button type="button" className="small svg" onClick={svg} aria-label="Download the phase diagram as SVG">
            SVG
          </button>
        </span>
      </figcaption>
      {axes.length === 1 ? (
        <PhaseLine axis={axes[0]} values={values} metric={metric ?? ''} title={title()} />
      ) : (
        <Heat2d axes={axes} values={values} />
      )}
    </figure>
  );
}

function Heat2d({ axes, values }: { axes: SweepAxis[]; values: (number | undefined)[] }) {
  const grid = heatGrid(axes, values);
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const [ax, ay] = axes;
  return (
    <div className="phase-heat">
      <table>
        <tbody>
          {grid.map((row, i) => (
            <tr key={i}>
              <th scope="row">{ay.levels[ay.levels.length - 1 - i]}</th>
              {row.map((cell, j) => {
                const v = cell?.value;
                const ok = v !== undefined && Number.isFinite(v);
                const t = ok && hi > lo ? (v - lo) / (hi - lo) : 0.5;
                return (
                  <td
                    key={j}
                    className={ok ? (t > 0.6 ? 'dark-text' : 'light-text') : undefined}
                    style={{ background: ok ? viridis(t) : 'transparent' }}
                    title={cell ? `run ${cell.run + 1}: ${fmt(v ?? null)}` : 'no run'}
                  >
                    {cell ? fmt(v ?? null) : ''}
                  </td>
                );
              })}
            </tr>
          ))}
          <tr>
            <th scope="row" className="corner">
              {ay.key} / {ax.key}
            </th>
            {ax.levels.map((x) => (
              <th key={x} scope="col">
                {x}
              </th>
            ))}
          </tr>
        </tbody>
      </table>
    </div>
  );
}
