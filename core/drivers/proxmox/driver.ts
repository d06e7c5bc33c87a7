// The Proxmox VE driver: one node's connection to its cluster (or to a node
// in no cluster). At start it gets over SSH what the API needs (bootstrap.ts:
// the certificate's fingerprint and Clusterdeck's token), then reads
// /cluster/status and /cluster/resources through the API tunnel into the
// store (inventory.ts) and keeps them current (refresh.ts). Power actions on
// VMs and containers are PVE worker tasks followed by UPID (tasks.ts).
import { VM_ACTION_LABELS, type VmAction } from '../../../shared/api';
import { ClusterdeckError } from '../../../shared/errors';
import type { Capability, NodeInfo, Vm } from '../../../shared/model';
import type { InventoryStore } from '../../inventory/store';
import type { TaskContext } from '../../tasks/runner';
import type { NodeProbe } from '../detect';
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
import { runWorker } from './tasks';
import { ProxmoxUnsupported } from './unsupported';
import { unsupportedPveVersion } from './version';

/** Read-only but for power actions: what the driver really does today. */
const PROXMOX_CAPABILITIES: readonly Capability[] = ['inventory', 'vm-lifecycle'];

/** The app's VM actions as PVE's status calls (the same names for qemu and lxc). */
const STATUS_CALLS: Partial<Record<VmAction, string>> = {
  start: 'start',
  shutdown: 'shutdown',
  destroy: 'stop',
  reboot: 'reboot',
};

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
}

export class ProxmoxDriver extends ProxmoxUnsupported implements Driver {
  readonly stack = 'proxmox' as const;
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

  constructor(private readonly o: ProxmoxDriverOptions) {
    super();
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
    const resources = await this.load();
    if (this.stopped)
      throw new ClusterdeckError('disconnected', `The connection to ${this.label} was closed.`);
    this.poll = new ResourcePoll(
      {
        readResources: async () =>
          parseClusterResources(await this.client.get('/cluster/resources')),
        readStatus: async () => parseClusterStatus(await this.client.get('/cluster/status')),
        apply: (status, res) => this.apply(status, res),
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
    const [status, resources] = await Promise.all([
      this.client.get('/cluster/status').then(parseClusterStatus),
      this.client.get('/cluster/resources').then(parseClusterResources),
    ]);
    this.apply(status, resources);
    return resources;
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
      if (cluster)
        store.put('clusters', id, prev?.health ? { ...cluster, health: prev.health } : cluster);
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
      local ? nodeStorages(resources, local, hostId, scope) : [],
    );
  }

  entityId(kind: 'vm' | 'pool' | 'net', nativeId: string): string {
    if (!this.status)
      throw new ClusterdeckError('disconnected', `${this.label} has not named its cluster yet.`);
    const scope = pveScope(this.status);
    return kind === 'vm' ? guestId(scope, Number(nativeId)) : `${scope}:${kind}:${nativeId}`;
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

  async vmAction(vm: Vm, action: VmAction, ctx: TaskContext, waitSeconds: number): Promise<void> {
    const call = STATUS_CALLS[action];
    if (!call)
      throw new ClusterdeckError(
        'unsupported',
        `Clusterdeck does not ${VM_ACTION_LABELS[action].toLowerCase()} Proxmox VE guests yet (${vm.name}).`,
      );
    const g = this.guestOf(vm);
    // A shutdown waits for the guest as long as the app's setting says, then fails.
    const params = action === 'shutdown' ? { timeout: waitSeconds } : {};
    ctx.setSteps([`${VM_ACTION_LABELS[action]} ${vm.name}`]);
    ctx.stepState(0, 'running');
    try {
      await runWorker(
        this.client,
        `/nodes/${g.node}/${g.type}/${g.vmid}/status/${call}`,
        params,
        ctx,
        this.o.taskPollMs,
      );
      ctx.stepState(0, 'done');
    } catch (err) {
      ctx.stepState(0, 'failed');
      throw err;
    } finally {
      await this.load().catch(() => undefined);
    }
  }

  stop(): void {
    this.stopped = true;
    this.poll?.stop();
    this.api?.close();
  }
}
