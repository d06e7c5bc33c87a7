// The disks each VM's snapshots keep, carried with the inventory for the
// pool view's "Used by". Read once, at the first load, only for the VMs that
// have snapshots (one `list --with-snapshot`, then those VMs' snapshot
// definitions), and again for one VM after a snapshot taken or deleted here,
// or on a snapshot event (a revert, made here or on the node: read once, by
// the event). libvirt sends no event when a snapshot is taken or deleted
// on the node itself: those show after a reconnect (Delete… reads the node
// again before it asks).
import type { KeptSnapshot } from '../../../shared/model';
import { listDomainUuids } from './commands';
import { readKeptSnapshots } from './snapshots';
import type { VirshShell } from './virsh-shell';

export class KeptSnapshots {
  private readonly byUuid = new Map<string, KeptSnapshot[]>();
  private loaded = false;

  /** Reads, the first time only, the snapshots of every VM that has some. */
  async loadOnce(shell: VirshShell): Promise<void> {
    if (this.loaded) return;
    const uuids = await listDomainUuids(shell, ['--with-snapshot']);
    await Promise.all(uuids.map((uuid) => this.read(shell, uuid)));
    this.loaded = true;
  }

  /** Re-reads one VM's snapshots. */
  async read(shell: VirshShell, uuid: string): Promise<void> {
    try {
      const kept = await readKeptSnapshots(shell, uuid);
      if (kept.length) this.byUuid.set(uuid, kept);
      else this.byUuid.delete(uuid);
    } catch {
      // Gone meanwhile, or unreadable: shown as none; Delete… asks the node again.
      this.byUuid.delete(uuid);
    }
  }

  /** Forgets VMs no longer defined, so one defined again under its UUID starts with none. */
  keepOnly(uuids: readonly string[]): void {
    const listed = new Set(uuids);
    for (const uuid of this.byUuid.keys()) if (!listed.has(uuid)) this.byUuid.delete(uuid);
  }

  /** The VM entity's `snapshots` field, absent when it has none. */
  of(uuid: string): { snapshots?: KeptSnapshot[] } {
    const kept = this.byUuid.get(uuid);
    return kept ? { snapshots: kept } : {};
  }
}
