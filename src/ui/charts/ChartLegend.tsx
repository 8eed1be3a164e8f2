/**
 * A chart's own legend: one button per run (its colour and label). Clicking one hides that run
 * from every chart, clicking again shows it; the run table's checkboxes are the same switch.
 * Imported runs (a metrics CSV's) are listed only in the charts that have their lines.
 */
import { usePlayground } from '../store/store';

export function ChartLegend({
  runs,
  metrics,
}: {
  runs: readonly { label: string; color: string; hidden?: boolean; diverged?: boolean; imported?: boolean }[];
  /** The chart's metrics: an imported run without any of them is left out. */
  metrics: readonly string[];
}) {
  const toggle = usePlayground((s) => s.toggleRun);
  const store = usePlayground((s) => s.metrics);
  const listed = runs.map((r, i) => !r.imported || metrics.some((m) => store.get(i, m)));
  if (listed.filter(Boolean).length < 2) return null;
  return (
    <div className="chart-legend" role="group" aria-label="Runs (click to hide or show)">
      {runs.map((r, i) =>
        !listed[i] ? null : (
          <button
            key={i}
            type="button"
            className={`legend-item${r.hidden ? ' off' : ''}`}
            aria-pressed={!r.hidden}
            title={r.hidden ? `Show ${r.label} in every chart` : `Hide ${r.label} from every chart`}
            onClick={() => toggle(i)}
          >
            <span className="swatch" style={{ background: r.color }} aria-hidden="true" />
            {r.label}
            {r.diverged ? ' (diverged)' : ''}
          </button>
        ),
      )}
    </div>
  );
}
