// Maintenance planning over fake drivers: where a node's running VMs go is
// decided from what each peer's driver says (memory left, the guest's CPU),
// with the same preflight as Migrate VM.
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../shared/cluster';
import type { Host, Vm } from '../../shared/model';
import { FAKE_NODE_INFO, FakeDriver, fakeNodeAccess, type FakeNode } from '../testing/fake-driver';
import { planEvacuation } from './maintenance';
import type { MigrationWorld } from './preflight';

const GiB = 1024 ** 3;

const host = (id: string, over: Partial<Host> = {}): Host => ({
  id,
  name: id,
  address: '192.0.2.1',
  port: 22,
  user: 'root',
  auth: 'key',
  state: 'connected',
  capabilities: ['inventory', 'migration'],
  info: { ...FAKE_NODE_INFO, memoryKiB: 16 * 1024 * 1024 },
  ...over,
});

const vm = (name: string, hostId: string, gib: number, state: Vm['state'] = 'running'): Vm => ({
  id: `${hostId}:vm:${name}`,
  hostId,
  uuid: name,
  name,
  state,
  vcpus: 1,
  memoryKiB: gib * 1024 * 1024,
  autostart: false,
  persistent: true,
  disks: [],
  nics: [],
  graphics: [],
  textConsoles: [],
});

function world(
  hosts: Host[],
  nodes: Record<string, FakeNode>,
  clusters: Cluster[],
  inMaintenance: string[] = [],
): MigrationWorld {
  const access = new Map(
    Object.entries(nodes).map(([id, n]) => [id, fakeNodeAccess(new FakeDriver(n, id))]),
  );
  return {
    hosts: (id) => hosts.find((h) => h.id === id),
    conn: (id) => {
      const a = access.get(id);
      if (!a) throw new Error(`no fake node ${id}`);
      return a;
    },
    pools: [],
    networks: [],
    clusters,
    inMaintenance: (id) => inMaintenance.includes(id),
    busy: () => undefined,
  };
}

const cluster: Cluster = { id: 'c1', name: 'prod', hostIds: ['n1', 'n2', 'n3'] };

describe('planEvacuation', () => {
  it('places the largest VM first on the peer with the most memory left', async () => {
    const hosts = [host('n1'), host('n2'), host('n3')];
    const w = world(
      hosts,
      {
        n1: { memAvailable: 0, runsCpu: true },
        n2: { memAvailable: 2.5 * GiB, runsCpu: true },
        n3: { memAvailable: 2 * GiB, runsCpu: true },
      },
      [cluster],
    );
    const vms = [vm('small', 'n1', 1), vm('big', 'n1', 2), vm('off', 'n1', 4, 'shutoff')];
    const { findings, plans } = await planEvacuation(w, hosts[0]!, vms);
    expect(findings.filter((f) => f.level === 'problem')).toEqual([]);
    // big (2 GiB) takes n2 (2.5 GiB free), leaving 0.5 GiB: small goes to n3.
    expect(plans.map((p) => [p.vm.name, p.target.id, p.live])).toEqual([
      ['big', 'n2', true],
      ['small', 'n3', true],
    ]);
    expect(findings.filter((f) => f.check.endsWith('where it goes')).map((f) => f.detail)).toEqual([
      'big → n2.',
      'small → n3.',
    ]);
  });

  it('skips peers in maintenance mode and peers whose driver cannot migrate', async () => {
    const hosts = [host('n1'), host('n2', { capabilities: ['inventory'] }), host('n3'), host('n4')];
    const w = world(
      hosts,
      {
        n1: { memAvailable: 0 },
        n2: { memAvailable: 64 * GiB, runsCpu: true },
        n3: { memAvailable: 32 * GiB, runsCpu: true },
        n4: { memAvailable: 8 * GiB, runsCpu: true },
      },
      [{ ...cluster, hostIds: ['n1', 'n2', 'n3', 'n4'] }],
      ['n3'],
    );
    const { plans } = await planEvacuation(w, hosts[0]!, [vm('a', 'n1', 1)]);
    expect(plans.map((p) => p.target.id)).toEqual(['n4']);
  });

  it('says so when no peer has room, and plans nothing for that VM', async () => {
    const hosts = [host('n1'), host('n2')];
    const w = world(
      hosts,
      { n1: { memAvailable: 0 }, n2: { memAvailable: 1 * GiB, runsCpu: true } },
      [{ ...cluster, hostIds: ['n1', 'n2'] }],
    );
    const { findings, plans } = await planEvacuation(w, hosts[0]!, [vm('huge', 'n1', 4)]);
    expect(plans).toEqual([]);
    expect(findings).toEqual([
      expect.objectContaining({ level: 'problem', check: 'huge: where it goes' }),
    ]);
    expect(findings[0]!.detail).toMatch(/No node has room for huge/);
  });

  it("carries the preflight's problems: a CPU the target does not run", async () => {
    const hosts = [host('n1'), host('n2')];
    const w = world(
      hosts,
      { n1: { memAvailable: 0, runsCpu: true }, n2: { memAvailable: 8 * GiB, runsCpu: false } },
      [{ ...cluster, hostIds: ['n1', 'n2'] }],
    );
    const { findings } = await planEvacuation(w, hosts[0]!, [vm('a', 'n1', 1)]);
    expect(findings).toContainEqual(expect.objectContaining({ check: 'a: CPU', level: 'problem' }));
  });

  it('has nowhere to go outside a cluster, or when every peer is away', async () => {
    const hosts = [host('n1'), host('n2', { state: 'unreachable' })];
    const nodes = { n1: { memAvailable: 0 }, n2: { memAvailable: 8 * GiB } };
    const alone = await planEvacuation(world(hosts, nodes, []), hosts[0]!, [vm('a', 'n1', 1)]);
    expect(alone.findings.map((f) => f.check)).toEqual(['Cluster']);
    const away = await planEvacuation(
      world(hosts, nodes, [{ ...cluster, hostIds: ['n1', 'n2'] }]),
      hosts[0]!,
      [vm('a', 'n1', 1)],
    );
    expect(away.findings.map((f) => f.check)).toEqual(['Where the VMs go']);
    expect(away.plans).toEqual([]);
  });
});
