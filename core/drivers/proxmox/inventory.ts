// The cluster's view (parse.ts) as the app's inventory: a cluster the stack
// manages itself (Cluster > its nodes > the guests on each, as Ganeti's),
// guests as VMs with their kind (a container is shown as one), and the
// storages the connected node sees as its pools. A vmid is cluster-wide and
// stays with a guest that moves, so guest ids are scoped by the cluster (or,
// for a node in no cluster, by the node's name), never by the host.
import type { Cluster, ManagedNode } from '../../../shared/cluster';
import type { StoragePool, Vm } from '../../../shared/model';
import { VM_ACTIONS, type VmAction } from '../../../shared/vm-actions';
import { vmTagSchema } from '../../../shared/tags';
import type { PveClusterStatus, PveGuest, PveResources, PveStorage } from './parse';

const MiB = 1024 * 1024;

export const pveClusterId = (name: string): string => `proxmox:${name}`;

/** The node that answered /cluster/status ("local": 1). */
export function localNode(status: PveClusterStatus): string | undefined {
  return (
    status.nodes.find((n) => n.local)?.name ??
    (status.nodes.length === 1 ? status.nodes[0]!.name : undefined)
  );
}

/** What guest ids are scoped by: the cluster, or a lone node by its name. */
export function pveScope(status: PveClusterStatus): string {
  if (status.cluster) return pveClusterId(status.cluster.name);
  const node = localNode(status);
  if (!node) throw new Error('/cluster/status names neither a cluster nor the node that answered.');
  return `proxmox:node:${node}`;
}

export const guestId = (scope: string, vmid: number): string => `${scope}:vm:${vmid}`;

/**
 * The lifecycle actions of each kind of guest. A VM has them all (pause and
 * resume are qemu's status/suspend and status/resume). A container has no
 * pause: PVE's lxc status/suspend is "experimental" in its own schema (a CRIU
 * checkpoint that fails for most containers), so it is not offered.
 */
export const GUEST_ACTIONS: Readonly<Record<'qemu' | 'lxc', readonly VmAction[]>> = {
  qemu: VM_ACTIONS,
  lxc: VM_ACTIONS.filter((a) => a !== 'suspend' && a !== 'resume'),
};

/** A guest as the app's VM; what only its config says (disks, NICs) comes with a later read. */
export function guestToVm(g: PveGuest, hostId: string, scope: string): Vm {
  // Proxmox allows tags the app's tag rule does not ("a+b"); those stay
  // Proxmox's own and are not shown as the app's tags.
  const tags = g.tags.filter((t) => vmTagSchema.safeParse(t).success);
  return {
    id: guestId(scope, g.vmid),
    hostId,
    // Proxmox's identity of a guest is its vmid in its cluster.
    uuid: `${scope}:${g.vmid}`,
    name: g.name,
    kind: g.kind === 'lxc' ? 'container' : 'vm',
    actions: [...GUEST_ACTIONS[g.kind]],
    state: g.template ? 'shutoff' : g.state,
    vcpus: g.cpus,
    memoryKiB: Math.round(g.memTotal / 1024),
    autostart: false,
    persistent: true,
    disks: [],
    nics: [],
    graphics: [],
    textConsoles: [],
    ...(tags.length ? { tags } : {}),
    placement: {
      primary: g.node,
      secondaries: [],
      diskTemplate: g.kind === 'lxc' ? 'container' : 'vm',
      os: '',
    },
  };
}

/**
 * The cluster entity: its members as the cluster lists them (online or not,
 * from /cluster/status; CPUs and memory from /cluster/resources) and its
 * quorum. Proxmox clusters have no master: every node serves the API.
 */
export function pveCluster(
  status: PveClusterStatus,
  resources: PveResources,
  hostIds: readonly string[],
): Cluster | undefined {
  if (!status.cluster) return undefined;
  const byName = new Map(resources.nodes.map((n) => [n.name, n]));
  const names = new Set([...status.nodes.map((n) => n.name), ...byName.keys()]);
  const nodes: ManagedNode[] = [...names].sort().map((name) => {
    const r = byName.get(name);
    const s = status.nodes.find((n) => n.name === name);
    const online = s ? s.online : !!r?.online;
    return {
      name,
      // Proxmox nodes have no roles (no master): online, offline or in HA maintenance.
      role: !online ? 'offline' : status.maintenance?.includes(name) ? 'maintenance' : 'online',
      cpus: r?.cpus ?? 0,
      memoryTotalMiB: Math.round((r?.memTotal ?? 0) / MiB),
      memoryFreeMiB: Math.round(((r?.memTotal ?? 0) - (r?.memUsed ?? 0)) / MiB),
    };
  });
  return {
    id: pveClusterId(status.cluster.name),
    name: status.cluster.name,
    hostIds: [...hostIds],
    managed: { stack: 'proxmox', master: '', nodes, quorate: status.cluster.quorate },
  };
}

/** The storages one node sees, as that host's pools (volumes come with a later read). */
export function nodeStorages(
  resources: PveResources,
  node: string,
  hostId: string,
  scope: string,
): StoragePool[] {
  return resources.storages
    .filter((s) => s.node === node)
    .map((s) => storagePool(s, hostId, scope));
}

function storagePool(s: PveStorage, hostId: string, scope: string): StoragePool {
  // A shared storage is one storage cluster-wide: the same uuid from every node.
  const uuid = s.shared
    ? `${scope}:storage:${s.storage}`
    : `${scope}:storage:${s.node}:${s.storage}`;
  return {
    id: `${scope}:pool:${s.node}:${s.storage}`,
    hostId,
    uuid,
    name: s.storage,
    type: s.type,
    // Active on that node: what the app calls a running pool (uploads go there).
    state: s.status === 'available' ? 'running' : s.status,
    autostart: true,
    capacity: s.total,
    allocation: s.used,
    available: Math.max(0, s.total - s.used),
    targetPath: '',
    volumes: [],
  };
}
