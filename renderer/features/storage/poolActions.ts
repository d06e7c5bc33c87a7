// The pool's actions as plain functions, shared by the pool view's toolbar
// (PoolActions) and the pool's menu in the resource tree, so both ask the
// same questions and call the same backend methods.
import type { StoragePool } from '../../../shared/model';
import type { Confirm } from '../../state/ui';
import type { useRun } from './poolRun';

export function poolActions(
  pool: StoragePool,
  node: string,
  run: ReturnType<typeof useRun>,
  ask: (c: Confirm) => void,
) {
  return {
    start: () => void run.pool({ poolId: pool.id, action: 'start' }),
    stop: () =>
      ask({
        title: `Stop ${pool.name} on ${node}?`,
        body: 'Guests using its volumes lose their disks until it runs again. The data stays.',
        confirmLabel: 'Stop pool',
        onConfirm: () => void run.pool({ poolId: pool.id, action: 'stop' }),
      }),
    refresh: () => void run.pool({ poolId: pool.id, action: 'refresh' }),
    remove: () =>
      ask({
        title: `Remove ${pool.name} from ${node}?`,
        body: `libvirt forgets the pool (it is stopped first). Its data and volumes stay where they are; define the pool again to use them.`,
        confirmLabel: 'Remove pool',
        onConfirm: () => void run.pool({ poolId: pool.id, action: 'undefine' }),
      }),
    delete: () =>
      ask({
        title: `Delete ${pool.name} and its storage on ${node}?`,
        body: `The pool is stopped, its storage deleted (for a directory pool: the directory, which must be empty; for LVM: the volume group) and its definition removed. This cannot be undone.`,
        confirmLabel: 'Delete pool',
        onConfirm: () => void run.pool({ poolId: pool.id, action: 'delete' }),
      }),
  };
}
