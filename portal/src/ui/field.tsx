// A labelled input or select with its hint and its problem (aria-invalid, aria-describedby), for
// the settings and developer forms.
import type { ReactNode } from 'react';
import { FieldProblem, type ServerProblem } from './server-errors';

interface Common {
  id: string;
  label: string;
  problem?: ServerProblem;
  hint?: ReactNode;
  disabled?: boolean;
  wide?: boolean;
}

function describedBy(id: string, problem: ServerProblem | undefined, hint: ReactNode): string | undefined {
  const ids = [problem ? `${id}-problem` : '', hint ? `${id}-hint` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function TextField({ id, label, problem, hint, disabled, wide, value, onChange, type = 'text', inputMode, placeholder, required }: Common & {
  value: string;
  onChange(value: string): void;
  type?: 'text' | 'url' | 'number' | 'datetime-local' | 'password';
  inputMode?: 'decimal' | 'numeric' | 'text';
  placeholder?: string;
  required?: boolean;
}) {
  return (
    <div className={wide ? 'field field-wide' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        inputMode={inputMode}
        placeholder={placeholder}
        required={required}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy(id, problem, hint)}
      />
      {hint ? <p id={`${id}-hint`} className="hint">{hint}</p> : null}
      <FieldProblem id={`${id}-problem`} problem={problem} />
    </div>
  );
}

export function SelectField<T extends string>({ id, label, problem, hint, disabled, value, onChange, options }: Common & {
  value: NoInfer<T>;
  onChange(value: NoInfer<T>): void;
  options: ReadonlyArray<readonly [T, string]>;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as T)} aria-invalid={problem ? true : undefined} aria-describedby={describedBy(id, problem, hint)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      {hint ? <p id={`${id}-hint`} className="hint">{hint}</p> : null}
      <FieldProblem id={`${id}-problem`} problem={problem} />
    </div>
  );
}

/** A form's save button and its outcome: the problems no field claims, or "Saved". */
export function SaveRow({ label, busy, saved, disabled, children }: { label: string; busy: boolean; saved: boolean; disabled?: boolean; children?: ReactNode }) {
  return (
    <div className="row">
      <button type="submit" className="button" disabled={busy || disabled}>
        {busy ? 'Saving…' : label}
      </button>
      {saved ? <p className="notice" role="status">Saved.</p> : null}
      {children}
    </div>
  );
}
