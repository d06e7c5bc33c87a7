import { describe, expect, it } from 'vitest';
import type { Patch, Vm } from '../../shared/model';
import { InventoryStore } from './store';

const vm = (id: string, hostId: string, state: Vm['state'] = 'running'): Vm => ({
  id,
  hostId,
  uuid: id,
  name: id,
  state,
  vcpus: 1,
  memoryKiB: 1024,
  autostart: false,
  persistent: true,
  disks: [],
  nics: [],
  graphics: [],
  textConsoles: [],
});

describe('InventoryStore', () => {
  it('batches patches per tick and skips puts that change nothing', async () => {
    const s = new InventoryStore();
    const seen: Patch[][] = [];
    s.onPatch((p) => seen.push(p));
    s.put('vms', 'a', vm('a', 'h1'));
    s.put('vms', 'b', vm('b', 'h1'));
    await Promise.resolve();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(2);
    s.put('vms', 'a', vm('a', 'h1'));
    await Promise.resolve();
    expect(seen).toHaveLength(1);
  });

  it('replaces one host’s entities and leaves other hosts alone', async () => {
    const s = new InventoryStore();
    s.replaceForHost('vms', 'h1', [vm('a', 'h1'), vm('b', 'h1')]);
    s.replaceForHost('vms', 'h2', [vm('c', 'h2')]);
    s.replaceForHost('vms', 'h1', [vm('b', 'h1', 'paused')]);
    expect(Object.keys(s.snapshot().vms).sort()).toEqual(['b', 'c']);
    expect(s.get('vms', 'b')?.state).toBe('paused');
    s.removeHost('h2');
    expect(Object.keys(s.snapshot().vms)).toEqual(['b']);
  });

  it('drops a removed host from the managed cluster it read, and the cluster with its last host', () => {
    const s = new InventoryStore();
    const managed = { stack: 'ganeti', master: 'n1', nodes: [] };
    s.put('clusters', 'ganeti:c', { id: 'ganeti:c', name: 'c', hostIds: ['h1', 'h2'], managed });
    s.put('clusters', 'mine', { id: 'mine', name: 'mine', hostIds: ['h1'] });
    s.removeHost('h1');
    expect(s.get('clusters', 'ganeti:c')?.hostIds).toEqual(['h2']);
    // A cluster the user made (kept in settings) is the clusters service's to change.
    expect(s.get('clusters', 'mine')?.hostIds).toEqual(['h1']);
    s.removeHost('h2');
    expect(s.get('clusters', 'ganeti:c')).toBeUndefined();
  });
});
