// A row of inline fields with its submit button (New volume, Upload, Take a
// snapshot): the page never reloads, the row wraps, and fields line up by
// their controls' bottoms whatever their labels.
import type { ReactNode } from 'react';

export function InlineForm({
  label,
  onSubmit,
  className = 'flex flex-wrap items-end gap-2',
  children,
}: {
  /** The form's accessible name; a form without one is no landmark. */
  label?: string;
  onSubmit: () => void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <form
      aria-label={label}
      className={className}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}
