// The simulated cluster's state: nodes, guests (qemu + lxc) with their
// configs and config digests, storages. Values are shaped like a small
// three-node PVE cluster's answers (see schema/README.md for where they come
// from); everything a handler returns is checked against the schema anyway.
import { createHash } from 'node:crypto';
import type { StorageLab } from './storage-lab';
import type { BackupState } from './backups';

export type GuestKind = 'qemu' | 'lxc';
export type ConfigValue = string | number;

export interface SimNode {
  name: string;
  nodeid: number;
  ip: string;
  online: boolean;
  maxcpu: number;
  maxmem: number;
  mem: number;
  cpu: number;
  bootedAt: number;
  /** Its Linux bridges (vmbr0…), as /etc/network/interfaces defines them. */
  bridges: string[];
}

export interface Guest {
  vmid: number;
  kind: GuestKind;
  node: string;
  status: 'running' | 'stopped';
  /** A running qemu guest whose CPUs QEMU stopped (`qm suspend`): qmpstatus "paused". */
  paused?: boolean;
  config: Record<string, ConfigValue>;
  startedAt?: number;
  lock?: string;
}

export interface Storage {
  storage: string;
  type: string;
  content: string;
  shared: boolean;
  total: number;
  used: number;
  /** Nodes it is available on; all when undefined. */
  nodes?: string[];
  /** `disable 1` in storage.cfg: listed, not activated (status unknown). */
  disabled?: boolean;
}

/** An ISO image or container template a storage holds. */
export interface SimVolume {
  volid: string;
  content: 'iso' | 'vztmpl';
  format: string;
  size: number;
  ctime: number;
  /** The node whose local storage holds it; on every node of the storage when undefined. */
  node?: string;
}

/** What `ceph status` says about the cluster's Ceph (a seeded picture, not a Ceph). */
export interface CephState {
  fsid: string;
  health: 'HEALTH_OK' | 'HEALTH_WARN' | 'HEALTH_ERR';
  /** Health checks by name (OSD_DOWN, POOL_NEARFULL…): severity and ceph's one-line summary. */
  checks: Record<
    string,
    { severity: 'HEALTH_WARN' | 'HEALTH_ERR'; message: string; count: number }
  >;
  mons: string[];
  osds: { id: number; node: string; up: boolean; in: boolean }[];
  pools: { id: number; name: string; size: number; minSize: number; pgs: number; used: number }[];
  /** Raw capacity of the OSDs, bytes. */
  total: number;
}

export interface ClusterState {
  /** The cluster's name; undefined on a node that is in no cluster (before `pvecm create`). */
  name: string | undefined;
  /** Config version of corosync, as /cluster/status reports it. */
  version: number;
  nodes: SimNode[];
  guests: Map<number, Guest>;
  storages: Storage[];
  volumes: SimVolume[];
  /** The cluster's Ceph, when it runs one (`pveceph init`). */
  ceph?: CephState;
  /** The lab's storage servers and disks, and storage.cfg's options (storage-config.ts seeds it). */
  storageLab?: StorageLab;
  /** Backup jobs and archives (backups.ts), seeded on first use. */
  backups?: BackupState;
}

const GiB = 1024 ** 3;

/** A config file's text the way PVE writes it (sorted keys, `key: value`). */
export function configText(config: Record<string, ConfigValue>): string {
  return Object.keys(config)
    .sort()
    .map((k) => `${k}: ${config[k]}\n`)
    .join('');
}

/** PVE's config digest: SHA-1 of the config file's bytes. */
export function configDigest(config: Record<string, ConfigValue>): string {
  return createHash('sha1').update(configText(config)).digest('hex');
}

export function quorate(state: ClusterState): boolean {
  return state.nodes.filter((n) => n.online).length * 2 > state.nodes.length;
}

export function findNode(state: ClusterState, name: string): SimNode | undefined {
  return state.nodes.find((n) => n.name === name);
}

export function memOf(guest: Guest): number {
  return Number(guest.config.memory ?? 512) * 1024 * 1024;
}

/** The guest's disk size in bytes, from its first disk's `size=` (e.g. 32G). */
export function diskOf(guest: Guest): number {
  for (const [k, v] of Object.entries(guest.config)) {
    if (!/^(scsi|virtio|sata|ide|rootfs)\d*$/.test(k)) continue;
    const m = /(?:^|,)size=(\d+)([KMGT])?/.exec(String(v));
    if (m) return Number(m[1]) * 1024 ** ' KMGT'.indexOf(m[2] ?? ' ');
  }
  return 0;
}

export interface SeedOptions {
  clusterName?: string;
  nodes?: number;
  /** How many guests in all (at least the three below); more are spread over the nodes. */
  guests?: number;
  /** A Ceph on the cluster's nodes: healthy, or with one OSD down (HEALTH_WARN). */
  ceph?: 'ok' | 'warn';
}

/**
 * Guests beyond the homelab's three, up to `total`: two in five containers,
 * the others VMs, placed round-robin over the nodes, every other one running.
 * VMs take vmids from 102, containers from 201 (both below 300 for 50 guests).
 */
function addMoreGuests(
  guests: Map<number, Guest>,
  nodes: readonly SimNode[],
  total: number,
  now: number,
): void {
  let vm = 102;
  let ct = 201;
  for (let i = 0; guests.size < total; i++) {
    const node = nodes[i % nodes.length]!.name;
    const running = i % 2 === 0;
    const power = running
      ? { status: 'running' as const, startedAt: now - 600 * (i + 1) }
      : {
          status: 'stopped' as const,
        };
    const mac =
      `BC:24:11:6E:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`.toUpperCase();
    if (i % 5 === 2 || i % 5 === 4) {
      const vmid = ct++;
      guests.set(vmid, {
        vmid,
        kind: 'lxc',
        node,
        ...power,
        config: {
          hostname: `ct${vmid}`,
          ostype: 'debian',
          arch: 'amd64',
          cores: 1,
          memory: 256,
          swap: 256,
          rootfs: `local-lvm:vm-${vmid}-disk-0,size=4G`,
          net0: `name=eth0,bridge=vmbr0,hwaddr=${mac},ip=dhcp,type=veth`,
          unprivileged: 1,
        },
      });
    } else {
      const vmid = vm++;
      guests.set(vmid, {
        vmid,
        kind: 'qemu',
        node,
        ...power,
        config: {
          name: `vm${vmid}`,
          ostype: 'l26',
          cores: 1,
          sockets: 1,
          memory: 512,
          scsihw: 'virtio-scsi-single',
          scsi0: `local-lvm:vm-${vmid}-disk-0,iothread=1,size=8G`,
          net0: `virtio=${mac},bridge=vmbr0`,
          boot: 'order=scsi0',
          smbios1: `uuid=5e1d0000-0000-4000-8000-${String(vmid).padStart(12, '0')}`,
        },
      });
    }
  }
}

/** A small cluster like a homelab's: three nodes, two VMs, a container, local + NFS storage (more guests on request). */
export function seedCluster(opts: SeedOptions = {}): ClusterState {
  const now = Math.floor(Date.now() / 1000);
  const count = opts.nodes ?? 3;
  const nodes: SimNode[] = Array.from({ length: count }, (_, i) => ({
    name: `pve${i + 1}`,
    nodeid: i + 1,
    ip: `192.0.2.${11 + i}`,
    online: true,
    maxcpu: 8,
    maxmem: 33_538_473_984,
    mem: 4_123_451_392 + i * 104_857_600,
    cpu: 0.0123 + i * 0.004,
    bootedAt: now - 86_400 * (3 + i),
    // pve1 also has a second bridge, so the nodes' choices differ.
    bridges: i === 0 ? ['vmbr0', 'vmbr1'] : ['vmbr0'],
  }));
  const guests = new Map<number, Guest>();
  const add = (g: Guest): void => void guests.set(g.vmid, g);
  add({
    vmid: 100,
    kind: 'qemu',
    node: 'pve1',
    status: 'running',
    startedAt: now - 3600,
    config: {
      name: 'web01',
      ostype: 'l26',
      cores: 2,
      sockets: 1,
      memory: 2048,
      cpu: 'x86-64-v2-AES',
      scsihw: 'virtio-scsi-single',
      scsi0: 'local-lvm:vm-100-disk-0,iothread=1,size=32G',
      ide2: 'none,media=cdrom',
      net0: 'virtio=BC:24:11:5E:0A:01,bridge=vmbr0,firewall=1',
      boot: 'order=scsi0;ide2;net0',
      smbios1: 'uuid=6f3c1a52-3a8e-4f5b-9c1d-2b7e8a4d9c10',
      vmgenid: '0d6a3e2b-5c7f-4a1e-8b9d-3f2c1e0a7b64',
      meta: 'creation-qemu=9.0.2,ctime=1733900000',
    },
  });
  add({
    vmid: 101,
    kind: 'qemu',
    node: count > 1 ? 'pve2' : 'pve1',
    status: 'stopped',
    config: {
      name: 'db01',
      ostype: 'l26',
      cores: 4,
      sockets: 1,
      memory: 4096,
      cpu: 'host',
      scsihw: 'virtio-scsi-single',
      scsi0: 'nfs-shared:101/vm-101-disk-0.qcow2,iothread=1,size=64G',
      net0: 'virtio=BC:24:11:5E:0A:02,bridge=vmbr0',
      boot: 'order=scsi0',
      smbios1: 'uuid=8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    },
  });
  add({
    vmid: 200,
    kind: 'lxc',
    node: 'pve1',
    status: 'running',
    startedAt: now - 7200,
    config: {
      hostname: 'dns01',
      ostype: 'debian',
      arch: 'amd64',
      cores: 1,
      memory: 512,
      swap: 512,
      rootfs: 'local-lvm:vm-200-disk-0,size=8G',
      net0: 'name=eth0,bridge=vmbr0,hwaddr=BC:24:11:7A:00:C8,ip=dhcp,type=veth',
      unprivileged: 1,
      features: 'nesting=1',
    },
  });
  if (opts.guests !== undefined) addMoreGuests(guests, nodes, opts.guests, now);
  const storages: Storage[] = [
    {
      storage: 'local',
      type: 'dir',
      content: 'backup,iso,vztmpl',
      shared: false,
      total: 100_861_726_720,
      used: 9_245_626_368,
    },
    {
      storage: 'local-lvm',
      type: 'lvmthin',
      content: 'images,rootdir',
      shared: false,
      total: 181_143_404_544,
      used: 12_074_607_820,
    },
    {
      storage: 'nfs-shared',
      type: 'nfs',
      content: 'images,iso,backup',
      shared: true,
      total: 2_000 * GiB,
      used: 412 * GiB,
    },
  ];
  return {
    name: opts.clusterName ?? 'homelab',
    version: count,
    nodes,
    guests,
    storages,
    volumes: seedVolumes(nodes, now),
    ...(opts.ceph ? { ceph: seedCeph(nodes, opts.ceph) } : {}),
  };
}

/**
 * The downloads an admin keeps: Debian's netinst and the Debian standard
 * template in every node's `local`, an Alpine template on pve1 only, an
 * Ubuntu server ISO on the shared NFS storage.
 */
function seedVolumes(nodes: SimNode[], now: number): SimVolume[] {
  const out: SimVolume[] = [];
  const ctime = now - 86_400 * 30;
  for (const n of nodes) {
    out.push(
      {
        volid: 'local:iso/debian-12.7.0-amd64-netinst.iso',
        content: 'iso',
        format: 'iso',
        size: 661_651_456,
        ctime,
        node: n.name,
      },
      {
        volid: 'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst',
        content: 'vztmpl',
        format: 'tzst',
        size: 126_781_440,
        ctime,
        node: n.name,
      },
    );
  }
  if (nodes[0])
    out.push({
      volid: 'local:vztmpl/alpine-3.20-default_20240908_amd64.tar.xz',
      content: 'vztmpl',
      format: 'txz',
      size: 3_112_960,
      ctime,
      node: nodes[0].name,
    });
  out.push({
    volid: 'nfs-shared:iso/ubuntu-24.04.1-live-server-amd64.iso',
    content: 'iso',
    format: 'iso',
    size: 2_773_874_688,
    ctime,
  });
  return out;
}

/** A node as a fresh installation is: in no cluster, no guests, its local storages. */
export function seedStandalone(name: string, ip: string): ClusterState {
  const now = Math.floor(Date.now() / 1000);
  const state = seedCluster({ nodes: 1 });
  state.name = undefined;
  state.version = 0;
  state.guests.clear();
  state.storages = state.storages.filter((s) => !s.shared);
  // Its own downloads, under its own name (the seed's first node's).
  state.volumes = state.volumes
    .filter((v) => v.node === state.nodes[0]!.name)
    .map((v) => ({ ...v, node: name }));
  state.nodes = [{ ...state.nodes[0]!, name, ip, nodeid: 0, bootedAt: now - 600 }];
  return state;
}

/** One monitor and two OSDs per node (at most three monitors), two pools; `warn`: an OSD down. */
export function seedCeph(nodes: SimNode[], health: 'ok' | 'warn'): CephState {
  const osds = nodes.flatMap((n, i) => [
    { id: 2 * i, node: n.name, up: true, in: true },
    { id: 2 * i + 1, node: n.name, up: true, in: true },
  ]);
  const checks: CephState['checks'] = {};
  if (health === 'warn' && osds.length) {
    const down = osds[osds.length - 1]!;
    down.up = false;
    checks.OSD_DOWN = { severity: 'HEALTH_WARN', message: '1 osds down', count: 1 };
    checks.PG_DEGRADED = {
      severity: 'HEALTH_WARN',
      message: 'Degraded data redundancy: 112/3366 objects degraded (3.327%), 9 pgs degraded',
      count: 112,
    };
  }
  return {
    fsid: '5a4c6bd8-6d3e-4b53-9f5c-2a1e0d7c9b11',
    health: health === 'ok' ? 'HEALTH_OK' : 'HEALTH_WARN',
    checks,
    mons: nodes.slice(0, 3).map((n) => n.name),
    osds,
    pools: [
      { id: 1, name: '.mgr', size: 3, minSize: 2, pgs: 1, used: 2_314_240 },
      { id: 2, name: 'ceph-vm', size: 3, minSize: 2, pgs: 32, used: 38_654_705_664 },
    ],
    total: osds.length * 480 * GiB,
  };
}
