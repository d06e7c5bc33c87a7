// A cluster's storage as the backend finds it (shared pools tested with a
// marker file, counted once; each member's own), asked again when the
// members' pools change.
import { useEffect, useState } from 'react';
import type { ClusterStorage } from '../../../shared/cluster-storage';
import { api } from '../../api/backend';
import { useInventory } from '../../state/inventory';

export function useClusterStorage(
  clusterId: string,
  memberIds: ReadonlySet<string>,
): ClusterStorage | undefined {
  const pools = useInventory((s) => s.inv.pools);
  const hosts = useInventory((s) => s.inv.hosts);
  // What the answer depends on: the members' pools, their state and free space, and who is connected.
  const key = [
    ...Object.values(pools)
      .filter((p) => memberIds.has(p.hostId))
      .map((p) => `${p.id}:${p.state}:${p.available}:${p.targetPath}`),
    ...[...memberIds].map((id) => `${id}:${hosts[id]?.state}`),
  ]
    .sort()
    .join('|');
  const [storage, setStorage] = useState<ClusterStorage | undefined>();
  useEffect(() => {
    let stopped = false;
    api.readClusterStorage({ clusterId }).then(
      (s) => !stopped && setStorage(s),
      () => !stopped && setStorage(undefined),
    );
    return () => {
      stopped = true;
    };
  }, [clusterId, key]);
  return storage;
}
