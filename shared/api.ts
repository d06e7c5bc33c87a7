// The one contract between the renderer and the main process. Every method
// and event is named here once; the Electron preload and the browser shell
// both carry exactly this (in shared/wire.ts messages). Params are validated
// on both sides; results are checked against their schemas by the backend
// when CLUSTERDECK_CHECK_RESULTS=1 (every test run, core/contract-checks.ts).
import { cloneChoicesSchema, cloneExtrasSchema } from './vm-clone';
import {
  cephStatusSchema,
  pveClusterCreateSchema,
  pveClusterSpecSchema,
  pvePreflightResultSchema,
  pveRemoveNodeSchema,
} from './pve-cluster';
import { z } from 'zod';
import { backupMethods } from './backups';
import { idSchema } from './ids';
import { AUTH_METHODS, inventorySchema, snapshotSchema, type Patch } from './model';
import {
  POOL_ACTIONS,
  bytesSchema,
  foundSourceSchema,
  objectNameSchema,
  planStepSchema,
  poolSpecSchema,
  scanRequestSchema,
  volumeOpSchema,
} from './storage';
import { snapshotOpSchema, snapshotRefusalsSchema, vmSettingsSchema, vmSpecSchema } from './vm';
import { guestInfoSchema } from './guest';
import { HOST_POWER_ACTIONS, hostPowerPlanSchema } from './host-power';
import { diskTargetSchema, vmChangeSchema } from './vm-change';
import { osCatalogSchema } from './osinfo';
import { clusterSpecSchema, findingSchema } from './cluster';
import {
  fenceAgentInfoSchema,
  fenceAgentNameSchema,
  fenceDeviceSchema,
  fenceTestResultSchema,
  haInstallOfferSchema,
} from './ha-form';
import {
  ganetiAddNodeSchema,
  ganetiClusterDefaultsSchema,
  ganetiClusterSpecSchema,
  ganetiNodeOpSchema,
  ganetiPreflightResultSchema,
} from './ganeti-cluster';
import { migrationSpecSchema, tlsReadinessSchema } from './migration';
import { clusterMoveOptionSchema, clusterMoveSpecSchema } from './cluster-moves';
import { clusterStorageSchema } from './cluster-storage';
import { nodeMemorySchema, performanceSampleSchema } from './performance';
import { NETWORK_ACTIONS, hostInterfaceSchema, networkSpecSchema } from './network';
import { vmTagsSchema } from './tags';
import {
  instanceChangeSchema,
  instanceNowSchema,
  instanceOptionsSchema,
  instanceSettingsSchema,
  instanceSpecSchema,
} from './instance';
import { guestOptionsSchema, guestSpecSchema } from './guest-create';
import {
  UPLOAD_CONTENTS,
  downloadUrlSpecSchema,
  storageFoundSchema,
  storageOptionsSchema,
  storageScanRequestSchema,
  storageSpecSchema,
  storageEditSchema,
  storageSettingsSchema,
  uploadChecksumSchema,
} from './storage-api';

/** Host names, IPv4 and IPv6 literals, and ~/.ssh/config aliases. */
export const addressSchema = z
  .string()
  .trim()
  .min(1, 'Enter the node’s address.')
  .max(253)
  .regex(/^[A-Za-z0-9._:%-]+$/, 'An address holds only letters, digits, dots, dashes and colons.');

export const portSchema = z.coerce.number().int().min(1).max(65535);

export const userSchema = z
  .string()
  .trim()
  .min(1, 'Enter the user to log in as.')
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'A user name holds only letters, digits, _ . and -.');

/**
 * A ~/.ssh/config ProxyJump value: jump hosts as [user@]host[:port], several
 * separated by commas, each looked up in ~/.ssh/config for its own settings.
 */
export const proxyJumpSchema = z
  .string()
  .trim()
  .max(1024)
  .regex(
    /^[A-Za-z0-9_[][A-Za-z0-9._%@:[\],-]*$/,
    'A jump host is [user@]host[:port], several separated by commas.',
  );

import { VM_ACTIONS } from './vm-actions';

export { VM_ACTIONS, VM_ACTION_LABELS, offersAction, type VmAction } from './vm-actions';

export const HOST_KEY_STATUS = ['new', 'known', 'changed'] as const;

export const hostKeyProbeSchema = z.object({
  address: z.string(),
  port: z.number(),
  keyType: z.string(),
  fingerprint: z.string(),
  status: z.enum(HOST_KEY_STATUS),
  knownFingerprint: z.string().optional(),
});
export type HostKeyProbe = z.infer<typeof hostKeyProbeSchema>;

export const addHostSchema = z
  .object({
    name: z.string().trim().max(64).optional(),
    address: addressSchema,
    port: portSchema.default(22),
    user: userSchema,
    auth: z.enum(AUTH_METHODS),
    keyPath: z
      .string()
      .trim()
      .max(4096)
      .regex(/^[^\0\n]*$/)
      .optional(),
    password: z.string().max(4096).optional(),
    /** Reach the node through these jump hosts (ProxyJump from ~/.ssh/config). */
    proxyJump: proxyJumpSchema.optional(),
    /** The fingerprint the user saw and accepted; the connection must present it. */
    fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]+$/),
    /** Keep the password or passphrase (encrypted) for the next start. */
    remember: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if (v.auth === 'key' && !v.keyPath)
      ctx.addIssue({ code: 'custom', path: ['keyPath'], message: 'Choose a private key file.' });
    if (v.auth === 'password' && !v.password)
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'Enter the password.' });
  });
export type AddHostInput = z.input<typeof addHostSchema>;

export const sshAliasSchema = z.object({
  alias: z.string(),
  hostName: z.string(),
  port: z.number(),
  user: z.string().optional(),
  identityFile: z.string().optional(),
  proxyJump: z.string().optional(),
});
export type SshAlias = z.infer<typeof sshAliasSchema>;

/** A terminal's size in character cells, within what any screen can show. */
const terminalSize = {
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
};

const poolPlanParams = z.object({
  spec: poolSpecSchema,
  hostIds: z.array(idSchema).min(1, 'Choose at least one node.').max(64),
});

const networkPlanParams = z.object({ hostId: idSchema, spec: networkSpecSchema });
const networkActionParams = z.object({ networkId: idSchema, action: z.enum(NETWORK_ACTIONS) });

const none = z.object({}).strict();
/** The result of a method that answers nothing but success. */
const done = z.object({}).strict();
const taskStarted = z.object({ taskId: z.string() });
const plan = z.object({ steps: z.array(planStepSchema), problems: z.array(z.string()) });

/** Method name -> params schema and result schema. */
export const methods = {
  getInventory: { params: none, result: inventorySchema },
  probeHost: {
    params: z.object({
      address: addressSchema,
      port: portSchema.default(22),
      proxyJump: proxyJumpSchema.optional(),
    }),
    result: hostKeyProbeSchema,
  },
  addHost: { params: addHostSchema, result: z.object({ hostId: z.string() }) },
  removeHost: { params: z.object({ hostId: idSchema }), result: done },
  reconnectHost: { params: z.object({ hostId: idSchema }), result: done },
  vmAction: {
    params: z.object({ vmId: idSchema, action: z.enum(VM_ACTIONS) }),
    result: taskStarted,
  },
  cancelTask: { params: z.object({ taskId: idSchema }), result: done },
  /** Runs the undo a failed task offers (Task.undo) as a task of its own. */
  undoTask: {
    params: z.object({ taskId: idSchema }),
    result: taskStarted,
  },
  clearTasks: { params: none, result: done },
  sshAliases: { params: none, result: z.array(sshAliasSchema) },
  /**
   * What the page should know once: notices from startup (a settings file
   * set aside) and whether Remember password can work here, and if not why.
   */
  appStatus: {
    params: none,
    result: z.object({
      notices: z.array(z.string()),
      rememberPasswords: z.object({ available: z.boolean(), reason: z.string().optional() }),
    }),
  },
  /** Opens a loopback WebSocket tunnel to the VM's VNC display, usable once. */
  openConsole: {
    params: z.object({ vmId: idSchema }),
    result: z.object({ consoleId: z.string(), url: z.string() }),
  },
  /** Closes a console or terminal tunnel. */
  closeConsole: { params: z.object({ consoleId: idSchema }), result: done },
  /**
   * Opens a loopback WebSocket tunnel to a terminal, usable once: a login
   * shell on a node, or a VM's serial console. The bytes are the terminal's.
   */
  openTerminal: {
    params: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('host'), hostId: idSchema, ...terminalSize }),
      z.object({ kind: z.literal('serial'), vmId: idSchema, ...terminalSize }),
    ]),
    result: z.object({ consoleId: z.string(), url: z.string(), command: z.string() }),
  },
  /** The commands New Storage Pool will run, per node, and what stands in the way. */
  planStoragePool: {
    params: poolPlanParams,
    result: plan,
  },
  createStoragePool: { params: poolPlanParams, result: taskStarted },
  /** Asks a node which sources it can find (exports, targets, volume groups), for the wizard. */
  scanPoolSources: {
    params: z.object({ hostId: idSchema, request: scanRequestSchema }),
    result: z.object({
      /** The command that ran on the node, for the wizard to show. */
      command: z.string(),
      sources: z.array(foundSourceSchema),
    }),
  },
  /** The commands New network will run on the node, and what stands in the way. */
  planNetwork: { params: networkPlanParams, result: plan },
  createNetwork: { params: networkPlanParams, result: taskStarted },
  /**
   * A network action's commands, what refuses it (Delete while VMs use the
   * network) and what to know first (Stop: the running VMs that lose it).
   */
  planNetworkAction: {
    params: networkActionParams,
    result: plan.extend({ warnings: z.array(z.string()) }),
  },
  networkAction: { params: networkActionParams, result: taskStarted },
  /** The node's NICs, bridges and bridge ports, read when asked. */
  hostInterfaces: {
    params: z.object({ hostId: idSchema }),
    result: z.object({ command: z.string(), interfaces: z.array(hostInterfaceSchema) }),
  },
  poolAction: {
    params: z.object({ poolId: idSchema, action: z.enum(POOL_ACTIONS) }),
    result: taskStarted,
  },
  volumeAction: {
    params: z.object({ poolId: idSchema, volume: volumeOpSchema }),
    result: taskStarted,
  },
  /**
   * The VMs whose snapshots keep a volume as a disk (read from the node when
   * asked, as snapshots are not in the inventory), for Delete's confirmation.
   */
  volumeSnapshotUsers: {
    params: z.object({ poolId: idSchema, volume: z.string().min(1).max(255) }),
    result: z.object({
      users: z.array(z.object({ vm: z.string(), snapshots: z.array(z.string()) })),
    }),
  },
  /** What Reboot / Shut down would run on a node, and the VMs that stop it. */
  planHostPower: {
    params: z.object({ hostId: idSchema, action: z.enum(HOST_POWER_ACTIONS) }),
    result: hostPowerPlanSchema,
  },
  /** Reboots or shuts down a node (refused while it runs VMs). */
  hostPower: {
    params: z.object({ hostId: idSchema, action: z.enum(HOST_POWER_ACTIONS) }),
    result: taskStarted,
  },
  /** What a VM's guest agent says, read from its node when the General tab is open. */
  guestInfo: {
    params: z.object({ vmId: idSchema }),
    result: guestInfoSchema,
  },
  /** A VM's snapshots, read from its node when asked. */
  listSnapshots: {
    params: z.object({ vmId: idSchema }),
    result: z.object({
      snapshots: z.array(snapshotSchema),
      /** Kinds of snapshot the node cannot take now, and why. */
      cannotCreate: snapshotRefusalsSchema,
    }),
  },
  snapshotAction: {
    params: z.object({ vmId: idSchema, snapshot: snapshotOpSchema }),
    result: taskStarted,
  },
  /** Removes a VM; the disks named by target (vda, sdb) are deleted with it. */
  deleteVm: {
    params: z.object({
      vmId: idSchema,
      disks: z
        .array(z.string().regex(/^[a-z]{2,4}[a-z0-9]*$/))
        .max(64)
        .default([]),
    }),
    result: taskStarted,
  },
  /** The VM settings editor's change: the diff of the definition and the commands. */
  planVmSettings: {
    params: z.object({ vmId: idSchema, settings: vmSettingsSchema }),
    result: z.object({
      diff: z.string(),
      steps: z.array(planStepSchema),
      /** Set when the VM runs: the changes apply at its next start. */
      note: z.string().optional(),
    }),
  },
  applyVmSettings: {
    params: z.object({ vmId: idSchema, settings: vmSettingsSchema }),
    result: taskStarted,
  },
  /** Replaces a VM's tags (kept on its node, in the domain's metadata); none removes them. */
  setVmTags: {
    params: z.object({ vmId: idSchema, tags: vmTagsSchema }),
    result: taskStarted,
  },
  /**
   * A change that acts at once (CD/DVD, disk size, link, notes): its
   * commands, what stands in the way, when it takes effect, and the commands
   * Undo would run after it.
   */
  planVmChange: {
    params: z.object({ vmId: idSchema, change: vmChangeSchema }),
    result: plan.extend({ note: z.string().optional(), undo: z.array(planStepSchema) }),
  },
  applyVmChange: {
    params: z.object({ vmId: idSchema, change: vmChangeSchema }),
    result: taskStarted,
  },
  /** A VM disk's size in bytes, as the hypervisor sees it now (for Resize). */
  vmDiskCapacity: {
    params: z.object({ vmId: idSchema, target: diskTargetSchema }),
    result: z.object({ bytes: z.number() }),
  },
  /** Copies a shut-off VM under a new name, with copies of its disks. */
  cloneVm: {
    params: z.object({
      vmId: idSchema,
      name: objectNameSchema,
      /** Target node, id, linked: where the stack offers them (cloneChoices). */
      extras: cloneExtrasSchema.optional(),
    }),
    result: taskStarted,
  },
  /** Where a clone can go, its proposed id, whether it can be linked (a stack that clones itself). */
  cloneChoices: {
    params: z.object({ vmId: idSchema }),
    result: cloneChoicesSchema,
  },
  /** Makes a stopped guest a template, the base of linked clones (a stack with 'guest-clone'). */
  convertToTemplate: {
    params: z.object({ vmId: idSchema }),
    result: taskStarted,
  },
  /** The node's OS variants (libosinfo) and UEFI/TPM support, read once per node; `reread` reads again. */
  getOsCatalog: {
    params: z.object({ hostId: idSchema, reread: z.boolean().default(false) }),
    result: osCatalogSchema,
  },
  /** The commands New VM will run on the node, and what stands in the way. */
  planVm: {
    params: z.object({ hostId: idSchema, spec: vmSpecSchema }),
    result: plan,
  },
  createVm: {
    params: z.object({ hostId: idSchema, spec: vmSpecSchema }),
    result: taskStarted,
  },
  /** New VM where the cluster places VMs (Ganeti): OS definitions, templates, nodes, links. */
  getInstanceOptions: { params: z.object({ hostId: idSchema }), result: instanceOptionsSchema },
  planInstance: {
    params: z.object({ hostId: idSchema, spec: instanceSpecSchema }),
    result: plan,
  },
  createInstance: {
    params: z.object({ hostId: idSchema, spec: instanceSpecSchema }),
    result: taskStarted,
  },
  /** New VM / New Container from per-node choices (Proxmox VE): nodes, storages, ISOs, templates. */
  getGuestOptions: { params: z.object({ hostId: idSchema }), result: guestOptionsSchema },
  /** The command shown (secrets masked) and what stands in the way. */
  planGuest: { params: z.object({ hostId: idSchema, spec: guestSpecSchema }), result: plan },
  createGuest: {
    params: z.object({ hostId: idSchema, spec: guestSpecSchema }),
    result: taskStarted,
  },
  /** Edit settings of such a VM: each change before → after, and the exact commands. */
  planInstanceSettings: {
    params: z.object({ vmId: idSchema, settings: instanceSettingsSchema }),
    result: plan.extend({ changes: z.array(instanceChangeSchema), now: instanceNowSchema }),
  },
  applyInstanceSettings: {
    params: z.object({ vmId: idSchema, settings: instanceSettingsSchema }),
    result: taskStarted,
  },
  /** Starts downloading a volume: the task, and a one-time loopback URL to fetch it from. */
  startDownload: {
    params: z.object({ poolId: idSchema, volume: z.string().min(1).max(255) }),
    result: z.object({ taskId: z.string(), url: z.string() }),
  },
  /**
   * Starts uploading a file from the page into a file-based pool: returns
   * the task and a one-time loopback URL the page PUTs the file's bytes to.
   */
  startUpload: {
    params: z.object({
      poolId: idSchema,
      name: objectNameSchema,
      bytes: bytesSchema,
      /** A file chosen with chooseLocalFile: the main process reads it itself, no URL. */
      fileId: idSchema.optional(),
      /** Into a storage the cluster's API defines ('storage-api'): what the file is. */
      content: z.enum(UPLOAD_CONTENTS).optional(),
      /** A checksum the node verifies before it keeps the file. */
      checksum: uploadChecksumSchema.optional(),
    }),
    result: z.object({ taskId: z.string(), url: z.string().optional() }),
  },
  /** New Cluster's checklist for these nodes; changes nothing. */
  clusterPreflight: {
    params: z.object({ hostIds: clusterSpecSchema.shape.hostIds }),
    result: z.object({ findings: z.array(findingSchema) }),
  },
  /** The commands New Cluster will run, per node, and what stands in the way. */
  planCluster: {
    params: clusterSpecSchema,
    result: plan,
  },
  createCluster: { params: clusterSpecSchema, result: taskStarted },
  /** New Cluster's "High availability" (shared/ha-form.ts): preflight, package installs, fencing. */
  haPreflight: {
    /** `clusterName`: New Cluster again with that name (its running members stay, the others join). */
    params: z.object({
      hostIds: clusterSpecSchema.shape.hostIds,
      clusterName: z.string().max(256).optional(),
    }),
    result: z.object({
      findings: z.array(findingSchema),
      installs: z.array(haInstallOfferSchema),
      /** The chosen nodes that already run that cluster (their fencing is in its CIB). */
      members: z.array(z.string()),
    }),
  },
  planHaInstall: { params: z.object({ hostId: idSchema }), result: plan },
  haInstall: { params: z.object({ hostId: idSchema }), result: taskStarted },
  haFenceAgents: {
    params: z.object({ hostId: idSchema }),
    result: z.object({ agents: z.array(z.string()) }),
  },
  haFenceAgent: {
    params: z.object({ hostId: idSchema, agent: fenceAgentNameSchema }),
    result: fenceAgentInfoSchema,
  },
  testFenceDevice: {
    params: z.object({ hostIds: clusterSpecSchema.shape.hostIds, device: fenceDeviceSchema }),
    result: fenceTestResultSchema,
  },
  /** New Cluster on Ganeti (shared/ganeti-cluster.ts): defaults read from the nodes, preflight, plan, create. */
  ganetiClusterDefaults: {
    params: z.object({ hostIds: ganetiClusterSpecSchema.shape.hostIds }),
    result: ganetiClusterDefaultsSchema,
  },
  ganetiClusterPreflight: { params: ganetiClusterSpecSchema, result: ganetiPreflightResultSchema },
  planGanetiCluster: { params: ganetiClusterSpecSchema, result: plan },
  /** New Cluster on Proxmox VE: preflight, plan, then the task (with the first node's root password). */
  pveClusterPreflight: { params: pveClusterSpecSchema, result: pvePreflightResultSchema },
  planPveCluster: { params: pveClusterSpecSchema, result: plan },
  createPveCluster: { params: pveClusterCreateSchema, result: taskStarted },
  /** Remove a node from a Proxmox VE cluster (pvecm delnode), refused while it has guests. */
  planPveRemoveNode: { params: pveRemoveNodeSchema, result: plan },
  pveRemoveNode: { params: pveRemoveNodeSchema, result: taskStarted },
  /** The cluster's Ceph, read on demand (the General tab). */
  cephStatus: { params: z.object({ clusterId: idSchema }), result: cephStatusSchema },
  createGanetiCluster: { params: ganetiClusterSpecSchema, result: taskStarted },
  /** A Ganeti node's drain/offline/remove/master failover, and Add node: plan, then a task. */
  planGanetiNodeOp: { params: ganetiNodeOpSchema, result: plan },
  ganetiNodeOp: { params: ganetiNodeOpSchema, result: taskStarted },
  planGanetiAddNode: { params: ganetiAddNodeSchema, result: plan },
  ganetiAddNode: { params: ganetiAddNodeSchema, result: taskStarted },
  /** Migrate VM's preflight and the commands it will run; changes nothing. */
  planMigration: {
    params: migrationSpecSchema,
    result: z.object({
      findings: z.array(findingSchema),
      steps: z.array(planStepSchema),
      problems: z.array(z.string()),
    }),
  },
  migrateVms: { params: migrationSpecSchema, result: taskStarted },
  /** Whether both nodes hold QEMU's certificates for `virsh migrate --tls`, and if not, what lacks. */
  migrationTls: {
    params: z.object({ sourceHostId: idSchema, targetHostId: idSchema }),
    result: tlsReadinessSchema,
  },
  /** Where maintenance mode would move each running VM of a node, and the commands. */
  planMaintenance: {
    params: z.object({ hostId: idSchema }),
    result: z.object({
      findings: z.array(findingSchema),
      steps: z.array(planStepSchema),
      problems: z.array(z.string()),
    }),
  },
  /** Moves the node's running VMs to its cluster peers and marks it; bringBack remembers them. */
  enterMaintenance: {
    params: z.object({ hostId: idSchema, bringBack: z.boolean() }),
    result: taskStarted,
  },
  /** Clears the mark, and brings back the VMs remembered when it was set. */
  exitMaintenance: {
    params: z.object({ hostId: idSchema }),
    result: taskStarted,
  },
  /** A cluster-placed VM's ways to move (Ganeti), each offered or refused with the reason. */
  clusterMoveOptions: {
    params: z.object({ vmId: idSchema }),
    result: z.object({ options: z.array(clusterMoveOptionSchema) }),
  },
  /** The stack's own check of one move (a dry run) and the command; changes nothing. */
  planClusterMove: {
    params: clusterMoveSpecSchema,
    result: z.object({
      findings: z.array(findingSchema),
      steps: z.array(planStepSchema),
      problems: z.array(z.string()),
    }),
  },
  moveClusterVm: { params: clusterMoveSpecSchema, result: taskStarted },
  /** Runs the stack's cluster check (gnt-cluster verify) as a task; its findings land on the cluster. */
  verifyCluster: { params: z.object({ clusterId: idSchema }), result: taskStarted },
  /** One reading of a node's and its VMs' load now; rates compare with the node's previous reading. */
  readPerformance: {
    params: z.object({ hostId: idSchema }),
    result: performanceSampleSchema,
  },
  /**
   * The kept readings of the nodes in `since` newer than the time given for
   * each; the nodes in `watch` are read every 5 s from now until a few minutes
   * after the last such call (the Performance tab calls it while shown).
   */
  readPerformanceHistory: {
    params: z.object({
      watch: z.array(idSchema),
      since: z.record(z.string(), z.number()),
    }),
    result: z.record(z.string(), z.array(performanceSampleSchema)),
  },
  /**
   * A cluster's storage: pools that are one storage on several members
   * (tested with a marker file, counted once) and each member's own.
   */
  readClusterStorage: {
    params: z.object({ clusterId: idSchema }),
    result: clusterStorageSchema,
  },
  /** A node's memory now, from its kernel: behind every figure of a node's memory. */
  readNodeMemory: {
    params: z.object({ hostId: idSchema }),
    result: nodeMemorySchema,
  },
  /**
   * The commands Remove node runs: its peers stop trusting its cluster key and
   * forget how to reach it; it (when reachable) stops trusting them and loses
   * its cluster key. Changes nothing; problems say what stands in the way.
   */
  planRemoveClusterNode: {
    params: z.object({ clusterId: idSchema, hostId: idSchema }),
    result: plan,
  },
  /** Runs that plan as a task, then takes the node out of the cluster's record; refused while VMs are defined on it. */
  removeClusterNode: {
    params: z.object({ clusterId: idSchema, hostId: idSchema }),
    result: taskStarted,
  },
  /** The commands Remove cluster runs: every node's cluster trust and key taken back. Changes nothing. */
  planRemoveCluster: {
    params: z.object({ clusterId: idSchema }),
    result: plan,
  },
  /** Runs that plan as a task, then forgets the cluster; its nodes and their guests stay. */
  removeCluster: {
    params: z.object({ clusterId: idSchema }),
    result: taskStarted,
  },
  /** The command Clean up runs: `crm_resource --cleanup` of one HA resource on a member node. */
  planHaCleanup: {
    params: z.object({ clusterId: idSchema, resourceId: z.string().min(1).max(128) }),
    result: plan,
  },
  /** Runs that plan as a task: Pacemaker forgets the resource's failures and places it again. */
  haCleanup: {
    params: z.object({ clusterId: idSchema, resourceId: z.string().min(1).max(128) }),
    result: taskStarted,
  },
  /**
   * Protect with HA's commands and what stands in the way (a disk some member
   * does not see, no quorum): the VM becomes a Pacemaker VirtualDomain resource.
   */
  planProtectHa: {
    params: z.object({
      vmId: idSchema,
      preferred: z
        .array(
          z.object({
            node: z.string().min(1).max(128),
            score: z.number().int().min(1).max(1000000),
          }),
        )
        .max(32),
    }),
    result: plan,
  },
  /** Runs that plan as a task. */
  protectHa: {
    params: z.object({
      vmId: idSchema,
      preferred: z
        .array(
          z.object({
            node: z.string().min(1).max(128),
            score: z.number().int().min(1).max(1000000),
          }),
        )
        .max(32),
    }),
    result: taskStarted,
  },
  /** Remove HA's commands: the VM back to plain libvirt on the node it runs on (it restarts there). */
  planRemoveHa: { params: z.object({ vmId: idSchema }), result: plan },
  /** Runs that plan as a task. */
  removeHa: { params: z.object({ vmId: idSchema }), result: taskStarted },
  /** What this shell offers: the desktop app has native file dialogs, the browser shell not. */
  appInfo: { params: none, result: z.object({ nativeFilePicker: z.boolean() }) },
  /**
   * Opens the desktop app's own file dialog (the page never sees a path) and
   * keeps the chosen file for one startUpload; null when the user cancels.
   */
  chooseLocalFile: {
    params: none,
    result: z.object({ fileId: z.string(), name: z.string(), bytes: z.number() }).nullable(),
  },
  resizeTerminal: {
    params: z.object({ consoleId: idSchema, ...terminalSize }),
    result: done,
  },
  /** New Storage Pool where the cluster's API defines storage ('storage-api'): types, nodes, ids. */
  getStorageOptions: { params: z.object({ hostId: idSchema }), result: storageOptionsSchema },
  /** The call shown (secrets <hidden>) and what stands in the way. */
  planStorage: { params: z.object({ hostId: idSchema, spec: storageSpecSchema }), result: plan },
  createStorage: {
    params: z.object({ hostId: idSchema, spec: storageSpecSchema }),
    result: taskStarted,
  },
  /** Remove storage: the cluster forgets it; its data stays. */
  removeStorage: { params: z.object({ poolId: idSchema }), result: taskStarted },
  /** Edit storage: its settings now (content, nodes, enabled) and the digest that guards a change. */
  getStorageSettings: { params: z.object({ poolId: idSchema }), result: storageSettingsSchema },
  /** The call Edit storage makes (what changes), and what stands in the way. */
  planStorageEdit: {
    params: z.object({ poolId: idSchema, edit: storageEditSchema }),
    result: plan,
  },
  editStorage: {
    params: z.object({ poolId: idSchema, edit: storageEditSchema }),
    result: taskStarted,
  },
  /** The stack's own scan (exports, shares, targets, VGs, zpools), filling fields by name. */
  scanStorage: {
    params: z.object({ hostId: idSchema, request: storageScanRequestSchema }),
    result: z.object({ command: z.string(), sources: z.array(storageFoundSchema) }),
  },
  /** Download from URL: the node fetches an ISO image or template into the storage. */
  downloadToStorage: {
    params: z.object({ poolId: idSchema, spec: downloadUrlSpecSchema }),
    result: taskStarted,
  },
  ...backupMethods,
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type ParsedParams<M extends MethodName> = z.output<(typeof methods)[M]['params']>;
export type Result<M extends MethodName> = z.output<(typeof methods)[M]['result']>;

/** What a renderer can call: one async function per method. */
export type ClusterdeckApi = {
  [M in MethodName]: (params: Params<M>) => Promise<Result<M>>;
};

/** Events pushed from the main process. */
export interface Events {
  patch: Patch[];
}

/** The object a transport exposes to the renderer. */
export interface Bridge {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  onPatch(listener: (patches: Patch[]) => void): () => void;
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
