// Reading the two answers the whole cluster's view comes from:
// `GET /cluster/resources` (every node, guest, storage, pool and SDN zone,
// one list) and `GET /cluster/status` (the cluster's name and quorum, each
// node's id, address and whether it is online). Fields as Proxmox VE's API
// schema names them (pve-docs api-viewer); the JSON is read leniently,
// because pveproxy prints booleans as 0/1 and some versions numbers as
// strings ("vmid": "103"), and a field a type does not have is absent.
import type { VmState } from '../../../shared/model';

/** A cluster node as /cluster/resources lists it (type "node"). */
export interface PveNodeResource {
  name: string;
  /** online, offline or unknown. */
  status: string;
  online: boolean;
  cpus: number;
  /** CPU use, 0..1 of all its CPUs. */
  cpu: number;
  memTotal: number;
  memUsed: number;
  uptime: number;
}

/** A guest (type "qemu" or "lxc"). */
export interface PveGuest {
  kind: 'qemu' | 'lxc';
  vmid: number;
  node: string;
  /** Its name; Proxmox's own default ("VM 100", "CT100") when the answer has none. */
  name: string;
  /** Proxmox's word: running, stopped, paused, unknown (its node offline). */
  status: string;
  state: VmState;
  template: boolean;
  /** The HA manager's state of the guest (started, stopped, error, …); absent when not HA. */
  hastate?: string;
  /** A config lock held by an operation (backup, migrate, snapshot, …). */
  lock?: string;
  tags: string[];
  pool?: string;
  cpus: number;
  cpu: number;
  memTotal: number;
  memUsed: number;
  diskTotal: number;
  diskUsed: number;
  uptime: number;
}

/** A storage as one node sees it (type "storage"): shared ones are listed once per node. */
export interface PveStorage {
  storage: string;
  node: string;
  /** The storage plugin: dir, nfs, cifs, lvm, lvmthin, zfspool, rbd, cephfs, … */
  type: string;
  content: string[];
  shared: boolean;
  /** available, unknown (not active on that node), … */
  status: string;
  total: number;
  used: number;
}

export interface PveSdnZone {
  sdn: string;
  node: string;
  status: string;
}

export interface PveResources {
  nodes: PveNodeResource[];
  guests: PveGuest[];
  storages: PveStorage[];
  /** Resource pools by name (type "pool"). */
  pools: string[];
  sdn: PveSdnZone[];
}

export interface PveStatusNode {
  name: string;
  nodeid: number;
  ip: string;
  online: boolean;
  /** The node that answered. */
  local: boolean;
}

export interface PveClusterStatus {
  /** The cluster's name; absent on a node that is in no cluster. */
  cluster?: { name: string; quorate: boolean; nodeCount: number; configVersion: number };
  nodes: PveStatusNode[];
  /** Nodes HA has in maintenance mode (read from /cluster/ha/status/current beside it). */
  maintenance?: readonly string[];
}

type Row = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
};
const bool = (v: unknown): boolean => v === true || v === 1 || v === '1';
const opt = (v: unknown): string | undefined => str(v) || undefined;

function rows(data: unknown, what: string): Row[] {
  if (!Array.isArray(data)) throw new Error(`${what} is not a list: ${JSON.stringify(data)}`);
  return data.filter((r): r is Row => !!r && typeof r === 'object');
}

/** Proxmox's guest status in the app's VM states. */
export function guestState(status: string): VmState {
  switch (status) {
    case 'running':
      return 'running';
    case 'stopped':
      return 'shutoff';
    case 'paused':
      return 'paused';
    case 'suspended': // hibernated to disk (qm suspend --todisk)
      return 'pmsuspended';
    default: // unknown: the node holding it is offline
      return 'unknown';
  }
}

/**
 * A list as Proxmox VE writes one into a config or an answer: tags (`;`),
 * vmids, HA nodes and resources, a storage's content (`,`); any of `,`, `;`
 * or spaces separates, since older releases and hand edits mix them.
 * Empties dropped.
 */
export function splitList(text: string): string[] {
  return text.split(/[,;\s]+/).filter(Boolean);
}

function guest(r: Row, kind: 'qemu' | 'lxc'): PveGuest {
  const vmid = num(r.vmid) || num(str(r.id).split('/')[1]);
  const status = str(r.status) || 'unknown';
  const hastate = opt(r.hastate);
  const lock = opt(r.lock);
  const pool = opt(r.pool);
  return {
    kind,
    vmid,
    node: str(r.node),
    name: str(r.name) || (kind === 'qemu' ? `VM ${vmid}` : `CT${vmid}`),
    status,
    state: guestState(status),
    template: bool(r.template),
    ...(hastate ? { hastate } : {}),
    ...(lock ? { lock } : {}),
    tags: splitList(str(r.tags)),
    ...(pool ? { pool } : {}),
    cpus: num(r.maxcpu),
    cpu: num(r.cpu),
    memTotal: num(r.maxmem),
    memUsed: num(r.mem),
    diskTotal: num(r.maxdisk),
    diskUsed: num(r.disk),
    uptime: num(r.uptime),
  };
}

/** The `data` of GET /cluster/resources (any `type` filter). */
export function parseClusterResources(data: unknown): PveResources {
  const out: PveResources = { nodes: [], guests: [], storages: [], pools: [], sdn: [] };
  for (const r of rows(data, '/cluster/resources')) {
    switch (r.type) {
      case 'node': {
        const status = str(r.status) || 'unknown';
        out.nodes.push({
          name: str(r.node) || str(r.id).replace(/^node\//, ''),
          status,
          online: status === 'online',
          cpus: num(r.maxcpu),
          cpu: num(r.cpu),
          memTotal: num(r.maxmem),
          memUsed: num(r.mem),
          uptime: num(r.uptime),
        });
        break;
      }
      case 'qemu':
      case 'lxc':
        out.guests.push(guest(r, r.type));
        break;
      case 'storage':
        out.storages.push({
          storage: str(r.storage) || str(r.id).split('/')[2] || '',
          node: str(r.node),
          type: str(r.plugintype),
          content: str(r.content).split(',').filter(Boolean),
          shared: bool(r.shared),
          status: str(r.status) || 'unknown',
          total: num(r.maxdisk),
          used: num(r.disk),
        });
        break;
      case 'pool':
        out.pools.push(str(r.pool) || str(r.id).replace(/^pool\//, ''));
        break;
      case 'sdn':
        out.sdn.push({
          sdn: str(r.sdn) || str(r.id).split('/')[2] || '',
          node: str(r.node),
          status: str(r.status),
        });
        break;
      default: // openvz (gone since PVE 4), network (PVE 9's fabrics): not shown yet
        break;
    }
  }
  return out;
}

/** The `data` of GET /cluster/status. */
export function parseClusterStatus(data: unknown): PveClusterStatus {
  const out: PveClusterStatus = { nodes: [] };
  for (const r of rows(data, '/cluster/status')) {
    if (r.type === 'cluster') {
      out.cluster = {
        name: str(r.name),
        quorate: bool(r.quorate),
        nodeCount: num(r.nodes),
        configVersion: num(r.version),
      };
    } else if (r.type === 'node') {
      out.nodes.push({
        name: str(r.name),
        nodeid: num(r.nodeid),
        ip: str(r.ip),
        online: bool(r.online),
        local: bool(r.local),
      });
    }
  }
  return out;
}
