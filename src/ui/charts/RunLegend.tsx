/** The runs as a legend: a show/hide checkbox, colour, label, latest train/test loss, divergence. */
import { usePlayground } from '../store/store';
import { runColor } from '../palette';
import { fmt } from '../format';
import { divergenceNote, sharpnessText } from '../divergence';
import type { MetricStore } from '../series';
import { useMetricsTick } from './useMetricsTick';
import { LiveText } from '../LiveText';

/** How often the legend's numbers follow new metrics. */
const LEGEND_MS = 400;

export function RunLegend() {
  const runs = usePlayground((s) => s.applied.runs);
  const store = usePlayground((s) => s.metrics);
  useMetricsTick(LEGEND_MS); // re-render when values arrive
  const diverged = usePlayground((s) => s.diverged);
  const hidden = usePlayground((s) => s.hiddenRuns);
  const toggle = usePlayground((s) => s.toggleRun);
  return (
    <table className="legend">
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">train loss</th>
          <th scope="col">test loss</th>
          <th scope="col">test acc</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r, i) => (
          <tr key={i} data-run={i}>
            <td>
              <label className="run-toggle" title="Show or hide this run in the charts">
                <input
                  type="checkbox"
                  checked={!hidden.includes(i)}
                  onChange={() => toggle(i)}
                  aria-label={`Show ${r.label} in the charts`}
                />
                <span className="swatch" style={{ background: runColor(r.color, i) }} aria-hidden="true" /> {r.label}
              </label>
              {diverged[i] !== undefined ? <DivergedBadge store={store} run={i} step={diverged[i]} /> : null}
            </td>
            <td className="num">
              <LiveText text={fmt(store.last(i, 'train_loss'))} />
            </td>
            <td className="num">
              <LiveText text={fmt(store.last(i, 'test_loss'))} />
            </td>
            <td className="num">
              <LiveText text={fmt(store.last(i, 'test_acc'))} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DivergedBadge({ store, run, step }: { store: MetricStore; run: number; step: number }) {
  const more = sharpnessText(divergenceNote((m) => store.get(run, m), step));
  return (
    <span className="badge warn diverged" data-testid={`diverged-${run}`}>
      {' '}
      diverged at step {step}
      {more ? ` · ${more}` : ''}
    </span>
  );
}
