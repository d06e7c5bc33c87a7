import type { Network, StoragePool } from '../../../shared/model';
import { formatBytes, percent } from '../format';
import { Facts, Table } from './Facts';

export function PoolGeneral({ pool }: { pool: StoragePool }) {
  const used = percent(pool.allocation, pool.capacity);
  return (
    <div className="space-y-4">
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
      <Table
        caption="Volumes"
        head={['Name', 'Type', 'Capacity', 'Allocation', 'Path']}
        rows={pool.volumes.map((v) => [
          v.name,
          v.type,
          formatBytes(v.capacity),
          formatBytes(v.allocation),
          v.path,
        ])}
      />
    </div>
  );
}

export function NetworkGeneral({ net }: { net: Network }) {
  return (
    <Facts
      rows={[
        ['Name', net.name],
        ['State', net.active ? 'Active' : 'Inactive'],
        ['Bridge', net.bridge || '—'],
        ['Forward', net.forward || '—'],
        ['Autostart', net.autostart ? 'Yes' : 'No'],
      ]}
    />
  );
}
