// What every hypervisor stack offers the rest of the backend. The libvirt
// driver is the first; Proxmox VE and XCP-ng come behind the same interface.
import type { VmAction } from '../../shared/api';
import type { CpuModel } from '../../shared/cluster';
import type { NodeInfo, Snapshot, Stack, StoragePool, Vm } from '../../shared/model';
import type {
  FoundSource,
  PoolAction,
  PoolSpec,
  ScanRequest,
  VolumeOp,
} from '../../shared/storage';
import type { SnapshotOp, VmSettings, VmSpec } from '../../shared/vm';
import type { TaskContext } from '../tasks/runner';
import type { DisplayAddress } from './libvirt/display';
import type { JobInfo } from './libvirt/parse';
import type { NodeCounters } from '../performance/rates';

/** One remote command of a plan: what the summary shows and the task runs. */
export interface DriverStep {
  title: string;
  argv: string[];
  /** Sent on standard input: an XML document, a key. */
  stdin?: string;
  /** How the summary shows stdin when it must not be shown (a key). */
  shownInput?: string;
  /** The command that takes this one back, offered if a later step fails. */
  undoStep?: DriverStep;
}

// Written once, in the contract; re-exported for the drivers that import them from here.
export type { SnapshotOp } from '../../shared/vm';
export type { VolumeOp } from '../../shared/storage';

export interface Driver {
  readonly stack: Stack;
  /** Loads node facts and the full inventory, then follows the node's events. */
  start(): Promise<NodeInfo>;
  /** Runs the action and waits up to waitSeconds until its effect is seen. */
  vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number): Promise<void>;
  /** Where the VM's graphical console listens, as seen from the node. */
  displayAddress(vm: Vm): Promise<DisplayAddress>;
  /** The command that attaches a terminal to the VM's serial console. */
  serialConsoleArgv(vm: Vm): string[];
  /** Re-reads one kind of entity now, for changes the node sends no event for. */
  refresh(kind: 'vms' | 'pools' | 'networks'): Promise<void>;
  /** The commands that define, build, start and autostart a pool on this node. */
  createPoolSteps(spec: PoolSpec): DriverStep[];
  poolActionSteps(pool: StoragePool, action: PoolAction): DriverStep[];
  /** The command that discovers pool sources on the node, and how to read its answer. */
  scanSourcesArgv(request: ScanRequest): string[];
  parseFoundSources(request: ScanRequest, stdout: string): FoundSource[];
  volumeSteps(pool: StoragePool, op: VolumeOp): DriverStep[];
  /** The node's and its VMs' cumulative load counters, for the Performance tab. */
  readCounters(): Promise<NodeCounters>;
  /** The VM's running job (a migration), read through the node's open virsh channel. */
  readJob(vm: Vm): Promise<JobInfo | undefined>;
  /** A VM's live definition (no secrets), read through the node's open channel. */
  readDomainXml(vm: Vm): Promise<string>;
  /** Whether the CPU of a domain definition runs on this node; undefined when it cannot tell. */
  cpuRuns(domainXml: string): Promise<boolean | undefined>;
  /** A VM's snapshots, read when asked for (not part of the inventory). */
  readSnapshots(vm: Vm): Promise<Snapshot[]>;
  /** UUIDs of the node's VMs that have snapshots (one command, not one per VM). */
  vmsWithSnapshots(): Promise<string[]>;
  snapshotSteps(vm: Vm, op: SnapshotOp): DriverStep[];
  /** Removes a VM, and the disks (by target) the user chose to delete with it. */
  deleteVmSteps(vm: Vm, diskTargets: readonly string[]): DriverStep[];
  /** The settings editor's change: the definition's diff and the commands that apply it. */
  vmSettingsPlan(vm: Vm, settings: VmSettings): Promise<{ diff: string; steps: DriverStep[] }>;
  /** Copies a shut-off VM: its data disks through their pools, then a new definition. */
  cloneVmSteps(vm: Vm, name: string): Promise<DriverStep[]>;
  /** The commands that create a VM from the New VM wizard's spec; cpu is its cluster's CPU. */
  createVmSteps(
    spec: VmSpec,
    pools: { disk?: StoragePool; iso?: StoragePool },
    cpu?: CpuModel,
  ): DriverStep[];
  stop(): void;
}
