// A modal dialog: labelled by its title, focus kept inside (also after a click
// on its backdrop, which does not close it), Escape closes, focus returns to
// whatever opened it.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { rememberFocus } from './focusReturn';

export function Dialog({
  title,
  onClose,
  children,
  role = 'dialog',
  initialFocus,
  width = 'w-[30rem]',
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  role?: 'dialog' | 'alertdialog';
  /** CSS selector of the element to focus first. */
  initialFocus?: string;
  width?: string;
}) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);

  // The opener is taken once, before the first focus moves into the dialog.
  useEffect(() => {
    const restore = rememberFocus();
    const el = ref.current;
    return () => restore(el);
  }, []);

  useEffect(() => {
    const el = ref.current;
    const first =
      (initialFocus && el?.querySelector<HTMLElement>(initialFocus)) ||
      el?.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
  }, [initialFocus]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab') return;
    const focusable = [
      ...(ref.current?.querySelectorAll<HTMLElement>(
        'button:not([disabled]), input:not([disabled]), select, textarea, [tabindex="0"]',
      ) ?? []),
    ];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    // On the panel itself (after a click on its text), Tab enters the controls.
    const onPanel = !focusable.includes(document.activeElement as HTMLElement);
    if (onPanel) {
      (e.shiftKey ? last : first)?.focus();
      e.preventDefault();
    } else if (e.shiftKey && document.activeElement === first) {
      last?.focus();
      e.preventDefault();
    } else if (!e.shiftKey && document.activeElement === last) {
      first?.focus();
      e.preventDefault();
    }
  };

  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-black/40"
      // A press on the backdrop would move focus to the page behind: it stays where it is.
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) e.preventDefault();
      }}
    >
      <div
        ref={ref}
        // Focusable (not by Tab) so a click on the dialog's text keeps focus inside it.
        tabIndex={-1}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={onKeyDown}
        className={`${width} max-w-[95vw] rounded-lg outline-none border border-slate-300 bg-white p-5 text-slate-900 shadow-xl dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100`}
      >
        <h2 id={titleId} className="mb-3 text-base font-semibold">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}

export const buttonClass =
  'rounded border border-slate-300 px-3 py-1 hover:bg-slate-100 disabled:opacity-50 dark:border-slate-500 dark:hover:bg-slate-700';
export const primaryButtonClass =
  'rounded bg-sky-600 px-3 py-1 font-medium text-white hover:bg-sky-700 disabled:opacity-50';
export const dangerButtonClass =
  'rounded bg-red-600 px-3 py-1 font-medium text-white hover:bg-red-700 disabled:opacity-50';
