// The root's and a cluster's menus in the resource tree: the toolbar's Add Host
// and New Cluster, and the cluster General tab's Remove actions, through the
// same functions (clusterActions), so each still shows its plan and asks first.
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { clusterActions } from '../clusters/clusterActions';
import { GanetiAddNodeItems } from './GanetiNodeMenu';
import { MenuItem, TreeMenu } from './TreeMenu';

interface MenuProps {
  x: number;
  y: number;
  onClose: () => void;
}

export function RootContextMenu({ x, y, onClose }: MenuProps) {
  return (
    <TreeMenu name="Actions for Clusterdeck" x={x} y={y} onClose={onClose}>
      <MenuItem
        label="Add Host…"
        onSelect={() => useUi.getState().setAddHostOpen(true)}
        onClose={onClose}
      />
      <MenuItem
        label="New Cluster…"
        onSelect={() => useUi.getState().setWizard('new-cluster')}
        onClose={onClose}
      />
    </TreeMenu>
  );
}

export function ClusterContextMenu({ id, x, y, onClose }: MenuProps & { id: string }) {
  const cluster = useInventory((s) => s.inv.clusters[id]);
  const hosts = useInventory((s) => s.inv.hosts);
  const notify = useNotices((s) => s.push);
  if (!cluster) return null;
  if (cluster.managed?.stack === 'ganeti')
    return (
      <TreeMenu name={`Actions for ${cluster.name}`} x={x} y={y} onClose={onClose}>
        <GanetiAddNodeItems clusterId={cluster.id} onClose={onClose} />
      </TreeMenu>
    );
  const act = clusterActions(cluster, notify);
  const members = cluster.hostIds.map((h) => hosts[h]).filter((h) => !!h);
  return (
    <TreeMenu name={`Actions for ${cluster.name}`} x={x} y={y} onClose={onClose}>
      {members.map((h) => (
        <MenuItem
          key={h.id}
          label={`Remove ${h.name} from the cluster…`}
          onSelect={() => void act.removeNode(h.id, h.name)}
          onClose={onClose}
        />
      ))}
      <div role="separator" className="my-1 border-t border-slate-300 dark:border-slate-600" />
      <MenuItem label="Remove cluster…" onSelect={() => void act.remove()} onClose={onClose} />
    </TreeMenu>
  );
}
