/** Banners: link/import problems, the CPU fallback, worker errors, divergence. Text only. */
import { usePlayground } from './store/store';

export function Notices() {
  const notice = usePlayground((s) => s.notice);
  const setNotice = usePlayground((s) => s.setNotice);
  const backend = usePlayground((s) => s.backend);
  const workerError = usePlayground((s) => s.workerError);
  const diverged = usePlayground((s) => s.diverged);
  const runs = usePlayground((s) => s.applied.runs.length);
  const all = runs > 0 && Object.keys(diverged).length === runs;
  return (
    <div className="notices">
      {notice ? (
        <div className="banner notice" role="alert" data-testid="notice">
          <span>{notice}</span>
          <button type="button" onClick={() => setNotice(null)} aria-label="Dismiss message">
            ✕
          </button>
        </div>
      ) : null}
      {backend?.backend === 'cpu' ? (
        <div className="banner cpu" role="status" data-testid="cpu-banner">
          Training on the CPU backend
          {backend.fallbackReason ? ` because WebGPU is unavailable: ${backend.fallbackReason.replace(/\.$/, '')}` : ''}
          . It is slower; for WebGPU use a recent Chrome or Edge (or enable WebGPU in your browser).
        </div>
      ) : null}
      {workerError ? (
        <div className="banner error" role="alert" data-testid="worker-error">
          {workerError}
        </div>
      ) : null}
      {all ? (
        <div className="banner warn" role="status">
          Every run diverged (the loss became infinite or NaN). Try a smaller learning rate.
        </div>
      ) : null}
    </div>
  );
}
