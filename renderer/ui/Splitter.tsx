// A draggable, keyboard-operable divider between two panes (the ARIA window
// splitter pattern): a focusable separator whose aria-valuenow is the size of
// the pane it resizes; arrows move it, Home/End go to the limits, a double
// click (or Enter) gives the default size back.
import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { PANE_LIMITS, useLayout, type Pane } from '../state/layout';

const STEP = 16;

export function Splitter({
  pane,
  label,
  /** 'vertical': a bar between side-by-side panes; the pane sits before it. 'horizontal': a bar above the pane. */
  orientation,
}: {
  pane: Pane;
  label: string;
  orientation: 'vertical' | 'horizontal';
}) {
  const size = useLayout((s) => s.sizes[pane]);
  const setSize = useLayout((s) => s.setSize);
  const limits = PANE_LIMITS[pane];
  const drag = useRef<{ start: number; size: number } | undefined>(undefined);
  const vertical = orientation === 'vertical';
  // The Tasks pane sits below its bar: dragging up makes it taller.
  const sign = vertical ? 1 : -1;
  const at = (e: PointerEvent) => (vertical ? e.clientX : e.clientY);

  const onKeyDown = (e: KeyboardEvent) => {
    const grow = vertical ? 'ArrowRight' : 'ArrowUp';
    const shrink = vertical ? 'ArrowLeft' : 'ArrowDown';
    if (e.key === grow) setSize(pane, size + STEP);
    else if (e.key === shrink) setSize(pane, size - STEP);
    else if (e.key === 'Home') setSize(pane, limits.min);
    else if (e.key === 'End') setSize(pane, limits.max);
    else if (e.key === 'Enter') setSize(pane, limits.initial);
    else return;
    e.preventDefault();
  };

  return (
    <div
      role="separator"
      aria-label={label}
      aria-orientation={orientation}
      aria-valuenow={size}
      aria-valuemin={limits.min}
      aria-valuemax={limits.max}
      tabIndex={0}
      title={`${label}: drag, or use the arrow keys; double-click for the default size`}
      onKeyDown={onKeyDown}
      onDoubleClick={() => setSize(pane, limits.initial)}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        // No text selection while dragging; the keys then work on it too.
        e.currentTarget.focus();
        drag.current = { start: at(e), size };
        e.preventDefault();
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (d) setSize(pane, d.size + sign * (at(e) - d.start));
      }}
      onPointerUp={() => (drag.current = undefined)}
      onPointerCancel={() => (drag.current = undefined)}
      className={`shrink-0 bg-slate-300 outline-none hover:bg-sky-500 focus-visible:bg-sky-500 dark:bg-slate-700 ${
        vertical ? 'w-1 cursor-col-resize' : 'h-1 cursor-row-resize'
      }`}
    />
  );
}
