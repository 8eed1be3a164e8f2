/** Model (kind; MLP widths, CNN layers or patch-CNN filters; activation, init scale, bias) and training settings. */
import { useState } from 'react';
import {
  ACTIVATIONS,
  LOSSES,
  type Activation,
  type CnnLayer,
  type LossName,
  type ModelKind,
} from '../../experiment/types';
import { usePlayground } from '../store/store';
import { CheckField, Field, IntListField, NumberField, SelectField } from './fields';
import { describeLayerError, formatLayers, parseLayers } from './layerSyntax';
import { MODEL_KIND_OPTIONS, switchModelKind } from './modelKind';

export function ModelEditor() {
  const model = usePlayground((s) => s.draft.model);
  const edit = usePlayground((s) => s.edit);
  return (
    <fieldset className="panel-section">
      <legend>Model</legend>
      <div className="grid2">
        <SelectField<ModelKind>
          label="Kind"
          path="model.kind"
          value={model.kind}
          options={MODEL_KIND_OPTIONS}
          onChange={(k) => edit((d) => switchModelKind(d, k))}
        />
        {model.kind === 'mlp' ? (
          <IntListField
            label="Hidden widths"
            path="model.hidden"
            value={model.hidden}
            description="e.g. 32 or 64, 64; empty for a linear model"
            onCommit={(v) => edit((d) => void (d.model.kind === 'mlp' && (d.model.hidden = v)))}
          />
        ) : null}
        {model.kind === 'cnn' ? <LayersField layers={model.layers} /> : null}
        {model.kind === 'patch-cnn' ? (
          <>
            <NumberField
              label="Filters per sign (m)"
              path="model.filters"
              value={model.filters}
              integer
              description="2m filters; the fixed second layer weighs them +1/m and -1/m"
              onCommit={(v) => edit((d) => void (d.model.kind === 'patch-cnn' && (d.model.filters = v)))}
            />
            <PatchDimField value={model.patchDim} />
          </>
        ) : null}
        <SelectField<Activation>
          label="Activation"
          path="model.activation"
          value={model.activation}
          options={ACTIVATIONS}
          onChange={(v) => edit((d) => void (d.model.activation = v))}
        />
        <NumberField
          label="Init scale"
          path="model.initScale"
          value={model.initScale}
          description="weights ~ N(0, scale²/fan-in)"
          onCommit={(v) => edit((d) => void (d.model.initScale = v))}
        />
        {model.kind !== 'patch-cnn' ? (
          <CheckField
            label="Bias"
            path="model.bias"
            value={model.bias}
            onChange={(v) => edit((d) => void (d.model.kind !== 'patch-cnn' && (d.model.bias = v)))}
          />
        ) : null}
      </div>
    </fieldset>
  );
}

/** The validation messages of model.layers and every field below it, each naming its layer. */
function useLayerErrors(): string {
  return usePlayground((s) => {
    const layers = s.draft.model.kind === 'cnn' ? s.draft.model.layers : [];
    return s.errors
      .filter((e) => e.path === 'model.layers' || e.path.startsWith('model.layers[') || e.path === 'model.inputShape')
      .map((e) => describeLayerError(e.path, e.message, layers))
      .join('; ');
  });
}

/** The CNN layer list as compact text (layerSyntax.ts), committed whenever it parses. */
function LayersField({ layers }: { layers: CnnLayer[] }) {
  const edit = usePlayground((s) => s.edit);
  const joined = formatLayers(layers);
  const [text, setText] = useState(joined);
  const [local, setLocal] = useState('');
  const [seen, setSeen] = useState(joined);
  const errors = useLayerErrors();
  if (seen !== joined) {
    setSeen(joined);
    const typed = parseLayers(text);
    if (!typed.ok || formatLayers(typed.layers) !== joined) setText(joined);
    setLocal('');
  }
  return (
    <Field
      label="Layers"
      path="model.layers"
      description="e.g. conv 8 k3 p1, maxpool 2, dense 32 (k kernel, s stride, p padding; 3x5 for height x width); an output layer is added"
      localError={local || errors}
    >
      {(id) => (
        <input
          id={id}
          type="text"
          spellCheck={false}
          value={text}
          aria-invalid={local ? true : undefined}
          onChange={(e) => {
            setText(e.target.value);
            const r = parseLayers(e.target.value);
            if (!r.ok) {
              setLocal(`layer ${r.index + 1}: ${r.message}`);
              return;
            }
            setLocal('');
            if (formatLayers(r.layers) !== joined)
              edit((d) => void (d.model.kind === 'cnn' && (d.model.layers = r.layers)));
          }}
        />
      )}
    </Field>
  );
}

/** The patch dimension; empty means "from the data" (feature-noise's patchDim). */
function PatchDimField({ value }: { value: number | undefined }) {
  const edit = usePlayground((s) => s.edit);
  const shown = value === undefined ? '' : String(value);
  const [text, setText] = useState(shown);
  const [local, setLocal] = useState('');
  const [seen, setSeen] = useState(shown);
  if (seen !== shown) {
    setSeen(shown);
    setText(shown);
    setLocal('');
  }
  const set = (v: number | undefined) =>
    edit((d) => {
      if (d.model.kind !== 'patch-cnn') return;
      if (v === undefined) delete d.model.patchDim;
      else d.model.patchDim = v;
    });
  return (
    <Field label="Patch dimension" path="model.patchDim" description="empty: the data's patchDim" localError={local}>
      {(id) => (
        <input
          id={id}
          type="text"
          inputMode="numeric"
          spellCheck={false}
          value={text}
          onChange={(e) => {
            const t = e.target.value.trim();
            setText(e.target.value);
            if (t === '') {
              setLocal('');
              if (value !== undefined) set(undefined);
              return;
            }
            const v = Number(t);
            if (!Number.isInteger(v) || v < 1) {
              setLocal('expected a whole number of at least 1, or empty');
              return;
            }
            setLocal('');
            if (v !== value) set(v);
          }}
        />
      )}
    </Field>
  );
}

export function TrainingEditor() {
  const exp = usePlayground((s) => s.draft);
  const edit = usePlayground((s) => s.edit);
  const full = exp.batchSize === 'full';
  const sharp = exp.metrics.sharpness;
  const trace = exp.metrics.trace;
  return (
    <fieldset className="panel-section">
      <legend>Training</legend>
      <div className="grid2">
        <SelectField<LossName>
          label="Loss"
          path="loss"
          value={exp.loss}
          options={LOSSES}
          onChange={(v) => edit((d) => void (d.loss = v))}
        />
        <NumberField
          label="Steps"
          path="steps"
          value={exp.steps}
          integer
          onCommit={(v) => edit((d) => void (d.steps = v))}
        />
        <CheckField
          label="Full batch"
          path={null /* batchSize's messages show under Batch size (a number is what can be wrong) */}
          value={full}
          onChange={(on) => edit((d) => void (d.batchSize = on ? 'full' : Math.min(32, d.data.nTrain)))}
        />
        {full ? null : (
          <NumberField
            label="Batch size"
            path="batchSize"
            value={exp.batchSize as number}
            integer
            onCommit={(v) => edit((d) => void (d.batchSize = v))}
          />
        )}
        <NumberField
          label="Seed"
          path="seed"
          value={exp.seed}
          integer
          onCommit={(v) => edit((d) => void (d.seed = v))}
        />
        <CheckField
          label="Vary seed per run"
          path="varySeedPerRun"
          value={exp.varySeedPerRun}
          description="off: every run starts from the same weights and sees the same batches"
          onChange={(v) => edit((d) => void (d.varySeedPerRun = v))}
        />
        <NumberField
          label="Log every (steps)"
          path="metrics.every"
          value={exp.metrics.every}
          integer
          onCommit={(v) => edit((d) => void (d.metrics.every = v))}
        />
        <NumberField
          label="Eval subset"
          path="metrics.evalSubset"
          value={exp.metrics.evalSubset}
          integer
          description="training points used for train loss/accuracy (0 = all)"
          onCommit={(v) => edit((d) => void (d.metrics.evalSubset = v))}
        />
        <CheckField
          label="Sharpness"
          path="metrics.sharpness"
          value={!!sharp && sharp.every > 0}
          description="top Hessian eigenvalue by Lanczos (warm-started from the last estimate)"
          onChange={(on) =>
            edit((d) => {
              if (on) d.metrics.sharpness = { every: 50, iters: 20 };
              else delete d.metrics.sharpness;
            })
          }
        />
        {sharp && sharp.every > 0 ? (
          <>
            <NumberField
              label="Sharpness every"
              path="metrics.sharpness.every"
              value={sharp.every}
              integer
              onCommit={(v) => edit((d) => void (d.metrics.sharpness = { ...sharp, every: v }))}
            />
            <NumberField
              label="Lanczos products (max)"
              path="metrics.sharpness.iters"
              value={sharp.iters}
              integer
              onCommit={(v) => edit((d) => void (d.metrics.sharpness = { ...sharp, iters: v }))}
            />
          </>
        ) : null}
        <CheckField
          label="Hessian trace"
          path="metrics.trace"
          value={!!trace && trace.every > 0}
          description="Hutchinson estimate with Rademacher probes"
          onChange={(on) =>
            edit((d) => {
              if (on) d.metrics.trace = { every: 100, samples: 10 };
              else delete d.metrics.trace;
            })
          }
        />
        {trace && trace.every > 0 ? (
          <>
            <NumberField
              label="Trace every"
              path="metrics.trace.every"
              value={trace.every}
              integer
              onCommit={(v) => edit((d) => void (d.metrics.trace = { ...trace, every: v }))}
            />
            <NumberField
              label="Probes"
              path="metrics.trace.samples"
              value={trace.samples}
              integer
              onCommit={(v) => edit((d) => void (d.metrics.trace = { ...trace, samples: v }))}
            />
          </>
        ) : null}
      </div>
    </fieldset>
  );
}
