// The capabilities a hypervisor stack's driver offers the features, in the
// features' own terms: no stack's types, commands or documents appear here,
// so a Proxmox VE, XCP-ng or Ganeti driver fits beside the libvirt one. A
// driver implements the capabilities its stack has and names them in
// `capabilities` (published as `host.capabilities`); `Driver` in driver.ts
// is the sum the libvirt driver offers today.
import type { OsCatalog } from '../../shared/osinfo';
import type { Duplex } from 'node:stream';
import type { VmAction } from '../../shared/api';
import type { CpuModel, Finding } from '../../shared/cluster';
import type { ClusterMoveKind, ClusterMoveOption } from '../../shared/cluster-moves';
import type { MigrationTransport, TlsReadiness } from '../../shared/migration';
import type { Host, Network, NodeInfo, Snapshot, StoragePool, Vm } from '../../shared/model';
import type { HostInterface, NetworkAction, NetworkSpec } from '../../shared/network';
import type {
  FoundSource,
  PoolAction,
  PoolSpec,
  ScanRequest,
  VolumeOp,
} from '../../shared/storage';
import type { SnapshotOp, SnapshotRefusals, VmSettings, VmSpec } from '../../shared/vm';
import type { GuestInfo } from '../../shared/guest';
import type { VmChange } from '../../shared/vm-change';
import type { TaskContext } from '../tasks/runner';
import type { DisplayRoute } from '../consoles/route';
import type {
  BackupJobSpec,
  BackupNow,
  BackupOverview,
  GuestBackups,
  RestorePlan,
  RestoreSpec,
  BackupRef,
} from '../../shared/backups';
import type {
  InstanceChange,
  InstanceNow,
  InstanceOptions,
  InstanceSettings,
  InstanceSpec,
} from '../../shared/instance';
import type { GuestOptions, GuestPlanStep, GuestSpec } from '../../shared/guest-create';
import type { CloneChoices, CloneExtras } from '../../shared/vm-clone';
import type { Readable } from 'node:stream';
import type {
  DownloadUrlSpec,
  StorageFound,
  StorageOptions,
  StorageEdit,
  StorageScanRequest,
  StorageSettings,
  StorageSpec,
  UploadChecksum,
  UploadContent,
} from '../../shared/storage-api';

/** One remote command of a plan: what the summary shows and the task runs. */
export interface DriverStep {
  title: string;
  argv: string[];
  /** Sent on standard input: a document, a key. */
  stdin?: string;
  /** How the summary shows stdin when it must not be shown (a key). */
  shownInput?: string;
  /** The command that takes this one back, offered if a later step fails. */
  undoStep?: DriverStep;
}

// A snapshot or volume change, as the contract carries it.
export type { SnapshotOp } from '../../shared/vm';
export type { VolumeOp } from '../../shared/storage';

export type InventoryKind = 'vms' | 'pools' | 'networks';

/**
 * The node's entities in the inventory store, kept current from the stack's
 * own events (the driver writes the store it was given).
 */
export interface Inventory {
  /** Loads node facts and the full inventory, then follows the node's events. */
  start(): Promise<NodeInfo>;
  /** Re-reads one kind of entity now, for changes the node sends no event for. */
  refresh(kind: InventoryKind): Promise<void>;
  /** Stops following events and closes what the driver opened. */
  stop(): void;
}

/**
 * How a stack names its entities in the store. The ids must be unique across
 * every host of every stack: libvirt's are per node (`<hostId>:vm:<uuid>`);
 * a stack whose VM ids are cluster-wide (a Proxmox vmid, a Ganeti instance
 * name) scopes them by its cluster instead, so a VM keeps its id when it moves.
 */
export interface EntityIds {
  entityId(kind: 'vm' | 'pool' | 'net', nativeId: string): string;
}

export interface VmLifecycle {
  /** Runs the action and waits up to waitSeconds until its effect is seen. */
  vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number): Promise<void>;
  /**
   * A stack whose removal is one operation of its own (a Ganeti job taking
   * the VM and its disks) runs Delete as the task here; others plan it as
   * commands (`deleteVmSteps`).
   */
  deleteVm?(vm: Vm, ctx: TaskContext): Promise<void>;
}

/**
 * A VM's graphical console as a byte stream: a libvirt VNC socket through the
 * SSH session, a Proxmox vncproxy, XAPI's /console. The bridge pipes it to
 * the page; when the display wants a password, the bridge logs in for the
 * page so the page never sees it.
 */
export interface ConsoleSource {
  protocol: 'vnc';
  connect(): Promise<Duplex>;
  /**
   * Where connect() goes, when it is a channel of the node's own SSH session:
   * then the console may run on a connection of its own in a worker thread
   * (core/dataplane), off the main thread. Absent for other sources.
   */
  route?: DisplayRoute;
  /**
   * Held by the main process only. A function where each connection gets
   * its own (a Proxmox vncproxy ticket): asked once connect() resolved.
   */
  password?: string | (() => string | undefined);
}

export interface Consoles {
  /** Where the VM's graphical console is; rejects with the reason when it has none. */
  openConsole(vm: Vm): Promise<ConsoleSource>;
}

export interface SerialConsoles {
  /** The command that attaches a terminal on the node to the VM's serial console. */
  serialConsoleArgv(vm: Vm): string[];
}

export interface Storage {
  /** The commands that define, build, start and autostart a pool on this node. */
  createPoolSteps(spec: PoolSpec): DriverStep[];
  poolActionSteps(pool: StoragePool, action: PoolAction): DriverStep[];
  volumeSteps(pool: StoragePool, op: VolumeOp): DriverStep[];
}

/** Virtual networks (a NAT, isolated or routed switch for guests) and the node's own interfaces. */
export interface Networks {
  /** The commands that define a network on this node and, as the spec asks, start and autostart it. */
  createNetworkSteps(spec: NetworkSpec): DriverStep[];
  networkActionSteps(net: Network, action: NetworkAction): DriverStep[];
  /** The node's NICs, bridges and their ports, read with no agent on the node, and the command read. */
  readHostInterfaces(): Promise<{ command: string; interfaces: HostInterface[] }>;
}

export interface PoolScan {
  /** The command that discovers pool sources on the node, and how to read its answer. */
  scanSourcesArgv(request: ScanRequest): string[];
  parseFoundSources(request: ScanRequest, stdout: string): FoundSource[];
}

export interface VmProvisioning {
  /** The commands that create a VM from the New VM wizard's spec; cpu is its cluster's CPU. */
  createVmSteps(
    spec: VmSpec,
    pools: { disk?: StoragePool; iso?: StoragePool },
    cpu?: CpuModel,
  ): DriverStep[];
  /** The node's OS variants (libosinfo) and what it has for UEFI and TPMs; one read. */
  readOsCatalog(): Promise<OsCatalog>;
  /** Removes a VM, and the disks (by target) the user chose to delete with it. */
  deleteVmSteps(vm: Vm, diskTargets: readonly string[]): DriverStep[];
  /** The settings editor's change: the definition's diff and the commands that apply it. */
  vmSettingsPlan(vm: Vm, settings: VmSettings): Promise<{ diff: string; steps: DriverStep[] }>;
  /** Copies a shut-off VM: its data disks through their pools, then a new definition. */
  cloneVmSteps(vm: Vm, name: string): Promise<DriverStep[]>;
  /** Sets the user's tags (shared/tags.ts) kept with the VM on its node; none removes them. */
  vmTagsSteps(vm: Vm, tags: readonly string[]): DriverStep[];
}

/**
 * New VM and Edit settings where the cluster places VMs (Ganeti): one job
 * each, run as the task. `commands` are as the node runs them.
 */
export interface PlacedVms {
  /** OS definitions, disk templates (each unavailable one with its reason), nodes, links. */
  readInstanceOptions(): Promise<InstanceOptions>;
  /** The commands New VM runs for the spec, and what stands in the way given the options. */
  planInstance(
    spec: InstanceSpec,
    options: InstanceOptions,
  ): Promise<{ commands: string[]; problems: string[] }>;
  createInstance(spec: InstanceSpec, ctx: TaskContext): Promise<void>;
  /** What the settings change (before → after) and the commands that apply it. */
  planInstanceSettings(
    vm: Vm,
    settings: InstanceSettings,
  ): Promise<{
    changes: InstanceChange[];
    commands: string[];
    problems: string[];
    now: InstanceNow;
  }>;
  applyInstanceSettings(vm: Vm, settings: InstanceSettings, ctx: TaskContext): Promise<void>;
}

/**
 * New VM and New Container where the cluster's API offers the choices per
 * node (Proxmox VE): one API call each, run as the stack's own task.
 */
export interface GuestCreation {
  /** Nodes, their storages, bridges, ISO images and templates; the proposed id. */
  readGuestOptions(): Promise<GuestOptions>;
  /** The commands shown for the spec (secrets masked), and what stands in the way. */
  planGuest(spec: GuestSpec, options: GuestOptions): { steps: GuestPlanStep[]; problems: string[] };
  createGuest(spec: GuestSpec, ctx: TaskContext): Promise<void>;
}

/** A VM change that acts at once: its commands, what stands in the way, when it takes effect. */
export interface VmChangePlan {
  steps: DriverStep[];
  problems: string[];
  note?: string;
}

export interface VmDevices {
  /** The commands of a CD/DVD, disk size, link or notes change (shared/vm-change.ts). */
  vmChangePlan(vm: Vm, change: VmChange): Promise<VmChangePlan>;
  /** A disk's capacity in bytes, as the hypervisor sees it now. */
  diskCapacity(vm: Vm, target: string): Promise<number>;
}

export interface Snapshots {
  /** A VM's snapshots, read when asked for (not part of the inventory). */
  readSnapshots(vm: Vm): Promise<Snapshot[]>;
  /** Ids (UUIDs) of the node's VMs that have snapshots, in one question. */
  vmsWithSnapshots(): Promise<string[]>;
  /** Re-reads the disks the VM's snapshots keep into the inventory, after a snapshot change. */
  snapshotsChanged(vm: Vm): Promise<void>;
  snapshotSteps(vm: Vm, op: SnapshotOp): DriverStep[];
  /** Why the node cannot take a snapshot of each kind now, given the VM's snapshots. */
  snapshotCreateRefusals(vm: Vm, snapshots: readonly Snapshot[]): SnapshotRefusals;
}

export interface GuestAgent {
  /** What the VM's guest agent says (OS, host name, addresses, uptime), or why it did not answer. */
  guestInfo(vm: Vm): Promise<GuestInfo>;
}

/** What a VM needs of any node it runs on, for Migrate VM's preflight. */
export interface GuestNeeds {
  /** 'host': the node's own CPU passed through, so only the same CPU will do. */
  cpu: { kind: 'host' | 'named'; model: string };
  /** Absolute paths on the node a move does not carry (kernel, initrd, firmware). */
  bootFiles: string[];
  /**
   * The guest's CPU as its own stack describes it, handed unread to a
   * driver of the same stack for `cpuRuns`.
   */
  cpuDescription: string;
}

/** A running move as the task shows it, whatever the stack reports; sizes in bytes. */
export interface MigrationProgress {
  active: boolean;
  /** Sent so far and still to send; later passes re-send what the guest wrote. */
  processed: number;
  remaining: number;
  total: number;
  /** Bytes per second of the memory stream; 0 when unknown. */
  bandwidth: number;
  /** The pause the switch-over is expected to cause; 0 when unknown. */
  downtimeMs: number;
  /** The pass over the guest's memory (1, 2, …); 0 when the stack does not say. */
  iteration: number;
}

export interface MigrateOptions {
  /** Running (or paused) guests move live; a shut-off one moves its definition only. */
  live: boolean;
  copyStorage: boolean;
  persist: boolean;
  bandwidthMiBs?: number | undefined;
  /** How a live move's data travels; plain when absent. */
  transport?: MigrationTransport | undefined;
}

/** A live move as the transport check sees it. */
export interface LiveMove {
  vm: Vm;
  source: Host;
  target: Host;
  transport: MigrationTransport;
  /** Whether its disks are copied with it. */
  copy: boolean;
}

/**
 * Moving VMs between nodes of one cluster: asked of the source unless said
 * otherwise; `target` is the target's driver (of the same stack: a driver
 * may refuse another's).
 */
export interface Migration {
  /** The memory the node can still give, in bytes; 0 when unknown. */
  memAvailable(): Promise<number>;
  guestNeeds(vm: Vm): Promise<GuestNeeds>;
  /** Asked of the target: whether it runs that guest's CPU; undefined when it cannot tell. */
  cpuRuns(needs: GuestNeeds): Promise<boolean | undefined>;
  /** The command, run on the source, that moves the VM to the target. */
  migrateArgv(vm: Vm, target: Host, options: MigrateOptions): string[];
  /** The running move's progress, read cheaply once a second; undefined when none. */
  readMigration(vm: Vm): Promise<MigrationProgress | undefined>;
  /** The command that stops the move; the VM stays on the source. */
  abortMigrationArgv(vm: Vm): string[];
  /**
   * Asked of the target after a failed move that copied disks: the command
   * that removes those files unless the VM runs there after all.
   */
  removeCopiesArgv(vm: Vm, paths: readonly string[]): string[];
  /** How a live move's data would travel to the target, and whether both nodes allow it. */
  transportFinding(move: LiveMove, target: Migration): Promise<Finding>;
  /** Whether this node and the target hold what an encrypted (TLS) move needs. */
  tlsReadiness(source: Host, target: Host, targetDriver: Migration): Promise<TlsReadiness>;
}

/** A node's cumulative disk and network counters (its own hardware only). */
export interface NodeIoCounters {
  diskReadBytes: number;
  diskWriteBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  /** The names of the devices counted, so a reading can be checked. */
  disks: string[];
  nics: string[];
}

/** One VM's cumulative counters, and its memory now. */
export interface VmCounters {
  /** Running (not paused, nor an incoming migration's paused copy). */
  running: boolean;
  cpuNs: number;
  vcpus: number;
  /** What the guest was given now (a balloon may give less than its maximum). */
  memGivenBytes: number;
  /** Its allocation, the most it can be given. */
  memMaxBytes: number;
  /** What the guest itself says it uses, when it reports it. */
  memUsedBytes?: number;
  diskReadBytes: number;
  diskWriteBytes: number;
  netRxBytes: number;
  netTxBytes: number;
}

/**
 * A node's memory as its kernel counts it: the one source of every node
 * memory figure (General tabs, Performance, the preflights).
 */
export interface NodeMemory {
  totalBytes: number;
  freeBytes: number;
  /** What new guests can have without the node swapping (MemAvailable). */
  availableBytes: number;
}

/** One reading of a node's and its VMs' cumulative counters. */
export interface NodeCounters {
  at: number;
  cpu: { busyNs: number; totalNs: number };
  mem: NodeMemory;
  /** The node's own disks and NICs. */
  io: NodeIoCounters;
  /** By the VM's UUID, which stays the same when it moves to another node. */
  vms: Map<string, VmCounters>;
}

export interface PerformanceCounters {
  /** The node's memory now: cheap, read when a figure is shown. */
  readMemory(): Promise<NodeMemory>;
  /** The node's and its VMs' cumulative load counters, for the Performance tab. */
  readCounters(): Promise<NodeCounters>;
}

/** A move a cluster-placing stack (Ganeti) makes itself: how, and where to when the user picks. */
export interface ClusterMove {
  how: ClusterMoveKind;
  targetNode?: string | undefined;
}

/**
 * A cluster that places its VMs itself (Ganeti): its own ways to move a VM,
 * its own preflight of a move, and node maintenance (VMs moved away, the
 * node kept free of new ones). Asked of any connected node of the cluster.
 */
export interface ClusterMoves {
  /** Each way the VM can move now, with its target nodes, or why not (the stack's checks, mirrored). */
  moveOptions(vm: Vm): Promise<ClusterMoveOption[]>;
  /**
   * The stack's own check of the move (a dry run, a precondition call): the
   * command that would run, its refusal if any, and what the check is called
   * and by whom (Ganeti's dry run when absent).
   */
  checkMove(
    vm: Vm,
    move: ClusterMove,
  ): Promise<{
    node: string;
    step: DriverStep;
    refusal?: string;
    check?: { label: string; stack: string };
  }>;
  /** Runs the move as the task, to its end. */
  runMove(vm: Vm, move: ClusterMove, ctx: TaskContext): Promise<void>;
  /** The cluster's name for the connected node. */
  selfNode(): Promise<string>;
  /** Entering (or leaving) maintenance of a node of the cluster: what moves, what stands in the way. */
  maintenancePlan(
    node: string,
    enter: boolean,
  ): Promise<{ findings: Finding[]; steps: DriverStep[] }>;
  runMaintenance(node: string, enter: boolean, ctx: TaskContext): Promise<void>;
  /**
   * Whether a node can run its own maintenance (Proxmox VE's HA takes the
   * command from any node); Ganeti's drained node cannot reach the master.
   */
  readonly maintenanceFromItself?: boolean;
}

/** The stack's own check of its cluster, its findings written onto the cluster in the store. */
export interface ClusterChecks {
  verifyCluster(ctx: TaskContext): Promise<void>;
}

/**
 * Edit settings where the stack's API edits the guest (Proxmox VE): the
 * same review (before → after, the commands) and apply as PlacedVms's.
 */
export type GuestSettingsEditor = Pick<
  PlacedVms,
  'planInstanceSettings' | 'applyInstanceSettings'
> & {
  /** How the review titles each command ("Change web01 through the Proxmox VE API"). */
  settingsStepTitle(vm: Vm): string;
};

/** Snapshots a stack takes, rolls back and deletes as its own tasks (Proxmox VE workers). */
export interface SnapshotTasks {
  runSnapshotOp(vm: Vm, op: SnapshotOp, ctx: TaskContext): Promise<void>;
}

/** Clone where the stack copies a guest itself, to a node and id of the user's choice. */
export interface GuestCloning {
  cloneChoices(vm: Vm): Promise<CloneChoices>;
  cloneGuest(vm: Vm, name: string, extras: CloneExtras, ctx: TaskContext): Promise<void>;
  /** Makes a stopped guest a template (the base a linked clone shares). */
  convertToTemplate(vm: Vm, ctx: TaskContext): Promise<void>;
}

/** An upload into a storage the cluster's API defines (shared/storage-api.ts). */
export interface StorageUpload {
  name: string;
  content: UploadContent;
  bytes: number;
  checksum?: UploadChecksum;
  /** The bytes, once they come (the page's PUT, or a file read in the main process). */
  source: () => Promise<Readable>;
  /** Told when every byte reached the node. */
  onSent?: () => void;
}

/**
 * Storage the cluster defines through its own API (Proxmox VE's /storage:
 * capability 'storage-api'): New Storage Pool with the stack's types and
 * fields, its scans, Remove, uploads and downloads into a storage. Each is
 * one API call (or worker) run as the task, the cluster read again after.
 */
export interface StorageApi {
  readStorageOptions(): Promise<StorageOptions>;
  /** The commands shown (secrets <hidden>) and what stands in the way. */
  planStorage(
    spec: StorageSpec,
    options: StorageOptions,
  ): { steps: { title: string; command: string }[]; problems: string[] };
  createStorage(spec: StorageSpec, ctx: TaskContext): Promise<void>;
  removeStorage(pool: StoragePool, ctx: TaskContext): Promise<void>;
  /** Edit storage: what it may hold, its nodes, enabled; the digest they were read with. */
  readStorageSettings(pool: StoragePool): Promise<StorageSettings>;
  planStorageEdit(
    now: StorageSettings,
    edit: StorageEdit,
  ): { steps: { title: string; command: string }[]; problems: string[] };
  editStorage(now: StorageSettings, edit: StorageEdit, ctx: TaskContext): Promise<void>;
  scanStorage(request: StorageScanRequest): Promise<{ command: string; sources: StorageFound[] }>;
  uploadToStorage(pool: StoragePool, job: StorageUpload, ctx: TaskContext): Promise<void>;
  downloadToStorage(pool: StoragePool, spec: DownloadUrlSpec, ctx: TaskContext): Promise<void>;
}

/**
 * Backups of the cluster's guests (Proxmox VE: vzdump): its jobs, run now,
 * a guest's backups, one guest backed up now, restore as a new guest, an
 * archive deleted, (un)protected or its notes edited.
 */
export interface Backups {
  overview(): Promise<BackupOverview>;
  /** Creates the job (no id) or changes it. */
  saveJob(id: string | undefined, job: BackupJobSpec, ctx: TaskContext): Promise<void>;
  deleteJob(id: string, ctx: TaskContext): Promise<void>;
  runJob(id: string, ctx: TaskContext): Promise<void>;
  guestBackups(vm: Vm): Promise<GuestBackups>;
  backupGuest(vm: Vm, spec: BackupNow, ctx: TaskContext): Promise<void>;
  restorePlan(volid: string, node: string): Promise<RestorePlan>;
  restore(spec: RestoreSpec, ctx: TaskContext): Promise<void>;
  /** Removes the archive; the stack refuses a protected one. */
  deleteBackup(backup: BackupRef, ctx: TaskContext): Promise<void>;
  /** Protects it from deletion and pruning (true) or lifts that (false). */
  protectBackup(backup: BackupRef, on: boolean, ctx: TaskContext): Promise<void>;
  /** Its whole notes ('' when none). */
  backupNotes(backup: BackupRef): Promise<string>;
  setBackupNotes(backup: BackupRef, notes: string, ctx: TaskContext): Promise<void>;
}
