// The look of every form control, in one place.
export const inputClass =
  'w-full rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900';
/** A control in a row of fields: as wide as its content, not as its column. */
export const inlineInputClass =
  'rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-500 dark:bg-slate-900';
/** A select among a toolbar's buttons (the console's Ctrl+Alt+F keys). */
export const toolbarSelectClass =
  'rounded border border-slate-300 bg-transparent px-1 py-1 dark:border-slate-500';
/** A field's label in wizards and editors. */
export const labelClass = 'mb-0.5 block text-sm font-medium';
/** The smaller, quieter label of dense dialogs (Add Host). */
export const compactLabelClass =
  'mb-0.5 block text-xs font-medium text-slate-600 dark:text-slate-300';
/** An inline field's label, its text above the control it holds. */
export const inlineLabelClass = 'flex flex-col text-sm';
export const errorClass = 'mt-0.5 text-xs text-red-600 dark:text-red-400';
/**
 * An inline field's error: a line of its own at the end of the row (order-last),
 * so the row's controls stay aligned while it shows; it still follows its field
 * in the document, where a screen reader meets it.
 */
export const rowErrorClass = 'order-last w-full text-xs text-red-600 dark:text-red-400';
