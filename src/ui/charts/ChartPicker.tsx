/**
 * The chart picker: which charts show, in which order. The choice lives in the page's link
 * (`charts=`), so a shared link opens with the same charts; "Back to the automatic choice" shows
 * the loaded preset's charts first again (every chart when no preset is loaded).
 */
import type { MetricGroup } from '../metricGroups';
import { usePlayground } from '../store/store';
import { movePick, togglePick } from './chartPick';
import { usePopover } from '../popover';

export function ChartPicker({ groups, shown }: { groups: readonly MetricGroup[]; shown: readonly MetricGroup[] }) {
  const pick = usePlayground((s) => s.chartPick);
  const setPick = usePlayground((s) => s.setChartPick);
  // it lies over the charts: a press outside or Escape closes it
  const { ref, onKeyDown } = usePopover();
  const current = shown.map((g) => g.id);
  const order = [...shown, ...groups.filter((g) => !current.includes(g.id))];
  return (
    <details ref={ref} className="chart-picker" onKeyDown={onKeyDown}>
      <summary>Choose charts ({shown.length} shown)</summary>
      <div className="chart-picker-body panel">
        <ul>
          {order.map((g) => {
            const on = current.includes(g.id);
            const at = current.indexOf(g.id);
            return (
              <li key={g.id} data-chart={g.id}>
                <label>
                  <input type="checkbox" checked={on} onChange={() => setPick(togglePick(current, g.id))} /> {g.title}
                </label>
                {on ? (
                  <span className="move">
                    <button
                      type="button"
                      className="small"
                      disabled={at === 0}
                      aria-label={`Move ${g.title} up`}
                      onClick={() => setPick(movePick(current, g.id, -1))}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="small"
                      disabled={at === current.length - 1}
                      aria-label={`Move ${g.title} down`}
                      onClick={() => setPick(movePick(current, g.id, 1))}
                    >
                      ↓
                    </button>
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
        <button type="button" className="small" disabled={pick === null} onClick={() => setPick(null)}>
          Back to the automatic choice
        </button>
      </div>
    </details>
  );
}
