// The simulator's seed: the homelab's three guests by default, and a larger
// cluster on request (the lab's PVE_LAB_GUESTS), whose answers still hold to
// the schema.
import { afterAll, describe, expect, it } from 'vitest';
import { pveCall } from './client';
import { pveSchemasOrSkip } from './schema';
import { startPveSim, type PveSim } from './server';
import { seedCluster } from './state';

const haveSchemas = pveSchemasOrSkip('pve-sim seed');

describe('seedCluster', () => {
  it('holds the homelab’s three guests by default', () => {
    expect([...seedCluster().guests.keys()]).toEqual([100, 101, 200]);
  });

  it('spreads 50 guests, VMs and containers, over three nodes', () => {
    const s = seedCluster({ nodes: 3, guests: 50 });
    const all = [...s.guests.values()];
    expect(all).toHaveLength(50);
    expect(new Set(all.map((g) => g.vmid)).size).toBe(50);
    const kinds = { qemu: 0, lxc: 0 };
    for (const g of all) kinds[g.kind]++;
    expect(kinds.lxc).toBeGreaterThanOrEqual(15);
    expect(kinds.qemu).toBeGreaterThanOrEqual(30);
    for (const node of ['pve1', 'pve2', 'pve3']) {
      const on = all.filter((g) => g.node === node);
      expect(on.length).toBeGreaterThanOrEqual(15);
      expect(on.some((g) => g.kind === 'lxc')).toBe(true);
      expect(on.some((g) => g.status === 'running')).toBe(true);
      expect(on.some((g) => g.status === 'stopped')).toBe(true);
    }
    // The homelab's three stay as they were.
    expect(s.guests.get(100)?.config.name).toBe('web01');
    expect(s.guests.get(200)?.config.hostname).toBe('dns01');
  });
});

describe.skipIf(!haveSchemas)('a 50-guest cluster through the API', () => {
  let sim: PveSim | undefined;
  afterAll(() => sim?.close());

  it('lists every guest in /cluster/resources within the schema', async () => {
    sim = await startPveSim({ tokens: { 'root@pam!t': 's' }, state: seedCluster({ guests: 50 }) });
    const r = await pveCall(
      sim,
      'GET',
      '/cluster/resources',
      { type: 'vm' },
      {
        token: 'root@pam!t=s',
      },
    );
    expect(r.status).toBe(200);
    expect(r.body.data as unknown[]).toHaveLength(50);
    expect(sim.violations).toEqual([]);
  });
});
