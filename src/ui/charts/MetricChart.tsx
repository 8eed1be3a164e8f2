/** One chart: a metric group for every run, colour per run, dash per metric, hover read-outs. */
import { memo, useMemo, useRef } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { buildChart, yDomain } from '../chartData';
import { fmt, tick } from '../format';
import { metricLabel, type MetricGroup } from '../metricGroups';
import type { MetricStore } from '../series';
import { exportChartPng } from '../exporting';
import { stamp } from '../download';

interface Props {
  group: MetricGroup;
  runs: readonly { label: string; color: string }[];
  store: MetricStore;
  /** Changes whenever the store's content does. */
  version: number;
  log: boolean;
  onLog(on: boolean): void;
}

function MetricChartImpl({ group, runs, store, version, log, onLog }: Props) {
  const data = useMemo(() => buildChart(group, runs, store, { log }), [group, runs, store, version, log]); // eslint-disable-line react-hooks/exhaustive-deps
  const domain = yDomain(data.yMin, data.yMax, log);
  const names = useMemo(() => new Map(data.lines.map((l) => [l.key, l.name])), [data.lines]);
  const titleId = `chart-${group.id.replace(/[^a-z0-9_-]/gi, '_')}`;
  const figRef = useRef<HTMLElement>(null);
  const png = () => {
    if (figRef.current)
      exportChartPng(figRef.current, stamp(`chart-${group.id.replace(/[^a-z0-9_-]/gi, '_')}`), {
        title: group.title,
        legend: runs,
      }).catch((e: unknown) => console.warn(e instanceof Error ? e.message : String(e)));
  };
  return (
    <figure ref={figRef} className="chart" aria-labelledby={titleId} data-group={group.id}>
      <figcaption>
        <span id={titleId} className="chart-title">
          {group.title}
        </span>
        <label className="log-toggle">
          <input type="checkbox" checked={log} onChange={(e) => onLog(e.target.checked)} /> log
        </label>
        <button type="button" className="small png" onClick={png} aria-label={`Download ${group.title} as PNG`}>
          PNG
        </button>
      </figcaption>
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
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={data.rows} margin={{ top: 6, right: 12, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" />
            <XAxis
              dataKey="step"
              type="number"
              domain={[0, 'dataMax']}
              tickFormatter={tick}
              stroke="var(--muted)"
              fontSize={11}
              allowDecimals={false}
            />
            <YAxis
              scale={log ? 'log' : 'linear'}
              type="number"
              domain={domain ?? ['auto', 'auto']}
              allowDataOverflow
              tickFormatter={tick}
              stroke="var(--muted)"
              fontSize={11}
              width={52}
            />
            <Tooltip
              isAnimationActive={false}
              contentStyle={{
                background: 'var(--panel)',
                border: '1px solid var(--border)',
                color: 'var(--fg)',
                fontSize: 12,
              }}
              labelFormatter={(s) => `step ${String(s)}`}
              formatter={(v, key) => [fmt(typeof v === 'number' ? v : null), names.get(String(key)) ?? String(key)]}
            />
            {data.lines.map((l) => (
              <Line
                key={l.key}
                dataKey={l.key}
                name={l.name}
                stroke={l.color}
                strokeDasharray={l.dash}
                strokeWidth={1.6}
                dot={false}
                isAnimationActive={false}
                connectNulls
                type="linear"
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      {group.note ? <p className="chart-note">{group.note}</p> : null}
    </figure>
  );
}

export const MetricChart = memo(MetricChartImpl);
