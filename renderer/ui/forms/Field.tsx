// A labelled form field written once: the label tied to its control, the
// error under it, and the control told about the error (aria-invalid,
// aria-describedby) so a screen reader reads it with the field.
import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type TextareaHTMLAttributes,
} from 'react';
import {
  compactLabelClass,
  errorClass,
  inlineInputClass,
  inlineLabelClass,
  inputClass,
  labelClass,
  rowErrorClass,
} from './styles';

/** What a field's control must carry to be named and described by the field. */
export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/**
 * Where the label goes. `stacked`: above the control, in wizards and dialogs.
 * `inline`: a label holding its text and the control, one item of a row of
 * fields (an InlineForm), its error on a line of its own at the row's end.
 * `hidden-label`: the label read by screen readers only, for a control whose
 * place says what it is (a toolbar's select, a box opened by its button).
 */
export type FieldLayout = 'stacked' | 'inline' | 'hidden-label';

export interface FieldProps {
  label: ReactNode;
  /** Shown with the control; nothing when empty. */
  error?: string | false | undefined;
  /**
   * Marks the control invalid without a message of its own (one the row
   * shows for another field, or an empty required value not worth a word).
   */
  invalid?: boolean;
  /** The smaller label of dense dialogs (stacked layout only). */
  compact?: boolean;
  layout?: FieldLayout;
  /** The wrapper's class (a width in a row of fields, say); none in `hidden-label`. */
  className?: string;
  /** The control, given the props that tie it to the label and the error. */
  children: (control: ControlProps) => ReactNode;
}

export function Field({
  label,
  error,
  invalid,
  compact,
  layout = 'stacked',
  className,
  children,
}: FieldProps) {
  const id = useId();
  const errorId = `${id}-error`;
  const control = children({
    id,
    ...(error || invalid ? { 'aria-invalid': true as const } : {}),
    ...(error ? { 'aria-describedby': errorId } : {}),
  });
  const message = (cls: string) =>
    error && (
      <p id={errorId} className={cls}>
        {error}
      </p>
    );
  if (layout === 'inline')
    return (
      <>
        <label
          className={className ? `${inlineLabelClass} ${className}` : inlineLabelClass}
          htmlFor={id}
        >
          {label}
          {control}
        </label>
        {message(rowErrorClass)}
      </>
    );
  if (layout === 'hidden-label')
    return (
      <>
        <label className="sr-only" htmlFor={id}>
          {label}
        </label>
        {control}
        {message(rowErrorClass)}
      </>
    );
  return (
    <div className={className}>
      <label className={compact ? compactLabelClass : labelClass} htmlFor={id}>
        {label}
      </label>
      {control}
      {message(errorClass)}
    </div>
  );
}

type FieldOnly = Omit<FieldProps, 'children'> & {
  /** The control's class, instead of the layout's (a width, a toolbar's look). */
  controlClass?: string;
};

const controlClassFor = (layout: FieldLayout | undefined, controlClass: string | undefined) =>
  controlClass ?? (!layout || layout === 'stacked' ? inputClass : inlineInputClass);

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange' | 'id' | 'className'
>;

/** A text (or number, password) input in a Field. */
export function TextField({
  label,
  error,
  invalid,
  compact,
  layout,
  className,
  controlClass,
  value,
  onChange,
  ...input
}: FieldOnly & InputProps & { value: string | number; onChange: (value: string) => void }) {
  return (
    <Field {...{ label, error, invalid, compact, layout, className }}>
      {(control) => (
        <input
          className={controlClassFor(layout, controlClass)}
          value={String(value)}
          onChange={(e) => onChange(e.target.value)}
          {...input}
          {...control}
        />
      )}
    </Field>
  );
}

type TextAreaProps = Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  'value' | 'onChange' | 'id' | 'className'
>;

/** A multi-line text box in a Field. */
export function TextArea({
  label,
  error,
  invalid,
  compact,
  layout,
  className,
  controlClass,
  value,
  onChange,
  ...textarea
}: FieldOnly & TextAreaProps & { value: string; onChange: (value: string) => void }) {
  return (
    <Field {...{ label, error, invalid, compact, layout, className }}>
      {(control) => (
        <textarea
          className={controlClassFor(layout, controlClass)}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          {...textarea}
          {...control}
        />
      )}
    </Field>
  );
}

/**
 * A file chooser in a Field. Uncontrolled, as the browser has it: `inputRef`
 * lets the caller clear it, so choosing the same file again is a change.
 */
export function FileField({
  label,
  error,
  invalid,
  compact,
  layout,
  className,
  controlClass = 'text-sm',
  onFile,
  inputRef,
  accept,
}: FieldOnly & {
  onFile: (file: File | undefined) => void;
  inputRef?: Ref<HTMLInputElement>;
  accept?: string;
}) {
  return (
    <Field {...{ label, error, invalid, compact, layout, className }}>
      {(control) => (
        <input
          ref={inputRef}
          type="file"
          className={controlClass}
          accept={accept}
          onChange={(e) => onFile(e.target.files?.[0])}
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
  invalid,
  compact,
  layout,
  className,
  controlClass,
  value,
  onChange,
  options,
  emptyLabel,
  disabled,
}: FieldOnly & {
  value: string;
  onChange: (value: string) => void;
  options: readonly Option[];
  emptyLabel?: string;
  disabled?: boolean;
}) {
  return (
    <Field {...{ label, error, invalid, compact, layout, className }}>
      {(control) => (
        <select
          className={controlClassFor(layout, controlClass)}
          value={value}
          disabled={disabled}
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
