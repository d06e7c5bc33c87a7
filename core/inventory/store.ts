// The main process's copy of the inventory. Every change becomes a patch;
// patches made in one tick go out together, and a put that changes nothing
// sends nothing, so event storms from nodes stay cheap for the renderer.
import { isDeepStrictEqual } from 'node:util';
import {
  applyPatches,
  emptyInventory,
  type Collection,
  type Inventory,
  type Patch,
} from '../../shared/model';
import { checkPatch, contractChecksOn } from '../contract-checks';

type Listener = (patches: Patch[]) => void;

export class InventoryStore {
  private readonly inv: Inventory = emptyInventory();
  private pending: Patch[] = [];
  private readonly listeners = new Set<Listener>();

  snapshot(): Inventory {
    return structuredClone(this.inv);
  }

  get<C extends Collection>(collection: C, id: string): Inventory[C][string] | undefined {
    return this.inv[collection][id] as Inventory[C][string] | undefined;
  }

  /** One collection as it stands, read-only (no copy). */
  snapshotOf<C extends Collection>(collection: C): Readonly<Inventory[C]> {
    return this.inv[collection];
  }

  all<C extends Collection>(collection: C): Inventory[C][string][] {
    return Object.values(this.inv[collection]) as Inventory[C][string][];
  }

  put<C extends Collection>(collection: C, id: string, value: Inventory[C][string]): void {
    if (isDeepStrictEqual(this.inv[collection][id], value)) return;
    // The compiler cannot pair a generic C with its member of the Patch union; put's signature does.
    this.push({ op: 'put', collection, id, value: structuredClone(value) } as Patch);
  }

  del(collection: Collection, id: string): void {
    if (!(id in this.inv[collection])) return;
    this.push({ op: 'del', collection, id });
  }

  /** Makes a host's entities of one kind exactly `values`, removing the rest. */
  replaceForHost<C extends 'vms' | 'pools' | 'networks'>(
    collection: C,
    hostId: string,
    values: Inventory[C][string][],
  ): void {
    const keep = new Set(values.map((v) => v.id));
    for (const e of this.all(collection)) {
      if (e.hostId === hostId && !keep.has(e.id)) this.del(collection, e.id);
    }
    for (const v of values) this.put(collection, v.id, v);
  }

  removeHost(hostId: string): void {
    for (const c of ['vms', 'pools', 'networks'] as const) {
      for (const e of this.all(c)) if (e.hostId === hostId) this.del(c, e.id);
    }
    // A cluster its stack manages (Ganeti) is written by its hosts' drivers: gone with the last.
    for (const c of this.all('clusters')) {
      if (!c.managed || !c.hostIds.includes(hostId)) continue;
      const rest = c.hostIds.filter((id) => id !== hostId);
      if (rest.length) this.put('clusters', c.id, { ...c, hostIds: rest });
      else this.del('clusters', c.id);
    }
    this.del('hosts', hostId);
  }

  onPatch(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private push(p: Patch): void {
    if (contractChecksOn()) checkPatch(p);
    applyPatches(this.inv, [p]);
    if (this.pending.length === 0) queueMicrotask(() => this.flush());
    this.pending.push(p);
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    for (const l of this.listeners) l(batch);
  }
}
