/** Data kind and generator parameters, rendered from the data registry's specs. */
import { ACTIVATIONS, type Activation, type DataConfig, type DataKind } from '../../experiment/types';
import { DATA_KINDS } from '../../experiment/limits';
import { dataParamSpecs, defaultDataConfig } from '../../engine/data/defaults';
import { usePlayground } from '../store/store';
import { CheckField, IntListField, NumberField, SelectField } from './fields';
import { DatasetPicker } from './DatasetPicker';

interface DataSpec {
  key: string;
  min?: number;
  max?: number;
  integer?: boolean;
  description?: string;
}

const KIND_NOTES: Partial<Record<DataKind, string>> = {
  'feature-noise':
    'A reconstruction of the benign-oscillation data (Lu et al., ICLR 2024): every constant is a parameter.',
  'teacher-student': 'Regression: a random teacher network labels Gaussian inputs (loss is mse).',
};

export function DataEditor() {
  const data = usePlayground((s) => s.draft.data);
  const edit = usePlayground((s) => s.edit);
  const setKind = usePlayground((s) => s.setDataKind);
  const defaults = defaultDataConfig(data.kind) as unknown as Record<string, unknown>;
  const specs = dataParamSpecs(data.kind) as readonly DataSpec[];
  const values = data as unknown as Record<string, unknown>;
  const set = (key: string, v: unknown) =>
    edit((d) => {
      (d.data as unknown as Record<string, unknown>)[key] = v;
    });

  return (
    <fieldset className="panel-section">
      <legend>Data</legend>
      <DatasetPicker value={data.kind} onPick={(k) => setKind(k)} />
      <SelectField<DataKind>
        label="Dataset"
        path="data.kind"
        value={data.kind}
        options={DATA_KINDS}
        onChange={(k) => setKind(k)}
      />
      {KIND_NOTES[data.kind] ? <p className="note">{KIND_NOTES[data.kind]}</p> : null}
      <div className="grid2">
        {Object.keys(defaults)
          .filter((k) => k !== 'kind')
          .map((key) => {
            const spec = specs.find((s) => s.key === key);
            const path = `data.${key}`;
            const v = values[key] ?? defaults[key];
            if (key === 'teacherHidden' && Array.isArray(v)) {
              return (
                <IntListField
                  key={key}
                  label={key}
                  path={path}
                  value={v as number[]}
                  onCommit={(x) => set(key, x)}
                  description={spec?.description}
                />
              );
            }
            if (key === 'teacherActivation') {
              return (
                <SelectField<Activation>
                  key={key}
                  label={key}
                  path={path}
                  value={v as Activation}
                  options={ACTIVATIONS}
                  onChange={(x) => set(key, x)}
                  description={spec?.description}
                />
              );
            }
            if (typeof v === 'boolean') {
              return (
                <CheckField
                  key={key}
                  label={key}
                  path={path}
                  value={v}
                  onChange={(x) => set(key, x)}
                  description={spec?.description}
                />
              );
            }
            if (typeof v === 'number') {
              return (
                <NumberField
                  key={key}
                  label={key}
                  path={path}
                  value={v}
                  integer={spec?.integer}
                  min={spec?.min}
                  max={spec?.max}
                  description={spec?.description}
                  onCommit={(x) => set(key, x)}
                />
              );
            }
            return null;
          })}
      </div>
    </fieldset>
  );
}

export type { DataConfig };
