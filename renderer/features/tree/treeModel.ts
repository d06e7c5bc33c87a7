// The resource tree as a flat list of visible rows (the ARIA tree pattern
// with aria-level), derived from the inventory and the expanded set.
import type { Capability, Host, Inventory } from '../../../shared/model';
import type { Selection } from '../../state/ui';
import { HOST_STATE_WORDS, percent } from '../../ui/format';
import { haClusterSuffix, haHostSuffix, haVmSuffix } from './haTree';
import { managedClusterDetail, managedNodeRows } from './managedTree';
import { byName, row, vmRow, type TreeRow } from './rows';

export type { TreeRow } from './rows';

export function buildRows(
  inv: Inventory,
  isOpen: (key: string) => boolean,
  now: number,
): TreeRow[] {
  const rows: TreeRow[] = [];
  rows.push(
    row({
      key: 'root',
      level: 1,
      label: 'Clusterdeck',
      detail: '',
      expandable: true,
      selection: { kind: 'root' },
      tone: 'muted',
    }),
  );
  if (!isOpen('root')) return rows;
  // Clusters first, each with its nodes under it; nodes in no cluster follow.
  const clustered = new Set<string>();
  for (const c of Object.values(inv.clusters).sort(byName)) {
    const members = c.hostIds.map((id) => inv.hosts[id]).filter((h) => !!h);
    members.forEach((h) => clustered.add(h.id));
    const up = members.filter((h) => h.state === 'connected').length;
    const ck = `cluster:${c.id}`;
    rows.push(
      row({
        key: ck,
        level: 2,
        label: c.name,
        detail: c.managed
          ? managedClusterDetail(c, up, members.length)
          : `${up} of ${members.length} nodes connected${haClusterSuffix(c)}`,
        expandable: true,
        selection: { kind: 'cluster', id: c.id },
        tone: up === members.length ? 'ok' : up > 0 ? 'warn' : 'bad',
      }),
    );
    if (isOpen(ck) && c.managed) rows.push(...managedNodeRows(inv, c, members, isOpen));
    else if (isOpen(ck))
      for (const h of members.sort(byName)) rows.push(...hostRows(inv, h, 3, isOpen, now));
  }
  for (const h of Object.values(inv.hosts).sort(byName)) {
    if (!clustered.has(h.id)) rows.push(...hostRows(inv, h, 2, isOpen, now));
  }
  return rows;
}

/** A node's row, and when open its VMs, storage pools and networks one and two levels down. */
function hostRows(
  inv: Inventory,
  h: Host,
  level: number,
  isOpen: (key: string) => boolean,
  now: number,
): TreeRow[] {
  const rows: TreeRow[] = [];
  let detail =
    HOST_STATE_WORDS[h.state] + (h.maintenance ? ', maintenance' : '') + haHostSuffix(inv, h.id);
  // A Ganeti node in no cluster yet (New Cluster or a cluster's Add node takes it in).
  if (h.stack === 'ganeti' && h.capabilities?.includes('cluster')) detail += ', Ganeti, no cluster';
  if (h.retryAt && h.retryAt > now && h.state !== 'connected') {
    detail += `, retrying in ${Math.ceil((h.retryAt - now) / 1000)} s`;
  }
  const tone = h.state === 'connected' ? 'ok' : h.state === 'connecting' ? 'warn' : 'bad';
  const hk = `host:${h.id}`;
  // Only the groups the node's driver can fill (a Ganeti node without a
  // cluster has none); a node not connected yet shows them all.
  const has = (c: Capability) => !h.capabilities || h.capabilities.includes(c);
  const shown = { vms: has('inventory'), pools: has('storage'), nets: has('networks') };
  rows.push(
    row({
      key: hk,
      level,
      label: h.name,
      detail,
      expandable: shown.vms || shown.pools || shown.nets,
      selection: { kind: 'host', id: h.id },
      tone,
    }),
  );
  if (!isOpen(hk)) return rows;
  const groups = [
    {
      kind: 'vms' as const,
      key: `${hk}:vms`,
      label: 'VMs',
      items: Object.values(inv.vms)
        .filter((v) => v.hostId === h.id)
        .sort(byName)
        .map((v) => vmRow(inv, v, level + 2, haVmSuffix(inv, v))),
    },
    {
      kind: 'pools' as const,
      key: `${hk}:pools`,
      label: 'Storage pools',
      items: Object.values(inv.pools)
        .filter((p) => p.hostId === h.id)
        .sort(byName)
        .map((p) =>
          row({
            key: `pool:${p.id}`,
            level: level + 2,
            label: p.name,
            detail:
              p.state === 'running' ? `${percent(p.allocation, p.capacity)}% used` : 'inactive',
            expandable: false,
            selection: { kind: 'pool', id: p.id },
            tone: p.state === 'running' ? 'ok' : 'muted',
          }),
        ),
    },
    {
      kind: 'nets' as const,
      key: `${hk}:nets`,
      label: 'Networks',
      items: Object.values(inv.networks)
        .filter((n) => n.hostId === h.id)
        .sort(byName)
        .map((n) =>
          row({
            key: `net:${n.id}`,
            level: level + 2,
            label: n.name,
            detail: n.active ? 'active' : 'inactive',
            expandable: false,
            selection: { kind: 'net', id: n.id },
            tone: n.active ? 'ok' : 'muted',
          }),
        ),
    },
  ];
  for (const g of groups.filter((x) => shown[x.kind])) {
    rows.push(
      row({
        key: g.key,
        level: level + 1,
        label: g.label,
        detail: '',
        expandable: true,
        tone: 'muted',
      }),
    );
    if (isOpen(g.key)) rows.push(...g.items);
  }
  return rows;
}

export function selectionKey(s: Selection): string {
  return s.kind === 'root' ? 'root' : `${s.kind}:${s.id}`;
}
