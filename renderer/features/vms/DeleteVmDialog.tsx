// Delete VM: says what happens, lets the user pick which disks go with it
// (none by default: a disk is data), and runs it as a task.
import { useState } from 'react';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';
import { hasCapability } from '../../../shared/model';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { Dialog, buttonClass, dangerButtonClass } from '../../ui/Dialog';
import { withToggled } from '../../ui/checked';
import { Checkbox } from '../../ui/forms';

export function DeleteVmDialog({ vmId }: { vmId: string }) {
  const vm = useInventory((s) => s.inv.vms[vmId]);
  const host = useInventory((s) => (vm ? s.inv.hosts[vm.hostId] : undefined));
  const notify = useNotices((s) => s.push);
  const [remove, setRemove] = useState<Set<string>>(new Set());
  const close = () => useUi.getState().setVmDialog(undefined);
  if (!vm) return null;
  // A stack that removes stopped guests only (Proxmox VE) says so, and Delete waits.
  const stopsFirst = !host?.capabilities || hasCapability(host, 'vm-delete-running');
  const mustStop = !stopsFirst && vm.state !== 'shutoff';
  // A cluster-managed VM (Ganeti) loses its disks with it: nothing to choose.
  const disks = vm.placement ? [] : vm.disks.filter((d) => d.device === 'disk');
  const go = async () => {
    try {
      await api.deleteVm({ vmId: vm.id, disks: [...remove] });
      useUi.getState().select({ kind: 'host', id: vm.hostId });
      close();
    } catch (e) {
      notify(errorMessage(e));
    }
  };
  return (
    <Dialog
      title={`Delete ${vm.name}?`}
      onClose={close}
      role="alertdialog"
      initialFocus="[data-cancel]"
    >
      <p className="mb-3">
        {mustStop
          ? `${vm.name} is ${vm.state}: its cluster removes only a stopped guest. Shut it down first.`
          : vm.placement && !stopsFirst
            ? `${vm.name} is removed from its cluster with its disks (their data is lost).`
            : vm.placement
              ? `${vm.name} is stopped if it runs, then removed from its cluster with its ${vm.placement.diskTemplate} disks (their data is lost).`
              : vm.state === 'shutoff'
                ? `${vm.name} is removed from ${host?.name ?? 'its node'}, with its snapshots.`
                : `${vm.name} is running: it is forced off, then removed from ${host?.name ?? 'its node'}, with its snapshots.`}
      </p>
      {disks.length > 0 && (
        <fieldset className="mb-4">
          <legend className="mb-1 font-medium">
            Also delete these disks (their data is lost):
          </legend>
          {disks.map((d) => (
            <Checkbox
              key={d.target}
              checked={remove.has(d.target)}
              onChange={(on) => setRemove((old) => withToggled(old, d.target, on))}
            >
              {d.target}: {d.source || 'no source'}
            </Checkbox>
          ))}
        </fieldset>
      )}
      <div className="flex justify-end gap-2">
        <button data-cancel className={buttonClass} onClick={close}>
          Cancel
        </button>
        <button className={dangerButtonClass} disabled={mustStop} onClick={() => void go()}>
          Delete VM
        </button>
      </div>
    </Dialog>
  );
}
