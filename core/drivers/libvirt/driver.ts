// The libvirt driver: inventory through one persistent virsh, changes pushed
// from libvirt's own event streams, actions as logged one-shot commands. One
// class answers every capability for a node over the same open virsh and
// session (`LibvirtNode`, node.ts); each method delegates to the module of
// its area: inventory.ts (loads and events), vm-action.ts, vm-definition.ts
// (settings, changes, clones), node-reads.ts (memory, counters, interfaces,
// OS list), migration-reads.ts, storage.ts, network.ts, snapshots.ts, …
import type { ClientChannel } from 'ssh2';
import type { VmAction } from '../../../shared/api';
import type { CpuModel, Finding } from '../../../shared/cluster';
import type { TlsReadiness } from '../../../shared/migration';
import {
  type Capability,
  type Host,
  type Network,
  type NodeInfo,
  type Snapshot,
  type StoragePool,
  type Vm,
} from '../../../shared/model';
import { ClusterdeckError } from '../../../shared/errors';
import type { InventoryStore } from '../../inventory/store';
import type { SshSession } from '../../ssh/session';
import type { TaskContext } from '../../tasks/runner';
import type { NodeProbe } from '../detect';
import type {
  ConsoleSource,
  DriverStep,
  GuestNeeds,
  LiveMove,
  MigrateOptions,
  Migration,
  MigrationProgress,
  NodeCounters,
  NodeMemory,
  SnapshotOp,
  VmChangePlan,
  VolumeOp,
} from '../capabilities';
import type { Driver } from '../driver';
import type { FoundSource, PoolAction, PoolSpec, ScanRequest } from '../../../shared/storage';
import type { SnapshotRefusals, VmSettings, VmSpec } from '../../../shared/vm';
import type { HostInterface, NetworkAction, NetworkSpec } from '../../../shared/network';
import type { VmChange } from '../../../shared/vm-change';
import type { OsCatalog } from '../../../shared/osinfo';
import type { GuestInfo } from '../../../shared/guest';
import { createNetworkSteps, networkActionSteps } from './network';
import { createVmSteps, deleteVmSteps, type VmPools } from './vm';
import { parseFoundSources, scanSourcesArgv } from './pool-sources';
import { readSnapshots, snapshotCreateRefusals, snapshotSteps } from './snapshots';
import { guestInfoArgv, parseGuestInfo } from './guest-agent';
import { setTagsStep } from './tag-steps';
import {
  cloneVolumeSteps,
  createPoolSteps,
  createVolumeSteps,
  deleteVolumeSteps,
  poolActionSteps,
  resizeVolumeSteps,
} from './storage';
import { LIBVIRT_URI, listDomainUuids, readNodeFacts, serialConsoleArgv } from './commands';
import { consoleSource, parseDomdisplay } from './display';
import { jobAbortArgv, migrateArgv, removeCopiesArgv } from './migrate';
import { checkTls, transportFinding } from './migration-transport';
import { ALL_KINDS, LibvirtInventory, type Kind } from './inventory';
import { openShell, type LibvirtNode } from './node';
import { readCounters, readHostInterfaces, readMemory, readOsCatalog } from './node-reads';
import { nodeRunsCpu, readGuestNeeds, readMigration } from './migration-reads';
import { runVmAction } from './vm-action';
import {
  cloneVmSteps,
  diskCapacity,
  planVmChange,
  readDomainXml,
  vmSettingsPlan,
} from './vm-definition';
import { VirshShell } from './virsh-shell';

/**
 * What the libvirt driver offers, listed one by one: a capability added to
 * the app for another stack (Ganeti's instance-create, cluster-moves…) must
 * never reach libvirt hosts by default.
 */
const LIBVIRT_CAPABILITIES: readonly Capability[] = [
  'inventory',
  'vm-lifecycle',
  'console',
  'serial-console',
  'storage',
  'networks',
  'pool-scan',
  'vm-create',
  'vm-delete',
  'vm-delete-running',
  'vm-edit',
  'vm-clone',
  'snapshots',
  'guest-agent',
  'migration',
  'cluster',
  'performance',
];

export class LibvirtDriver implements Driver {
  readonly stack = 'libvirt' as const;
  readonly capabilities = LIBVIRT_CAPABILITIES;
  readonly hypervisorName = 'libvirt';
  private shell: VirshShell | undefined;
  private readonly channels: ClientChannel[] = [];
  private stopped = false;
  /** This node as the capability modules see it (the shell and `stopped` read live). */
  private readonly node: LibvirtNode;
  private readonly inventory: LibvirtInventory;

  constructor(
    private readonly session: SshSession,
    hostId: string,
    store: InventoryStore,
    private readonly probe: NodeProbe,
    onError: (err: Error) => void,
  ) {
    // Getters: the modules see the shell start() opens and stop()'s flag as they change.
    const shell = () => this.shell;
    const stopped = () => this.stopped;
    this.node = {
      session,
      hostId,
      store,
      get label() {
        return session.target.label;
      },
      get shell() {
        return shell();
      },
      get stopped() {
        return stopped();
      },
    };
    this.inventory = new LibvirtInventory(this.node, onError);
  }

  private get label(): string {
    return this.node.label;
  }

  async start(): Promise<NodeInfo> {
    // Follow events before the first load, so nothing between the two is missed.
    // The three channels (virsh, events, the node's shell for its memory)
    // open at once: each costs sshd a process start, ~100 ms or more.
    const memoryRead = this.readMemory().catch(() => undefined);
    const [shell] = await Promise.all([VirshShell.open(this.session, LIBVIRT_URI), this.follow()]);
    this.shell = shell;
    // stop() may have run while the channels were opening: close what came late.
    if (this.stopped) {
      this.stop();
      throw new ClusterdeckError('disconnected', `The connection to ${this.label} was closed.`);
    }
    // The node's facts and every kind of entity in one burst on the open virsh.
    const [facts, memory] = await Promise.all([
      readNodeFacts(this.shell),
      memoryRead,
      ...ALL_KINDS.map((k) => this.refresh(k)),
    ]);
    return {
      hostname: this.probe.hostname,
      cpuModel: this.probe.cpuModel,
      uptimeSeconds: this.probe.uptimeSeconds,
      // The probe ran moments ago, at connect: close enough for an uptime shown in minutes.
      uptimeReadAt: Date.now(),
      ...facts,
      // The kernel's total, as every other memory figure (parseMeminfo says why).
      ...(memory?.totalBytes ? { memoryKiB: Math.round(memory.totalBytes / 1024) } : {}),
    };
  }

  private async follow(): Promise<void> {
    const channel = await this.inventory.follow();
    this.channels.push(channel);
    if (this.stopped) channel.close();
  }

  /** Re-reads one kind of entity; calls during a refresh coalesce into one more. */
  refresh(kind: Kind): Promise<void> {
    return this.inventory.refresh(kind);
  }

  entityId(kind: 'vm' | 'pool' | 'net', uuid: string): string {
    return this.inventory.entityId(kind, uuid);
  }

  vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number): Promise<void> {
    return runVmAction(this.node, this.inventory, vm, action, ctx, waitSeconds);
  }

  createPoolSteps(spec: PoolSpec): DriverStep[] {
    return createPoolSteps(spec);
  }

  poolActionSteps(pool: StoragePool, action: PoolAction): DriverStep[] {
    return poolActionSteps(pool, action);
  }

  volumeSteps(pool: StoragePool, v: VolumeOp): DriverStep[] {
    switch (v.op) {
      case 'create':
        return createVolumeSteps(pool, v.name, v.bytes, v.format);
      case 'delete':
        return deleteVolumeSteps(pool, v.name);
      case 'resize':
        return resizeVolumeSteps(pool, v.name, v.bytes);
      case 'clone':
        return cloneVolumeSteps(pool, v.name, v.newName);
    }
  }

  createNetworkSteps(spec: NetworkSpec): DriverStep[] {
    return createNetworkSteps(spec);
  }

  networkActionSteps(net: Network, action: NetworkAction): DriverStep[] {
    return networkActionSteps(net, action);
  }

  readHostInterfaces(): Promise<{ command: string; interfaces: HostInterface[] }> {
    return readHostInterfaces(this.node);
  }

  scanSourcesArgv(request: ScanRequest): string[] {
    return scanSourcesArgv(request);
  }

  parseFoundSources(request: ScanRequest, stdout: string): FoundSource[] {
    return parseFoundSources(request.type, stdout);
  }

  readMemory(): Promise<NodeMemory> {
    return readMemory(this.node);
  }

  readCounters(): Promise<NodeCounters> {
    return readCounters(this.node);
  }

  readMigration(vm: Vm): Promise<MigrationProgress | undefined> {
    return readMigration(this.node, vm);
  }

  async memAvailable(): Promise<number> {
    return (await this.readMemory().catch(() => undefined))?.availableBytes ?? 0;
  }

  migrateArgv(vm: Vm, target: Host, options: MigrateOptions): string[] {
    return migrateArgv(vm.uuid, target, options);
  }

  abortMigrationArgv(vm: Vm): string[] {
    return jobAbortArgv(vm.uuid);
  }

  removeCopiesArgv(vm: Vm, paths: readonly string[]): string[] {
    return removeCopiesArgv(vm.uuid, paths);
  }

  transportFinding(move: LiveMove, target: Migration): Promise<Finding> {
    const nodes = { source: this.session, target: this.peerSession(target) };
    return transportFinding(nodes, move.vm, move.source, move.target, move.transport, move.copy);
  }

  tlsReadiness(source: Host, target: Host, targetDriver: Migration): Promise<TlsReadiness> {
    return checkTls(
      { name: source.name, conn: this.session },
      { name: target.name, conn: this.peerSession(targetDriver) },
    );
  }

  /** A move goes between libvirt nodes only: the target's session, for its files. */
  private peerSession(target: Migration): SshSession {
    if (!(target instanceof LibvirtDriver))
      throw new ClusterdeckError('unsupported', 'A VM moves only between libvirt nodes.');
    return target.session;
  }

  guestNeeds(vm: Vm): Promise<GuestNeeds> {
    return readGuestNeeds(this.node, vm);
  }

  cpuRuns(needs: GuestNeeds): Promise<boolean | undefined> {
    return nodeRunsCpu(this.node, needs);
  }

  async guestInfo(vm: Vm): Promise<GuestInfo> {
    // Its own exec channel, not the open virsh: a hung agent must not stall the inventory.
    const r = await this.session.exec(guestInfoArgv(vm), { timeoutMs: 20_000 });
    return parseGuestInfo(r.stdout);
  }

  snapshotCreateRefusals(vm: Vm, snapshots: readonly Snapshot[]): SnapshotRefusals {
    return snapshotCreateRefusals(vm, snapshots);
  }

  async readSnapshots(vm: Vm): Promise<Snapshot[]> {
    return readSnapshots(openShell(this.node), vm, this.label);
  }

  async vmsWithSnapshots(): Promise<string[]> {
    return listDomainUuids(openShell(this.node), ['--with-snapshot']);
  }

  snapshotsChanged(vm: Vm): Promise<void> {
    return this.inventory.snapshotsChanged(vm);
  }

  snapshotSteps(vm: Vm, op: SnapshotOp): DriverStep[] {
    return snapshotSteps(vm, op);
  }

  deleteVmSteps(vm: Vm, diskTargets: readonly string[]): DriverStep[] {
    return deleteVmSteps(vm, diskTargets);
  }

  vmTagsSteps(vm: Vm, tags: readonly string[]): DriverStep[] {
    return [setTagsStep(vm, tags)];
  }

  readDomainXml(vm: Vm): Promise<string> {
    return readDomainXml(this.node, vm);
  }

  vmSettingsPlan(vm: Vm, settings: VmSettings): Promise<{ diff: string; steps: DriverStep[] }> {
    return vmSettingsPlan(this.node, vm, settings);
  }

  vmChangePlan(vm: Vm, change: VmChange): Promise<VmChangePlan> {
    return planVmChange(this.node, vm, change);
  }

  diskCapacity(vm: Vm, target: string): Promise<number> {
    return diskCapacity(this.node, vm, target);
  }

  cloneVmSteps(vm: Vm, name: string): Promise<DriverStep[]> {
    return cloneVmSteps(this.node, vm, name);
  }

  readOsCatalog(): Promise<OsCatalog> {
    return readOsCatalog(this.node);
  }

  createVmSteps(spec: VmSpec, pools: VmPools, cpu?: CpuModel): DriverStep[] {
    return createVmSteps(spec, pools, cpu);
  }

  serialConsoleArgv(vm: Vm): string[] {
    return serialConsoleArgv(vm.uuid);
  }

  async openConsole(vm: Vm): Promise<ConsoleSource> {
    const r = await openShell(this.node).run(['domdisplay', '--include-password', vm.uuid]);
    if (!r.ok) {
      const why = r.stderr.trim().replace(/^error: /gm, '');
      throw new ClusterdeckError(
        'unsupported',
        `No console for ${vm.name} on ${this.label}: ${why}.`,
      );
    }
    return consoleSource(parseDomdisplay(r.stdout, vm.name), this.session, vm.name);
  }

  stop(): void {
    // The node is out of reach (or being removed): what its VMs do now is
    // unknown, and a lost node's VM may already run elsewhere (HA). The
    // next connection reads them again.
    if (!this.stopped)
      for (const vm of this.node.store.all('vms'))
        if (vm.hostId === this.node.hostId && vm.state !== 'unknown')
          this.node.store.put('vms', vm.id, { ...vm, state: 'unknown' });
    this.stopped = true;
    this.shell?.close();
    for (const c of this.channels) c.close();
  }
}
