// The cluster's Ceph on its General tab: health, one line per health check,
// monitors, OSDs up/in, pools with their usage. Read when the tab opens and on
// Refresh (never in the few-seconds poll); a cluster without Ceph shows
// nothing. Shown where a member's capabilities include 'ceph-status'.
import { useEffect, useState } from 'react';
import type { Cluster } from '../../../shared/cluster';
import type { CephStatus } from '../../../shared/pve-cluster';
import { formatBytes } from '../../../shared/units';
import { errorMessage } from '../../api/bridge';
import { api } from '../../api/backend';
import { buttonClass } from '../../ui/Dialog';
import { Facts } from '../../ui/Facts';

const HEALTH_CLASS: Record<string, string> = {
  HEALTH_OK: 'text-green-700 dark:text-green-400',
  HEALTH_WARN: 'text-amber-700 dark:text-amber-400',
  HEALTH_ERR: 'text-red-700 dark:text-red-400',
};

export function CephSection({ cluster }: { cluster: Cluster }) {
  const [status, setStatus] = useState<CephStatus | { error: string }>();
  const read = () => {
    api
      .cephStatus({ clusterId: cluster.id })
      .then(setStatus, (e: unknown) => setStatus({ error: errorMessage(e) }));
  };
  useEffect(read, [cluster.id]);
  if (!status || ('none' in status && status.none)) return null;
  return (
    <section aria-label="Ceph" className="space-y-2">
      <div className="flex items-center gap-2">
        <h3 className="font-medium">Ceph</h3>
        <button className={buttonClass} onClick={read}>
          Refresh
        </button>
      </div>
      {'error' in status ? (
        <p role="alert" className="text-red-700 dark:text-red-400">
          Reading the Ceph status failed: {status.error}
        </p>
      ) : (
        <>
          <Facts
            rows={[
              [
                'Health',
                <span key="h" className={HEALTH_CLASS[status.health] ?? ''}>
                  {status.health}
                </span>,
              ],
              ['Monitors', status.monitors.join(', ') || 'None in quorum'],
              ['OSDs', `${status.osds.up} up, ${status.osds.in} in, of ${status.osds.total}`],
              [
                'Pools',
                status.pools
                  .map(
                    (p) => `${p.name} (${formatBytes(p.used)}, ${(p.fraction * 100).toFixed(1)} %)`,
                  )
                  .join(', ') || 'None',
              ],
            ]}
          />
          {status.problems.length > 0 && (
            <ul aria-label="Ceph health checks" className="list-disc pl-5 text-sm">
              {status.problems.map((p) => (
                <li key={p.check}>
                  {p.check}: {p.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
