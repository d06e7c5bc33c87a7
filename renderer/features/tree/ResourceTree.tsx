import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { HostContextMenu, PoolContextMenu } from './HostPoolMenus';
import { ClusterContextMenu, RootContextMenu } from './RootClusterMenus';
import { GanetiNodeMenu } from './GanetiNodeMenu';
import { BulkVmMenu, VmContextMenu } from './VmContextMenu';
import { NetworkContextMenu } from '../networks/NetworkMenu';
import { filterRows, hideClosed, isEmptyFilter, parseFilter } from './treeFilter';
import { treeKeyEffect, typeAheadAfter, typeAheadMatch, type TypeAhead } from './treeKeys';
import { buildRows, selectionKey, type TreeRow } from './treeModel';

/** The tree items that have a context menu, by the kind of their selection. */
const MENU_KINDS = ['root', 'cluster', 'vm', 'host', 'pool', 'net'] as const;
type MenuKind = (typeof MENU_KINDS)[number];
const menuKind = (r: TreeRow): MenuKind | undefined =>
  MENU_KINDS.find((k) => k === r.selection?.kind);
/** The object a menu acts on; the root is one of a kind and has no id. */
const selectionId = (r: TreeRow): string =>
  r.selection && r.selection.kind !== 'root' ? r.selection.id : '';

const VM_DRAG_TYPE = 'application/x-clusterdeck-vm';

const TONES: Record<TreeRow['tone'], string> = {
  ok: 'bg-emerald-500',
  warn: 'bg-amber-500',
  bad: 'bg-red-500',
  muted: 'bg-slate-400',
};

/** Groups start expanded; the user's collapses are remembered for the session. */
function useExpanded(): [
  (key: string) => boolean,
  (key: string, open: boolean) => void,
  () => void,
] {
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  return [
    (key) => !collapsed.has(key),
    (key, open) =>
      setCollapsed((prev) => {
        const next = new Set(prev);
        if (open) next.delete(key);
        else next.add(key);
        return next;
      }),
    () => setCollapsed(new Set()),
  ];
}

export function ResourceTree() {
  const inv = useInventory((s) => s.inv);
  const selection = useUi((s) => s.selection);
  const select = useUi((s) => s.select);
  const marked = useUi((s) => s.marked);
  const [isOpenUnfiltered, setOpenUnfiltered] = useExpanded();
  // While filtering every match's ancestors show open; what the user closes
  // then is kept apart (and forgotten when the text changes), so clearing the
  // filter gives back the tree as it was.
  const [isOpenFiltered, setOpenFiltered, resetFiltered] = useExpanded();
  const [filterText, setFilterText] = useState('');
  const [now, setNow] = useState(() => Date.now());
  const [menu, setMenu] = useState<
    | {
        kind: MenuKind | 'many' | 'mnode';
        id: string;
        x: number;
        y: number;
        /** A managed cluster's node and the host that is it, for the 'mnode' menu. */
        node?: string;
        hostId?: string | undefined;
      }
    | undefined
  >();
  // Where a Shift+click or Shift+arrow range starts: the last row clicked or focused alone.
  const anchor = useRef<string | undefined>(undefined);
  const listRef = useRef<HTMLUListElement>(null);

  // Ticks once a second only while some host shows a retry countdown.
  const counting = Object.values(inv.hosts).some((h) => h.retryAt && h.state !== 'connected');
  useEffect(() => {
    if (!counting) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [counting]);

  const filter = parseFilter(filterText);
  const filtering = !isEmptyFilter(filter);
  const isOpen = filtering ? isOpenFiltered : isOpenUnfiltered;
  const setOpen = filtering ? setOpenFiltered : setOpenUnfiltered;
  const matched = filtering
    ? filterRows(
        buildRows(inv, () => true, now),
        filter,
      )
    : undefined;
  const rows = matched ? hideClosed(matched, isOpen) : buildRows(inv, isOpen, now);

  const selectedKey = selectionKey(selection);
  const [focusKey, setFocusKey] = useState(selectedKey);
  const focusIndex = Math.max(
    0,
    rows.findIndex((r) => r.key === focusKey),
  );

  useEffect(() => setFocusKey(selectedKey), [selectedKey]);

  const typeAhead = useRef<TypeAhead | undefined>(undefined);

  const isMarked = (r: TreeRow) =>
    marked.length > 1 ? marked.includes(r.key) : r.key === selectedKey;

  /** Ctrl/Cmd+click: adds the row to the selection or takes it out. */
  const toggle = (r: TreeRow) => {
    if (!r.selection) return;
    const base =
      marked.length > 1 ? marked : rows.some((x) => x.key === selectedKey) ? [selectedKey] : [];
    const next = base.includes(r.key) ? base.filter((k) => k !== r.key) : [...base, r.key];
    anchor.current = r.key;
    const primary = rows.find((x) => x.key === next[next.length - 1])?.selection ?? r.selection;
    useUi.getState().selectMany(primary, next);
  };

  /** Shift+click or Shift+arrow: every selectable row from the anchor to row `i`. */
  const extendTo = (i: number) => {
    const r = rows[i];
    if (!r?.selection) return;
    const from = Math.max(
      0,
      rows.findIndex((x) => x.key === (anchor.current ?? selectedKey)),
    );
    const [lo, hi] = from <= i ? [from, i] : [i, from];
    const keys = rows
      .slice(lo, hi + 1)
      .filter((x) => x.selection)
      .map((x) => x.key);
    setFocusKey(r.key);
    listRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(r.key)}"]`)?.focus();
    useUi.getState().selectMany(r.selection, keys);
  };

  /** Focuses row `i` and selects it, so the details pane follows the keyboard. */
  const focusRow = (i: number) => {
    const r = rows[i];
    if (!r) return;
    setFocusKey(r.key);
    listRef.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(r.key)}"]`)?.focus();
    // Group rows ("VMs", "Storage pools") have no details of their own: the selection stays.
    if (r.selection && r.key !== selectedKey) select(r.selection);
  };

  const activate = (r: TreeRow) => {
    if (r.selection) select(r.selection);
    else if (r.expandable) setOpen(r.key, !isOpen(r.key));
  };

  const onKeyDown = (e: KeyboardEvent, r: TreeRow, i: number) => {
    if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
      const kind = menuKind(r);
      if (r.managedNode) {
        const rect = (e.target as HTMLElement).getBoundingClientRect();
        if (r.selection) select(r.selection);
        setMenu({
          kind: 'mnode',
          id: r.managedNode.clusterId,
          node: r.managedNode.node,
          hostId: r.selection?.kind === 'host' ? r.selection.id : undefined,
          x: rect.left + 24,
          y: rect.bottom,
        });
      } else if (kind && r.selection) {
        const rect = (e.target as HTMLElement).getBoundingClientRect();
        const many = marked.length > 1 && marked.includes(r.key);
        if (!many) select(r.selection);
        setMenu({
          kind: many ? 'many' : kind,
          id: many ? '' : selectionId(r),
          x: rect.left + 24,
          y: rect.bottom,
        });
      }
      e.preventDefault();
      return;
    }
    if (e.shiftKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      if (anchor.current === undefined) anchor.current = r.key;
      extendTo(Math.max(0, Math.min(rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1))));
      e.preventDefault();
      return;
    }
    // Letters typed quickly jump to the next visible item whose name starts with them.
    const typed =
      e.ctrlKey || e.altKey || e.metaKey
        ? undefined
        : typeAheadAfter(typeAhead.current, e.key, Date.now());
    if (typed) {
      typeAhead.current = typed;
      const match = typeAheadMatch(rows, i, typed.prefix);
      if (match >= 0) focusRow(match);
      e.preventDefault();
      return;
    }
    const effect = treeKeyEffect(e.key, rows, i, isOpen);
    if (!effect) return;
    typeAhead.current = undefined;
    if (effect.kind === 'focus') {
      anchor.current = rows[effect.index]?.key;
      focusRow(effect.index);
    } else if (effect.kind === 'expand') setOpen(effect.key, effect.open);
    else activate(r);
    e.preventDefault();
  };

  const changeFilter = (text: string) => {
    setFilterText(text);
    resetFiltered();
  };

  return (
    <>
      <input
        type="search"
        aria-label="Filter the tree"
        placeholder="Filter (name, state:running, tag:web)"
        value={filterText}
        onChange={(e) => changeFilter(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && filterText) {
            changeFilter('');
            e.preventDefault();
            e.stopPropagation();
          } else if (e.key === 'ArrowDown' && rows.length > 0) {
            // Down from the box goes into the (filtered) tree, as in a combobox.
            listRef.current
              ?.querySelector<HTMLElement>(`[data-key="${CSS.escape(rows[focusIndex]!.key)}"]`)
              ?.focus();
            e.preventDefault();
          }
        }}
        className="sticky top-0 z-10 mb-1 w-full rounded border border-slate-300 bg-white px-2 py-1 text-[13px] dark:border-slate-600 dark:bg-slate-800"
      />
      {matched?.length === 0 && (
        <p role="status" className="px-2 py-1 text-[13px] text-slate-500 dark:text-slate-400">
          No item matches
        </p>
      )}
      <ul
        ref={listRef}
        role="tree"
        aria-label="Resources"
        aria-multiselectable="true"
        className="py-1 text-[13px] select-none"
      >
        {rows.map((r, i) => {
          const selected = isMarked(r);
          return (
            <li
              key={r.key}
              data-key={r.key}
              role="treeitem"
              aria-level={r.level}
              aria-label={r.name}
              aria-selected={selected}
              aria-expanded={r.expandable ? isOpen(r.key) : undefined}
              tabIndex={i === focusIndex ? 0 : -1}
              title={r.title}
              onClick={(e) => {
                setFocusKey(r.key);
                if (e.ctrlKey || e.metaKey) toggle(r);
                else if (e.shiftKey) extendTo(i);
                else {
                  anchor.current = r.key;
                  activate(r);
                }
              }}
              onDoubleClick={() => r.expandable && setOpen(r.key, !isOpen(r.key))}
              onKeyDown={(e) => onKeyDown(e, r, i)}
              // Dragging a VM onto another node starts Migrate VM with that node chosen.
              draggable={r.selection?.kind === 'vm'}
              onDragStart={(e) => {
                if (r.selection?.kind !== 'vm') return;
                e.dataTransfer.setData(VM_DRAG_TYPE, r.selection.id);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={(e) => {
                if (
                  (r.selection?.kind !== 'host' && !r.dropNode) ||
                  !e.dataTransfer.types.includes(VM_DRAG_TYPE)
                )
                  return;
                e.preventDefault();
                e.dataTransfer.dropEffect = 'move';
              }}
              onDrop={(e) => {
                const vmId = e.dataTransfer.getData(VM_DRAG_TYPE);
                // A node of a cluster that places its VMs itself: migrate to that node by name.
                const placed = vmId ? inv.vms[vmId]?.placement : undefined;
                if (r.dropNode && placed) {
                  e.preventDefault();
                  if (placed.primary === r.dropNode) return;
                  useUi.getState().setVmDialog({ kind: 'migrate', vmId, targetNode: r.dropNode });
                  return;
                }
                if (r.selection?.kind !== 'host' || !vmId) return;
                e.preventDefault();
                if (inv.vms[vmId]?.hostId === r.selection.id) return;
                useUi
                  .getState()
                  .setVmDialog({ kind: 'migrate', vmId, targetHostId: r.selection.id });
              }}
              onContextMenu={(e) => {
                const kind = menuKind(r);
                if (r.managedNode) {
                  // A Ganeti node: its node operations (the host's Reconnect too).
                  e.preventDefault();
                  if (r.selection) select(r.selection);
                  const { clusterId, node } = r.managedNode;
                  const hostId = r.selection?.kind === 'host' ? r.selection.id : undefined;
                  setMenu({
                    kind: 'mnode',
                    id: clusterId,
                    node,
                    hostId,
                    x: e.clientX,
                    y: e.clientY,
                  });
                  return;
                }
                if (!kind || !r.selection) return;
                e.preventDefault();
                // On a row of a multi-selection the menu acts on all of it.
                if (marked.length > 1 && marked.includes(r.key)) {
                  setMenu({ kind: 'many', id: '', x: e.clientX, y: e.clientY });
                  return;
                }
                select(r.selection);
                setMenu({ kind, id: selectionId(r), x: e.clientX, y: e.clientY });
              }}
              className={`flex cursor-default items-center gap-1.5 rounded px-1 py-0.5 outline-none focus-visible:ring-2 focus-visible:ring-sky-500 ${
                selected ? 'bg-sky-600 text-white' : 'hover:bg-slate-200 dark:hover:bg-slate-700'
              }`}
              style={{ paddingLeft: `${(r.level - 1) * 14 + 4}px` }}
            >
              <span aria-hidden className="w-3 shrink-0 text-center text-[10px] text-slate-500">
                {r.expandable ? (isOpen(r.key) ? '▾' : '▸') : ''}
              </span>
              <span
                aria-hidden
                className={`h-2 w-2 shrink-0 rounded-full ${r.selection ? TONES[r.tone] : ''}`}
              />
              <span
                className={`min-w-0 truncate ${r.selection?.kind === 'cluster' || r.selection?.kind === 'host' || r.level === 1 ? 'font-semibold' : ''}`}
              >
                {r.label}
              </span>
              {r.container && (
                <span
                  aria-hidden
                  title="Container"
                  className={`shrink-0 rounded border px-0.5 text-[9px] leading-none ${selected ? 'border-sky-200 text-sky-100' : 'border-slate-400 text-slate-500 dark:text-slate-400'}`}
                >
                  CT
                </span>
              )}
              {r.tags?.slice(0, 2).map((t) => (
                <span
                  key={t}
                  aria-hidden
                  className={`max-w-20 shrink truncate rounded px-1 text-[10px] ${selected ? 'bg-sky-500 text-white' : 'bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-200'}`}
                >
                  {t}
                </span>
              ))}
              {(r.tags?.length ?? 0) > 2 && (
                <span aria-hidden className="shrink-0 text-[10px] text-slate-500">
                  +{r.tags!.length - 2}
                </span>
              )}
              {r.detail && (
                <span
                  className={`ml-auto shrink-0 pl-2 text-[11px] ${selected ? 'text-sky-100' : 'text-slate-500 dark:text-slate-400'}`}
                >
                  {r.detail}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      {menu?.kind === 'root' && (
        <RootContextMenu x={menu.x} y={menu.y} onClose={() => setMenu(undefined)} />
      )}
      {menu?.kind === 'cluster' && (
        <ClusterContextMenu id={menu.id} x={menu.x} y={menu.y} onClose={() => setMenu(undefined)} />
      )}
      {menu?.kind === 'mnode' && menu.node && (
        <GanetiNodeMenu
          clusterId={menu.id}
          node={menu.node}
          hostId={menu.hostId}
          x={menu.x}
          y={menu.y}
          onClose={() => setMenu(undefined)}
        />
      )}
      {menu?.kind === 'many' && (
        <BulkVmMenu x={menu.x} y={menu.y} onClose={() => setMenu(undefined)} />
      )}
      {menu?.kind === 'vm' && (
        <VmContextMenu vmId={menu.id} x={menu.x} y={menu.y} onClose={() => setMenu(undefined)} />
      )}
      {menu?.kind === 'host' && (
        <HostContextMenu id={menu.id} x={menu.x} y={menu.y} onClose={() => setMenu(undefined)} />
      )}
      {menu?.kind === 'pool' && (
        <PoolContextMenu id={menu.id} x={menu.x} y={menu.y} onClose={() => setMenu(undefined)} />
      )}
      {menu?.kind === 'net' && (
        <NetworkContextMenu id={menu.id} x={menu.x} y={menu.y} onClose={() => setMenu(undefined)} />
      )}
    </>
  );
}
