// The node's inventory kept current: the first load, and a re-read of one
// kind of entity (VMs, pools, networks) for each libvirt event of that kind,
// from the event streams followed in one exec channel (events.ts). Loads
// coalesce: events during a load bring one more, not one each.
import type { ClientChannel } from 'ssh2';
import { ClusterdeckError } from '../../../shared/errors';
import type { Vm } from '../../../shared/model';
import { listNetworkUuids, listPoolUuids, readNetwork, readPool } from './commands';
import { listDomains, ParsedDomains, readListedDomain } from './domain-reads';
import { followEvents, snapshotEventDomain, type EventKind } from './events';
import { KeptSnapshots } from './kept-snapshots';
import type { LibvirtNode } from './node';

export type Kind = EventKind;
export const ALL_KINDS: readonly Kind[] = ['vms', 'pools', 'networks'];

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

export class LibvirtInventory {
  private readonly refreshing = new Map<Kind, Promise<void>>();
  private readonly dirty = new Set<Kind>();
  /** Listeners to every event line, for actions waiting on their effect. */
  readonly lineListeners = new Set<(line: string) => void>();
  /** The disks of each VM's snapshots, merged into its inventory entity. */
  private readonly kept = new KeptSnapshots();
  /** The snapshot reads that snapshot events started, by VM UUID. */
  private readonly snapshotReads = new Map<string, Promise<void>>();
  /** Each VM's XML as last parsed: a reload parses only what changed. */
  private readonly parsed = new ParsedDomains();

  constructor(
    private readonly node: LibvirtNode,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Per node: a libvirt UUID is the node's own (a migrated VM keeps it on another node). */
  entityId(kind: 'vm' | 'pool' | 'net', uuid: string): string {
    return `${this.node.hostId}:${kind}:${uuid}`;
  }

  /** Opens the event channel; each line refreshes its kind and reaches the line listeners. */
  follow(): Promise<ClientChannel> {
    const { node } = this;
    return followEvents(
      node.session,
      (kind, line) => {
        // A line we cannot place (a name with a line break) refreshes everything.
        for (const k of kind ? [kind] : ALL_KINDS) {
          this.refresh(k).catch((e: Error) => this.onError(e));
        }
        for (const l of this.lineListeners) l(line);
        const snapshotOf = snapshotEventDomain(line);
        const vm = node.store
          .all('vms')
          .find((v) => v.hostId === node.hostId && v.name === snapshotOf);
        if (vm) this.snapshotEvent(vm);
      },
      () => {
        if (!node.stopped && !node.session.isClosed) {
          this.onError(
            new ClusterdeckError(
              'disconnected',
              `The libvirt event stream on ${node.label} ended.`,
            ),
          );
        }
      },
    );
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
      } while (this.dirty.has(kind) && !this.node.stopped);
    })().finally(() => this.refreshing.delete(kind));
    this.refreshing.set(kind, p);
    return p;
  }

  private async load(kind: Kind): Promise<void> {
    const { node } = this;
    const shell = node.shell;
    if (!shell || node.stopped) return;
    const h = node.hostId;
    if (kind === 'vms') {
      // Every VM at once (domain-reads.ts); the snapshots' first read beside it.
      const [lists] = await Promise.all([listDomains(shell), this.kept.loadOnce(shell)]);
      this.kept.keepOnly(lists.uuids);
      this.parsed.keepOnly(lists.uuids);
      const vms = await readEach(lists.uuids, async (uuid) => ({
        id: this.entityId('vm', uuid),
        hostId: h,
        ...(await readListedDomain(shell, uuid, lists, this.parsed)),
        ...this.kept.of(uuid),
      }));
      if (!node.stopped) node.store.replaceForHost('vms', h, vms);
    } else if (kind === 'pools') {
      const pools = await readEach(await listPoolUuids(shell), async (uuid) => ({
        id: this.entityId('pool', uuid),
        hostId: h,
        ...(await readPool(shell, uuid)),
      }));
      if (!node.stopped) node.store.replaceForHost('pools', h, pools);
    } else {
      const nets = await readEach(await listNetworkUuids(shell), async (uuid) => ({
        id: this.entityId('net', uuid),
        hostId: h,
        ...(await readNetwork(shell, uuid)),
      }));
      if (!node.stopped) node.store.replaceForHost('networks', h, nets);
    }
  }

  /**
   * A snapshot event (a revert: "Stopped Snapshot", "Started Snapshot",
   * "Defined Snapshot" …, often several for one revert) reads the VM's
   * snapshots once: events while that read runs join it.
   */
  private snapshotEvent(vm: Vm): void {
    if (this.snapshotReads.has(vm.uuid)) return;
    const read = this.snapshotsChanged(vm)
      .catch((e: Error) => this.onError(e))
      .finally(() => this.snapshotReads.delete(vm.uuid));
    this.snapshotReads.set(vm.uuid, read);
  }

  /** The VM's snapshots changed: read their disks again and put them on its entity. */
  async snapshotsChanged(vm: Vm): Promise<void> {
    const { node } = this;
    const shell = node.shell;
    if (!shell || node.stopped) return;
    await this.kept.read(shell, vm.uuid);
    const current = node.store.get('vms', vm.id);
    if (current && !node.stopped) {
      const next: Vm = { ...current };
      delete next.snapshots;
      node.store.put('vms', vm.id, { ...next, ...this.kept.of(vm.uuid) });
    }
    // A load under way may have read the old snapshots: one more after it.
    if (this.refreshing.has('vms')) this.dirty.add('vms');
  }
}
