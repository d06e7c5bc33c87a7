// The node's and the pool's menus in the resource tree: the actions of the
// node's General tab and of the pool view's toolbar, through the same functions.
import { hasCapability } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { useNotices } from '../../state/notices';
import { useUi } from '../../state/ui';
import { hostActions } from '../hosts/hostActions';
import { askHostPower } from '../hosts/hostPower';
import { poolActions } from '../storage/poolActions';
import { useRun } from '../storage/poolRun';
import { askRemoveStorage } from '../storage/ApiPoolView';
import { MenuItem, TreeMenu } from './TreeMenu';

interface MenuProps {
  id: string;
  x: number;
  y: number;
  onClose: () => void;
}

export function HostContextMenu({ id, x, y, onClose }: MenuProps) {
  const host = useInventory((s) => s.inv.hosts[id]);
  const notify = useNotices((s) => s.push);
  if (!host) return null;
  const act = hostActions(host, notify);
  return (
    <TreeMenu name={`Actions for ${host.name}`} x={x} y={y} onClose={onClose}>
      <MenuItem label="Reconnect" onSelect={() => void act.reconnect()} onClose={onClose} />
      {hasCapability(host, 'networks') && (
        <MenuItem
          label="New network…"
          disabled={host.state !== 'connected'}
          onSelect={() => {
            // The wizard opens on the selected node.
            useUi.getState().select({ kind: 'host', id: host.id });
            useUi.getState().setWizard('new-network');
          }}
          onClose={onClose}
        />
      )}
      {host.state === 'connected' && (
        <>
          <MenuItem
            label="Reboot…"
            onSelect={() => void askHostPower(host, 'reboot', notify)}
            onClose={onClose}
          />
          <MenuItem
            label="Shut down…"
            onSelect={() => void askHostPower(host, 'shutdown', notify)}
            onClose={onClose}
          />
        </>
      )}
      {/* Last, away from the everyday actions. */}
      <MenuItem label="Remove host…" onSelect={act.remove} onClose={onClose} />
    </TreeMenu>
  );
}

export function PoolContextMenu({ id, x, y, onClose }: MenuProps) {
  const pool = useInventory((s) => s.inv.pools[id]);
  const node = useInventory((s) => (pool && s.inv.hosts[pool.hostId]?.name) || 'its node');
  const run = useRun();
  const ask = useUi((s) => s.askConfirm);
  const apiStorage = useInventory((s) => {
    const host = pool && s.inv.hosts[pool.hostId];
    return !!host && hasCapability(host, 'storage-api');
  });
  const notify = useNotices((s) => s.push);
  if (!pool) return null;
  if (apiStorage)
    return (
      <TreeMenu name={`Actions for ${pool.name}`} x={x} y={y} onClose={onClose}>
        <MenuItem
          label="Remove storage…"
          onSelect={() => askRemoveStorage(pool, ask, notify)}
          onClose={onClose}
        />
      </TreeMenu>
    );
  const act = poolActions(pool, node, run, ask);
  const running = pool.state === 'running';
  return (
    <TreeMenu name={`Actions for ${pool.name}`} x={x} y={y} onClose={onClose}>
      <MenuItem label="Start pool" disabled={running} onSelect={act.start} onClose={onClose} />
      <MenuItem label="Stop pool" disabled={!running} onSelect={act.stop} onClose={onClose} />
      <MenuItem label="Refresh" disabled={!running} onSelect={act.refresh} onClose={onClose} />
      <div role="separator" className="my-1 border-t border-slate-300 dark:border-slate-600" />
      <MenuItem label="Remove pool…" onSelect={act.remove} onClose={onClose} />
      <MenuItem label="Delete pool…" onSelect={act.delete} onClose={onClose} />
    </TreeMenu>
  );
}
