// The resource tree's search box as pure functions of the rows, so matching
// is unit-tested without a DOM. ResourceTree builds the rows with every group
// open while a filter is set, then keeps the items that match and the rows
// above them (their node, cluster, group), so a match is never orphaned.
import type { TreeRow } from './treeModel';

/** What the user typed, split: words the name must contain, and VM states. */
export interface TreeFilter {
  /** Lower-case words, each a substring the item's name must contain. */
  words: string[];
  /** Lower-case VM states from "state:running" tokens; any of them matches. */
  states: string[];
  /** Lower-case tags from "tag:web" tokens; a VM must have every one. */
  tags: string[];
}

const STATE_TOKEN = /^state:(.*)$/i;
const TAG_TOKEN = /^tag:(.*)$/i;

export function parseFilter(text: string): TreeFilter {
  const words: string[] = [];
  const states: string[] = [];
  const tags: string[] = [];
  for (const token of text.trim().toLowerCase().split(/\s+/)) {
    if (!token) continue;
    const state = STATE_TOKEN.exec(token);
    const tag = TAG_TOKEN.exec(token);
    // "state:" or "tag:" alone (still being typed) does not filter yet.
    if (state) {
      if (state[1]) states.push(state[1]);
    } else if (tag) {
      if (tag[1]) tags.push(tag[1]);
    } else words.push(token);
  }
  return { words, states, tags };
}

export function isEmptyFilter(f: TreeFilter): boolean {
  return f.words.length === 0 && f.states.length === 0 && f.tags.length === 0;
}

/**
 * Whether a row matches by itself. Group rows ("VMs", "Storage pools") and the
 * root are only shown as ancestors. A state or tag token limits matches to VMs.
 */
export function rowMatches(row: TreeRow, f: TreeFilter): boolean {
  if (!row.selection || row.selection.kind === 'root') return false;
  if (f.states.length > 0 && (!row.vmState || !f.states.includes(row.vmState))) return false;
  if (f.tags.length > 0) {
    const own = new Set(row.tags?.map((t) => t.toLowerCase()));
    if (!f.tags.every((t) => own.has(t))) return false;
  }
  const label = row.label.toLowerCase();
  return f.words.every((w) => label.includes(w));
}

/**
 * The rows that match and their ancestors, in tree order. `rows` must be
 * built with every group open, so that nothing below a closed group is missed.
 * An empty filter keeps every row.
 */
export function filterRows(rows: readonly TreeRow[], f: TreeFilter): TreeRow[] {
  if (isEmptyFilter(f)) return [...rows];
  const keep = new Set<number>();
  // The chain of rows above the current one: ancestors[level - 1] is the row at that level.
  const ancestors: number[] = [];
  // A matching node or cluster keeps what is under it, as it shows expanded.
  let keepUnder = Infinity;
  rows.forEach((row, i) => {
    ancestors.length = row.level - 1;
    if (row.level <= keepUnder) keepUnder = Infinity;
    if (row.level > keepUnder) keep.add(i);
    else if (rowMatches(row, f)) {
      keep.add(i);
      for (const a of ancestors) if (a !== undefined) keep.add(a);
      if (row.expandable) keepUnder = row.level;
    }
    ancestors[row.level - 1] = i;
  });
  return rows.filter((_, i) => keep.has(i));
}

/**
 * Hides what is below the rows the user closed while the filter is set (the
 * filtered rows are built with every group open, so the tree keys still expand
 * and collapse).
 */
export function hideClosed(rows: readonly TreeRow[], isOpen: (key: string) => boolean): TreeRow[] {
  const shown: TreeRow[] = [];
  let closedLevel = Infinity;
  for (const row of rows) {
    if (row.level > closedLevel) continue;
    closedLevel = Infinity;
    shown.push(row);
    if (row.expandable && !isOpen(row.key)) closedLevel = row.level;
  }
  return shown;
}
