// The entities both processes talk about. The inventory is normalized
// (Record<id, entity>) and changes travel as patches, never as full reloads.
import { z } from 'zod';
import type { VmAction } from './api';
import type { Cluster } from './cluster';
import type { PlanStepView } from './storage';

export const HOST_STATES = [
  'connecting',
  'connected',
  'unreachable',
  'auth-failed',
  'host-key-changed',
  'host-key-revoked',
  'unsupported',
  'disconnected',
] as const;
export type HostState = (typeof HOST_STATES)[number];

export const AUTH_METHODS = ['key', 'agent', 'password'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export type Stack = 'libvirt' | 'proxmox' | 'xcp' | 'unknown';

/**
 * What a host's driver can do, published with the host so the renderer
 * shows or hides features by capability, never by stack name.
 */
export const CAPABILITIES = [
  'inventory',
  'vm-lifecycle',
  'console',
  'serial-console',
  'storage',
  'pool-scan',
  'vm-create',
  'vm-edit',
  'vm-clone',
  'snapshots',
  'migration',
  'cluster',
  'performance',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface NodeInfo {
  hostname: string;
  cpuModel: string;
  cpus: number;
  memoryKiB: number;
  libvirtVersion: string;
  qemuVersion: string;
  virtualization: 'kvm' | 'emulated';
  uptimeSeconds: number;
}

export interface Host {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  auth: AuthMethod;
  keyPath?: string;
  /** Reached through these jump hosts (ProxyJump), when set. */
  proxyJump?: string;
  state: HostState;
  /** Sentence for the user when state is not 'connected'. */
  message?: string;
  /** When a reconnect is scheduled (epoch ms), for "retrying in 4 s". */
  retryAt?: number;
  stack?: Stack;
  /** What its driver offers; absent until a driver has started. */
  capabilities?: Capability[];
  info?: NodeInfo;
  /** In maintenance mode: no VM is moved to it; its own went elsewhere. */
  maintenance?: { since: number; bringBack: string[] };
}

/** Whether the host's driver offers a capability (false until a driver has started). */
export const hasCapability = (host: Host, capability: Capability): boolean =>
  !!host.capabilities?.includes(capability);

export const VM_STATES = [
  'running',
  'paused',
  'shutoff',
  'shutdown',
  'crashed',
  'pmsuspended',
  'blocked',
  'unknown',
] as const;
export type VmState = (typeof VM_STATES)[number];

export interface VmDisk {
  target: string;
  device: string;
  bus: string;
  /** A path, an RBD 'pool/image', or (with `pool`) a volume name. */
  source: string;
  /** For a type='volume' disk: the storage pool that holds `source`. */
  pool?: string;
  /** Marked `<readonly/>` in the definition. */
  readonly?: boolean;
  /** The backing chain under the image, nearest first (reported for a running VM). */
  backing?: string[];
}
export interface VmNic {
  type: string;
  source: string;
  mac: string;
  model: string;
}
export interface VmGraphics {
  type: string;
  listen: string;
  port: number;
}

/** A text console `virsh console` can attach to (a serial port or a virtio console). */
export interface VmTextConsole {
  /** 'serial' or 'console', the element it comes from. */
  device: string;
  /** The host side: 'pty' is what `virsh console` attaches to. */
  type: string;
  /** The guest side: isa-serial, serial, virtio, … */
  target: string;
}

export interface Vm {
  id: string;
  hostId: string;
  uuid: string;
  name: string;
  state: VmState;
  vcpus: number;
  memoryKiB: number;
  autostart: boolean;
  persistent: boolean;
  disks: VmDisk[];
  /** A running VM's disks that only its persistent definition holds (for its next start). */
  definedDisks?: VmDisk[];
  /**
   * The disks the VM's snapshots keep (a revert needs them), per snapshot;
   * absent when it has none. Read at inventory load and after each snapshot
   * change made here; one taken on the node meanwhile shows after a reconnect.
   */
  snapshots?: KeptSnapshot[];
  nics: VmNic[];
  graphics: VmGraphics[];
  textConsoles: VmTextConsole[];
}

/** A snapshot's name and the disks of the definition kept with it. */
export interface KeptSnapshot {
  name: string;
  disks: VmDisk[];
}

/** One snapshot of a VM, as `virsh snapshot-dumpxml` describes it. */
export interface Snapshot {
  name: string;
  parent: string;
  description: string;
  /** Seconds since the epoch. */
  createdAt: number;
  /** The VM's state when it was taken: running, shutoff, … */
  state: string;
  current: boolean;
  /** The disks of the definition kept with it, as they were then (a revert needs them). */
  disks: VmDisk[];
}

export interface Volume {
  name: string;
  path: string;
  type: string;
  /** The image format libvirt sees (qcow2, raw, iso…); '' where the pool has none. */
  format: string;
  capacity: number;
  allocation: number;
}

export interface StoragePool {
  id: string;
  hostId: string;
  uuid: string;
  name: string;
  type: string;
  state: string;
  autostart: boolean;
  capacity: number;
  allocation: number;
  available: number;
  /** Where a file-based pool keeps its volumes on the node ('' for others). */
  targetPath: string;
  /** For a Ceph RBD pool: where its images are, so a guest's disk can name them. */
  ceph?: CephSource;
  volumes: Volume[];
}

export interface CephSource {
  /** The Ceph pool that holds the images. */
  pool: string;
  monitors: { host: string; port: number }[];
  /** The cephx user and the libvirt secret holding its key, when auth is on. */
  auth?: { user: string; secretUuid: string };
}

export interface Network {
  id: string;
  hostId: string;
  uuid: string;
  name: string;
  active: boolean;
  autostart: boolean;
  bridge: string;
  forward: string;
}

/** One remote command exactly as it ran: the audit trail of a task. */
export interface CommandRecord {
  node: string;
  command: string;
  exitCode: number | null;
  stderr: string;
  durationMs: number;
  at: number;
}

export const TASK_STATES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export type TaskStepState = 'pending' | 'running' | 'done' | 'failed';

/** A visible step of a task, e.g. "node1: Define the pool". */
export interface TaskStep {
  title: string;
  state: TaskStepState;
}

export interface Task {
  id: string;
  title: string;
  target: string;
  state: TaskState;
  progress: number;
  startedAt: number;
  endedAt?: number;
  error?: string;
  log: CommandRecord[];
  steps?: TaskStep[];
  /** A line on progress in the user's terms: "120 MiB of 200 MiB · 210 MiB/s · 1 s left". */
  detail?: string;
  /**
   * A failed or cancelled task that changed something offers to take it back:
   * these are the exact commands Undo runs (once, as a task of its own).
   */
  undo?: PlanStepView[];
  /** The VM the task is moving right now: no lifecycle action runs on it meanwhile. */
  vmJob?: VmJob;
  /** The VMs it moves after that one, in order: they wait, and are locked the same way. */
  vmQueue?: VmJob[];
  /** A failed task's way out, e.g. Force off after a shutdown the guest ignored. */
  offer?: TaskOffer;
}

/** A VM action a failed task offers as a button ("Force off"). */
export interface TaskOffer {
  label: string;
  vmId: string;
  action: VmAction;
}

/** A running migration of one VM, known to the task that runs it (shared/vm-jobs.ts reads it). */
export interface VmJob {
  kind: 'migration';
  vmUuid: string;
  fromHostId: string;
  toHostId: string;
}

export interface Inventory {
  clusters: Record<string, Cluster>;
  hosts: Record<string, Host>;
  vms: Record<string, Vm>;
  pools: Record<string, StoragePool>;
  networks: Record<string, Network>;
  tasks: Record<string, Task>;
}

export type Collection = keyof Inventory;
export const COLLECTIONS = ['clusters', 'hosts', 'vms', 'pools', 'networks', 'tasks'] as const;

export type Patch =
  | { op: 'put'; collection: Collection; id: string; value: unknown }
  | { op: 'del'; collection: Collection; id: string };

export const patchSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('put'),
    collection: z.enum(COLLECTIONS),
    id: z.string(),
    value: z.unknown(),
  }),
  z.object({
    op: z.literal('del'),
    collection: z.enum(COLLECTIONS),
    id: z.string(),
  }),
]);

export function emptyInventory(): Inventory {
  return { clusters: {}, hosts: {}, vms: {}, pools: {}, networks: {}, tasks: {} };
}

/** Applies patches to an inventory in place; both sides use this one function. */
export function applyPatches(inv: Inventory, patches: readonly Patch[]): Inventory {
  for (const p of patches) {
    const coll = inv[p.collection] as Record<string, unknown>;
    if (p.op === 'put') coll[p.id] = p.value;
    else delete coll[p.id];
  }
  return inv;
}
