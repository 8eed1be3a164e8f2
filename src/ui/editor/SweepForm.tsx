/** Expand one hyperparameter of a run over a linear or log range into many runs. */
import { useId, useState } from 'react';
import type { HyperSpec } from '../../engine/optim/types';
import { sweepableKeys, sweepValues, specForKey, MAX_SWEEP_RUNS, type SweepSpec } from '../sweep';
import { usePlayground } from '../store/store';
import type { OptimizerConfig } from '../../experiment/types';

function currentValue(opt: OptimizerConfig, key: string): number {
  const [k, part] = key.split('.');
  const v = opt[k];
  if (Array.isArray(v)) return v[Number(part ?? 0)];
  return typeof v === 'number' ? v : 1;
}

export function SweepForm({
  run,
  optimizer,
  specs,
}: {
  run: number;
  optimizer: OptimizerConfig;
  specs: readonly HyperSpec[];
}) {
  const keys = sweepableKeys(specs);
  const sweep = usePlayground((s) => s.sweep);
  const [key, setKey] = useState(keys.includes('lr') ? 'lr' : (keys[0] ?? ''));
  const base = currentValue(optimizer, key);
  const hyper = specForKey(specs, key);
  const [from, setFrom] = useState(String(hyper?.log || key === 'lr' ? base / 10 : base * 0.5));
  const [to, setTo] = useState(String(hyper?.log || key === 'lr' ? base * 10 : base * 1.5));
  const [count, setCount] = useState('5');
  const [scale, setScale] = useState<'linear' | 'log'>(hyper?.log || key === 'lr' ? 'log' : 'linear');
  const [message, setMessage] = useState('');
  const id = useId();
  if (keys.length === 0) return <p className="note">This optimizer has no numeric hyperparameters to sweep.</p>;
  const spec: SweepSpec = { key, from: Number(from), to: Number(to), count: Number(count), scale };
  const preview = sweepValues(spec, hyper);

  return (
    <div className="sweep">
      <div className="grid2">
        <div className="field">
          <label htmlFor={`${id}-key`}>Sweep</label>
          <select id={`${id}-key`} value={key} onChange={(e) => setKey(e.target.value)}>
            {keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-scale`}>Scale</label>
          <select
            id={`${id}-scale`}
            value={scale}
            onChange={(e) => setScale(e.target.value === 'log' ? 'log' : 'linear')}
          >
            <option value="linear">linear</option>
            <option value="log">log</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            type="text"
            inputMode="decimal"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>To</label>
          <input id={`${id}-to`} type="text" inputMode="decimal" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-count`}>Runs (2–{MAX_SWEEP_RUNS})</label>
          <input
            id={`${id}-count`}
            type="text"
            inputMode="numeric"
            value={count}
            onChange={(e) => setCount(e.target.value)}
          />
        </div>
      </div>
      <p className="note">{typeof preview === 'string' ? preview : `Values: ${preview.join(', ')}`}</p>
      <button
        type="button"
        disabled={typeof preview === 'string'}
        onClick={() => {
          const err = sweep(run, spec);
          setMessage(err ?? '');
        }}
      >
        Replace this run by the sweep
      </button>
      {message ? (
        <div className="field-error" role="alert">
          {message}
        </div>
      ) : null}
    </div>
  );
}
