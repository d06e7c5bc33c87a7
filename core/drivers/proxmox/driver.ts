// The Proxmox VE driver: one node's connection to its cluster (or to a node
// in no cluster). At start it gets over SSH what the API needs (bootstrap.ts:
// the certificate's fingerprint and Clusterdeck's token), then reads
// /cluster/status and /cluster/resources through the API tunnel into the
// store (inventory.ts) and keeps them current (refresh.ts). Power actions on
// VMs and containers, New VM / New Container (new-guest.ts) and Delete are
// PVE worker tasks followed by UPID (tasks.ts).
import type { VmAction } from '../../../shared/api';
import { ClusterdeckError } from '../../../shared/errors';
import type { Capability, NodeInfo, Snapshot, Vm } from '../../../shared/model';
import type { InventoryStore } from '../../inventory/store';
import type { TaskContext } from '../../tasks/runner';
import type { ClusterMoves } from '../capabilities';
import type { NodeProbe } from '../detect';
import type { ConsoleSource, GuestCreation } from '../capabilities';
import type { Driver } from '../driver';
import type { DriverSecrets } from '../registry';
import { PveApiClient, type PveApiToken } from './api-client';
import { obtainToken, readFingerprint, type BootstrapSession } from './bootstrap';
import {
  guestId,
  guestToVm,
  localNode,
  nodeStorages,
  pveCluster,
  pveClusterId,
  pveScope,
} from './inventory';
import {
  parseClusterResources,
  parseClusterStatus,
  type PveClusterStatus,
  type PveResources,
} from './parse';
import type { OpenTunnel } from './pinned-tls';
import { ResourcePoll } from './refresh';
import { PveHaFacet } from './ha-driver';
import { PveHaOps } from './ha-ops';
import { UnsupportedByDefault } from '../unsupported';
import { unsupportedPveVersion } from './version';
import { inMaintenance, parseHaStatus } from './maintenance';
import { ProxmoxMoves } from './moves';
import { PveGuestEdits } from './guest-edits';
import { PveGuestOps } from './guest-ops';
import { ProxmoxStorage } from './storage-driver';
import { PveBackups } from './backups';

/** What the driver really does today: the view, power actions, consoles, New VM/Container, Delete, migrations, Edit settings, snapshots, clone. */
const PROXMOX_CAPABILITIES: readonly Capability[] = [
  'inventory',
  'vm-lifecycle',
  'console',
  'guest-create',
  'vm-delete',
  'cluster-moves',
  'instance-edit',
  'snapshots',
  'vm-clone',
  'guest-clone',
  'storage-api',
  'backups',
];

export interface ProxmoxDriverOptions {
  session: BootstrapSession;
  hostId: string;
  store: InventoryStore;
  probe: NodeProbe;
  onError: (err: Error) => void;
  secrets: DriverSecrets;
  /** How the API's byte stream is opened: the SSH session's forward to 127.0.0.1:8006. */
  openTunnel: OpenTunnel;
  /** Between two reads of /cluster/resources (refresh.ts's default otherwise). */
  pollMs?: number;
  /** Between two reads of a running task's status. */
  taskPollMs?: number;
  /** Between two reads of HA's status while its CRM moves guests (maintenance). */
  crmPollMs?: number;
}

export class ProxmoxDriver extends UnsupportedByDefault implements Driver {
  readonly stack = 'proxmox' as const;
  /** Power actions, New VM / New Container, Delete, console (guest-ops.ts). */
  private readonly guests: PveGuestOps;
  readonly guestCreation: GuestCreation;
  /**
   * A node in no cluster can found one or join one (New Cluster: 'cluster');
   * a member removes members (pvecm delnode) and reads the cluster's Ceph.
   */
  get capabilities(): readonly Capability[] {
    if (!this.status) return PROXMOX_CAPABILITIES;
    return this.status.cluster
      ? [...PROXMOX_CAPABILITIES, 'cluster-members', 'ceph-status']
      : [...PROXMOX_CAPABILITIES, 'cluster'];
  }
  readonly hypervisorName = 'Proxmox VE';
  private api: PveApiClient | undefined;
  private poll: ResourcePoll | undefined;
  private status: PveClusterStatus | undefined;
  private stopped = false;
  /** Migrate VM (moves.ts): PVE's migrations, followed as worker tasks too. */
  readonly clusterMoves: ClusterMoves;
  private ha: PveHaFacet | undefined;
  /** /cluster/ha/status/current as readStatus last read it, until the facet takes it. */
  private haRead: unknown;
  /** Protect with HA and Remove HA (capability of the driver, not of a node's version). */
  haGuests: PveHaOps | undefined;
  /** New Storage Pool, Remove, Scan, uploads (storage-driver.ts); the storages' content. */
  readonly storageApi: ProxmoxStorage;

  /** Edit settings, snapshots and clone (guest-edits.ts). */
  readonly guestSettings: PveGuestEdits;
  readonly snapshotTasks: PveGuestEdits;
  readonly guestCloning: PveGuestEdits;
  /** Backup jobs, a guest's backups, restore (backups.ts). */
  readonly backups: PveBackups;

  constructor(private readonly o: ProxmoxDriverOptions) {
    super();
    this.guestCreation = this.guests = new PveGuestOps({
      api: () => this.client,
      guestOf: (vm) => this.guestOf(vm),
      clusterName: () => this.status?.cluster?.name ?? this.label,
      haGuests: () => this.haGuests,
      major: () => this.o.probe.pve?.version?.major,
      load: () => this.load(),
      taskPollMs: o.taskPollMs,
    });
    this.guestSettings =
      this.snapshotTasks =
      this.guestCloning =
        new PveGuestEdits({
          api: () => this.client,
          guestOf: (vm) => this.guestOf(vm),
          onlineNodes: () => (this.status?.nodes ?? []).filter((n) => n.online).map((n) => n.name),
          load: () => this.load(),
          pollMs: o.taskPollMs,
        });
    this.clusterMoves = new ProxmoxMoves({
      api: () => this.client,
      selfName: () => this.selfName(),
      nodeStates: () => (this.status?.nodes ?? []).map((n) => ({ name: n.name, online: n.online })),
      guestOf: (vm) => this.guestOf(vm),
      load: () => this.load(),
      exec: (argv) => this.o.session.exec(argv, { timeoutMs: 60_000 }),
      taskPollMs: o.taskPollMs,
      crmPollMs: o.crmPollMs,
    });
    this.storageApi = new ProxmoxStorage({
      client: () => this.client,
      major: () => this.o.probe.pve?.version?.major,
      load: () => this.load(),
      pollMs: o.taskPollMs,
    });
    this.backups = new PveBackups({
      api: () => this.client,
      guestOf: (vm) => this.guestOf(vm),
      load: () => this.load(),
      taskPollMs: o.taskPollMs,
    });
  }

  private get label(): string {
    return this.o.session.target.label;
  }

  /** The API client once started. */
  get client(): PveApiClient {
    if (!this.api || this.stopped)
      throw new ClusterdeckError('disconnected', `${this.label} is not connected to its API.`);
    return this.api;
  }

  /** The poll's request counters (idle cost), while it runs. */
  get pollCounts(): { resources: number; status: number } | undefined {
    return this.poll && { ...this.poll.counts };
  }

  async start(): Promise<NodeInfo> {
    const pve = this.o.probe.pve;
    if (!pve?.clusterFs)
      throw new ClusterdeckError(
        'unreachable',
        `${this.label} runs Proxmox VE, but /etc/pve is not mounted: its cluster file system (pve-cluster) is not running, so neither its certificate nor its API is there. Check \`systemctl status pve-cluster\` on the node.`,
      );
    const refusal = pve.version && unsupportedPveVersion(pve.version, this.label);
    if (refusal) throw new ClusterdeckError('unsupported', refusal);
    const fingerprint = await readFingerprint(this.o.session);
    const token = await obtainToken(this.o.session, this.o.secrets, (t) =>
      this.accepts(fingerprint, t),
    );
    this.api = this.client_(fingerprint, token);
    this.startHa(pve.version?.major);
    const resources = await this.load();
    if (this.stopped)
      throw new ClusterdeckError('disconnected', `The connection to ${this.label} was closed.`);
    this.poll = new ResourcePoll(
      {
        readResources: async () =>
          parseClusterResources(await this.client.get('/cluster/resources')),
        readStatus: () => this.readStatus(),
        // HA's turn after the status (when the poll read it: its HA status comes along).
        apply: async (status, res) => {
          await this.ha?.poll(status, res, false, this.takeHaRead());
          this.apply(status, res);
        },
      },
      this.status!,
      resources,
      (err) => {
        if (!this.stopped) this.o.onError(err);
      },
      this.o.pollMs,
    );
    const self = resources.nodes.find((n) => n.name === localNode(this.status!));
    return {
      hostname: this.o.probe.hostname,
      cpuModel: this.o.probe.cpuModel,
      cpus: self?.cpus ?? 0,
      memoryKiB: Math.round((self?.memTotal ?? 0) / 1024),
      software: [{ name: 'Proxmox VE', version: pve.version?.manager ?? 'unknown' }],
      virtualization: 'kvm',
      uptimeSeconds: self?.uptime ?? this.o.probe.uptimeSeconds,
      uptimeReadAt: Date.now(),
    };
  }

  private client_(fingerprint: string, token: PveApiToken): PveApiClient {
    return new PveApiClient({
      node: this.label,
      openTunnel: this.o.openTunnel,
      fingerprint,
      token,
    });
  }

  /** Whether the API takes a saved token (false only for its refusal: 401). */
  private async accepts(fingerprint: string, token: PveApiToken): Promise<boolean> {
    let client: PveApiClient;
    try {
      client = this.client_(fingerprint, token);
    } catch {
      return false; // a malformed saved secret
    }
    try {
      await client.get('/version');
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 401) return false;
      throw err;
    } finally {
      client.close();
    }
  }

  /** Reads the cluster's status and resources into the store; returns the resources. */
  async load(): Promise<PveResources> {
    // Taken first: a closed connection throws here, before readStatus's promise is left unawaited.
    const client = this.client;
    const [status, resources] = await Promise.all([
      this.readStatus(),
      client.get('/cluster/resources').then(parseClusterResources),
    ]);
    await this.ha?.poll(status, resources, true, this.takeHaRead());
    const local = localNode(status);
    if (local) await this.storageApi.readContents(local, resources.storages);
    this.apply(status, resources);
    return resources;
  }

  /**
   * /cluster/status, with the nodes HA has in maintenance mode (none where HA
   * cannot be read). The HA status read for it is kept for the HA facet's
   * next poll (takeHaRead), so one request feeds both.
   */
  private async readStatus(): Promise<PveClusterStatus> {
    const [status, current] = await Promise.all([
      this.client.get('/cluster/status').then(parseClusterStatus),
      this.client.get('/cluster/ha/status/current').catch(() => undefined),
    ]);
    this.haRead = current;
    if (current === undefined) return status;
    const ha = parseHaStatus(current);
    const maintenance = [...ha.lrm.keys()].filter((n) => inMaintenance(ha, n));
    return maintenance.length ? { ...status, maintenance } : status;
  }

  /** The HA status readStatus brought, once (undefined: none new, the facet reads when due). */
  private takeHaRead(): unknown {
    const current = this.haRead;
    this.haRead = undefined;
    return current;
  }

  /**
   * The HA manager: read with the poll, drives HA guests (ha-driver.ts,
   * ha-ops.ts); an unparsed version is taken for the newer one (rules).
   */
  private startHa(major = 9): void {
    const facet = new PveHaFacet({
      client: () => this.client,
      major,
      label: this.label,
      hostId: this.o.hostId,
    });
    this.ha = facet;
    this.haGuests = new PveHaOps({
      facet,
      store: this.o.store,
      label: this.label,
      vmidOf: (vm) => this.guestOf(vm).vmid,
      load: () => this.load(),
      ...(this.o.taskPollMs !== undefined ? { pollMs: this.o.taskPollMs } : {}),
    });
  }

  /** The poll's HA read counters (idle cost). */
  get haCounts(): { status: number; config: number } | undefined {
    return this.ha && { ...this.ha.counts };
  }

  /** Writes what was read; the store puts only what changed. */
  private apply(status: PveClusterStatus, resources: PveResources): void {
    // A read that ends after the host was removed must not put its cluster back.
    if (this.stopped) return;
    this.status = status;
    const { store, hostId } = this.o;
    const scope = pveScope(status);
    let hostIds = [hostId];
    if (status.cluster) {
      const id = pveClusterId(status.cluster.name);
      const prev = store.get('clusters', id);
      hostIds = [...new Set([...(prev?.hostIds ?? []), hostId])];
      const cluster = pveCluster(status, resources, hostIds);
      const ha = this.ha?.publishable(hostIds, store);
      if (cluster)
        store.put('clusters', id, {
          ...cluster,
          ...(prev?.health ? { health: prev.health } : {}),
          ...(ha ? { ha } : {}),
        });
    }
    // Guests are cluster-wide: with several nodes of one cluster added, the
    // first connected one (in the order they were added) writes them, so each
    // has one hostId (as Ganeti's instances).
    const reader = hostIds.find(
      (h) => h === hostId || store.get('hosts', h)?.state === 'connected',
    );
    const vms = reader === hostId ? resources.guests.map((g) => guestToVm(g, hostId, scope)) : [];
    store.replaceForHost('vms', hostId, vms);
    const local = localNode(status);
    store.replaceForHost(
      'pools',
      hostId,
      local
        ? nodeStorages(resources, local, hostId, scope).map((p) =>
            this.storageApi.withContent(
              p,
              resources.storages.find((s) => s.node === local && s.storage === p.name),
            ),
          )
        : [],
    );
  }

  entityId(kind: 'vm' | 'pool' | 'net', nativeId: string): string {
    if (!this.status)
      throw new ClusterdeckError('disconnected', `${this.label} has not named its cluster yet.`);
    const scope = pveScope(this.status);
    return kind === 'vm' ? guestId(scope, Number(nativeId)) : `${scope}:${kind}:${nativeId}`;
  }

  /** The connected node's name in its cluster. */
  private selfName(): string {
    const name = this.status && localNode(this.status);
    if (!name)
      throw new ClusterdeckError('disconnected', `${this.label} has not named its node yet.`);
    return name;
  }

  async refresh(): Promise<void> {
    await this.load();
  }

  /** The guest's node, vmid and type from the VM the store holds. */
  private guestOf(vm: Vm): { node: string; vmid: number; type: 'qemu' | 'lxc' } {
    const vmid = Number(/:vm:(\d+)$/.exec(vm.id)?.[1]);
    const node = vm.placement?.primary;
    if (!vmid || !node)
      throw new ClusterdeckError('not-found', `${vm.name} is not a Proxmox VE guest.`);
    return { node, vmid, type: vm.kind === 'container' ? 'lxc' : 'qemu' };
  }

  vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number): Promise<void> {
    return this.guests.vmAction(vm, action, ctx, waitSeconds);
  }

  deleteVm(vm: Vm, ctx: TaskContext): Promise<void> {
    return this.guests.deleteVm(vm, ctx);
  }

  openConsole(vm: Vm): Promise<ConsoleSource> {
    return this.guests.openConsole(vm);
  }

  override readSnapshots(vm: Vm): Promise<Snapshot[]> {
    return this.snapshotTasks.readSnapshots(vm);
  }

  override snapshotCreateRefusals(vm: Vm) {
    return this.snapshotTasks.snapshotRefusals(vm);
  }

  stop(): void {
    this.stopped = true;
    this.poll?.stop();
    this.api?.close();
  }
}
