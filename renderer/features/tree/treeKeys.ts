// What a key does in the resource tree, as pure functions of the visible
// rows, so the ARIA tree keys and type-ahead are unit-tested without a DOM.
// ResourceTree applies the result: it focuses the row and, as in XenCenter
// and virt-manager, selects it too, so the details pane follows the focus.
import type { TreeRow } from './treeModel';

/** What the tree does for a key on row `index`; `undefined` when the key is not the tree's. */
export type TreeKeyEffect =
  | { kind: 'focus'; index: number }
  | { kind: 'expand'; key: string; open: boolean }
  | { kind: 'activate' };

export function treeKeyEffect(
  key: string,
  rows: readonly TreeRow[],
  index: number,
  isOpen: (key: string) => boolean,
): TreeKeyEffect | undefined {
  const row = rows[index];
  if (!row) return undefined;
  const focus = (i: number): TreeKeyEffect => ({
    kind: 'focus',
    index: Math.max(0, Math.min(rows.length - 1, i)),
  });
  switch (key) {
    case 'ArrowDown':
      return focus(index + 1);
    case 'ArrowUp':
      return focus(index - 1);
    case 'Home':
      return focus(0);
    case 'End':
      return focus(rows.length - 1);
    case 'ArrowRight':
      // Closed: open it. Open: go to its first child. A leaf: nothing (ARIA tree pattern).
      if (!row.expandable) return undefined;
      if (!isOpen(row.key)) return { kind: 'expand', key: row.key, open: true };
      return rows[index + 1] && rows[index + 1]!.level > row.level ? focus(index + 1) : undefined;
    case 'ArrowLeft': {
      if (row.expandable && isOpen(row.key)) return { kind: 'expand', key: row.key, open: false };
      const parent = parentIndex(rows, index);
      return parent < 0 ? undefined : focus(parent);
    }
    case 'Enter':
    case ' ':
      return { kind: 'activate' };
    default:
      return undefined;
  }
}

/** The row one level up that holds row `index`, or -1 at the top. */
export function parentIndex(rows: readonly TreeRow[], index: number): number {
  const level = rows[index]?.level ?? 1;
  for (let i = index - 1; i >= 0; i--) if (rows[i]!.level < level) return i;
  return -1;
}

/** Letters typed within this many milliseconds of each other make one prefix. */
export const TYPE_AHEAD_RESET_MS = 500;

export interface TypeAhead {
  prefix: string;
  at: number;
}

/** A printable key adds to the prefix; after a pause it starts a new one. Other keys: undefined. */
export function typeAheadAfter(
  state: TypeAhead | undefined,
  key: string,
  now: number,
): TypeAhead | undefined {
  if ([...key].length !== 1) return undefined; // "ArrowDown", "Shift" and the like
  const fresh = !state || now - state.at > TYPE_AHEAD_RESET_MS;
  // A space only counts inside a prefix: alone it selects, as Enter does.
  if (key === ' ' && fresh) return undefined;
  return { prefix: (fresh ? '' : state.prefix) + key.toLowerCase(), at: now };
}

/**
 * The visible row whose label starts with `prefix` (any case), searching from
 * `from`, wrapping: from the current row while the prefix grows (so "lab-tiny-2"
 * stays on a match), from the next one for a single letter (so pressing "l"
 * again cycles through the rows starting with l). -1 when none matches.
 */
export function typeAheadMatch(rows: readonly TreeRow[], from: number, prefix: string): number {
  if (!prefix || rows.length === 0) return -1;
  const p = prefix.toLowerCase();
  // One letter repeated ("lll") cycles through rows starting with it, as in file managers.
  const repeated = [...p].every((c) => c === p[0]);
  const needle = repeated ? p[0]! : p;
  const start = p.length === 1 || repeated ? from + 1 : from;
  for (let n = 0; n < rows.length; n++) {
    const i = (((start + n) % rows.length) + rows.length) % rows.length;
    if (rows[i]!.label.toLowerCase().startsWith(needle)) return i;
  }
  return -1;
}
