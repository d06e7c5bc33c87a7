import { useInventory } from '../state/inventory';
import { useUi } from '../state/ui';
import { primaryButtonClass } from '../ui/Dialog';
import { Facts } from '../ui/Facts';

export function RootGeneral() {
  const inv = useInventory((s) => s.inv);
  const hosts = Object.values(inv.hosts);
  const vms = Object.values(inv.vms);
  if (hosts.length === 0) {
    return (
      <div className="max-w-lg space-y-3">
        <p>
          Clusterdeck manages libvirt/KVM nodes over SSH. It needs nothing on a node but sshd and
          virsh, and shows every command it runs in the Tasks pane.
        </p>
        <button
          className={primaryButtonClass}
          aria-label="Add your first host"
          onClick={() => useUi.getState().setAddHostOpen(true)}
        >
          Add Host
        </button>
      </div>
    );
  }
  return (
    <Facts
      rows={[
        [
          'Hosts connected',
          `${hosts.filter((h) => h.state === 'connected').length} of ${hosts.length}`,
        ],
        ['VMs running', `${vms.filter((v) => v.state === 'running').length} of ${vms.length}`],
        ['Storage pools', String(Object.keys(inv.pools).length)],
        ['Networks', String(Object.keys(inv.networks).length)],
      ]}
    />
  );
}
