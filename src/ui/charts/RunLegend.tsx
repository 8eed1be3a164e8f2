/** The runs as a legend: colour, label, latest train/test loss, divergence. */
import { usePlayground } from '../store/store';
import { runColor } from '../palette';
import { fmt } from '../format';

export function RunLegend() {
  const runs = usePlayground((s) => s.applied.runs);
  const store = usePlayground((s) => s.metrics);
  usePlayground((s) => s.metricsVersion); // re-render when values arrive
  const diverged = usePlayground((s) => s.diverged);
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
              <span className="swatch" style={{ background: runColor(r.color, i) }} aria-hidden="true" /> {r.label}
              {diverged[i] !== undefined ? <span className="badge warn"> diverged at {diverged[i]}</span> : null}
            </td>
            <td className="num">{fmt(store.last(i, 'train_loss'))}</td>
            <td className="num">{fmt(store.last(i, 'test_loss'))}</td>
            <td className="num">{fmt(store.last(i, 'test_acc'))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
