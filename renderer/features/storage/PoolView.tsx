// A storage pool's General tab: facts, usage, pool actions, and its volumes
// with create, resize, clone and delete. Every change runs as a task.
import { hasCapability, type StoragePool } from '../../../shared/model';
import { useInventory } from '../../state/inventory';
import { ApiPoolView } from './ApiPoolView';
import { Facts } from '../../ui/Facts';
import { formatBytes, percent } from '../../ui/format';
import { PoolActions } from './PoolActions';
import { Upload } from './UploadForm';
import { Volumes } from './VolumesTable';

export function PoolView({ pool }: { pool: StoragePool }) {
  // A storage the cluster's API defines has its own actions and upload choices.
  const apiStorage = useInventory((s) => {
    const host = s.inv.hosts[pool.hostId];
    return !!host && hasCapability(host, 'storage-api');
  });
  if (apiStorage) return <ApiPoolView pool={pool} />;
  return <NodePoolView pool={pool} />;
}

function NodePoolView({ pool }: { pool: StoragePool }) {
  const used = percent(pool.allocation, pool.capacity);
  return (
    <div className="space-y-4">
      <PoolActions pool={pool} />
      <Facts
        rows={[
          ['Name', pool.name],
          ['Type', pool.type],
          ['State', pool.state],
          ['Autostart', pool.autostart ? 'Yes' : 'No'],
          ['Capacity', formatBytes(pool.capacity)],
          ['Allocation', formatBytes(pool.allocation)],
          ['Available', formatBytes(pool.available)],
        ]}
      />
      <div
        role="progressbar"
        aria-label={`${pool.name} usage`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={used}
        className="h-3 w-80 overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
      >
        <div
          className={`h-full ${used > 90 ? 'bg-red-500' : 'bg-sky-600'}`}
          style={{ width: `${used}%` }}
        />
      </div>
      <Volumes pool={pool} />
      <Upload pool={pool} />
    </div>
  );
}
