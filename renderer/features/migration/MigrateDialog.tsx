// Migrate VM: the stack's own wizard when the VM's cluster places its VMs
// itself (Ganeti: by capability), else libvirt's node-to-node wizard.
import { hasCapability } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import type { VmDialog } from '../../state/ui';
import { ClusterMoveWizard } from './ClusterMoveWizard';
import { MigrateVmWizard } from './MigrateVmWizard';

export function MigrateDialog({ dialog }: { dialog: VmDialog }) {
  const host = useInventory((s) => {
    const vm = s.inv.vms[dialog.vmId];
    return vm ? s.inv.hosts[vm.hostId] : undefined;
  });
  if (host && hasCapability(host, 'cluster-moves'))
    return <ClusterMoveWizard vmId={dialog.vmId} targetNode={dialog.targetNode} />;
  return <MigrateVmWizard vmId={dialog.vmId} targetHostId={dialog.targetHostId} />;
}
