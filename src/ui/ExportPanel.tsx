/** Export metrics (CSV, JSON) and the experiment (JSON); import an experiment JSON file. */
import { useId } from 'react';
import { appStoreApi, usePlayground } from './store/store';
import { experimentJson, metricsCsv, metricsJson } from './exporting';
import { downloadText, stamp } from './download';

export const MAX_IMPORT_BYTES = 1024 * 1024;

export function ExportPanel() {
  const importJson = usePlayground((s) => s.importJson);
  const setNotice = usePlayground((s) => s.setNotice);
  const hasRows = usePlayground((s) => s.metrics.rowCount > 0);
  const id = useId();
  const state = () => appStoreApi().getState();

  const exportCsv = () => downloadText(`${stamp('metrics')}.csv`, metricsCsv(state().metrics.rows()), 'text/csv');
  const exportMetricsJson = () => {
    const s = state();
    const body = metricsJson(s.applied, s.metrics.rows(), {
      backend: s.backend?.backend ?? 'unknown',
      adapter: s.backend?.adapter ?? '',
      diverged: s.diverged,
    });
    downloadText(`${stamp('metrics')}.json`, JSON.stringify(body) + '\n', 'application/json');
  };
  const exportExperiment = () =>
    downloadText(`${stamp('experiment')}.json`, experimentJson(state().applied), 'application/json');

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) {
      setNotice(
        `"${file.name}" is ${Math.ceil(file.size / 1024)} KiB; an experiment file is at most ${MAX_IMPORT_BYTES / 1024} KiB. The experiment was not changed.`,
      );
      return;
    }
    importJson(await file.text(), `The file "${file.name}"`);
  };

  return (
    <section className="panel export" aria-label="Export and import">
      <h2>Export</h2>
      <div className="row">
        <button type="button" onClick={exportCsv} disabled={!hasRows}>
          Metrics CSV
        </button>
        <button type="button" onClick={exportMetricsJson} disabled={!hasRows}>
          Metrics JSON
        </button>
        <button type="button" onClick={exportExperiment}>
          Experiment JSON
        </button>
      </div>
      <label htmlFor={id} className="import-label">
        Import experiment JSON
      </label>
      <input
        id={id}
        type="file"
        accept=".json,application/json"
        onChange={(e) => {
          void onFile(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
    </section>
  );
}
