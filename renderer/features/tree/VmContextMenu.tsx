import { offersAction } from '../../../shared/api';
import { hasCapability, type Vm } from '../../../shared/model';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { VM_ACTION_SPECS, canRun, offersDialog, runVmAction, useVmJob } from '../vms/vmActions';
import { BULK_ACTIONS, bulkOffered, bulkTitle, markedVmIds, openBulk } from '../vms/bulkActions';
import { MenuItem, TreeMenu } from './TreeMenu';

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
  const job = useVmJob(vm);

  if (!vm) return null;
  return (
    <TreeMenu name={`Actions for ${vm.name}`} x={x} y={y} onClose={onClose}>
      {VM_ACTION_SPECS.filter((spec) => offersAction(vm, spec.action)).map((spec) => (
        <MenuItem
          key={spec.action}
          label={spec.label + (spec.warning ? '…' : '')}
          disabled={!canRun(spec, vm, job)}
          onSelect={() => runVmAction(vm, spec, notify)}
          onClose={onClose}
        />
      ))}
      <div role="separator" className="my-1 border-t border-slate-300 dark:border-slate-600" />
      {VM_DIALOGS.filter((d) => offersDialog(host, d.kind)).map((d) => (
        <MenuItem
          key={d.kind}
          label={d.label}
          disabled={!!job || (d.kind === 'clone' && vm.state !== 'shutoff')}
          onSelect={() => useUi.getState().setVmDialog({ kind: d.kind, vmId: vm.id })}
          onClose={onClose}
        />
      ))}
      {host && hasCapability(host, 'guest-clone') && (
        <MenuItem
          label="Convert to template…"
          disabled={!!job || vm.state !== 'shutoff'}
          onSelect={() => askTemplate(vm, notify)}
          onClose={onClose}
        />
      )}
    </TreeMenu>
  );
}

/** Convert to template, confirmed first: the guest becomes the read-only base of linked clones. */
function askTemplate(vm: Vm, notify: (text: string) => void): void {
  useUi.getState().askConfirm({
    title: `Convert ${vm.name} to a template?`,
    body: `${vm.name} becomes a template: it no longer starts, and its disks become the read-only base that linked clones share. Its stack cannot turn it back.`,
    confirmLabel: 'Convert',
    onConfirm: () =>
      void api.convertToTemplate({ vmId: vm.id }).catch((e: unknown) => notify(errorMessage(e))),
  });
}

/** The menu of a multi-selection: each bulk action once for all its VMs ("Start 3 VMs…"). */
export function BulkVmMenu({ x, y, onClose }: { x: number; y: number; onClose: () => void }) {
  const inv = useInventory((s) => s.inv);
  const marked = useUi((s) => s.marked);
  const vmIds = markedVmIds(marked, inv);
  return (
    <TreeMenu name={`Actions for ${vmIds.length} VMs`} x={x} y={y} onClose={onClose}>
      {vmIds.length === 0 && (
        <MenuItem label="No VM selected" disabled onSelect={() => undefined} onClose={onClose} />
      )}
      {vmIds.length > 0 &&
        BULK_ACTIONS.map((action) => (
          <MenuItem
            key={action}
            label={`${bulkTitle(action, vmIds.length)}…`}
            disabled={!bulkOffered(action, vmIds, inv)}
            onSelect={() => openBulk(action, vmIds)}
            onClose={onClose}
          />
        ))}
    </TreeMenu>
  );
}
