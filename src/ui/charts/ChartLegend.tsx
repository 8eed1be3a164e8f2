/**
 * A chart's own legend: one button per run (its colour and label). Clicking one hides that run
 * from every chart, clicking again shows it; the run table's checkboxes are the same switch.
 */
import { usePlayground } from '../store/store';

export function ChartLegend({
  runs,
}: {
  runs: readonly { label: string; color: string; hidden?: boolean; diverged?: boolean }[];
}) {
  const toggle = usePlayground((s) => s.toggleRun);
  if (runs.length < 2) return null;
  return (
    <div className="chart-legend" role="group" aria-label="Runs (click to hide or show)">
      {runs.map((r, i) => (
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
      ))}
    </div>
  );
}
