// The entities both processes talk about, as zod schemas: each type is
// inferred from its schema (written once), and the backend checks results
// against them when CLUSTERDECK_CHECK_RESULTS is set (core/backend.ts).
// The inventory is normalized (Record<id, entity>) and changes travel as
// patches, never as full reloads.
import { z } from 'zod';
import { clusterSchema } from './cluster';
import { planStepSchema } from './storage';
import { VM_ACTIONS } from './vm-actions';

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

export const STACKS = ['libvirt', 'proxmox', 'xcp', 'ganeti', 'unknown'] as const;
export type Stack = (typeof STACKS)[number];

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
  'networks',
  'pool-scan',
  'vm-create',
  /** Delete VM: libvirt has it with vm-create; Ganeti as one `gnt-instance remove` job. */
  'vm-delete',
  /** Delete takes a running VM, forcing it off first (libvirt, Ganeti); without it, only stopped ones. */
  'vm-delete-running',
  'vm-edit',
  /** New VM and Edit settings where the cluster places VMs (Ganeti: OS definitions, templates). */
  'instance-create',
  'instance-edit',
  /** New VM and New Container from per-node choices read from the cluster's API (Proxmox VE). */
  'guest-create',
  'vm-clone',
  'snapshots',
  'guest-agent',
  'migration',
  /** The cluster places its VMs itself (Ganeti): migrate, failover, move; node maintenance. */
  'cluster-moves',
  /** The stack's own node roles, changed from here: drain, offline, master failover, remove (Ganeti). */
  'node-roles',
  /** The stack checks its cluster itself (gnt-cluster verify). */
  'cluster-health',
  'cluster',
  /**
   * The stack's cluster keeps its own member list and removes members itself
   * (Proxmox VE: pvecm delnode): Remove node asks it, not Clusterdeck's SSH trust.
   */
  'cluster-members',
  /** The cluster's Ceph status can be read (Proxmox VE: /cluster/ceph/status). */
  'ceph-status',
  'performance',
  /** Clone by the stack itself: a target node, an id, linked clones of templates, Convert to template (Proxmox VE). */
  'guest-clone',
  /**
   * Storage defined through the cluster's API with the stack's own types
   * (Proxmox VE: /storage): New Storage Pool with those types and Scan,
   * Remove storage, ISO and template uploads, Download from URL.
   */
  'storage-api',
  /** The cluster's backup jobs, a guest's backups, restore as a new guest (Proxmox VE: vzdump). */
  'backups',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export const nodeInfoSchema = z.object({
  hostname: z.string(),
  cpuModel: z.string(),
  cpus: z.number(),
  memoryKiB: z.number(),
  /**
   * The stack's software on the node and its versions, named by the driver
   * ("libvirt", "QEMU"): shown on the node's General tab, compared by New Cluster.
   */
  software: z.array(z.object({ name: z.string(), version: z.string() })),
  virtualization: z.enum(['kvm', 'emulated']),
  /** The node's uptime when it was read (at connect), in seconds. */
  uptimeSeconds: z.number(),
  /**
   * When uptimeSeconds was read (epoch ms), so the renderer can show the
   * uptime live without asking the node again. Optional: data from before it
   * was kept still validates, and then the uptime shows as read.
   */
  uptimeReadAt: z.number().optional(),
});
export type NodeInfo = z.infer<typeof nodeInfoSchema>;

/** Maintenance mode: since when (epoch ms), and the VMs (by UUID) to bring back on exit. */
export const maintenanceSchema = z.object({ since: z.number(), bringBack: z.array(z.string()) });

/** A host as the settings file keeps it (core/store/settings.ts); Host adds what is live. */
export const hostConfigSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  user: z.string(),
  auth: z.enum(AUTH_METHODS),
  keyPath: z.string().optional(),
  /** Jump hosts (ProxyJump of ~/.ssh/config) the node is reached through. */
  proxyJump: z.string().optional(),
  /** In maintenance mode: no VM is moved to it; its own went elsewhere. */
  maintenance: maintenanceSchema.optional(),
});
export type HostConfig = z.infer<typeof hostConfigSchema>;

export const hostSchema = hostConfigSchema.extend({
  state: z.enum(HOST_STATES),
  /** Sentence for the user when state is not 'connected'. */
  message: z.string().optional(),
  /** When a reconnect is scheduled (epoch ms), for "retrying in 4 s". */
  retryAt: z.number().optional(),
  stack: z.enum(STACKS).optional(),
  /** What its driver offers; absent until a driver has started. */
  capabilities: z.array(z.enum(CAPABILITIES)).optional(),
  info: nodeInfoSchema.optional(),
});
export type Host = z.infer<typeof hostSchema>;

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

export const vmDiskSchema = z.object({
  target: z.string(),
  device: z.string(),
  bus: z.string(),
  /** A path, an RBD 'pool/image', or (with `pool`) a volume name. */
  source: z.string(),
  /** For a type='volume' disk: the storage pool that holds `source`. */
  pool: z.string().optional(),
  /** Marked `<readonly/>` in the definition. */
  readonly: z.boolean().optional(),
  /** The backing chain under the image, nearest first (reported for a running VM). */
  backing: z.array(z.string()).optional(),
});
export type VmDisk = z.infer<typeof vmDiskSchema>;

export const vmNicSchema = z.object({
  type: z.string(),
  source: z.string(),
  mac: z.string(),
  model: z.string(),
  /** Set when the link is down (`<link state='down'/>`): the guest sees its cable pulled. */
  link: z.literal('down').optional(),
});
export type VmNic = z.infer<typeof vmNicSchema>;

export const vmGraphicsSchema = z.object({
  type: z.string(),
  listen: z.string(),
  port: z.number(),
});
export type VmGraphics = z.infer<typeof vmGraphicsSchema>;

/** A text console `virsh console` can attach to (a serial port or a virtio console). */
export const vmTextConsoleSchema = z.object({
  /** 'serial' or 'console', the element it comes from. */
  device: z.string(),
  /** The host side: 'pty' is what `virsh console` attaches to. */
  type: z.string(),
  /** The guest side: isa-serial, serial, virtio, … */
  target: z.string(),
});
export type VmTextConsole = z.infer<typeof vmTextConsoleSchema>;

/** A snapshot's name and the disks of the definition kept with it. */
export const keptSnapshotSchema = z.object({
  name: z.string(),
  disks: z.array(vmDiskSchema),
});
export type KeptSnapshot = z.infer<typeof keptSnapshotSchema>;

/** What a guest is: a virtual machine, or a system container (Proxmox VE's LXC). */
export const VM_KINDS = ['vm', 'container'] as const;
export type VmKind = (typeof VM_KINDS)[number];

export const vmSchema = z.object({
  id: z.string(),
  hostId: z.string(),
  uuid: z.string(),
  name: z.string(),
  /** Absent: a virtual machine (every libvirt and Ganeti guest). */
  kind: z.enum(VM_KINDS).optional(),
  /**
   * The lifecycle actions the stack offers for this guest whatever its
   * state (shared/vm-actions.ts offersAction); absent: all of them.
   */
  actions: z.array(z.enum(VM_ACTIONS)).optional(),
  state: z.enum(VM_STATES),
  vcpus: z.number(),
  memoryKiB: z.number(),
  autostart: z.boolean(),
  persistent: z.boolean(),
  disks: z.array(vmDiskSchema),
  /** A running VM's disks that only its persistent definition holds (for its next start). */
  definedDisks: z.array(vmDiskSchema).optional(),
  /**
   * The disks the VM's snapshots keep (a revert needs them), per snapshot;
   * absent when it has none. Read at inventory load and after each snapshot
   * change made here; one taken on the node meanwhile shows after a reconnect.
   */
  snapshots: z.array(keptSnapshotSchema).optional(),
  nics: z.array(vmNicSchema),
  graphics: z.array(vmGraphicsSchema),
  textConsoles: z.array(vmTextConsoleSchema),
  /** The user's tags (shared/tags.ts), from the domain's Clusterdeck metadata; absent when none. */
  tags: z.array(z.string()).optional(),
  /** The administrators' notes (libvirt's `<description>`); absent when empty. */
  description: z.string().optional(),
  /**
   * Where a cluster-managed VM (Ganeti) lives: its primary node, the nodes
   * that mirror its disks, how its disks are kept and its OS definition.
   */
  placement: z
    .object({
      primary: z.string(),
      secondaries: z.array(z.string()),
      diskTemplate: z.string(),
      os: z.string(),
    })
    .optional(),
});
export type Vm = z.infer<typeof vmSchema>;

/** One snapshot of a VM, as `virsh snapshot-dumpxml` describes it. */
export const snapshotSchema = z.object({
  name: z.string(),
  parent: z.string(),
  description: z.string(),
  /** Seconds since the epoch. */
  createdAt: z.number(),
  /** The VM's state when it was taken: running, shutoff, … */
  state: z.string(),
  /**
   * Where it keeps the disks and memory: 'internal' inside the qcow2 images,
   * 'external' in overlay files (disk-only snapshots); absent when unknown.
   */
  storage: z.enum(['internal', 'external']).optional(),
  /** Whether it holds the guest's memory, so a revert brings the VM back running. */
  memory: z.boolean().optional(),
  /** Why the node cannot revert to it (Revert is not offered then). */
  cannotRevert: z.string().optional(),
  current: z.boolean(),
  /** The disks of the definition kept with it, as they were then (a revert needs them). */
  disks: z.array(vmDiskSchema),
});
export type Snapshot = z.infer<typeof snapshotSchema>;

export const volumeSchema = z.object({
  name: z.string(),
  path: z.string(),
  type: z.string(),
  /** The image format libvirt sees (qcow2, raw, iso…); '' where the pool has none. */
  format: z.string(),
  capacity: z.number(),
  allocation: z.number(),
});
export type Volume = z.infer<typeof volumeSchema>;

export const cephSourceSchema = z.object({
  /** The Ceph pool that holds the images. */
  pool: z.string(),
  monitors: z.array(z.object({ host: z.string(), port: z.number() })),
  /** The cephx user and the libvirt secret holding its key, when auth is on. */
  auth: z.object({ user: z.string(), secretUuid: z.string() }).optional(),
});
export type CephSource = z.infer<typeof cephSourceSchema>;

export const storagePoolSchema = z.object({
  id: z.string(),
  hostId: z.string(),
  uuid: z.string(),
  name: z.string(),
  type: z.string(),
  state: z.string(),
  autostart: z.boolean(),
  capacity: z.number(),
  allocation: z.number(),
  available: z.number(),
  /** Where a file-based pool keeps its volumes on the node ('' for others). */
  targetPath: z.string(),
  /** For a Ceph RBD pool: where its images are, so a guest's disk can name them. */
  ceph: cephSourceSchema.optional(),
  volumes: z.array(volumeSchema),
  /** What the storage may hold, where the stack says (Proxmox VE's content types: iso, vztmpl…). */
  content: z.array(z.string()).optional(),
});
export type StoragePool = z.infer<typeof storagePoolSchema>;

export const networkSchema = z.object({
  id: z.string(),
  hostId: z.string(),
  uuid: z.string(),
  name: z.string(),
  active: z.boolean(),
  autostart: z.boolean(),
  bridge: z.string(),
  forward: z.string(),
});
export type Network = z.infer<typeof networkSchema>;

/** One remote command exactly as it ran: the audit trail of a task. */
export const commandRecordSchema = z.object({
  node: z.string(),
  command: z.string(),
  exitCode: z.number().nullable(),
  stderr: z.string(),
  durationMs: z.number(),
  at: z.number(),
});
export type CommandRecord = z.infer<typeof commandRecordSchema>;

export const TASK_STATES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export const TASK_STEP_STATES = ['pending', 'running', 'done', 'failed'] as const;
export type TaskStepState = (typeof TASK_STEP_STATES)[number];

/** A visible step of a task, e.g. "node1: Define the pool". */
export const taskStepSchema = z.object({ title: z.string(), state: z.enum(TASK_STEP_STATES) });
export type TaskStep = z.infer<typeof taskStepSchema>;

/** A VM action a failed task offers as a button ("Force off"). */
export const taskOfferSchema = z.object({
  label: z.string(),
  vmId: z.string(),
  action: z.enum(VM_ACTIONS),
});
export type TaskOffer = z.infer<typeof taskOfferSchema>;

/** A running migration of one VM, known to the task that runs it (shared/vm-jobs.ts reads it). */
export const vmJobSchema = z.object({
  kind: z.literal('migration'),
  vmUuid: z.string(),
  fromHostId: z.string(),
  toHostId: z.string(),
  /**
   * What to show instead of "Migrating to <host>" when the target is no
   * Clusterdeck host but a node of a cluster that places VMs itself (Ganeti):
   * "Failing over to node2.example.org".
   */
  words: z.string().optional(),
});
export type VmJob = z.infer<typeof vmJobSchema>;

export const taskSchema = z.object({
  id: z.string(),
  title: z.string(),
  target: z.string(),
  state: z.enum(TASK_STATES),
  progress: z.number(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  /** The local OS user running Clusterdeck who started it; absent in tasks recorded before. */
  user: z.string().optional(),
  error: z.string().optional(),
  log: z.array(commandRecordSchema),
  steps: z.array(taskStepSchema).optional(),
  /** A line on progress in the user's terms: "120 MiB of 200 MiB · 210 MiB/s · 1 s left". */
  detail: z.string().optional(),
  /**
   * A failed or cancelled task that changed something, or a succeeded one
   * whose change has an exact inverse (an eject, a link set down), offers to take it back:
   * these are the exact commands Undo runs (once, as a task of its own).
   */
  undo: z.array(planStepSchema).optional(),
  /** The VM the task is moving right now: no lifecycle action runs on it meanwhile. */
  vmJob: vmJobSchema.optional(),
  /** The VMs it moves after that one, in order: they wait, and are locked the same way. */
  vmQueue: z.array(vmJobSchema).optional(),
  /** A failed task's way out, e.g. Force off after a shutdown the guest ignored. */
  offer: taskOfferSchema.optional(),
});
export type Task = z.infer<typeof taskSchema>;

/** Each collection of the inventory and the schema of its entities. */
export const entitySchemas = {
  clusters: clusterSchema,
  hosts: hostSchema,
  vms: vmSchema,
  pools: storagePoolSchema,
  networks: networkSchema,
  tasks: taskSchema,
} as const;

export const inventorySchema = z.object({
  clusters: z.record(z.string(), clusterSchema),
  hosts: z.record(z.string(), hostSchema),
  vms: z.record(z.string(), vmSchema),
  pools: z.record(z.string(), storagePoolSchema),
  networks: z.record(z.string(), networkSchema),
  tasks: z.record(z.string(), taskSchema),
});
export type Inventory = z.infer<typeof inventorySchema>;

export type Collection = keyof Inventory;
export const COLLECTIONS = ['clusters', 'hosts', 'vms', 'pools', 'networks', 'tasks'] as const;

const putSchema = <C extends Collection>(collection: C) =>
  z.object({
    op: z.literal('put'),
    collection: z.literal(collection),
    id: z.string(),
    value: entitySchemas[collection],
  });

/** A change to the inventory: a put carries the whole entity, checked by its collection's schema. */
export const patchSchema = z.union([
  putSchema('clusters'),
  putSchema('hosts'),
  putSchema('vms'),
  putSchema('pools'),
  putSchema('networks'),
  putSchema('tasks'),
  z.object({ op: z.literal('del'), collection: z.enum(COLLECTIONS), id: z.string() }),
]);
export type Patch = z.infer<typeof patchSchema>;

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
