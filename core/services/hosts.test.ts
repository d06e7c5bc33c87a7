// The hosts service owns the hosts' settings and connections; a node of a
// cluster leaves through Remove from the cluster first.
import { describe, expect, it } from 'vitest';
import { fakeWorld } from '../testing/fake-context';
import { createServices, route } from './router';

async function worldWithSavedNode() {
  const world = await fakeWorld();
  const node = world.addNode('node1');
  await world.ctx.settings.update((s) => {
    s.hosts.push(node.config);
  });
  return { world, node, handlers: route(createServices(world.ctx)) };
}

describe('hosts service', () => {
  it('removes a node from the inventory, the settings and the connections', async () => {
    const { world, node, handlers } = await worldWithSavedNode();
    expect(await handlers.removeHost({ hostId: node.id }, {})).toEqual({});
    expect(world.ctx.store.get('hosts', node.id)).toBeUndefined();
    expect(world.ctx.settings.current.hosts).toEqual([]);
    expect(() => world.ctx.connection(node.id)).toThrow('That host is no longer in Clusterdeck.');
  });

  it('refuses to remove a node that a cluster still trusts', async () => {
    const { world, node, handlers } = await worldWithSavedNode();
    const cluster = { id: 'c1', name: 'prod', hostIds: [node.id] };
    await world.ctx.settings.update((s) => {
      s.clusters.push(cluster);
    });
    await expect(handlers.removeHost({ hostId: node.id }, {})).rejects.toMatchObject({
      code: 'invalid-state',
      message: expect.stringContaining('node1 is in the cluster prod'),
    });
    expect(world.ctx.store.get('hosts', node.id)).toBeDefined();
    expect(world.ctx.settings.current.hosts).toHaveLength(1);
  });
});
