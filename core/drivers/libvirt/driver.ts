// The libvirt driver: inventory through one persistent virsh, changes pushed
// from libvirt's own event streams, actions as logged one-shot commands.
// Over 400 lines on purpose: one class answers every capability for a node
// over the same open virsh and session; each method delegates to its area's
// module (storage.ts, vm.ts, migrate.ts, …), so the class stays a table.
import type { ClientChannel } from 'ssh2';
import { VM_ACTION_LABELS, type VmAction } from '../../../shared/api';
import type { CpuModel, Finding } from '../../../shared/cluster';
import type { TlsReadiness } from '../../../shared/migration';
import {
  CAPABILITIES,
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
import { quoteArgv } from '../../ssh/quote';
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
  VmCounters,
  VolumeOp,
} from '../capabilities';
import type { Driver } from '../driver';
import {
  newVolumeProblem,
  objectNameSchema,
  type FoundSource,
  type PoolAction,
  type PoolSpec,
  type ScanRequest,
} from '../../../shared/storage';
import type { VmSettings, VmSpec } from '../../../shared/vm';
import type { HostInterface, NetworkAction, NetworkSpec } from '../../../shared/network';
import { HOST_INTERFACES_ARGV, parseHostInterfaces } from './host-interfaces';
import { createNetworkSteps, networkActionSteps } from './network';
import type { VmChange } from '../../../shared/vm-change';
import { vmChangePlan } from './vm-change';
import { parseKeyValues } from './parse';
import {
  cloneDomainXml,
  dataDisks,
  definitionDiff,
  editDomainXml,
  maskSecrets,
  normalizedXml,
  type DiskCopies,
  type DeviceAdds,
} from './domain-edit';
import type { DiskVolume } from './domain-xml';
import { createVmSteps, deleteVmSteps, type VmPools } from './vm';
import { OSINFO_ARGV, parseOsinfo } from './osinfo';
import type { OsCatalog } from '../../../shared/osinfo';
import { parseFoundSources, scanSourcesArgv } from './pool-sources';
import { readSnapshots, snapshotCreateRefusals, snapshotSteps } from './snapshots';
import type { SnapshotRefusals } from '../../../shared/vm';
import { guestInfoArgv, parseGuestInfo } from './guest-agent';
import type { GuestInfo } from '../../../shared/guest';
import { setTagsStep } from './tag-steps';
import {
  cloneVolumeSteps,
  createPoolSteps,
  createVolumeSteps,
  deleteVolumeSteps,
  poolActionSteps,
  resizeVolumeSteps,
} from './storage';
import {
  LIBVIRT_URI,
  VM_ACTION_ARGS,
  listDomainUuids,
  listNetworkUuids,
  listPoolUuids,
  readDomain,
  readNetwork,
  readNodeFacts,
  readPool,
  serialConsoleArgv,
  virshArgv,
} from './commands';
import {
  parseDomjobinfo,
  parseDomstats,
  parseNodeCpuStats,
  MEMINFO_ARGV,
  parseMeminfo,
} from './parse-stats';
import { NODE_IO_ARGV, parseNodeIo } from './node-io';
import { PRIVATE_FILE_ARGV, cpuRuns } from './cpu';
import { consoleSource, parseDomdisplay } from './display';
import { guestNeeds } from './guest-needs';
import { jobAbortArgv, migrateArgv, removeCopiesArgv } from './migrate';
import { checkTls, transportFinding } from './migration-transport';
import { followEvents, snapshotEventDomain, type EventKind } from './events';
import { KeptSnapshots } from './kept-snapshots';
import { EFFECTS, isDomainEvent, waitUntil } from './effects';
import { VirshShell } from './virsh-shell';

type Kind = EventKind;
const ALL_KINDS: readonly Kind[] = ['vms', 'pools', 'networks'];

/**
 * Reads every listed entity. One that vanished between the list and its read
 * (a transient guest destroyed just then) is left out: the event that
 * announced it brings another refresh. Any other failure still fails.
 */
export async function readEach<T>(
  uuids: string[],
  read: (uuid: string) => Promise<T>,
): Promise<T[]> {
  const read1 = (uuid: string) =>
    read(uuid).catch((err: Error) => {
      if (/not found|failed to get (domain|pool|network)/i.test(err.message)) return undefined;
      throw err;
    });
  const all = await Promise.all(uuids.map(read1));
  return all.filter((x): x is Awaited<T> => x !== undefined);
}

/** Everything the libvirt driver offers; libvirt has every capability the app knows. */
const LIBVIRT_CAPABILITIES: readonly Capability[] = CAPABILITIES;

export class LibvirtDriver implements Driver {
  readonly stack = 'libvirt' as const;
  readonly capabilities = LIBVIRT_CAPABILITIES;
  readonly hypervisorName = 'libvirt';
  private shell: VirshShell | undefined;
  private readonly channels: ClientChannel[] = [];
  private readonly refreshing = new Map<Kind, Promise<void>>();
  private readonly dirty = new Set<Kind>();
  /** Listeners to every event line, for actions waiting on their effect. */
  private readonly lineListeners = new Set<(line: string) => void>();
  /** The disks of each VM's snapshots, merged into its inventory entity. */
  private readonly kept = new KeptSnapshots();
  private stopped = false;

  constructor(
    private readonly session: SshSession,
    private readonly hostId: string,
    private readonly store: InventoryStore,
    private readonly probe: NodeProbe,
    private readonly onError: (err: Error) => void,
  ) {}

  private get label(): string {
    return this.session.target.label;
  }

  async start(): Promise<NodeInfo> {
    // Follow events before the first load, so nothing between the two is missed.
    const [shell] = await Promise.all([VirshShell.open(this.session, LIBVIRT_URI), this.follow()]);
    this.shell = shell;
    // stop() may have run while the channels were opening: close what came late.
    if (this.stopped) {
      this.stop();
      throw new ClusterdeckError('disconnected', `The connection to ${this.label} was closed.`);
    }
    const [facts, memory] = await Promise.all([
      readNodeFacts(this.shell),
      this.readMemory().catch(() => undefined),
    ]);
    await Promise.all(ALL_KINDS.map((k) => this.refresh(k)));
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
    const channel = await followEvents(
      this.session,
      (kind, line) => {
        // A line we cannot place (a name with a line break) refreshes everything.
        for (const k of kind ? [kind] : ALL_KINDS) {
          this.refresh(k).catch((e: Error) => this.onError(e));
        }
        for (const l of this.lineListeners) l(line);
        const snapshotOf = snapshotEventDomain(line);
        const vm = this.store
          .all('vms')
          .find((v) => v.hostId === this.hostId && v.name === snapshotOf);
        if (vm) this.snapshotsChanged(vm).catch((e: Error) => this.onError(e));
      },
      () => {
        if (!this.stopped && !this.session.isClosed) {
          this.onError(
            new ClusterdeckError(
              'disconnected',
              `The libvirt event stream on ${this.label} ended.`,
            ),
          );
        }
      },
    );
    this.channels.push(channel);
    if (this.stopped) channel.close();
  }

  /** Re-reads one kind of entity; calls during a refresh coalesce into one more. */
  refresh(kind: Kind): Promise<void> {
    const running = this.refreshing.get(kind);
    if (running) {
      this.dirty.add(kind);
      return running;
    }
    const p = (async () => {
      do {
        this.dirty.delete(kind);
        await this.load(kind);
      } while (this.dirty.has(kind) && !this.stopped);
    })().finally(() => this.refreshing.delete(kind));
    this.refreshing.set(kind, p);
    return p;
  }

  /** Per node: a libvirt UUID is the node's own (a migrated VM keeps it on another node). */
  entityId(kind: 'vm' | 'pool' | 'net', uuid: string): string {
    return `${this.hostId}:${kind}:${uuid}`;
  }

  private async load(kind: Kind): Promise<void> {
    const shell = this.shell;
    if (!shell || this.stopped) return;
    const h = this.hostId;
    if (kind === 'vms') {
      await this.kept.loadOnce(shell);
      const uuids = await listDomainUuids(shell);
      this.kept.keepOnly(uuids);
      const vms = await readEach(uuids, async (uuid) => ({
        id: this.entityId('vm', uuid),
        hostId: h,
        ...(await readDomain(shell, uuid)),
        ...this.kept.of(uuid),
      }));
      if (!this.stopped) this.store.replaceForHost('vms', h, vms);
    } else if (kind === 'pools') {
      const pools = await readEach(await listPoolUuids(shell), async (uuid) => ({
        id: this.entityId('pool', uuid),
        hostId: h,
        ...(await readPool(shell, uuid)),
      }));
      if (!this.stopped) this.store.replaceForHost('pools', h, pools);
    } else {
      const nets = await readEach(await listNetworkUuids(shell), async (uuid) => ({
        id: this.entityId('net', uuid),
        hostId: h,
        ...(await readNetwork(shell, uuid)),
      }));
      if (!this.stopped) this.store.replaceForHost('networks', h, nets);
    }
  }

  /**
   * Runs the action, then waits, up to `waitSeconds`, until libvirt shows its
   * effect: the state in the inventory (kept current by the event stream) or,
   * for a reboot, the domain's reboot event. Nothing polls the node.
   */
  async vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number): Promise<void> {
    const effect = EFFECTS[action];
    let eventSeen = false;
    let wake = () => {};
    // Listening starts before the command: a reboot's event may come before it returns.
    const listener = (line: string) => {
      if (effect.event && isDomainEvent(line, effect.event, vm.name)) {
        eventSeen = true;
        wake();
      }
    };
    this.lineListeners.add(listener);
    const unsubscribe = this.store.onPatch(() => wake());
    try {
      const run = (argv: string[]) =>
        this.session.exec(argv, { signal: ctx.signal, log: ctx.log, timeoutMs: 120_000 });
      let argv = virshArgv(VM_ACTION_ARGS[action](vm.uuid));
      let r;
      if (action === 'shutdown') {
        // The guest agent when it answers, else the ACPI power button; the
        // task's step says which it was (the log has both commands).
        r = await run(virshArgv([...VM_ACTION_ARGS.shutdown(vm.uuid), '--mode', 'agent']));
        if (r.code === 0) ctx.setSteps(['Shut down through the guest agent']);
        else {
          const why =
            r.stderr
              .trim()
              .replace(/^error: /gm, '')
              .split('\n')
              .pop() ?? '';
          ctx.setSteps([`Shut down with the ACPI power button (guest agent: ${why})`]);
          argv = virshArgv([...VM_ACTION_ARGS.shutdown(vm.uuid), '--mode', 'acpi']);
          r = await run(argv);
        }
        ctx.stepState(0, r.code === 0 ? 'done' : 'failed');
      } else r = await run(argv);
      if (r.code !== 0) {
        const why = r.stderr.trim().replace(/^error: /gm, '') || `exit code ${r.code}`;
        throw new ClusterdeckError(
          'command-failed',
          `${this.label}: \`${quoteArgv(argv)}\` failed: ${why}. See the task log for the full output.`,
        );
      }
      ctx.detail(effect.waiting);
      await this.refresh('vms');
      const seen = () =>
        effect.reached ? effect.reached(this.store.get('vms', vm.id)) : eventSeen;
      const wait = waitUntil(
        seen,
        waitSeconds * 1000,
        ctx.signal,
        () => new ClusterdeckError('cancelled', `Stopped waiting for ${vm.name}.`),
      );
      wake = wait.wake;
      const ok = await wait.result;
      if (!ok) {
        if (effect.offer === 'destroy')
          ctx.offer({ label: VM_ACTION_LABELS.destroy, vmId: vm.id, action: 'destroy' });
        throw new ClusterdeckError('timeout', effect.late(vm.name, this.label, waitSeconds));
      }
    } finally {
      ctx.detail('');
      this.lineListeners.delete(listener);
      unsubscribe();
    }
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

  async readHostInterfaces(): Promise<{ command: string; interfaces: HostInterface[] }> {
    const command = quoteArgv(HOST_INTERFACES_ARGV);
    const r = await this.session.run(HOST_INTERFACES_ARGV, { timeoutMs: 15_000 });
    if (r.code !== 0)
      throw new ClusterdeckError(
        'command-failed',
        `${this.label}: \`${command}\` failed: ${r.stderr.trim() || `exit code ${r.code}`}.`,
      );
    return { command, interfaces: parseHostInterfaces(r.stdout) };
  }

  scanSourcesArgv(request: ScanRequest): string[] {
    return scanSourcesArgv(request);
  }

  parseFoundSources(request: ScanRequest, stdout: string): FoundSource[] {
    return parseFoundSources(request.type, stdout);
  }

  async readMemory(): Promise<NodeMemory> {
    const r = await this.session.run(MEMINFO_ARGV, { timeoutMs: 15_000 });
    if (r.code !== 0)
      throw new ClusterdeckError(
        'command-failed',
        `Reading /proc/meminfo on ${this.label} failed: ${r.stderr.trim()}`,
      );
    return parseMeminfo(r.stdout);
  }

  async readCounters(): Promise<NodeCounters> {
    if (!this.shell) throw new ClusterdeckError('disconnected', `${this.label} is not connected.`);
    const at = Date.now();
    const [cpu, mem, dom, io] = await Promise.all([
      this.shell.run(['nodecpustats']),
      this.readMemory(),
      this.shell.run([
        'domstats',
        '--state',
        '--cpu-total',
        '--balloon',
        '--vcpu',
        '--block',
        '--interface',
      ]),
      // virsh has no node-wide disk or network counters: the kernel's, through the open shell.
      this.session.run(NODE_IO_ARGV, { timeoutMs: 10_000 }),
    ]);
    const byName = parseDomstats(dom.ok ? dom.stdout : '');
    const vms = new Map<string, VmCounters>();
    for (const vm of this.store.all('vms')) {
      const c = vm.hostId === this.hostId ? byName.get(vm.name) : undefined;
      if (c) vms.set(vm.uuid, c);
    }
    return {
      at,
      cpu: parseNodeCpuStats(cpu.ok ? cpu.stdout : ''),
      mem,
      io: parseNodeIo(io.code === 0 ? io.stdout : ''),
      vms,
    };
  }

  /** Through the node's open virsh: a new exec each second would slow the move. */
  async readMigration(vm: Vm): Promise<MigrationProgress | undefined> {
    const r = await this.shell?.run(['domjobinfo', vm.uuid], 10_000);
    return r?.ok ? parseDomjobinfo(r.stdout) : undefined;
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

  /** The guest's CPU and boot files, from its live definition. */
  async guestNeeds(vm: Vm): Promise<GuestNeeds> {
    const xml = await this.readDomainXml(vm);
    const { cpu, bootFiles } = guestNeeds(xml);
    const host = cpu.mode === 'host-passthrough' || cpu.mode === 'maximum';
    return {
      cpu: { kind: host ? 'host' : 'named', model: host ? cpu.mode : cpu.model || cpu.mode },
      bootFiles,
      cpuDescription: xml,
    };
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
    if (!this.shell) throw new ClusterdeckError('disconnected', `${this.label} is not connected.`);
    return readSnapshots(this.shell, vm, this.label);
  }

  async vmsWithSnapshots(): Promise<string[]> {
    if (!this.shell) throw new ClusterdeckError('disconnected', `${this.label} is not connected.`);
    return listDomainUuids(this.shell, ['--with-snapshot']);
  }

  async snapshotsChanged(vm: Vm): Promise<void> {
    const shell = this.shell;
    if (!shell || this.stopped) return;
    await this.kept.read(shell, vm.uuid);
    const current = this.store.get('vms', vm.id);
    if (current && !this.stopped) {
      const next: Vm = { ...current };
      delete next.snapshots;
      this.store.put('vms', vm.id, { ...next, ...this.kept.of(vm.uuid) });
    }
    // A load under way may have read the old snapshots: one more after it.
    if (this.refreshing.has('vms')) this.dirty.add('vms');
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

  /**
   * A VM's persistent definition as libvirt holds it. --security-info keeps
   * a VNC password in it, so a redefinition keeps it too; the password is
   * masked wherever the definition is shown and travels only on stdin.
   */
  async readDomainXml(vm: Vm): Promise<string> {
    if (!this.shell) throw new ClusterdeckError('disconnected', `${this.label} is not connected.`);
    const r = await this.shell.run(['dumpxml', vm.uuid]);
    if (!r.ok) {
      throw new ClusterdeckError(
        'command-failed',
        `Could not read the definition of ${vm.name} on ${this.label}: ${r.stderr.trim()}`,
      );
    }
    return r.stdout;
  }

  /** Asks hypervisor-cpu-compare with the guest's definition (cpuDescription). */
  async cpuRuns(needs: GuestNeeds): Promise<boolean | undefined> {
    const domainXml = needs.cpuDescription;
    if (!this.shell) throw new ClusterdeckError('disconnected', `${this.label} is not connected.`);
    // The open virsh reads no stdin, so the document goes to a private file
    // first, through the open shell: no new exec channel or virsh process.
    const made = await this.session.run([...PRIVATE_FILE_ARGV], {
      stdin: domainXml,
      timeoutMs: 15_000,
    });
    const file = made.stdout.trim();
    if (made.code !== 0 || !file.startsWith('/')) return undefined;
    try {
      const r = await this.shell.run(['hypervisor-cpu-compare', file]);
      return r.ok || /incompatible/i.test(r.stdout) ? cpuRuns(r.stdout) : undefined;
    } finally {
      void this.session.run(['rm', '-f', '--', file], { timeoutMs: 15_000 }).catch(() => undefined);
    }
  }

  private async definition(vm: Vm): Promise<string> {
    if (!this.shell) throw new ClusterdeckError('disconnected', `${this.label} is not connected.`);
    const r = await this.shell.run(['dumpxml', '--inactive', '--security-info', vm.uuid]);
    if (!r.ok) {
      throw new ClusterdeckError(
        'command-failed',
        `Could not read the definition of ${vm.name} on ${this.label}: ${r.stderr.trim()}`,
      );
    }
    return r.stdout;
  }

  async vmSettingsPlan(
    vm: Vm,
    settings: VmSettings,
  ): Promise<{ diff: string; steps: DriverStep[] }> {
    const { adds, steps } = this.resolveAdds(vm, settings);
    const before = await this.definition(vm);
    const after = editDomainXml(before, settings, adds);
    if (after.trim() !== normalizedXml(before).trim()) {
      steps.push({
        title: `Redefine ${vm.name}`,
        argv: virshArgv(['define', '--validate', '--file', '/dev/stdin']),
        stdin: after,
        shownInput: maskSecrets(after),
      });
    }
    if (settings.autostart !== vm.autostart) {
      steps.push({
        title: settings.autostart
          ? `Start ${vm.name} with the node`
          : `Do not start ${vm.name} with the node`,
        argv: virshArgv(['autostart', ...(settings.autostart ? [] : ['--disable']), vm.uuid]),
      });
    }
    return { diff: definitionDiff(vm.name, before, after), steps };
  }

  /**
   * The pools and networks the settings' new devices name, checked on this
   * node, and the commands that make the new volumes first.
   */
  private resolveAdds(vm: Vm, settings: VmSettings): { adds: DeviceAdds; steps: DriverStep[] } {
    const problem = (text: string) => new ClusterdeckError('invalid-input', text);
    const steps: DriverStep[] = [];
    const disks = settings.addDisks.map((d): DiskVolume => {
      const pool = this.store.get('pools', d.poolId);
      if (!pool || pool.hostId !== this.hostId)
        throw problem(`The pool for a new disk of ${vm.name} is not on ${this.label}.`);
      if (pool.state !== 'running')
        throw problem(`${pool.name} on ${this.label} is not running; start it first.`);
      const existing = pool.volumes.find((v) => v.name === d.volume);
      if (d.create) {
        if (existing)
          throw problem(`${pool.name} on ${this.label} already has a volume ${d.volume}.`);
        const formatProblem = newVolumeProblem(pool, d.create.format);
        if (formatProblem) throw problem(formatProblem);
        if (!objectNameSchema.safeParse(d.volume).success)
          throw problem(`${d.volume} is not a valid volume name.`);
        steps.push(...createVolumeSteps(pool, d.volume, d.create.bytes, d.create.format));
        return { pool: pool.name, volume: d.volume, format: d.create.format, ceph: pool.ceph };
      }
      if (!existing) throw problem(`${pool.name} on ${this.label} has no volume ${d.volume}.`);
      const format = existing.format === 'qcow2' ? 'qcow2' : 'raw';
      return { pool: pool.name, volume: d.volume, format, ceph: pool.ceph };
    });
    for (const n of settings.addNics) {
      if (
        n.kind === 'network' &&
        !this.store.all('networks').some((x) => x.hostId === this.hostId && x.name === n.name)
      )
        throw problem(`${this.label} has no libvirt network named ${n.name}.`);
    }
    return { adds: { disks, nics: settings.addNics }, steps };
  }

  async vmChangePlan(vm: Vm, change: VmChange): Promise<VmChangePlan> {
    const mine = <T extends { hostId: string }>(x: T) => x.hostId === this.hostId;
    return vmChangePlan(vm, change, {
      node: this.label,
      pools: this.store.all('pools').filter(mine),
      vms: this.store.all('vms').filter(mine),
      ...(change.op === 'resize' ? { capacity: await this.diskCapacity(vm, change.target) } : {}),
    });
  }

  async diskCapacity(vm: Vm, target: string): Promise<number> {
    if (!this.shell) throw new ClusterdeckError('disconnected', `${this.label} is not connected.`);
    const r = await this.shell.run(['domblkinfo', '--domain', vm.uuid, '--device', target]);
    const bytes = Number(parseKeyValues(r.stdout)['Capacity']);
    if (!r.ok || !Number.isFinite(bytes)) {
      throw new ClusterdeckError(
        'command-failed',
        `Could not read the size of ${target} of ${vm.name} on ${this.label}: ${r.stderr.trim() || 'no capacity in the answer'}`,
      );
    }
    return bytes;
  }

  async cloneVmSteps(vm: Vm, name: string): Promise<DriverStep[]> {
    const xml = await this.definition(vm);
    const pools = this.store.all('pools').filter((p) => p.hostId === this.hostId);
    const copies: DiskCopies = new Map();
    const steps: DriverStep[] = [];
    for (const d of dataDisks(xml)) {
      // The pool and volume holding the disk: named in the XML, or found by path.
      const pool = d.pool
        ? pools.find((p) => p.name === d.pool)
        : pools.find((p) => p.volumes.some((v) => v.path === d.file));
      const volume = d.volume ?? pool?.volumes.find((v) => v.path === d.file)?.name;
      if (!pool || !volume) {
        throw new ClusterdeckError(
          'unsupported',
          `${vm.name}'s disk ${d.target} (${d.file ?? d.volume ?? 'no source'}) is not a volume of a storage pool on ${this.label}; Clusterdeck copies disks through pools.`,
        );
      }
      const ext = /\.[A-Za-z0-9]+$/.exec(volume)?.[0] ?? '';
      const copy = `${name}-${d.target}${ext}`;
      copies.set(d.target, { pool: pool.name, volume: copy });
      steps.push({
        title: `Copy the disk ${d.target} as ${copy}`,
        argv: virshArgv(['vol-clone', '--pool', pool.uuid, '--vol', volume, '--newname', copy]),
      });
    }
    const cloneXml = cloneDomainXml(xml, name, copies);
    steps.push({
      title: `Define the clone ${name}`,
      argv: virshArgv(['define', '--validate', '--file', '/dev/stdin']),
      stdin: cloneXml,
      shownInput: maskSecrets(cloneXml),
    });
    return steps;
  }

  /** Over its own exec channel: ~600 kB of osinfo-db lines would hold the quick shell. */
  async readOsCatalog(): Promise<OsCatalog> {
    const r = await this.session.exec([...OSINFO_ARGV], { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new ClusterdeckError(
        'command-failed',
        `${this.label}: reading libosinfo's OS list failed: ${r.stderr.trim() || `exit code ${r.code}`}.`,
      );
    return parseOsinfo(r.stdout);
  }

  createVmSteps(spec: VmSpec, pools: VmPools, cpu?: CpuModel): DriverStep[] {
    return createVmSteps(spec, pools, cpu);
  }

  serialConsoleArgv(vm: Vm): string[] {
    return serialConsoleArgv(vm.uuid);
  }

  async openConsole(vm: Vm): Promise<ConsoleSource> {
    if (!this.shell) throw new ClusterdeckError('disconnected', `${this.label} is not connected.`);
    const r = await this.shell.run(['domdisplay', '--include-password', vm.uuid]);
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
    this.stopped = true;
    this.shell?.close();
    for (const c of this.channels) c.close();
  }
}
