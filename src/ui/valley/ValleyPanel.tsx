/**
 * The loss valley seen from above: for one run, the training loss on the plane through its
 * current parameters spanned by its top two Hessian eigenvectors (e1 across, e2 up), with the
 * last steps of its path projected on that plane. The worker computes it (a fresh top-2 estimate
 * and points x points forward passes), so the panel is collapsed unless the loaded preset asks
 * for it; while open it asks the worker to record the run's path and refreshes 3 s after each
 * answer while training and once whenever training stops or steps.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { LossSurface } from '../../engine/trainer';
import { presetById } from '../../experiment/presets';
import { appStoreApi, usePlayground } from '../store/store';
import { installParamsInbox, SURFACE_TIMEOUT_MS } from '../boundary/paramsInbox';
import { runColor, viridis } from '../palette';
import { fmt, tick } from '../format';
import {
  contourLevels,
  contourSegments,
  gridToPixel,
  heatmapPixels,
  logGrid,
  logRange,
  pathDots,
  rampLut,
  valleyLabel,
} from './valley';
import './valley.css';

/** Grid points per axis (625 loss evaluations per refresh). */
export const VALLEY_POINTS = 25;
/** Steps of the path the worker keeps. */
export const VALLEY_PATH = 300;
const REFRESH_MS = 3000;
/** The wait after a surface, in multiples of the time it took (when that is longer than REFRESH_MS). */
const REFRESH_SHARE = 5;
/** CSS pixels of the square canvas. */
const CANVAS_PX = 360;
const CONTOURS = 6;
/** The colour bar, the heatmap's ramp as a CSS gradient. */
const RAMP_CSS = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((t) => viridis(t)).join(', ')})`;

let lut: Uint8ClampedArray | undefined;

function draw(canvas: HTMLCanvasElement, s: LossSurface, color: string): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const w = canvas.width;
  const h = canvas.height;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.putImageData(new ImageData(heatmapPixels(s, w, h, (lut ??= rampLut())), w, h), 0, 0);
  // from here on in CSS pixels
  const k = w / CANVAS_PX;
  ctx.setTransform(k, 0, 0, k, 0, 0);
  const W = CANVAS_PX;
  const n = s.coords.length;
  const range = logRange(s.loss);
  if (range) {
    const grid = logGrid(s);
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.4)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (const level of contourLevels(range, CONTOURS))
      for (const [x0, y0, x1, y1] of contourSegments(grid, n, level)) {
        const [p0, q0] = gridToPixel(x0, y0, n, W, W);
        const [p1, q1] = gridToPixel(x1, y1, n, W, W);
        ctx.moveTo(p0, q0);
        ctx.lineTo(p1, q1);
      }
    ctx.stroke();
  }
  // the axes through the current point
  ctx.setLineDash([3, 4]);
  ctx.strokeStyle = 'rgba(255, 255, 255, 0.35)';
  ctx.beginPath();
  ctx.moveTo(0, W / 2);
  ctx.lineTo(W, W / 2);
  ctx.moveTo(W / 2, 0);
  ctx.lineTo(W / 2, W);
  ctx.stroke();
  ctx.setLineDash([]);
  const dots = pathDots(s.path, s.radius, W, W);
  ctx.lineWidth = 1;
  for (let i = 1; i < dots.length; i++) {
    ctx.strokeStyle = `rgba(255, 255, 255, ${dots[i].alpha * 0.5})`;
    ctx.beginPath();
    ctx.moveTo(dots[i - 1].x, dots[i - 1].y);
    ctx.lineTo(dots[i].x, dots[i].y);
    ctx.stroke();
  }
  ctx.lineWidth = 0.75;
  for (const d of dots.slice(0, -1)) {
    ctx.fillStyle = `rgba(255, 255, 255, ${d.alpha})`;
    ctx.strokeStyle = `rgba(0, 0, 0, ${d.alpha * 0.45})`;
    ctx.beginPath();
    ctx.arc(d.x, d.y, 2.1, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  // the current point (the centre): the run's colour in a white and a black ring
  ctx.beginPath();
  ctx.arc(W / 2, W / 2, 6.5, 0, 2 * Math.PI);
  ctx.fillStyle = color;
  ctx.fill();
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(W / 2, W / 2, 8, 0, 2 * Math.PI);
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#000000';
  ctx.stroke();
}

interface Shown {
  gen: number;
  run: number;
  surface: LossSurface;
}

export function ValleyPanel() {
  const runs = usePlayground((s) => s.applied.runs);
  const gen = usePlayground((s) => s.gen);
  const state = usePlayground((s) => s.status.state);
  // the step matters only when not playing (one refresh per change); while playing a timer refreshes
  const step = usePlayground((s) => (s.status.state === 'playing' ? -1 : s.status.step));
  const presetId = usePlayground((s) => s.presetId);
  const connected = usePlayground((s) => s.transport !== null);
  const metrics = usePlayground((s) => s.metrics);
  const inbox = useMemo(() => installParamsInbox(appStoreApi()), []);
  const preset = useMemo(() => (presetId ? presetById(presetId) : null), [presetId]);
  // the user's choices hold until another preset is loaded
  const [openChoice, setOpenChoice] = useState<{ preset: string | null; open: boolean } | null>(null);
  const [runChoice, setRunChoice] = useState<{ preset: string | null; run: number } | null>(null);
  const open = openChoice && openChoice.preset === presetId ? openChoice.open : !!preset?.valley;
  const wanted =
    runChoice && runChoice.preset === presetId ? runChoice.run : (preset?.valley?.run ?? Math.max(0, runs.length - 1));
  const run = Math.min(Math.max(0, wanted), Math.max(0, runs.length - 1));
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const toggleId = useId();
  const selectId = useId();

  // What the next refresh asks for; a refresh asked while one is in flight runs after it.
  const want = useRef({ open, run });
  useEffect(() => {
    want.current = { open, run }; // before the effects below, which refresh
  }, [open, run]);
  const inflight = useRef<Promise<void> | null>(null);
  const again = useRef(false);
  /** Resolves once the surface asked for (and any asked meanwhile) has been shown or refused. */
  const refresh = useMemo(() => {
    const once = async (): Promise<void> => {
      const r = want.current.run;
      const m = await inbox.surface({ run: r, points: VALLEY_POINTS, radius: 'auto' });
      if (!m) {
        if (appStoreApi().getState().transport)
          setError(`Cannot draw the valley: the worker did not send it within ${SURFACE_TIMEOUT_MS / 1000} s.`);
        return;
      }
      if (m.gen !== appStoreApi().getState().gen || r !== want.current.run) return;
      if (m.surface) setShown({ gen: m.gen, run: r, surface: m.surface });
      setError(m.error ? `${m.surface ? 'No path' : 'Cannot draw the valley'}: ${m.error}.` : null);
    };
    const go = (): Promise<void> => {
      if (!want.current.open) return Promise.resolve();
      if (inflight.current) {
        again.current = true;
        return inflight.current;
      }
      const p = once()
        .finally(() => (inflight.current = null))
        .then(() => {
          if (!again.current) return;
          again.current = false;
          return go();
        });
      inflight.current = p;
      return p;
    };
    return go;
  }, [inbox]);

  // Record the chosen run's path while the panel is open.
  useEffect(() => {
    if (!open || !connected) return;
    inbox.track([run], VALLEY_PATH);
    return () => inbox.track([], VALLEY_PATH);
  }, [open, run, connected, inbox]);

  const playing = state === 'playing';
  // While training: the next surface REFRESH_MS after the last answer, or REFRESH_SHARE times as
  // long as that surface took when it is slow, so the panel holds the worker at most ~1/6 of the time.
  useEffect(() => {
    if (!open || !playing) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = async () => {
      const t0 = performance.now();
      await refresh();
      const wait = Math.max(REFRESH_MS, REFRESH_SHARE * (performance.now() - t0));
      if (!stopped) timer = setTimeout(() => void loop(), wait);
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [open, playing, gen, run, refresh]);
  useEffect(() => {
    if (!open || playing || state === 'building' || state === 'idle') return;
    const t = setTimeout(() => void refresh(), 50);
    return () => clearTimeout(t);
  }, [open, playing, state, step, gen, run, refresh]);

  const current = shown && shown.gen === gen && shown.run === run ? shown.surface : null;
  const color = runColor(runs[run]?.color, run);
  useEffect(() => {
    const c = canvas.current;
    if (!c || !current) return;
    const dpr = Math.min(2, Math.max(1, window.devicePixelRatio || 1));
    const px = Math.round(CANVAS_PX * dpr);
    if (c.width !== px) c.width = c.height = px;
    draw(c, current, color);
  }, [current, color, open]);

  const label = runs[run]?.label ?? `run ${run + 1}`;
  const threshold = current ? metrics.last(run, 'sharpness_threshold') : undefined;
  const range = current ? logRange(current.loss) : null;
  return (
    <section
      className="panel valley"
      aria-label="Loss valley"
      data-open={open ? 'true' : 'false'}
      data-state={!open ? 'hidden' : current ? 'drawn' : error ? 'error' : 'waiting'}
    >
      <h2>The loss valley, seen from above</h2>
      <div className="valley-controls">
        <input
          id={toggleId}
          type="checkbox"
          checked={open}
          onChange={(e) => setOpenChoice({ preset: presetId, open: e.target.checked })}
        />
        <label htmlFor={toggleId}>Show the loss valley (top-2 eigenvectors)</label>
        {open ? (
          <>
            <label htmlFor={selectId} className="valley-run-label">
              Run
            </label>
            <span className="swatch" style={{ background: color }} aria-hidden="true" />
            <select
              id={selectId}
              value={run}
              onChange={(e) => setRunChoice({ preset: presetId, run: Number(e.target.value) })}
            >
              {runs.map((r, i) => (
                <option key={i} value={i}>
                  {`${i + 1}. ${r.label}`}
                </option>
              ))}
            </select>
          </>
        ) : null}
      </div>
      {!open ? (
        <p className="note">
          The training loss on the plane of a run’s two sharpest directions, with its last steps drawn on it. Each
          refresh costs an eigenvector estimate and {VALLEY_POINTS * VALLEY_POINTS} loss evaluations, so it is off
          unless a preset asks for it.
        </p>
      ) : (
        <div className="valley-body">
          {error ? <p className="valley-error">{error}</p> : null}
          <figure
            className="valley-figure"
            hidden={!current && !!error}
            data-run={run}
            data-step={current?.step ?? ''}
            data-path={current?.path.length ?? ''}
            data-lambda1={current?.lambda[0] ?? ''}
          >
            <div className="valley-plot">
              <div className="valley-yaxis" aria-hidden="true">
                <span>{current ? `−${tick(current.radius)}` : ''}</span>
                <span className="valley-axis-name">
                  e2 (λ2 = <span className="valley-lambda2">{current ? fmt(current.lambda[1]) : '…'}</span>) →
                </span>
                <span>{current ? `+${tick(current.radius)}` : ''}</span>
              </div>
              <canvas
                ref={canvas}
                width={CANVAS_PX}
                height={CANVAS_PX}
                role="img"
                aria-label={current ? valleyLabel(current, label) : `Loss valley of ${label}: computing`}
              />
            </div>
            <div className="valley-xaxis" aria-hidden="true">
              <span>{current ? `−${tick(current.radius)}` : ''}</span>
              <span className="valley-axis-name">
                e1 (λ1 = <span className="valley-lambda1">{current ? fmt(current.lambda[0]) : '…'}</span>) →
              </span>
              <span>{current ? `+${tick(current.radius)}` : ''}</span>
            </div>
          </figure>
          <div className="valley-text">
            <p className="valley-lookfor">
              At the edge of stability GD bounces across the sharpest direction (e1) from one side of the valley to the
              other, while it drifts slowly along the flatter e2; below the edge (λ1 under 2/η) the path slides down the
              valley without crossing it.
            </p>
            {current ? (
              <>
                <p className="note">
                  {`${label}, step ${current.step}: λ1 = ${fmt(current.lambda[0])}`}
                  {threshold !== undefined ? ` (2/η = ${fmt(threshold)})` : ''}
                  {`, λ2 = ${fmt(current.lambda[1])}. The square spans ±${fmt(current.radius)} along each unit eigenvector. `}
                  {`Path: the last ${current.path.length} steps, older ones fainter; the ringed dot is now.`}
                </p>
                {range ? (
                  <div className="valley-legend" aria-hidden="true">
                    <span>{fmt(10 ** range.lo)}</span>
                    <span className="valley-ramp" style={{ background: RAMP_CSS }} />
                    <span>{fmt(10 ** range.hi)}</span>
                    <span>loss (log scale, {CONTOURS} contours)</span>
                  </div>
                ) : null}
              </>
            ) : error ? null : (
              <p className="note">Computing the first surface…</p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
