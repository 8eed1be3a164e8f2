/**
 * All charts, derived from the metric-group table and the metrics that have arrived. This
 * component renders again only when the set of metrics (or the runs, or a log switch) changes;
 * each chart follows new values by itself (MetricChart).
 */
import { useMemo, useState, type ReactNode } from 'react';
import { usePlayground } from '../store/store';
import { chartGroups, relevantGroups, type MetricGroup } from '../metricGroups';
import { runColor } from '../palette';
import { MetricChart } from './MetricChart';
import { RunLegend } from './RunLegend';
import type { ChartMarker } from './chartCanvas';
import { claimMarkers, usePresetClaims, type PresetClaims } from '../presets/presetClaims';
import { ChartPicker } from './ChartPicker';
import { splitForPick } from './chartPick';
import { fmt } from '../format';
import { optimizerChartNotes } from './optimizerNotes';
import './charts.css';

/**
 * `lead`: a panel shown as the first cell of the chart grid (the decision boundary on 2-D data,
 * beside the loss). `compact`: embed mode (no run table, no picker).
 */
export function Charts({ lead, compact = false }: { lead?: ReactNode; compact?: boolean }) {
  const store = usePlayground((s) => s.metrics);
  // the store is mutated in place: its metric count is what changes the chart list
  const metricCount = usePlayground((s) => s.metrics.metrics.length);
  const appliedRuns = usePlayground((s) => s.applied.runs);
  const logPrefs = usePlayground((s) => s.logScale);
  const setLog = usePlayground((s) => s.setLogScale);
  const hiddenRuns = usePlayground((s) => s.hiddenRuns);
  const diverged = usePlayground((s) => s.diverged);
  const imported = usePlayground((s) => s.imported);
  // the page's runs, then the runs of an imported metrics CSV (in the store after the page's)
  const runs = useMemo(
    () => [
      ...appliedRuns.map((r, i) => ({
        label: r.label,
        color: runColor(r.color, i),
        hidden: hiddenRuns.includes(i),
        diverged: diverged[i] !== undefined,
      })),
      ...(imported?.runs ?? []).map((r, j) => ({
        label: r.label,
        color: runColor(undefined, appliedRuns.length + j),
        hidden: hiddenRuns.includes(appliedRuns.length + j),
        imported: true,
      })),
    ],
    [appliedRuns, hiddenRuns, diverged, imported],
  );
  const notes = useMemo(() => optimizerChartNotes(appliedRuns), [appliedRuns]);
  // Groups keep their identity while their metrics stay the same, so existing charts do not redraw.
  const [known] = useState(() => new Map<string, MetricGroup>());
  const applied = usePlayground((s) => s.applied);
  const groups = useMemo(
    () => stableGroups(relevantGroups(chartGroups(store.metrics), applied), known),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- store.metrics grows in place; metricCount marks changes
    [store, metricCount, applied],
  );
  const claims = usePresetClaims();
  const storyCharts = claims?.preset.charts;
  const [showAll, setShowAll] = useState(false);
  const pick = usePlayground((s) => s.chartPick);
  const zoom = usePlayground((s) => s.xZoom);
  const setZoom = usePlayground((s) => s.setXZoom);
  const { first, rest } = useMemo(
    () => (pick ? splitForPick(groups, pick) : splitForStory(groups, storyCharts)),
    [groups, storyCharts, pick],
  );
  const markers = useStableMarkers(claims);
  const chosen = !!pick || !!storyCharts;
  const shown = chosen && !showAll ? first : [...first, ...rest];
  const groupMarkers = useMemo(
    () => new Map(groups.map((g) => [g.id, markersFor(g, markers)] as const)),
    [groups, markers],
  );

  return (
    <section className="charts" aria-label="Charts">
      {compact ? null : (
        <div className="charts-bar">
          {groups.length > 0 ? <ChartPicker groups={groups} shown={first.length ? first : groups} /> : null}
          {zoom ? (
            <span className="zoom-state" role="status">
              Steps {fmt(zoom[0])}–{fmt(zoom[1])}{' '}
              <button type="button" className="small" onClick={() => setZoom(null)}>
                Reset zoom
              </button>
            </span>
          ) : groups.length > 0 ? (
            <span className="note">Drag across a chart to zoom; double-click to see the whole run.</span>
          ) : null}
        </div>
      )}
      {groups.length === 0 ? <p className="note waiting">Waiting for the first metrics…</p> : null}
      <div className="chart-grid">
        {lead}
        {shown.map((g) => (
          <MetricChart
            key={g.id}
            group={g}
            runs={runs}
            log={logPrefs[g.id] ?? !!g.log}
            onLog={setLog}
            markers={groupMarkers.get(g.id) ?? NONE}
            notes={notes}
          />
        ))}
      </div>
      {chosen && rest.length > 0 ? (
        <button type="button" className="show-all-charts" aria-expanded={showAll} onClick={() => setShowAll(!showAll)}>
          {showAll
            ? `Show only the ${pick ? 'chosen' : "preset's"} ${first.length} charts`
            : `Show all charts (${rest.length} more)`}
        </button>
      ) : null}
      {compact ? null : <RunLegend />}
    </section>
  );
}

/** The preset's charts first, in its order; the rest after (hidden until asked for). */
export function splitForStory(
  groups: readonly MetricGroup[],
  story: readonly string[] | undefined,
): { first: MetricGroup[]; rest: MetricGroup[] } {
  if (!story || story.length === 0) return { first: [...groups], rest: [] };
  const rank = (g: MetricGroup) => {
    const r = g.metrics.map((m) => story.indexOf(m.name)).filter((i) => i >= 0);
    return r.length ? Math.min(...r) : -1;
  };
  const first = groups.filter((g) => rank(g) >= 0).sort((a, b) => rank(a) - rank(b));
  return { first, rest: groups.filter((g) => rank(g) < 0) };
}

const NONE: readonly ChartMarker[] = [];

function markersFor(g: MetricGroup, markers: Map<string, ChartMarker[]>): readonly ChartMarker[] {
  const out: ChartMarker[] = [];
  for (const m of g.metrics) out.push(...(markers.get(m.name) ?? []));
  return out.length ? out : NONE;
}

/** Claim markers by metric, a new map only when a marker changed (so charts redraw only then). */
function useStableMarkers(claims: PresetClaims | null): Map<string, ChartMarker[]> {
  const m = claimMarkers(claims);
  const key = JSON.stringify([...m.entries()]);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the key is the map's content
  return useMemo(() => m, [key]);
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
