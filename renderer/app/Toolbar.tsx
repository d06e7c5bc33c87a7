// The window's toolbar: creation, the selected VMs' actions, Help. It never
// wraps: when its labels do not fit (a 1024-pixel window) the buttons show
// icons (the same accessible names, the label as tooltip); when even those do
// not fit, the VM actions move into a "More" menu.
import { useLayoutEffect, useRef, useState } from 'react';
import { useInventory } from '../state/inventory';
import { useNotices } from '../state/notices';
import { useUi, type BulkRequest } from '../state/ui';
import {
  VM_ACTION_SPECS,
  canRun,
  offersDialog,
  runVmAction,
  useVmJob,
} from '../features/vms/vmActions';
import { bulkOffered, bulkTitle, openBulk, useSelectedVmIds } from '../features/vms/bulkActions';
import { MenuItem, TreeMenu } from '../features/tree/TreeMenu';
import { toolbarIcon } from './toolbarIcons';

const button =
  'shrink-0 whitespace-nowrap rounded px-2.5 py-1 hover:bg-slate-200 disabled:opacity-40 disabled:hover:bg-transparent dark:hover:bg-slate-700';

/** 0: labels; 1: icons; 2: icons, VM actions in "More". */
type Density = 0 | 1 | 2;

/** Picks the densest level needed, from the widths each level needed when it overflowed. */
function useDensity(ref: React.RefObject<HTMLDivElement | null>, labels: string): Density {
  const [density, setDensity] = useState<Density>(0);
  const densityRef = useRef(density);
  densityRef.current = density;
  const needed = useRef<number[]>([]);
  const check = useRef(() => {
    const el = ref.current;
    if (!el) return;
    const d = densityRef.current;
    if (el.scrollWidth > el.clientWidth + 1 && d < 2) {
      needed.current[d] = el.scrollWidth;
      setDensity((d + 1) as Density);
    } else if (d > 0 && el.clientWidth >= (needed.current[d - 1] ?? Infinity)) {
      setDensity((d - 1) as Density);
    }
  });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => check.current());
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  // After each change of level (and of the buttons' labels), look again;
  // not after every render: reading scrollWidth makes the browser lay out the
  // whole page at once, and the toolbar renders with each inventory change
  // (with 1,000 VMs in the tree, most of a redraw's time went there).
  useLayoutEffect(() => check.current(), [density, labels]);
  return density;
}

function ToolButton({
  name,
  text,
  compact,
  title,
  disabled,
  onClick,
}: {
  name: string;
  /** The visible label when not compact; `name` by default. */
  text?: string;
  compact: boolean;
  title?: string | undefined;
  disabled?: boolean;
  onClick: () => void;
}) {
  // "Start 3 VMs" has Start's icon.
  const icon = toolbarIcon(name.replace(/ \d+ VMs?$/, '').replace(/^Migrate$/, 'Migrate…'));
  const iconic = compact && icon;
  return (
    <button
      className={button}
      aria-label={iconic || text ? name : undefined}
      title={title ?? (iconic ? name : undefined)}
      disabled={disabled}
      onClick={onClick}
    >
      {iconic ? icon : (text ?? name)}
    </button>
  );
}

export function Toolbar() {
  const selection = useUi((s) => s.selection);
  const theme = useUi((s) => s.theme);
  const inv = useInventory((s) => s.inv);
  const vm = selection.kind === 'vm' ? inv.vms[selection.id] : undefined;
  const notify = useNotices((s) => s.push);
  const job = useVmJob(vm);
  const vmIds = useSelectedVmIds();
  const many = vmIds.length > 1;
  const ref = useRef<HTMLDivElement>(null);
  const [moreAt, setMoreAt] = useState<{ x: number; y: number }>();

  // Each VM action: on one VM as before; on several, one confirmation for all.
  const actions = [
    ...VM_ACTION_SPECS.map((spec) => {
      const bulk = bulkFormOf(spec.action);
      return {
        key: spec.action,
        name: many ? bulkTitle(spec.action, vmIds.length) : spec.label,
        text: many ? `${spec.label} (${vmIds.length})` : spec.label,
        disabled: many ? !bulk || !bulkOffered(bulk, vmIds, inv) : !vm || !canRun(spec, vm, job),
        title: !many && job ? `${job}: wait for it to end` : undefined,
        run: () => (many ? openBulk(spec.action, vmIds) : vm && runVmAction(vm, spec, notify)),
      };
    }),
    {
      key: 'migrate',
      name: many ? bulkTitle('migrate', vmIds.length) : 'Migrate…',
      text: many ? `Migrate… (${vmIds.length})` : 'Migrate…',
      disabled: many
        ? !bulkOffered('migrate', vmIds, inv)
        : !vm || !!job || !offersDialog(inv.hosts[vm.hostId], 'migrate'),
      title: undefined,
      run: () =>
        many
          ? openBulk('migrate', vmIds)
          : vm && useUi.getState().setVmDialog({ kind: 'migrate', vmId: vm.id }),
    },
  ];
  const density = useDensity(ref, actions.map((a) => a.text).join('|'));
  const compact = density > 0;

  return (
    <div
      ref={ref}
      role="toolbar"
      aria-label="Actions"
      className="flex shrink-0 flex-nowrap items-center gap-1 overflow-hidden border-b border-slate-300 bg-slate-100 px-2 py-1 dark:border-slate-700 dark:bg-slate-800"
    >
      <span className="mr-3 shrink-0 font-semibold tracking-tight text-sky-700 dark:text-sky-400">
        Clusterdeck
      </span>
      <ToolButton
        name="Add Host"
        compact={compact}
        title="Add Host (Ctrl+N)"
        onClick={() => useUi.getState().setAddHostOpen(true)}
      />
      {(['new-cluster', 'new-vm', 'new-pool'] as const).map((w) => (
        <ToolButton
          key={w}
          name={
            { 'new-cluster': 'New Cluster', 'new-vm': 'New VM', 'new-pool': 'New Storage Pool' }[w]
          }
          compact={compact}
          onClick={() => useUi.getState().setWizard(w)}
        />
      ))}
      <span aria-hidden className="mx-1 h-5 w-px shrink-0 bg-slate-300 dark:bg-slate-600" />
      {density < 2 ? (
        actions.map((a) => (
          <ToolButton
            key={a.key}
            name={a.name}
            text={a.text}
            compact={compact}
            title={a.title}
            disabled={a.disabled}
            onClick={a.run}
          />
        ))
      ) : (
        <button
          className={button}
          aria-haspopup="menu"
          aria-expanded={!!moreAt}
          onClick={(e) => {
            const r = e.currentTarget.getBoundingClientRect();
            setMoreAt(moreAt ? undefined : { x: r.left, y: r.bottom });
          }}
        >
          More
        </button>
      )}
      {moreAt && (
        <TreeMenu
          name="More actions"
          x={moreAt.x}
          y={moreAt.y}
          onClose={() => setMoreAt(undefined)}
        >
          {actions.map((a) => (
            <MenuItem
              key={a.key}
              label={a.name}
              disabled={a.disabled}
              onSelect={a.run}
              onClose={() => setMoreAt(undefined)}
            />
          ))}
        </TreeMenu>
      )}
      <span className="flex-1" />
      <button
        className={button}
        onClick={() => useUi.getState().setHelpOpen(true)}
        title="Help: version, getting started and keyboard shortcuts (F1)"
      >
        Help
      </button>
      <button
        className={button}
        aria-label="Toggle dark theme"
        aria-pressed={theme === 'dark'}
        onClick={() => useUi.getState().toggleTheme()}
      >
        {theme === 'dark' ? '☀' : '☾'}
      </button>
    </div>
  );
}

/** The bulk form of a VM action, where it has one (Reboot, Suspend, Resume act on one VM). */
function bulkFormOf(action: string): BulkRequest['action'] | undefined {
  return (['start', 'shutdown', 'destroy'] as const).find((a) => a === action);
}
