/** All charts, derived from the metric-group table and the metrics that have arrived. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { usePlayground } from '../store/store';
import { chartGroups } from '../metricGroups';
import { runColor } from '../palette';
import { MetricChart } from './MetricChart';
import { RunLegend } from './RunLegend';

/** `value`, updated at most every `ms` (charts redraw a few times a second, not per batch). */
function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = Math.max(0, last.current + ms - Date.now());
    const t = setTimeout(() => {
      last.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(t);
  }, [value, ms]);
  return shown;
}

export function Charts() {
  const version = useThrottled(
    usePlayground((s) => s.metricsVersion),
    250,
  );
  const store = usePlayground((s) => s.metrics);
  const appliedRuns = usePlayground((s) => s.applied.runs);
  const logPrefs = usePlayground((s) => s.logScale);
  const setLog = usePlayground((s) => s.setLogScale);
  const runs = useMemo(
    () => appliedRuns.map((r, i) => ({ label: r.label, color: runColor(r.color, i) })),
    [appliedRuns],
  );
  const metricCount = store.metrics.length;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const groups = useMemo(() => chartGroups(store.metrics), [store, metricCount, version]);

  return (
    <section className="charts" aria-label="Charts">
      <RunLegend />
      {groups.length === 0 ? <p className="note waiting">Waiting for the first metrics…</p> : null}
      <div className="chart-grid">
        {groups.map((g) => (
          <MetricChart
            key={g.id}
            group={g}
            runs={runs}
            store={store}
            version={version}
            log={logPrefs[g.id] ?? !!g.log}
            onLog={(on) => setLog(g.id, on)}
          />
        ))}
      </div>
    </section>
  );
}
