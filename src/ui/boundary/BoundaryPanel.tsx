/**
 * Per run: the decision-boundary heatmap (2-D data only) and a "weights JSON" download. Parameters
 * come from the worker (getParams), refreshed about once a second while training and once more
 * when training stops; the grid is computed on the main thread in float64 (48 x 48 forward passes
 * of a small MLP, a few milliseconds).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { appStoreApi, usePlayground } from '../store/store';
import { runColor } from '../palette';
import { dataShape } from '../../experiment/limits';
import { experimentLayout } from '../../engine/model/shape';
import { generateDataset, type Dataset } from '../../engine/data';
import type { ParamVector } from '../../engine/trainer';
import type { Experiment } from '../../experiment/types';
import { downloadText, stamp } from '../download';
import { weightsJson } from '../exporting';
import { boundaryGrid, classColor, extentOf, gridColors, type Extent } from './boundary';
import { installParamsInbox, type ParamsMessage } from './paramsInbox';
import { chartQueue } from '../charts/frameQueue';
import './boundary.css';

export const GRID_RES = 48;
const CANVAS_PX = 168;
const REFRESH_MS = 1000;

interface Scene {
  ds: Dataset;
  extent: Extent;
}

function sceneFor(exp: Experiment): Scene | null {
  if (dataShape(exp.data).inputDim !== 2) return null;
  const ds = generateDataset(exp.data, exp.seed);
  return { ds, extent: extentOf(ds.train.x, ds.train.n) };
}

function draw(canvas: HTMLCanvasElement, exp: Experiment, scene: Scene, params: ParamVector): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { ds, extent } = scene;
  const layout = experimentLayout(exp, ds);
  const g = boundaryGrid(params, layout, exp.model.activation, extent, GRID_RES, ds.nClasses === 0);
  const small = document.createElement('canvas');
  small.width = GRID_RES;
  small.height = GRID_RES;
  small.getContext('2d')?.putImageData(new ImageData(gridColors(g), GRID_RES, GRID_RES), 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  const sx = canvas.width / (extent.x1 - extent.x0);
  const sy = canvas.height / (extent.y1 - extent.y0);
  ctx.lineWidth = 1;
  ctx.strokeStyle = '#000000';
  for (let i = 0; i < ds.train.n; i++) {
    const px = (ds.train.x[2 * i] - extent.x0) * sx;
    const py = (extent.y1 - ds.train.x[2 * i + 1]) * sy;
    ctx.fillStyle = ds.nClasses === 0 ? '#ffffff' : classColor(Math.round(ds.train.y[i]), ds.nClasses);
    ctx.beginPath();
    ctx.arc(px, py, 2.2, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

export function BoundaryPanel() {
  const exp = usePlayground((s) => s.applied);
  const gen = usePlayground((s) => s.gen);
  const state = usePlayground((s) => s.status.state);
  // the step matters only when not playing (a redraw per step change); while playing a timer redraws
  const step = usePlayground((s) => (s.status.state === 'playing' ? -1 : s.status.step));
  const inbox = useMemo(() => installParamsInbox(appStoreApi()), []);
  const scene = useMemo(() => {
    try {
      return sceneFor(exp);
    } catch {
      return null;
    }
  }, [exp]);
  const canvases = useRef<(HTMLCanvasElement | null)[]>([]);
  const [shown, setShown] = useState<{ gen: number; step: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);

  const refresh = useMemo(
    () => async () => {
      if (!scene || busy.current) return;
      busy.current = true;
      try {
        const m: ParamsMessage | null = await inbox.request();
        if (!m || m.gen !== appStoreApi().getState().gen || m.params.length === 0) return;
        const cur = appStoreApi().getState().applied;
        // one run per job: the frame queue spreads many runs over frames instead of one long task
        const queue = chartQueue();
        let left = m.params.length;
        m.params.forEach((p, r) => {
          queue.request(() => {
            const c = canvases.current[r];
            if (c && appStoreApi().getState().gen === m.gen) draw(c, cur, scene, p);
            if (--left === 0) {
              setShown({ gen: m.gen, step: m.step });
              setError(null);
            }
          });
        });
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      } finally {
        busy.current = false;
      }
    },
    [scene, inbox],
  );

  // While training: about once a second (the interval does not restart with every step).
  // Otherwise: once whenever the step or experiment changes.
  const playing = state === 'playing';
  useEffect(() => {
    if (!scene || !playing) return;
    const t = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(t);
  }, [scene, playing, gen, refresh]);
  useEffect(() => {
    if (!scene || playing || state === 'building' || state === 'idle') return;
    const t = setTimeout(() => void refresh(), 50);
    return () => clearTimeout(t);
  }, [scene, playing, state, step, gen, refresh]);

  const saveWeights = async (r: number) => {
    const m = await inbox.request();
    const params = m?.params[r];
    if (!m || !params) {
      setError('the worker did not send the parameters; try again when the model is built');
      return;
    }
    const layout = experimentLayout(exp, dataShape(exp.data));
    downloadText(
      `${stamp(`weights-run-${r}-step-${m.step}`)}.json`,
      JSON.stringify(weightsJson(layout, params)) + '\n',
      'application/json',
    );
  };

  return (
    <section className="panel boundary" aria-label="Models">
      <h2>{scene ? 'Decision boundary per run' : 'Run weights'}</h2>
      {scene ? (
        <p className="note">
          {scene.ds.nClasses === 0
            ? 'Model output over the input plane (blue low, orange high), training points on top.'
            : scene.ds.nClasses <= 2
              ? 'Probability of class 1 over the input plane (blue: class 0, white: 0.5, orange: class 1), training points on top.'
              : 'Most likely class over the input plane, paler where the model is less sure; training points on top.'}
          {shown ? ` Step ${shown.step}.` : ''}
        </p>
      ) : null}
      {error ? <p className="note warn-text">{error}</p> : null}
      <div className="boundary-grid">
        {exp.runs.map((r, i) => (
          <figure
            key={`${gen}-${i}`}
            className="boundary-run"
            data-run={i}
            data-step={shown?.gen === gen ? shown.step : ''}
          >
            {scene ? (
              <canvas
                ref={(el) => {
                  canvases.current[i] = el;
                }}
                width={CANVAS_PX}
                height={CANVAS_PX}
                role="img"
                aria-label={`Decision boundary of ${r.label}`}
              />
            ) : null}
            <figcaption>
              <span className="swatch" style={{ background: runColor(r.color, i) }} aria-hidden="true" /> {r.label}{' '}
              <button
                type="button"
                className="small"
                onClick={() => void saveWeights(i)}
                aria-label={`Weights JSON of ${r.label}`}
                title={`Download the weights of ${r.label} as JSON`}
              >
                Weights JSON
              </button>
            </figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}
