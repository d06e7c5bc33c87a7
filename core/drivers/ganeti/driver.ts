// The Ganeti driver: one node's connection to a Ganeti cluster. It reads the
// whole cluster (nodes with their roles, instances with their placement)
// from the master, writes it into the store as a managed cluster and its
// VMs (ids scoped by the cluster: an instance name is cluster-wide), and
// keeps it current by a cheap poll (poll.ts). Lifecycle actions are Ganeti
// jobs followed as tasks (jobs.ts).
import { VM_ACTION_LABELS, type VmAction } from '../../../shared/api';
import type { ManagedNode } from '../../../shared/cluster';
import { ClusterdeckError } from '../../../shared/errors';
import type { Capability, NodeInfo, Vm } from '../../../shared/model';
import type { InventoryStore } from '../../inventory/store';
import type { SshSession } from '../../ssh/session';
import type { TaskContext } from '../../tasks/runner';
import type { NodeProbe } from '../detect';
import type { ConsoleSource } from '../capabilities';
import type { Driver } from '../driver';
import {
  CLUSTER_STATE_ARGV,
  INSTANCE_LIST_ARGV,
  NODE_LIST_ARGV,
  instanceOpArgv,
  onMaster,
  parseClusterState,
  type ClusterState,
  type InstanceOp,
} from './commands';
import { instanceConsole } from './console';
import { runJob } from './jobs';
import { parseInstances, parseNodes, type GanetiInstance } from './parse';
import { GanetiMoves } from './moves';
import { ChangePoll } from './poll';
import { GanetiPlacedVms } from './placed';
import { UnsupportedByDefault } from '../unsupported';
import { GanetiVerify } from './verify';

const GANETI_CAPABILITIES: readonly Capability[] = [
  'inventory',
  'vm-lifecycle',
  'vm-delete',
  'vm-delete-running',
  'instance-create',
  'instance-edit',
  'cluster-moves',
  'node-roles',
  'cluster-health',
  'console',
];

/** The app's VM actions as Ganeti operations; Force off is a shutdown that waits 0 s. */
const OPS: Partial<Record<VmAction, InstanceOp>> = {
  start: 'start',
  shutdown: 'shutdown',
  destroy: 'shutdown',
  reboot: 'reboot',
};
/** What an instance offers (Ganeti has no pause): published with each VM so no menu offers the rest. */
const INSTANCE_ACTIONS = (Object.keys(OPS) as VmAction[]).filter((a) => OPS[a]);

export const ganetiClusterId = (cluster: string) => `ganeti:${cluster}`;

export class GanetiDriver extends UnsupportedByDefault implements Driver {
  readonly stack = 'ganeti' as const;
  readonly capabilities = GANETI_CAPABILITIES;
  readonly hypervisorName = 'Ganeti';
  private state: ClusterState | undefined;
  private poll: ChangePoll | undefined;
  private stopped = false;
  /** New VM and Edit settings (placed.ts). */
  readonly placedVms: GanetiPlacedVms;
  /** Migrate VM and maintenance (moves.ts), verify (verify.ts). */
  readonly clusterMoves = new GanetiMoves(this);
  readonly clusterChecks = new GanetiVerify(this);
  readonly clusterEntityId = ganetiClusterId;

  constructor(
    readonly session: SshSession,
    private readonly hostId: string,
    readonly store: InventoryStore,
    private readonly probe: NodeProbe,
    private readonly onError: (err: Error) => void,
  ) {
    super();
    this.placedVms = new GanetiPlacedVms(session, this);
  }

  private get label(): string {
    return this.session.target.label;
  }

  /** What the connected node says now: the cluster, its master (after a failover too). */
  async readState(): Promise<ClusterState> {
    const r = await this.session.run(CLUSTER_STATE_ARGV, { timeoutMs: 20_000 });
    if (r.code !== 0)
      throw new ClusterdeckError('command-failed', `${this.label} names no Ganeti cluster.`);
    this.state = parseClusterState(r.stdout);
    return this.state;
  }

  /** A command as run on the connected node, reaching the current master. */
  async toMaster(argv: readonly string[]): Promise<string[]> {
    return onMaster(argv, this.state ?? (await this.readState()));
  }

  /** A short command through the session's open shell, its stdout; for the poll. */
  async runQuick(argv: readonly string[]): Promise<string> {
    const r = await this.session.run(argv, { timeoutMs: 20_000 });
    if (r.code !== 0) throw new Error(`${this.label}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  /** The poll's counters (idle cost), while it runs. */
  get pollCounts(): { stampReads: number; listReads: number } | undefined {
    return this.poll?.counts;
  }

  private async read(argv: readonly string[]): Promise<string> {
    const r = await this.session.exec(await this.toMaster(argv), { timeoutMs: 60_000 });
    if (r.code !== 0)
      throw new ClusterdeckError(
        'command-failed',
        `\`${argv.join(' ')}\` failed on ${this.label}: ${r.stderr.trim() || `exit ${r.code}`}`,
      );
    return r.stdout;
  }

  async start(): Promise<NodeInfo> {
    const state = await this.readState();
    const [nodes, version] = await Promise.all([this.load(), this.version()]);
    if (this.stopped)
      throw new ClusterdeckError('disconnected', `The connection to ${this.label} was closed.`);
    this.poll = new ChangePoll(this, state.stamp, (e) => this.onError(e));
    this.poll.master = state.master;
    const self = nodes.find((n) => n.name === state.self);
    return {
      hostname: this.probe.hostname,
      cpuModel: this.probe.cpuModel,
      cpus: self?.cpus ?? 0,
      memoryKiB: (self?.memoryTotalMiB ?? 0) * 1024,
      software: [{ name: 'Ganeti', version }],
      virtualization: 'kvm',
      uptimeSeconds: this.probe.uptimeSeconds,
      uptimeReadAt: Date.now(),
    };
  }

  private async version(): Promise<string> {
    const r = await this.session.run(['gnt-cluster', '--version'], { timeoutMs: 20_000 });
    return /(\d+\.\d+(?:\.\d+)?)/.exec(r.stdout)?.[1] ?? 'unknown';
  }

  /** Reads nodes and instances from the master into the store; returns the nodes. */
  async load(): Promise<ManagedNode[]> {
    const [nodesOut, instOut] = await Promise.all([
      this.read(NODE_LIST_ARGV),
      this.read(INSTANCE_LIST_ARGV),
    ]);
    const state = this.state!;
    const nodes = parseNodes(nodesOut);
    // A read that ends after the host was removed must not put its cluster back.
    if (this.stopped) return nodes;
    const id = ganetiClusterId(state.cluster);
    const prev = this.store.get('clusters', id);
    const hostIds = [...new Set([...(prev?.hostIds ?? []), this.hostId])];
    this.store.put('clusters', id, {
      id,
      name: state.cluster,
      hostIds,
      managed: { stack: 'ganeti', master: state.master, nodes },
      ...(prev?.health ? { health: prev.health } : {}),
    });
    // Instances are cluster-wide: with two nodes of one cluster added, the first
    // connected one (in the order they were added) writes them, so each VM has
    // one hostId; the others keep none until it is gone.
    const reader = hostIds.find(
      (h) => h === this.hostId || this.store.get('hosts', h)?.state === 'connected',
    );
    const vms = reader === this.hostId ? parseInstances(instOut).map((i) => this.toVm(i)) : [];
    this.store.replaceForHost('vms', this.hostId, vms);
    return nodes;
  }

  private toVm(i: GanetiInstance): Vm {
    return {
      id: this.entityId('vm', i.name),
      hostId: this.hostId,
      uuid: i.uuid,
      name: i.name,
      actions: [...INSTANCE_ACTIONS],
      state: i.state,
      vcpus: i.vcpus,
      memoryKiB: i.memoryMiB * 1024,
      autostart: false,
      persistent: true,
      disks: i.diskSizesMiB.map((_, n) => ({
        target: `disk/${n}`,
        device: 'disk',
        bus: i.diskTemplate,
        source: '',
      })),
      nics: i.nics.map((n) => ({ type: 'bridge', source: n.link, mac: n.mac, model: '' })),
      graphics: [],
      textConsoles: [],
      placement: {
        primary: i.primary,
        secondaries: i.secondaries,
        diskTemplate: i.diskTemplate,
        os: i.os,
      },
    };
  }

  entityId(kind: 'vm' | 'pool' | 'net', nativeId: string): string {
    if (!this.state)
      throw new ClusterdeckError('disconnected', `${this.label} has not named its cluster yet.`);
    return `${ganetiClusterId(this.state.cluster)}:${kind}:${nativeId}`;
  }

  async refresh(): Promise<void> {
    await this.load();
  }

  async vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number): Promise<void> {
    const op = OPS[action];
    if (!op)
      throw new ClusterdeckError(
        'unsupported',
        `${VM_ACTION_LABELS[action]} is not a Ganeti operation (${vm.name}).`,
      );
    const timeout = action === 'destroy' ? 0 : action === 'shutdown' ? waitSeconds : undefined;
    await this.job(instanceOpArgv(op, vm.name, { shutdownTimeout: timeout }), ctx);
  }

  /** Remove: one Ganeti job that takes the instance and its disks. */
  async deleteVm(vm: Vm, ctx: TaskContext): Promise<void> {
    await this.job(instanceOpArgv('remove', vm.name, { shutdownTimeout: 0 }), ctx);
  }

  /** Runs a job as the task, then reads the cluster again (the poll would, a little later). */
  async job(argv: string[], ctx: TaskContext): Promise<string> {
    try {
      return await runJob(this.session, (a) => this.toMaster(a), argv, ctx);
    } finally {
      await this.load().catch(() => undefined);
    }
  }

  /** A KVM instance's VNC display through this node's session (console.ts). */
  openConsole(vm: Vm): Promise<ConsoleSource> {
    return instanceConsole(
      {
        session: this.session,
        label: this.label,
        state: () => this.readState(),
        read: (argv) => this.read(argv),
        runQuick: (argv) => this.runQuick(argv),
      },
      vm,
    );
  }

  stop(): void {
    this.stopped = true;
    this.poll?.stop();
  }
}
