// The look of every form control, in one place.
export const inputClass =
  'w-full rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900';
/** A field's label in wizards and editors. */
export const labelClass = 'mb-0.5 block text-sm font-medium';
/** The smaller, quieter label of dense dialogs (Add Host). */
export const compactLabelClass =
  'mb-0.5 block text-xs font-medium text-slate-600 dark:text-slate-300';
export const errorClass = 'mt-0.5 text-xs text-red-600 dark:text-red-400';
