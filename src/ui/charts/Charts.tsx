/**
 * All charts, derived from the metric-group table and the metrics that have arrived. This
 * component renders again only when the set of metrics (or the runs, or a log switch) changes;
 * each chart follows new values by itself (MetricChart).
 */
import { useMemo, useState } from 'react';
import { usePlayground } from '../store/store';
import { chartGroups, type MetricGroup } from '../metricGroups';
import { runColor } from '../palette';
import { MetricChart } from './MetricChart';
import { RunLegend } from './RunLegend';

export function Charts() {
  const store = usePlayground((s) => s.metrics);
  // the store is mutated in place: its metric count is what changes the chart list
  const metricCount = usePlayground((s) => s.metrics.metrics.length);
  const appliedRuns = usePlayground((s) => s.applied.runs);
  const logPrefs = usePlayground((s) => s.logScale);
  const setLog = usePlayground((s) => s.setLogScale);
  const runs = useMemo(
    () => appliedRuns.map((r, i) => ({ label: r.label, color: runColor(r.color, i) })),
    [appliedRuns],
  );
  // Groups keep their identity while their metrics stay the same, so existing charts do not redraw.
  const [known] = useState(() => new Map<string, MetricGroup>());
  // eslint-disable-next-line react-hooks/exhaustive-deps -- store.metrics grows in place; metricCount marks changes
  const groups = useMemo(() => stableGroups(chartGroups(store.metrics), known), [store, metricCount]);

  return (
    <section className="charts" aria-label="Charts">
      <RunLegend />
      {groups.length === 0 ? <p className="note waiting">Waiting for the first metrics…</p> : null}
      <div className="chart-grid">
        {groups.map((g) => (
          <MetricChart key={g.id} group={g} runs={runs} log={logPrefs[g.id] ?? !!g.log} onLog={setLog} />
        ))}
      </div>
    </section>
  );
}

function sameGroup(a: MetricGroup, b: MetricGroup): boolean {
  return (
    a.title === b.title &&
    a.metrics.length === b.metrics.length &&
    a.metrics.every((m, i) => m.name === b.metrics[i].name && m.dash === b.metrics[i].dash)
  );
}

function stableGroups(groups: MetricGroup[], known: Map<string, MetricGroup>): MetricGroup[] {
  return groups.map((g) => {
    const old = known.get(g.id);
    if (old && sameGroup(old, g)) return old;
    known.set(g.id, g);
    return g;
  });
}
