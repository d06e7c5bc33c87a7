import { describe, expect, it } from 'vitest';
import { emptyInventory, type Inventory } from '../../../shared/model';
import { buildRows } from './treeModel';

function ganetiInventory(): Inventory {
  const inv = emptyInventory();
  inv.hosts['h2'] = {
    id: 'h2',
    name: 'gnt-node2',
    address: '198.51.100.12',
    port: 22,
    user: 'root',
    auth: 'key',
    state: 'connected',
    stack: 'ganeti',
    info: {
      hostname: 'node2',
      cpuModel: '',
      cpus: 2,
      memoryKiB: 1,
      software: [],
      virtualization: 'kvm',
      uptimeSeconds: 1,
    },
  };
  const node = (name: string, role: 'master' | 'candidate' | 'drained') => ({
    name,
    role,
    cpus: 2,
    memoryTotalMiB: 1024,
    memoryFreeMiB: 512,
  });
  inv.clusters['ganeti:c.test'] = {
    id: 'ganeti:c.test',
    name: 'c.test',
    hostIds: ['h2'],
    managed: {
      stack: 'ganeti',
      master: 'node1.test',
      nodes: [
        node('node2.test', 'candidate'),
        node('node1.test', 'master'),
        node('node3.test', 'drained'),
      ],
    },
  };
  const vm = (name: string, primary: string, secondaries: string[], tmpl: string) => ({
    id: `ganeti:c.test:vm:${name}`,
    hostId: 'h2',
    uuid: `u-${name}`,
    name,
    state: 'running' as const,
    vcpus: 1,
    memoryKiB: 1024,
    autostart: false,
    persistent: true,
    disks: [],
    nics: [],
    graphics: [],
    textConsoles: [],
    placement: { primary, secondaries, diskTemplate: tmpl, os: 'noop' },
  });
  inv.vms['a'] = vm('web.test', 'node1.test', ['node3.test'], 'drbd');
  inv.vms['b'] = vm('db.test', 'node2.test', [], 'plain');
  return inv;
}

describe('a managed (Ganeti) cluster in the tree', () => {
  it('shows Cluster > nodes with roles > instances on their primary node', () => {
    const rows = buildRows(ganetiInventory(), () => true, 0);
    expect(rows.map((r) => [r.level, r.name])).toEqual([
      [1, 'Clusterdeck'],
      [2, 'c.test 3 nodes'],
      [3, 'node1.test Master'],
      [4, 'web.test Running · drbd, mirrored on node3.test'],
      [3, 'node2.test Master candidate, connected'],
      [4, 'db.test Running · plain'],
      [3, 'node3.test Drained'],
    ]);
    // The node Clusterdeck is connected to selects as that host; the others select nothing.
    expect(rows[4]!.selection).toEqual({ kind: 'host', id: 'h2' });
    expect(rows[2]!.selection).toBeUndefined();
    expect(rows[3]!.selection).toEqual({
      kind: 'vm',
      id: 'ganeti:c.test:vm:web.test',
      uuid: 'u-web.test',
    });
  });
});

describe('a Proxmox VE cluster in the tree', () => {
  it('marks a container as one; a guest with a kind shows no disk template', () => {
    const inv = ganetiInventory();
    inv.vms['a'] = { ...inv.vms['a']!, kind: 'container', name: 'dns01' };
    inv.vms['b'] = { ...inv.vms['b']!, kind: 'vm', name: 'web01' };
    const rows = buildRows(inv, () => true, 0);
    const dns = rows.find((r) => r.label === 'dns01')!;
    const web = rows.find((r) => r.label === 'web01')!;
    expect([dns.name, dns.container]).toEqual(['dns01 Running · container', true]);
    expect([web.name, web.container]).toEqual(['web01 Running', undefined]);
  });
});
