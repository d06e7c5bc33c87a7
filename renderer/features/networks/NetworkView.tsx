// A libvirt network's own view: its facts, the VMs on it and its actions.
import type { Network } from '../../../shared/model';
import { listNames, networkUsers } from '../../../shared/network';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { buttonClass } from '../../ui/Dialog';
import { Facts } from '../../ui/Facts';
import { Checkbox } from '../../ui/forms';
import { NETWORK_ACTION_LABELS, networkActions } from './networkActions';

const FORWARD_WORDS: Record<string, string> = {
  nat: 'NAT',
  route: 'Routed',
  isolated: 'Isolated',
  open: 'Open',
  bridge: 'Host bridge',
};

export function NetworkView({ net }: { net: Network }) {
  const node = useInventory((s) => s.inv.hosts[net.hostId]?.name ?? 'its node');
  const vms = Object.values(useInventory((s) => s.inv.vms));
  const notify = useNotices((s) => s.push);
  const act = networkActions(net, node, notify);
  const users = networkUsers(net, vms);
  return (
    <div className="space-y-3">
      <div role="toolbar" aria-label="Network actions" className="flex flex-wrap gap-1">
        <button className={buttonClass} disabled={net.active} onClick={act.start}>
          {NETWORK_ACTION_LABELS.start}
        </button>
        <button className={buttonClass} disabled={!net.active} onClick={act.stop}>
          {NETWORK_ACTION_LABELS.stop}
        </button>
        <Checkbox
          className="ml-2 flex items-center gap-1"
          checked={net.autostart}
          onChange={act.autostart}
        >
          Start with the node
        </Checkbox>
        <span className="flex-1" />
        <button className={buttonClass} onClick={act.delete}>
          {NETWORK_ACTION_LABELS.delete}
        </button>
      </div>
      <Facts
        rows={[
          ['Name', net.name],
          ['State', net.active ? 'Active' : 'Inactive'],
          ['Bridge', net.bridge || '—'],
          ['Forward', FORWARD_WORDS[net.forward] ?? (net.forward || '—')],
          ['Autostart', net.autostart ? 'Yes' : 'No'],
          ['Used by', users.length ? listNames(users.map((u) => u.name)) : '—'],
        ]}
      />
    </div>
  );
}
