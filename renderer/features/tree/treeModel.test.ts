import { describe, expect, it } from 'vitest';
import { emptyInventory, type Inventory } from '../../../shared/model';
import { buildRows } from './treeModel';

function inventory(): Inventory {
  const inv = emptyInventory();
  inv.hosts['h1'] = {
    id: 'h1',
    name: 'node1',
    address: '192.0.2.1',
    port: 22,
    user: 'root',
    auth: 'agent',
    state: 'unreachable',
    retryAt: 10_000,
  };
  inv.vms['v2'] = {
    id: 'v2',
    hostId: 'h1',
    uuid: 'u2',
    name: 'web',
    state: 'shutoff',
    vcpus: 1,
    memoryKiB: 1,
    autostart: false,
    persistent: true,
    disks: [],
    nics: [],
    graphics: [],
    textConsoles: [],
  };
  inv.vms['v1'] = { ...inv.vms['v2'], id: 'v1', uuid: 'u1', name: 'db', state: 'running' };
  return inv;
}

describe('resource tree rows', () => {
  it('names items by label then state, sorted, under their host', () => {
    const rows = buildRows(inventory(), () => true, 6_500);
    expect(rows.map((r) => [r.level, r.name])).toEqual([
      [1, 'Clusterdeck'],
      [2, 'node1 Unreachable, retrying in 4 s'],
      [3, 'VMs'],
      [4, 'db Running'],
      [4, 'web Shut off'],
      [3, 'Storage pools'],
      [3, 'Networks'],
    ]);
  });

  it('shows only the groups a node can fill: none for a Ganeti node without a cluster', () => {
    const inv = inventory();
    inv.vms = {};
    inv.hosts['h1'] = {
      ...inv.hosts['h1']!,
      state: 'connected',
      stack: 'ganeti',
      capabilities: ['cluster'],
    };
    const rows = buildRows(inv, () => true, 0);
    expect(rows.map((r) => [r.level, r.name, r.expandable])).toEqual([
      [1, 'Clusterdeck', true],
      [2, 'node1 Connected, Ganeti, no cluster', false],
    ]);
    inv.hosts['h1'] = { ...inv.hosts['h1']!, capabilities: ['inventory', 'vm-lifecycle'] };
    expect(buildRows(inv, () => true, 0).map((r) => r.name)).toEqual([
      'Clusterdeck',
      'node1 Connected',
      'VMs',
    ]);
  });

  it('puts a cluster’s nodes under it, and nodes in no cluster after it', () => {
    const inv = inventory();
    inv.hosts['h2'] = { ...inv.hosts['h1']!, id: 'h2', name: 'node2', state: 'connected' };
    inv.hosts['h3'] = { ...inv.hosts['h1']!, id: 'h3', name: 'lone', state: 'connected' };
    inv.clusters['c1'] = { id: 'c1', name: 'prod', hostIds: ['h2', 'h1'] };
    const rows = buildRows(inv, (k) => !k.endsWith(':pools') && !k.endsWith(':nets'), 0);
    expect(rows.map((r) => [r.level, r.label, r.detail])).toEqual([
      [1, 'Clusterdeck', ''],
      [2, 'prod', '1 of 2 nodes connected'],
      [3, 'node1', 'Unreachable, retrying in 10 s'],
      [4, 'VMs', ''],
      [5, 'db', 'Running'],
      [5, 'web', 'Shut off'],
      [4, 'Storage pools', ''],
      [4, 'Networks', ''],
      [3, 'node2', 'Connected'],
      [4, 'VMs', ''],
      [4, 'Storage pools', ''],
      [4, 'Networks', ''],
      [2, 'lone', 'Connected'],
      [3, 'VMs', ''],
      [3, 'Storage pools', ''],
      [3, 'Networks', ''],
    ]);
    expect(rows[1]!.selection).toEqual({ kind: 'cluster', id: 'c1' });
    expect(rows[1]!.tone).toBe('warn');
  });

  it('names a migrating VM by where it goes, on both nodes, while its task runs', () => {
    const inv = inventory();
    inv.hosts['h2'] = { ...inv.hosts['h1']!, id: 'h2', name: 'node2', state: 'connected' };
    // The incoming copy on node2 reports itself paused until the switch-over.
    inv.vms['v1b'] = { ...inv.vms['v1']!, id: 'v1b', hostId: 'h2', state: 'paused' };
    inv.tasks['t1'] = {
      id: 't1',
      title: 'Migrate db',
      target: 'to node2',
      state: 'running',
      progress: 0.4,
      startedAt: 0,
      log: [],
      vmJob: { kind: 'migration', vmUuid: 'u1', fromHostId: 'h1', toHostId: 'h2' },
    };
    const vmRows = () =>
      buildRows(inv, () => true, 0)
        .filter((r) => r.selection?.kind === 'vm')
        .map((r) => [r.name, r.tone]);
    expect(vmRows()).toEqual([
      ['db Migrating to node2', 'warn'],
      ['web Shut off', 'muted'],
      ['db Migrating from node1', 'warn'],
    ]);
    // web moves next in the same task: it waits, locked as well.
    inv.tasks['t1'] = {
      ...inv.tasks['t1'],
      vmQueue: [{ kind: 'migration', vmUuid: 'u2', fromHostId: 'h1', toHostId: 'h2' }],
    };
    expect(vmRows()).toEqual([
      ['db Migrating to node2', 'warn'],
      ['web Waiting to migrate to node2', 'warn'],
      ['db Migrating from node1', 'warn'],
    ]);
    inv.tasks['t1'] = { ...inv.tasks['t1'], state: 'succeeded' };
    expect(vmRows()).toEqual([
      ['db Running', 'ok'],
      ['web Shut off', 'muted'],
      ['db Paused', 'warn'],
    ]);
  });

  it('hides the children of collapsed items', () => {
    const rows = buildRows(inventory(), (k) => k !== 'host:h1', 0);
    expect(rows.map((r) => r.label)).toEqual(['Clusterdeck', 'node1']);
  });
});
