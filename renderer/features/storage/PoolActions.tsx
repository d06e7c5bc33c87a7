// The pool's own actions: start, stop, autostart, refresh, delete.
import type { StoragePool } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { Checkbox } from '../../ui/forms';
import { useRun } from './poolRun';

export function PoolActions({ pool }: { pool: StoragePool }) {
  const run = useRun();
  const node = useInventory((s) => s.inv.hosts[pool.hostId]?.name ?? 'its node');
  const running = pool.state === 'running';
  const ask = useUi((s) => s.askConfirm);
  return (
    <div role="toolbar" aria-label="Pool actions" className="flex flex-wrap gap-1">
      <button
        className={buttonClass}
        disabled={running}
        onClick={() => void run.pool({ poolId: pool.id, action: 'start' })}
      >
        Start pool
      </button>
      <button
        className={buttonClass}
        disabled={!running}
        onClick={() =>
          ask({
            title: `Stop ${pool.name} on ${node}?`,
            body: 'Guests using its volumes lose their disks until it runs again. The data stays.',
            confirmLabel: 'Stop pool',
            onConfirm: () => void run.pool({ poolId: pool.id, action: 'stop' }),
          })
        }
      >
        Stop pool
      </button>
      <button
        className={buttonClass}
        disabled={!running}
        onClick={() => void run.pool({ poolId: pool.id, action: 'refresh' })}
      >
        Refresh
      </button>
      <Checkbox
        className="ml-2 flex items-center gap-1"
        checked={pool.autostart}
        onChange={(on) =>
          void run.pool({
            poolId: pool.id,
            action: on ? 'autostart' : 'no-autostart',
          })
        }
      >
        Start with the node
      </Checkbox>
      <span className="flex-1" />
      <button
        className={buttonClass}
        onClick={() =>
          ask({
            title: `Remove ${pool.name} from ${node}?`,
            body: `libvirt forgets the pool (it is stopped first). Its data and volumes stay where they are; define the pool again to use them.`,
            confirmLabel: 'Remove pool',
            onConfirm: () => void run.pool({ poolId: pool.id, action: 'undefine' }),
          })
        }
      >
        Remove pool…
      </button>
      <button
        className={buttonClass}
        onClick={() =>
          ask({
            title: `Delete ${pool.name} and its storage on ${node}?`,
            body: `The pool is stopped, its storage deleted (for a directory pool: the directory, which must be empty; for LVM: the volume group) and its definition removed. This cannot be undone.`,
            confirmLabel: 'Delete pool',
            onConfirm: () => void run.pool({ poolId: pool.id, action: 'delete' }),
          })
        }
      >
        Delete pool…
      </button>
    </div>
  );
}
