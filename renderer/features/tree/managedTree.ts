// A cluster its stack manages itself (Ganeti, Proxmox VE): Cluster > its member nodes as
// the stack lists them, with their roles > the VMs whose primary node each
// is (and, under a connected node of a stack with 'storage-api', its
// storages). A node Clusterdeck is connected to selects as that host (its
// General tab, Reconnect); the others are shown from the cluster's own list.
import type { Cluster, ManagedNode } from '../../../shared/cluster';
import type { Host, Inventory } from '../../../shared/model';
import { HOST_STATE_WORDS, percent } from '../../ui/format';
import { haVmSuffix } from './haTree';
import { byName, row, vmRow, type TreeRow } from './rows';

export const MANAGED_ROLE_WORDS: Readonly<Record<ManagedNode['role'], string>> = {
  master: 'Master',
  candidate: 'Master candidate',
  regular: 'Regular',
  drained: 'Drained',
  online: 'Online',
  offline: 'Offline',
  maintenance: 'Maintenance mode',
};

export function managedClusterDetail(c: Cluster, up: number, hosts: number): string {
  const n = c.managed?.nodes.length ?? 0;
  const link = up === hosts ? '' : `, ${up} of ${hosts} connections up`;
  return `${n} node${n === 1 ? '' : 's'}${link}`;
}

/** The Clusterdeck host that is this node (its host name, short or full). */
function hostOf(members: readonly Host[], node: string): Host | undefined {
  return members.find((h) => {
    const hn = h.info?.hostname;
    return !!hn && (hn === node || node.startsWith(`${hn}.`));
  });
}

export function managedNodeRows(
  inv: Inventory,
  c: Cluster,
  members: readonly Host[],
  isOpen: (key: string) => boolean,
): TreeRow[] {
  const rows: TreeRow[] = [];
  const memberIds = new Set(members.map((h) => h.id));
  const vms = Object.values(inv.vms).filter((v) => memberIds.has(v.hostId) && v.placement);
  for (const n of [...(c.managed?.nodes ?? [])].sort(byName)) {
    const host = hostOf(members, n.name);
    const key = `mnode:${c.id}:${n.name}`;
    const words = MANAGED_ROLE_WORDS[n.role];
    rows.push(
      row({
        key,
        level: 3,
        label: n.name,
        detail: host ? `${words}, ${HOST_STATE_WORDS[host.state].toLowerCase()}` : words,
        expandable: true,
        dropNode: n.name,
        ...(host ? { selection: { kind: 'host' as const, id: host.id } } : {}),
        managedNode: { clusterId: c.id, node: n.name },
        tone:
          n.role === 'offline'
            ? 'bad'
            : n.role === 'drained' || n.role === 'maintenance'
              ? 'warn'
              : 'ok',
      }),
    );
    if (!isOpen(key)) continue;
    for (const v of vms.filter((x) => x.placement?.primary === n.name).sort(byName)) {
      const p = v.placement!;
      const mirror = p.secondaries.length ? `, mirrored on ${p.secondaries.join(', ')}` : '';
      // A guest with a kind (Proxmox VE) shows that, not a disk template;
      // an HA guest its resource's state (", HA started").
      const placed = v.kind ? '' : ` · ${p.diskTemplate}${mirror}`;
      rows.push(vmRow(inv, v, 4, placed + haVmSuffix(inv, v)));
    }
    // The storages of the node Clusterdeck is connected to, where its cluster's API defines them.
    if (!host?.capabilities?.includes('storage-api')) continue;
    for (const p of Object.values(inv.pools)
      .filter((x) => x.hostId === host.id)
      .sort(byName))
      rows.push(
        row({
          key: `pool:${p.id}`,
          level: 4,
          label: p.name,
          detail: `storage, ${p.state === 'running' ? `${percent(p.allocation, p.capacity)}% used` : p.state}`,
          expandable: false,
          selection: { kind: 'pool', id: p.id },
          tone: p.state === 'running' ? 'ok' : 'muted',
        }),
      );
  }
  return rows;
}
