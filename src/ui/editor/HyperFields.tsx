/** A run's hyperparameters, rendered from the optimizer registry's specs. */
import type { HyperSpec } from '../../engine/optim/types';
import type { HyperValue, OptimizerConfig } from '../../experiment/types';
import { CheckField, NumberField } from './fields';

/** "(0, 1]", "[0, ∞)": a spec's range for the tooltip and description. */
export function rangeText(s: HyperSpec): string {
  if (s.type === 'boolean') return '';
  const lo = s.min === undefined ? '(−∞' : `${s.minExclusive ? '(' : '['}${s.min}`;
  const hi = s.max === undefined ? '∞)' : `${s.max}${s.maxExclusive ? ')' : ']'}`;
  return `${s.integer ? 'integer ' : ''}${lo}, ${hi}`;
}

function describe(s: HyperSpec): string {
  const def = Array.isArray(s.default) ? `(${s.default.join(', ')})` : String(s.default);
  const range = rangeText(s);
  return `${s.description} Default ${def}${range ? `; range ${range}` : ''}.`;
}

interface Props {
  run: number;
  optimizer: OptimizerConfig;
  specs: readonly HyperSpec[];
  onChange(key: string, value: HyperValue): void;
}

export function HyperFields({ run, optimizer, specs, onChange }: Props) {
  const base = `runs[${run}].optimizer`;
  return (
    <div className="grid2">
      {specs.map((s) => {
        const path = `${base}.${s.key}`;
        const v = optimizer[s.key] ?? s.default;
        if (s.type === 'boolean') {
          return (
            <CheckField
              key={s.key}
              label={s.key}
              path={path}
              value={v === true}
              description={describe(s)}
              onChange={(x) => onChange(s.key, x)}
            />
          );
        }
        if (s.type === 'betas') {
          const pair: [number, number] = Array.isArray(v) ? [v[0], v[1]] : [0.9, 0.999];
          return (
            <div key={s.key} className="betas">
              <NumberField
                label={`${s.key}[0]`}
                path={`${path}[0]`}
                value={pair[0]}
                min={s.min}
                max={s.max}
                description={describe(s)}
                onCommit={(x) => onChange(s.key, [x, pair[1]])}
              />
              <NumberField
                label={`${s.key}[1]`}
                path={`${path}[1]`}
                value={pair[1]}
                min={s.min}
                max={s.max}
                onCommit={(x) => onChange(s.key, [pair[0], x])}
              />
            </div>
          );
        }
        return (
          <NumberField
            key={s.key}
            label={s.key}
            path={path}
            value={typeof v === 'number' ? v : Number(v)}
            integer={s.integer}
            min={s.min}
            max={s.max}
            description={describe(s)}
            onCommit={(x) => onChange(s.key, x)}
          />
        );
      })}
    </div>
  );
}
