/**
 * Export metrics (CSV, JSON), the experiment (JSON) and the experiment as a PyTorch folder (ZIP);
 * import an experiment JSON file, or a metrics CSV whose runs are drawn next to the page's.
 */
import { useId, useState } from 'react';
import { appStoreApi, usePlayground } from './store/store';
import { experimentJson, metricsCsv, metricsJson } from './exporting';
import { downloadBytes, downloadText, stamp } from './download';
import { importedMetrics, MAX_METRICS_BYTES, parseMetricsCsvText } from './metricsImport';
import { runColor } from './palette';
import './exportPanel.css';

export const MAX_IMPORT_BYTES = 1024 * 1024;

export function ExportPanel() {
  const importJson = usePlayground((s) => s.importJson);
  const setNotice = usePlayground((s) => s.setNotice);
  const hasRows = usePlayground((s) => s.metrics.rowCount > 0);
  const imported = usePlayground((s) => s.imported);
  const pageRuns = usePlayground((s) => s.applied.runs.length);
  const setImported = usePlayground((s) => s.setImported);
  const [torchStatus, setTorchStatus] = useState<string | null>(null);
  const [csvError, setCsvError] = useState<string | null>(null);
  const id = useId();
  const state = () => appStoreApi().getState();
  /** The page's own rows (imported runs sit after them in the store and are not exported). */
  const pageRows = () => {
    const s = state();
    return s.metrics.rows().filter((r) => r.run < s.applied.runs.length);
  };

  const exportCsv = () => downloadText(`${stamp('metrics')}.csv`, metricsCsv(pageRows()), 'text/csv');
  const exportMetricsJson = () => {
    const s = state();
    const body = metricsJson(s.applied, pageRows(), {
      backend: s.backend?.backend ?? 'unknown',
      adapter: s.backend?.adapter ?? '',
      diverged: s.diverged,
    });
    downloadText(`${stamp('metrics')}.json`, JSON.stringify(body) + '\n', 'application/json');
  };
  const exportExperiment = () =>
    downloadText(`${stamp('experiment')}.json`, experimentJson(state().applied), 'application/json');

  const exportTorch = async () => {
    setTorchStatus('Writing the PyTorch folder…');
    try {
      const { torchZip } = await import('./torchExport');
      const folder = stamp('torch');
      const z = torchZip(state().applied, folder);
      downloadBytes(`${folder}.zip`, z.bytes, 'application/zip');
      const notes = z.notes.length ? ` Not in the script: ${z.notes.join('; ')}.` : '';
      setTorchStatus(`${folder}.zip: ${z.files.length} files; run python3 ${folder}/train.py.${notes}`);
    } catch (e) {
      setTorchStatus(`Cannot export as PyTorch: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

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

  const onCsv = async (file: File | undefined) => {
    if (!file) return;
    setCsvError(null);
    if (file.size > MAX_METRICS_BYTES) {
      setCsvError(
        `"${file.name}" is ${Math.ceil(file.size / 2 ** 20)} MiB; at most ${MAX_METRICS_BYTES / 2 ** 20} MiB.`,
      );
      return;
    }
    try {
      const parsed = parseMetricsCsvText(await file.text());
      setImported(
        importedMetrics(
          file.name,
          parsed,
          state().applied.runs.map((r) => r.label),
        ),
      );
    } catch (e) {
      setCsvError(`"${file.name}" was not imported: ${e instanceof Error ? e.message : String(e)}`);
    }
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
        <button type="button" onClick={() => void exportTorch()} className="export-torch">
          Export as PyTorch
        </button>
      </div>
      {torchStatus ? (
        <p className="note torch-status" role="status">
          {torchStatus}
        </p>
      ) : null}
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
      <label htmlFor={`${id}-csv`} className="import-label">
        Import metrics CSV (run,step,metric,value, as the PyTorch script writes)
      </label>
      <input
        id={`${id}-csv`}
        type="file"
        accept=".csv,text/csv"
        data-testid="import-metrics-csv"
        onChange={(e) => {
          void onCsv(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
      {csvError ? (
        <p className="import-error" role="alert">
          {csvError}
        </p>
      ) : null}
      {imported ? (
        <div className="imported-runs" data-testid="imported-runs">
          <span className="note">Drawn from “{imported.file}”:</span>
          <ul>
            {imported.runs.map((r, j) => (
              <li key={j}>
                <span className="swatch" style={{ background: runColor(undefined, pageRuns + j) }} aria-hidden="true" />{' '}
                {r.label}
              </li>
            ))}
          </ul>
          <button type="button" className="small" onClick={() => setImported(null)}>
            Remove imported runs
          </button>
        </div>
      ) : null}
    </section>
  );
}
