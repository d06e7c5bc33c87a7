// The menu of a managed cluster's node in the tree: where the cluster's
// hosts manage its nodes' roles (Ganeti: the node-roles capability) drain/undrain,
// offline/online, master failover and remove (each asks first, with the
// command); for a node Clusterdeck is connected to, Reconnect.
import { hasCapability } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { ganetiNodeActions } from '../clusters/ganetiNodeActions';
import { hostActions } from '../hosts/hostActions';
import { MenuItem, TreeMenu } from './TreeMenu';

export function GanetiNodeMenu({
  clusterId,
  node,
  hostId,
  x,
  y,
  onClose,
}: {
  clusterId: string;
  node: string;
  hostId: string | undefined;
  x: number;
  y: number;
  onClose: () => void;
}) {
  const cluster = useInventory((s) => s.inv.clusters[clusterId]);
  const host = useInventory((s) => (hostId ? s.inv.hosts[hostId] : undefined));
  const hosts = useInventory((s) => s.inv.hosts);
  const notify = useNotices((s) => s.push);
  const n = cluster?.managed?.nodes.find((x) => x.name === node);
  if (!cluster || !n) return null;
  // Node operations only where a host of the cluster offers them (never Ganeti's on another stack).
  const nodeOps = cluster.hostIds.some((id) => {
    const h = hosts[id];
    return !!h && hasCapability(h, 'node-roles');
  });
  const act = ganetiNodeActions(cluster, notify);
  const item = (label: string, op: Parameters<typeof act.op>[1], disabled = false) => (
    <MenuItem
      label={label}
      disabled={disabled}
      onSelect={() => void act.op(node, op)}
      onClose={onClose}
    />
  );
  const master = n.role === 'master';
  return (
    <TreeMenu name={`Actions for ${node}`} x={x} y={y} onClose={onClose}>
      {nodeOps && item('Master failover…', 'master-failover', n.role !== 'candidate')}
      {nodeOps &&
        (n.role === 'drained' ? item('Undrain…', 'undrain') : item('Drain…', 'drain', master))}
      {nodeOps &&
        (n.role === 'offline'
          ? item('Set online…', 'online')
          : item('Set offline…', 'offline', master))}
      {host && (
        <MenuItem
          label="Reconnect"
          onSelect={() => void hostActions(host, notify).reconnect()}
          onClose={onClose}
        />
      )}
      {!nodeOps && !host && (
        <MenuItem
          label="No actions for this node yet"
          disabled
          onSelect={() => {}}
          onClose={onClose}
        />
      )}
      {nodeOps && (
        <div role="separator" className="my-1 border-t border-slate-300 dark:border-slate-600" />
      )}
      {nodeOps && item('Remove node…', 'remove', master)}
    </TreeMenu>
  );
}

/** Add node items of a Ganeti cluster's menu: each added Ganeti node without a cluster. */
export function GanetiAddNodeItems({
  clusterId,
  onClose,
}: {
  clusterId: string;
  onClose: () => void;
}) {
  const cluster = useInventory((s) => s.inv.clusters[clusterId]);
  const hosts = useInventory((s) => s.inv.hosts);
  const notify = useNotices((s) => s.push);
  if (!cluster) return null;
  const act = ganetiNodeActions(cluster, notify);
  const lone = Object.values(hosts).filter(
    (h) => h.stack === 'ganeti' && hasCapability(h, 'cluster') && h.state === 'connected',
  );
  if (!lone.length)
    return (
      <MenuItem
        label="Add node… (add a Ganeti host first)"
        disabled
        onSelect={() => {}}
        onClose={onClose}
      />
    );
  return (
    <>
      {lone.map((h) => (
        <MenuItem
          key={h.id}
          label={`Add ${h.name} to the cluster…`}
          onSelect={() => void act.add({ hostId: h.id }, h.name)}
          onClose={onClose}
        />
      ))}
    </>
  );
}
