// A labelled form field written once: the label tied to its control, the
// error under it, and the control told about the error (aria-invalid,
// aria-describedby) so a screen reader reads it with the field.
import { useId, type InputHTMLAttributes, type ReactNode } from 'react';
import { compactLabelClass, errorClass, inputClass, labelClass } from './styles';

/** What a field's control must carry to be named and described by the field. */
export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

export interface FieldProps {
  label: ReactNode;
  /** Shown under the control; nothing when empty. */
  error?: string | false | undefined;
  /** The smaller label of dense dialogs. */
  compact?: boolean;
  /** The wrapper's class (a width in a row of fields, say). */
  className?: string;
  /** The control, given the props that tie it to the label and the error. */
  children: (control: ControlProps) => ReactNode;
}

export function Field({ label, error, compact, className, children }: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={className}>
      <label className={compact ? compactLabelClass : labelClass} htmlFor={id}>
        {label}
      </label>
      {children({
        id,
        ...(error ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {}),
      })}
      {error && (
        <p id={errorId} className={errorClass}>
          {error}
        </p>
      )}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'id'>;

/** A text (or number, password) input in a Field. */
export function TextField({
  label,
  error,
  compact,
  className,
  value,
  onChange,
  ...input
}: Omit<FieldProps, 'children'> &
  InputProps & { value: string | number; onChange: (value: string) => void }) {
  return (
    <Field label={label} error={error} compact={compact} className={className}>
      {(control) => (
        <input
          className={inputClass}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
          {...input}
          {...control}
        />
      )}
    </Field>
  );
}

export interface Option {
  value: string;
  label: string;
  disabled?: boolean;
}

/** A select in a Field; an empty list shows `emptyLabel` instead of nothing. */
export function Select({
  label,
  error,
  compact,
  className,
  value,
  onChange,
  options,
  emptyLabel,
}: Omit<FieldProps, 'children'> & {
  value: string;
  onChange: (value: string) => void;
  options: readonly Option[];
  emptyLabel?: string;
}) {
  return (
    <Field label={label} error={error} compact={compact} className={className}>
      {(control) => (
        <select
          className={inputClass}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          {...control}
        >
          {options.length === 0 && emptyLabel !== undefined && (
            <option value="">{emptyLabel}</option>
          )}
          {options.map((o) => (
            <option key={o.value} value={o.value} disabled={o.disabled}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
