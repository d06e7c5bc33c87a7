// Where the HA facet goes: onto a cluster recognised from the nodes when no
// settings cluster holds them, else onto that settings cluster (and back on
// it when ClusterService puts it again), never into the settings file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PART } from '../drivers/pacemaker/commands';
import { fakeWorld, type FakeWorld } from '../testing/fake-context';
import type { FakeNode } from '../testing/fake-node';
import { derivedClusterId, HaService } from './ha';

const fixture = (name: string) =>
  readFileSync(join(__dirname, '..', 'drivers', 'pacemaker', 'fixtures', name), 'utf8');
const NAME = 'clusterdeck-lab-120';

function answerAsPacemaker(node: FakeNode): void {
  node.answer = (argv) => {
    const script = argv[2] ?? '';
    if (script.includes('echo pacemaker'))
      return { code: 0, stdout: `pacemaker\n${NAME}\n`, stderr: '' };
    if (script.includes('--no-children')) {
      const stdout = [
        '<cib epoch="1"/>',
        PART.crmMon,
        fixture('crm_mon-vm.xml'),
        PART.resources,
        fixture('cib-resources.xml'),
        PART.cmap,
        fixture('cmap.txt'),
      ].join('\n');
      return { code: 0, stdout, stderr: '' };
    }
    if (script.includes('head -c 8192'))
      return { code: 0, stdout: fixture('domain-heads.txt'), stderr: '' };
    return { code: 1, stdout: '', stderr: 'unexpected' };
  };
}

let service: HaService | undefined;
afterEach(() => service?.close());

async function world(): Promise<{ w: FakeWorld; ids: string[] }> {
  const w = await fakeWorld();
  service = new HaService(w.ctx);
  const ids: string[] = [];
  for (const name of ['hanode1', 'hanode2']) {
    const node = w.addNode(name);
    answerAsPacemaker(node);
    const host = w.ctx.store.get('hosts', node.config.id)!;
    w.ctx.store.put('hosts', host.id, { ...host, stack: 'libvirt' });
    ids.push(host.id);
  }
  return { w, ids };
}

describe('the HA facet', () => {
  it('recognises a cluster from the nodes when no settings cluster holds them', async () => {
    const { w, ids } = await world();
    const c = await vi.waitFor(() => {
      const c = w.ctx.store.get('clusters', derivedClusterId(NAME));
      if (!c?.ha || c.hostIds.length < 2) throw new Error('not yet');
      return c;
    });
    expect(c.name).toBe(NAME);
    expect(c.hostIds.sort()).toEqual([...ids].sort());
    expect(c.ha?.fromNodes).toBe(true);
    expect(c.ha?.nodes.find((n) => n.name === 'hanode1')?.hostId).toBe(ids[0]);
    expect(w.ctx.settings.current.clusters).toEqual([]);
  });

  it("puts it on the settings cluster that holds a member, and back after that cluster's own put", async () => {
    const { w, ids } = await world();
    const saved = { id: 'c1', name: 'mine', hostIds: [ids[0]!] };
    await w.ctx.settings.update((s) => {
      s.clusters = [saved];
    });
    w.ctx.store.put('clusters', saved.id, saved);
    await vi.waitFor(() => {
      if (!w.ctx.store.get('clusters', 'c1')?.ha) throw new Error('not yet');
    });
    expect(w.ctx.store.get('clusters', 'c1')?.ha?.fromNodes).toBe(false);
    expect(w.ctx.store.get('clusters', derivedClusterId(NAME))).toBeUndefined();
    // ClusterService writes the saved record again (a node removed, say): the facet comes back.
    w.ctx.store.put('clusters', saved.id, saved);
    await vi.waitFor(() => {
      if (!w.ctx.store.get('clusters', 'c1')?.ha) throw new Error('not yet');
    });
    expect(w.ctx.settings.current.clusters[0]).toEqual(saved);
  });

  it('drops the recognised cluster when its last member disconnects', async () => {
    const { w, ids } = await world();
    await vi.waitFor(() => {
      if (!w.ctx.store.get('clusters', derivedClusterId(NAME))) throw new Error('not yet');
    });
    for (const id of ids) {
      const h = w.ctx.store.get('hosts', id)!;
      w.ctx.store.put('hosts', id, { ...h, state: 'unreachable' });
    }
    await vi.waitFor(() => {
      if (w.ctx.store.get('clusters', derivedClusterId(NAME))) throw new Error('still there');
    });
  });
});
