/**
 * One chart: a metric group for every run, colour per run, dash per metric, hover read-outs.
 * The plot itself (ChartPlot) mounts through the frame queue, one chart per frame, so a page of
 * charts appearing at once does not make one long task.
 */
import { memo, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { metricLabel, type MetricGroup } from '../metricGroups';
import { exportChartPng } from '../exporting';
import { stamp } from '../download';
import { appStoreApi } from '../store/store';
import { downloadFigureSvg, loadedPreset, warn } from '../figures/exportFigure';
import { metricFigure } from '../figures/figure';
import { chartQueue, exclusive } from './frameQueue';
import { ChartPlot } from './ChartPlot';
import { ChartLegend } from './ChartLegend';
import type { ChartMarker } from './chartCanvas';
import '../figures/figures.css';

interface Props {
  group: MetricGroup;
  runs: readonly { label: string; color: string; hidden?: boolean; diverged?: boolean; imported?: boolean }[];
  log: boolean;
  onLog(groupId: string, on: boolean): void;
  markers?: readonly ChartMarker[];
  /** What the runs' optimizers measure differently (optimizerNotes.ts), under the group's note. */
  notes?: readonly string[];
}

function MetricChartImpl({ group, runs, log, onLog, markers, notes }: Props) {
  const [ready, setReady] = useState(false);
  const figRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const queue = chartQueue();
    const mount = exclusive(() => flushSync(() => setReady(true)));
    queue.request(mount);
    return () => queue.cancel(mount);
  }, []);

  const safeId = group.id.replace(/[^a-z0-9_-]/gi, '_');
  const titleId = `chart-${safeId}`;
  const png = () => {
    if (figRef.current)
      exportChartPng(figRef.current, stamp(`chart-${safeId}`), {
        title: group.title,
        legend: runs.filter((r) => !r.hidden),
      }).catch((e: unknown) => console.warn(e instanceof Error ? e.message : String(e)));
  };
  // a recharts figure of the same decimated lines, drawn off screen on demand
  const svg = () => {
    const s = appStoreApi().getState();
    const fig = metricFigure({
      group,
      runs,
      store: s.metrics,
      log,
      xEnd: s.applied.steps,
      zoom: s.xZoom,
      markers,
      preset: loadedPreset(),
    });
    downloadFigureSvg(fig, stamp(`chart-${safeId}`)).catch(warn);
  };
  return (
    <figure ref={figRef} className="chart" aria-labelledby={titleId} data-group={group.id}>
      <figcaption>
        <span id={titleId} className="chart-title">
          {group.title}
        </span>
        <label className="log-toggle">
          <input type="checkbox" checked={log} onChange={(e) => onLog(group.id, e.target.checked)} /> log
        </label>
        <span className="chart-exports">
          <button type="button" className="small png" onClick={png} aria-label={`Download ${group.title} as PNG`}>
            PNG
          </button>
          <button type="button" className="small svg" onClick={svg} aria-label={`Download ${group.title} as SVG`}>
            SVG
          </button>
        </span>
      </figcaption>
      <ChartLegend runs={runs} metrics={group.metrics.map((m) => m.name)} />
      {group.metrics.length > 1 ? (
        <div className="dash-key">
          {group.metrics.map((m) => (
            <span key={m.name}>
              <svg width="22" height="6" aria-hidden="true">
                <line x1="0" y1="3" x2="22" y2="3" stroke="currentColor" strokeWidth="2" strokeDasharray={m.dash} />
              </svg>{' '}
              {metricLabel(m.name)}
            </span>
          ))}
        </div>
      ) : null}
      <div className="chart-body">
        {ready ? <ChartPlot group={group} runs={runs} log={log} markers={markers} /> : null}
      </div>
      {group.note ? <p className="chart-note">{group.note}</p> : null}
      {notes?.map((n) => (
        <p key={n} className="chart-note optimizer-note">
          {n}
        </p>
      ))}
    </figure>
  );
}

export const MetricChart = memo(MetricChartImpl);
