import { useEffect, useRef } from 'react';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { rememberFocus } from '../../ui/focusReturn';
import { VM_ACTION_SPECS, canRun, offersDialog, runVmAction, useVmJob } from '../vms/vmActions';

/** The dialogs a VM's menu opens, as on its General tab. */
const VM_DIALOGS = [
  { kind: 'settings', label: 'Edit settings…' },
  { kind: 'migrate', label: 'Migrate…' },
  { kind: 'clone', label: 'Clone…' },
  { kind: 'delete', label: 'Delete VM…' },
] as const;

export function VmContextMenu({
  vmId,
  x,
  y,
  onClose,
}: {
  vmId: string;
  x: number;
  y: number;
  onClose: () => void;
}) {
  const vm = useInventory((s) => s.inv.vms[vmId]);
  const host = useInventory((s) => (vm ? s.inv.hosts[vm.hostId] : undefined));
  const notify = useNotices((s) => s.push);
  const ref = useRef<HTMLDivElement>(null);
  const job = useVmJob(vm);

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

  if (!vm) return null;
  const move = (dir: 1 | -1) => {
    const items = [
      ...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])') ?? []),
    ];
    const i = items.indexOf(document.activeElement as HTMLElement);
    items[(i + dir + items.length) % items.length]?.focus();
  };
  return (
    <div
      ref={ref}
      role="menu"
      aria-label={`Actions for ${vm.name}`}
      className="fixed z-40 min-w-40 rounded border border-slate-300 bg-white py-1 shadow-lg dark:border-slate-600 dark:bg-slate-800"
      style={{ left: x, top: y }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
        else if (e.key === 'ArrowDown') move(1);
        else if (e.key === 'ArrowUp') move(-1);
        else return;
        e.preventDefault();
      }}
    >
      {VM_ACTION_SPECS.map((spec) => (
        <button
          key={spec.action}
          role="menuitem"
          disabled={!canRun(spec, vm, job)}
          className="block w-full px-3 py-1 text-left outline-none hover:bg-sky-600 hover:text-white focus:bg-sky-600 focus:text-white disabled:text-slate-400 disabled:hover:bg-transparent"
          onClick={() => {
            onClose();
            runVmAction(vm, spec, notify);
          }}
        >
          {spec.label}
          {spec.warning ? '…' : ''}
        </button>
      ))}
      <div role="separator" className="my-1 border-t border-slate-300 dark:border-slate-600" />
      {VM_DIALOGS.filter((d) => offersDialog(host, d.kind)).map((d) => (
        <button
          key={d.kind}
          role="menuitem"
          disabled={!!job || (d.kind === 'clone' && vm.state !== 'shutoff')}
          className="block w-full px-3 py-1 text-left outline-none hover:bg-sky-600 hover:text-white focus:bg-sky-600 focus:text-white disabled:text-slate-400 disabled:hover:bg-transparent"
          onClick={() => {
            onClose();
            useUi.getState().setVmDialog({ kind: d.kind, vmId: vm.id });
          }}
        >
          {d.label}
        </button>
      ))}
    </div>
  );
}
