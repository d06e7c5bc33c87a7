// Radio buttons and checkboxes: the control inside its label, so a click on
// the text chooses it and the text is its accessible name.
import { useId, type ReactNode } from 'react';

export function Radio({
  name,
  checked,
  onChange,
  disabled,
  children,
  className = 'flex items-center gap-2',
}: {
  name: string;
  checked: boolean;
  onChange: () => void;
  disabled?: boolean;
  children: ReactNode;
  className?: string;
}) {
  return (
    <label className={className}>
      <input type="radio" name={name} checked={checked} disabled={disabled} onChange={onChange} />
      {children}
    </label>
  );
}

export interface RadioOption<T extends string> {
  value: T;
  label: ReactNode;
  disabled?: boolean;
}

/**
 * One choice of several, as a fieldset named by its legend. `children` come
 * after the options inside the same fieldset (the fields the choice opens).
 */
export function RadioGroup<T extends string>({
  legend,
  value,
  onChange,
  options,
  className = 'space-y-3',
  legendClassName = 'mb-1 font-medium',
  optionsClassName,
  optionClassName,
  children,
}: {
  legend: ReactNode;
  value: T;
  onChange: (value: T) => void;
  options: readonly RadioOption<T>[];
  className?: string;
  legendClassName?: string;
  /** A wrapper around the options (a grid, say); none when not given. */
  optionsClassName?: string;
  optionClassName?: string;
  children?: ReactNode;
}) {
  const name = useId();
  const radios = options.map((o) => (
    <Radio
      key={o.value}
      name={name}
      checked={value === o.value}
      disabled={o.disabled}
      onChange={() => onChange(o.value)}
      className={optionClassName}
    >
      {o.label}
    </Radio>
  ));
  return (
    <fieldset className={className}>
      <legend className={legendClassName}>{legend}</legend>
      {optionsClassName ? <div className={optionsClassName}>{radios}</div> : radios}
      {children}
    </fieldset>
  );
}

export function Checkbox({
  checked,
  onChange,
  disabled,
  describedBy,
  children,
  className = 'flex items-center gap-2',
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  /** The id of a text that says more (why it is disabled, say). */
  describedBy?: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <label className={className}>
      <input
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.checked)}
      />
      {children}
    </label>
  );
}
