// The frame of a tree item's context menu: where it opens, focus in and back
// out, arrow keys, Escape and a click elsewhere closing it. The VM, node and
// pool menus fill it with their items (MENU_ITEM_CLASS buttons, role menuitem).
import { useEffect, useRef, type ReactNode } from 'react';
import { rememberFocus } from '../../ui/focusReturn';

export const MENU_ITEM_CLASS =
  'block w-full px-3 py-1 text-left outline-none hover:bg-sky-600 hover:text-white focus:bg-sky-600 focus:text-white disabled:text-slate-400 disabled:hover:bg-transparent';

export function TreeMenu({
  name,
  x,
  y,
  onClose,
  children,
}: {
  /** The menu's accessible name, e.g. "Actions for lab-tiny-1". */
  name: string;
  x: number;
  y: number;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);

  // Focus moves in once when the menu opens and back to the tree item when it
  // closes (Escape, an item, a click elsewhere keeps the focus the click gave).
  // A dialog an item opens then returns focus to that tree item too.
  useEffect(() => {
    const restore = rememberFocus();
    const el = ref.current;
    el?.querySelector<HTMLElement>('[role="menuitem"]:not([disabled])')?.focus();
    return () => restore(el);
  }, []);

  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    window.addEventListener('mousedown', close);
    return () => window.removeEventListener('mousedown', close);
  }, [onClose]);

  const move = (dir: 1 | -1) => {
    const items = [
      ...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])') ?? []),
    ];
    const i = items.indexOf(document.activeElement as HTMLElement);
    items[(i + dir + items.length) % items.length]?.focus();
  };
  // Above the notices (z-40) that an earlier action may have left over the
  // row it opens on, below dialogs (z-50).
  return (
    <div
      ref={ref}
      role="menu"
      aria-label={name}
      className="fixed z-[45] min-w-40 rounded border border-slate-300 bg-white py-1 shadow-lg dark:border-slate-600 dark:bg-slate-800"
      style={{ left: x, top: y }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
        else if (e.key === 'ArrowDown') move(1);
        else if (e.key === 'ArrowUp') move(-1);
        else return;
        e.preventDefault();
      }}
    >
      {children}
    </div>
  );
}

/** One entry of a tree menu: the menu closes, then the action runs. */
export function MenuItem({
  label,
  disabled,
  onSelect,
  onClose,
}: {
  label: string;
  disabled?: boolean;
  onSelect: () => void;
  onClose: () => void;
}) {
  return (
    <button
      role="menuitem"
      disabled={disabled}
      className={MENU_ITEM_CLASS}
      onClick={() => {
        onClose();
        onSelect();
      }}
    >
      {label}
    </button>
  );
}
