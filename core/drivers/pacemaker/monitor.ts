// Follows the Pacemaker clusters the connected libvirt nodes are in. Each
// node is asked once, at connect, whether it has Pacemaker's tools and a
// corosync.conf, and for the cluster's name there. One member per Corosync
// cluster (the reader) is then asked every POLL_MS, through its session's
// open shell, for the CIB's stamp; only when the stamp moved is the cluster
// read (crm_mon, the resources section, corosync's nodelist, the VirtualDomain
// definitions' names). A reader that cannot answer (fenced, Pacemaker down)
// hands over to the next connected member in the same tick. What it reads
// goes to `publish`; nothing is kept but the last stamp and state.
import { isDeepStrictEqual } from 'node:util';
import type { HaState } from '../../../shared/ha';
import type { Host } from '../../../shared/model';
import { DETECT_ARGV, domainHeadsArgv, readArgv, splitRead, type ReadParts } from './commands';
import { parseDomainHeads } from './parse-status';
import { buildHaState, domainConfigs } from './state';

export const POLL_MS = 2000;
/** A full read this often even when the stamp did not move. */
export const FULL_READ_MS = 60_000;

export interface HaReply {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface HaMonitorDeps {
  /** Every host the app has, for the members' mapping. */
  hosts(): Host[];
  /** Runs a short command in the host's open shell. */
  run(hostId: string, argv: readonly string[]): Promise<HaReply>;
  /** A cluster's state changed (undefined: no member of it is connected any more). */
  publish(clusterName: string, members: string[], state: HaState | undefined): void;
  pollMs?: number;
}

interface Group {
  members: Set<string>;
  reader?: string;
  stamp: string;
  lastFull: number;
  state?: HaState;
  timer?: NodeJS.Timeout;
}

export class HaMonitor {
  /** For the idle cost: stamp reads, full reads, and how long each took on the reader. */
  readonly counts = { stampReads: 0, fullReads: 0 };
  /** Per connected host: its Corosync cluster's name, null for no Pacemaker, a promise while asked. */
  private readonly detected = new Map<string, string | null | Promise<void>>();
  private readonly groups = new Map<string, Group>();
  private closed = false;

  constructor(private readonly deps: HaMonitorDeps) {}

  /** Which clusters' names the connected hosts are in (for tests and the services). */
  clusterOf(hostId: string): string | undefined {
    const d = this.detected.get(hostId);
    return typeof d === 'string' ? d : undefined;
  }

  /** A libvirt host connected: ask it once whether it is in a Corosync cluster. */
  hostConnected(hostId: string, attempt = 0): void {
    if (this.closed || this.detected.has(hostId)) return;
    const asking = this.deps
      .run(hostId, DETECT_ARGV)
      .then((r) => {
        if (this.detected.get(hostId) !== asking) return;
        const [mark, name] = r.stdout.split('\n');
        const cluster = mark === 'pacemaker' ? name?.trim() || 'pacemaker' : null;
        this.detected.set(hostId, cluster);
        if (cluster) this.join(cluster, hostId);
      })
      .catch(() => {
        if (this.detected.get(hostId) !== asking) return;
        this.detected.delete(hostId);
        // A host just added is connected before its connection is registered: ask again
        // shortly while it stays connected (a disconnect asks again at the next connect).
        if (
          attempt < 5 &&
          this.deps.hosts().some((h) => h.id === hostId && h.state === 'connected')
        )
          setTimeout(() => this.hostConnected(hostId, attempt + 1), 1000).unref();
      });
    this.detected.set(hostId, asking);
  }

  /** A host disconnected or was removed: it reads no more, and leaves its group. */
  hostGone(hostId: string): void {
    const d = this.detected.get(hostId);
    this.detected.delete(hostId);
    if (typeof d !== 'string') return;
    const g = this.groups.get(d);
    if (!g) return;
    g.members.delete(hostId);
    if (g.reader === hostId) delete g.reader;
    if (g.members.size) return;
    clearTimeout(g.timer);
    this.groups.delete(d);
    this.deps.publish(d, [], undefined);
  }

  /** Reads a cluster now (after a change made here), instead of at the next tick. */
  async readNow(clusterName: string): Promise<void> {
    const g = this.groups.get(clusterName);
    if (!g) return;
    g.stamp = '';
    await this.tick(clusterName, g);
  }

  close(): void {
    this.closed = true;
    for (const g of this.groups.values()) clearTimeout(g.timer);
    this.groups.clear();
  }

  private join(cluster: string, hostId: string): void {
    const g = this.groups.get(cluster);
    if (g) {
      g.members.add(hostId);
      // A new member changes which hosts the nodes map to: read again.
      g.stamp = '';
      return;
    }
    const group: Group = { members: new Set([hostId]), stamp: '', lastFull: 0 };
    this.groups.set(cluster, group);
    this.schedule(cluster, group, 0);
  }

  private schedule(cluster: string, g: Group, ms: number): void {
    if (this.closed || this.groups.get(cluster) !== g) return;
    g.timer = setTimeout(() => {
      this.tick(cluster, g).finally(() => this.schedule(cluster, g, this.deps.pollMs ?? POLL_MS));
    }, ms);
    g.timer.unref();
  }

  private async tick(cluster: string, g: Group): Promise<void> {
    if (Date.now() - g.lastFull >= FULL_READ_MS) g.stamp = '';
    // The reader first, then the other members, until one answers.
    const order = [
      ...(g.reader ? [g.reader] : []),
      ...[...g.members].filter((m) => m !== g.reader),
    ];
    const errors: string[] = [];
    for (const hostId of order) {
      try {
        const state = await this.readOn(hostId, g);
        g.reader = hostId;
        if (state) this.update(cluster, g, state);
        return;
      } catch (e) {
        const name = this.deps.hosts().find((h) => h.id === hostId)?.name ?? hostId;
        errors.push(`${name}: ${(e as Error).message}`);
      }
    }
    if (!order.length || this.groups.get(cluster) !== g) return;
    // No member answers: the last state stays, marked with why.
    g.stamp = '';
    const problem = `No member node answers for the cluster's state (${errors.join('; ')}).`;
    this.update(cluster, g, g.state ? { ...g.state, problem } : undefined);
  }

  /** One read on a member: undefined when the stamp did not move. */
  private async readOn(hostId: string, g: Group): Promise<HaState | undefined> {
    const r = await this.deps.run(hostId, readArgv(g.stamp));
    this.counts.stampReads++;
    if (r.code !== 0)
      throw new Error(r.stderr.trim() || `the cluster read ended with exit code ${r.code}`);
    const parts = splitRead(r.stdout);
    if (parts.crmMon === undefined) return undefined;
    this.counts.fullReads++;
    const full = parts as Required<ReadParts>;
    const configs = [...new Set(domainConfigs(full.resources).values())];
    const heads = configs.length
      ? parseDomainHeads((await this.deps.run(hostId, domainHeadsArgv(configs))).stdout)
      : new Map<string, { name?: string; uuid?: string }>();
    const hosts = this.deps.hosts();
    const readFrom = hosts.find((h) => h.id === hostId)?.name ?? hostId;
    g.stamp = parts.stamp;
    g.lastFull = Date.now();
    return buildHaState(full, heads, hosts, readFrom);
  }

  private update(cluster: string, g: Group, state: HaState | undefined): void {
    if (this.groups.get(cluster) !== g) return;
    if (isDeepStrictEqual(state, g.state)) return;
    if (state) g.state = state;
    this.deps.publish(cluster, [...g.members], state);
  }
}
