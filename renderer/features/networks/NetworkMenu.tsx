// A network's context menu (the tree's network items, the node's Networking
// tab): the actions of its view, through the same functions.
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { MenuItem, TreeMenu } from '../tree/TreeMenu';
import { NETWORK_ACTION_LABELS, networkActions } from './networkActions';

export function NetworkContextMenu({
  id,
  x,
  y,
  onClose,
}: {
  id: string;
  x: number;
  y: number;
  onClose: () => void;
}) {
  const net = useInventory((s) => s.inv.networks[id]);
  const node = useInventory((s) => (net && s.inv.hosts[net.hostId]?.name) || 'its node');
  const notify = useNotices((s) => s.push);
  if (!net) return null;
  const act = networkActions(net, node, notify);
  return (
    <TreeMenu name={`Actions for ${net.name}`} x={x} y={y} onClose={onClose}>
      <MenuItem
        label={NETWORK_ACTION_LABELS.start}
        disabled={net.active}
        onSelect={act.start}
        onClose={onClose}
      />
      <MenuItem
        label={NETWORK_ACTION_LABELS.stop}
        disabled={!net.active}
        onSelect={act.stop}
        onClose={onClose}
      />
      <MenuItem
        label={NETWORK_ACTION_LABELS[net.autostart ? 'no-autostart' : 'autostart']}
        onSelect={() => act.autostart(!net.autostart)}
        onClose={onClose}
      />
      <div role="separator" className="my-1 border-t border-slate-300 dark:border-slate-600" />
      <MenuItem label={NETWORK_ACTION_LABELS.delete} onSelect={act.delete} onClose={onClose} />
    </TreeMenu>
  );
}
