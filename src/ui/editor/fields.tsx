/** Small form controls shared by the editor: numbers with local text, selects, field errors. */
import { useId, useState, type ReactNode } from 'react';
import { usePlayground } from '../store/store';

/** The validation messages for exactly this field path, joined ('' for a null path). */
export function useFieldError(path: string | null): string {
  return usePlayground((s) =>
    s.errors
      .filter((e) => path !== null && e.path === path)
      .map((e) => e.message)
      .join('; '),
  );
}

export function FieldError({ message }: { message: string }) {
  if (!message) return null;
  return (
    <div className="field-error" role="alert">
      {message}
    </div>
  );
}

interface FieldProps {
  label: string;
  /** Validation path, e.g. "data.noise". */
  path: string;
  description?: string;
  children: (id: string) => ReactNode;
  /** Extra message from the control itself (unparsable text). */
  localError?: string;
}

export function Field({ label, path, description, children, localError }: FieldProps) {
  const id = useId();
  const error = useFieldError(path);
  const message = localError || error;
  return (
    <div className={`field${message ? ' invalid' : ''}`}>
      <label htmlFor={id} title={description}>
        {label}
      </label>
      {children(id)}
      {description ? <div className="field-desc">{description}</div> : null}
      <FieldError message={message} />
    </div>
  );
}

interface NumberFieldProps {
  label: string;
  path: string;
  value: number;
  onCommit(v: number): void;
  description?: string;
  integer?: boolean;
  min?: number;
  max?: number;
}

/** A number input that keeps what the user types and commits each finite value. */
export function NumberField({ label, path, value, onCommit, description, integer, min, max }: NumberFieldProps) {
  const [text, setText] = useState(String(value));
  const [local, setLocal] = useState('');
  // Follow outside changes (undo of an edit, a loaded experiment) without losing what is typed.
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (Number(text) !== value) setText(String(value));
    setLocal('');
  }
  const change = (t: string) => {
    setText(t);
    const v = Number(t.trim());
    if (t.trim() === '' || !Number.isFinite(v)) {
      setLocal(`expected a number${integer ? ' (a whole number)' : ''}`);
      return;
    }
    setLocal('');
    if (v !== value) onCommit(v);
  };
  return (
    <Field label={label} path={path} description={description} localError={local}>
      {(id) => (
        <input
          id={id}
          type="text"
          inputMode="decimal"
          spellCheck={false}
          value={text}
          aria-invalid={local ? true : undefined}
          onChange={(e) => change(e.target.value)}
          onBlur={() => {
            if (local) {
              setText(String(value));
              setLocal('');
            }
          }}
          data-min={min}
          data-max={max}
        />
      )}
    </Field>
  );
}

interface SelectFieldProps<T extends string> {
  label: string;
  path: string;
  value: T;
  options: readonly T[] | readonly { value: T; label: string }[];
  onChange(v: T): void;
  description?: string;
}

export function SelectField<T extends string>({
  label,
  path,
  value,
  options,
  onChange,
  description,
}: SelectFieldProps<T>) {
  const opts = options.map((o) => (typeof o === 'string' ? { value: o, label: o } : o));
  return (
    <Field label={label} path={path} description={description}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)}>
          {opts.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function CheckField({
  label,
  path,
  value,
  onChange,
  description,
}: {
  label: string;
  /** Validation path; null when another field shows this path's messages. */
  path: string | null;
  value: boolean;
  onChange(v: boolean): void;
  description?: string;
}) {
  const id = useId();
  const error = useFieldError(path);
  return (
    <div className={`field check${error ? ' invalid' : ''}`}>
      <input id={id} type="checkbox" checked={value} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id} title={description}>
        {label}
      </label>
      {description ? <div className="field-desc">{description}</div> : null}
      <FieldError message={error} />
    </div>
  );
}

/** Parse "64, 64" into widths; a message when it is not a list of whole numbers. */
export function parseIntList(text: string): number[] | string {
  const t = text.trim();
  if (t === '') return [];
  const parts = t.split(/[\s,]+/).filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 1) return `expected whole numbers of at least 1 separated by commas, got "${p}"`;
    out.push(v);
  }
  return out;
}

export function IntListField({
  label,
  path,
  value,
  onCommit,
  description,
}: {
  label: string;
  path: string;
  value: number[];
  onCommit(v: number[]): void;
  description?: string;
}) {
  const joined = value.join(', ');
  const [text, setText] = useState(joined);
  const [local, setLocal] = useState('');
  const [seen, setSeen] = useState(joined);
  if (seen !== joined) {
    setSeen(joined);
    const typed = parseIntList(text);
    if (typeof typed === 'string' || typed.join(', ') !== joined) setText(joined);
    setLocal('');
  }
  return (
    <Field label={label} path={path} description={description} localError={local}>
      {(id) => (
        <input
          id={id}
          type="text"
          spellCheck={false}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            const v = parseIntList(e.target.value);
            if (typeof v === 'string') setLocal(v);
            else {
              setLocal('');
              if (v.join(',') !== value.join(',')) onCommit(v);
            }
          }}
        />
      )}
    </Field>
  );
}
