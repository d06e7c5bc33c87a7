// The pool's own actions: start, stop, autostart, refresh, delete.
import type { StoragePool } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { useUi } from '../../state/ui';
import { buttonClass } from '../../ui/Dialog';
import { Checkbox } from '../../ui/forms';
import { poolActions } from './poolActions';
import { useRun } from './poolRun';

export function PoolActions({ pool }: { pool: StoragePool }) {
  const run = useRun();
  const node = useInventory((s) => s.inv.hosts[pool.hostId]?.name ?? 'its node');
  const running = pool.state === 'running';
  const ask = useUi((s) => s.askConfirm);
  const act = poolActions(pool, node, run, ask);
  return (
    <div role="toolbar" aria-label="Pool actions" className="flex flex-wrap gap-1">
      <button className={buttonClass} disabled={running} onClick={act.start}>
        Start pool
      </button>
      <button className={buttonClass} disabled={!running} onClick={act.stop}>
        Stop pool
      </button>
      <button className={buttonClass} disabled={!running} onClick={act.refresh}>
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
      <button className={buttonClass} onClick={act.remove}>
        Remove pool…
      </button>
      <button className={buttonClass} onClick={act.delete}>
        Delete pool…
      </button>
    </div>
  );
}
