/** Model (MLP widths, activation, init scale, bias) and training settings. */
import { ACTIVATIONS, LOSSES, type Activation, type LossName } from '../../experiment/types';
import { usePlayground } from '../store/store';
import { CheckField, IntListField, NumberField, SelectField } from './fields';

export function ModelEditor() {
  const model = usePlayground((s) => s.draft.model);
  const edit = usePlayground((s) => s.edit);
  return (
    <fieldset className="panel-section">
      <legend>Model</legend>
      <div className="grid2">
        <IntListField
          label="Hidden widths"
          path="model.hidden"
          value={model.hidden}
          description="e.g. 32 or 64, 64; empty for a linear model"
          onCommit={(v) => edit((d) => void (d.model.hidden = v))}
        />
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
        <CheckField
          label="Bias"
          path="model.bias"
          value={model.bias}
          onChange={(v) => edit((d) => void (d.model.bias = v))}
        />
      </div>
    </fieldset>
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
          path="batchSize"
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
          description="top Hessian eigenvalue by power iteration"
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
              label="Power iterations"
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
