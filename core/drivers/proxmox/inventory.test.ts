// The entities are checked against the contract's own schemas, as the
// backend checks every result under test (CLUSTERDECK_CHECK_RESULTS).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterSchema } from '../../../shared/cluster';
import { storagePoolSchema, vmSchema } from '../../../shared/model';
import { guestToVm, localNode, nodeStorages, pveCluster, pveScope } from './inventory';
import { parseClusterResources, parseClusterStatus } from './parse';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

describe('the inventory of a Proxmox VE cluster', () => {
  const status = parseClusterStatus(fixture('exporter-2nodes-cluster-status.json'));
  const resources = parseClusterResources(fixture('exporter-2nodes-cluster-resources.json'));

  it('is a managed cluster with its nodes, quorum and no master', () => {
    const c = pveCluster(status, resources, ['h1']);
    expect(clusterSchema.parse(c)).toEqual(c);
    expect(c).toEqual({
      id: 'proxmox:pvec',
      name: 'pvec',
      hostIds: ['h1'],
      managed: {
        stack: 'proxmox',
        master: '',
        quorate: true,
        nodes: [
          { name: 'pve1', role: 'online', cpus: 8, memoryTotalMiB: 16384, memoryFreeMiB: 12288 },
          { name: 'pve2', role: 'online', cpus: 8, memoryTotalMiB: 16384, memoryFreeMiB: 14336 },
        ],
      },
    });
  });

  it('shows a container as a container, on its node, with ids scoped by the cluster', () => {
    const scope = pveScope(status);
    const vms = resources.guests.map((g) => guestToVm(g, 'h1', scope));
    for (const v of vms) expect(vmSchema.parse(v)).toEqual(v);
    expect(vms.map((v) => [v.id, v.name, v.kind, v.state, v.placement?.primary])).toEqual([
      ['proxmox:pvec:vm:100', 'vm100', 'vm', 'running', 'pve1'],
      ['proxmox:pvec:vm:101', 'ct101', 'container', 'shutoff', 'pve2'],
    ]);
    expect(vms[0]).toMatchObject({ vcpus: 2, memoryKiB: 2097152, tags: ['web', 'prod'] });
    expect(vms[1]).not.toHaveProperty('tags');
  });

  it('gives the connected node’s storages as its pools, a shared one the same uuid everywhere', () => {
    const scope = pveScope(status);
    expect(localNode(status)).toBe('pve1');
    const pools = nodeStorages(resources, 'pve1', 'h1', scope);
    for (const p of pools) expect(storagePoolSchema.parse(p)).toEqual(p);
    expect(pools.map((p) => [p.name, p.type, p.state, p.uuid])).toEqual([
      ['local', 'dir', 'running', 'proxmox:pvec:storage:pve1:local'],
      ['ceph', 'rbd', 'unknown', 'proxmox:pvec:storage:ceph'],
    ]);
    expect(pools[0]).toMatchObject({
      capacity: 107374182400,
      allocation: 5368709120,
      available: 102005473280,
    });
  });

  it('marks an offline member and keeps a tag Proxmox allows but the app does not out of its tags', () => {
    const s4 = parseClusterStatus(fixture('pve9-4nodes-cluster-status.json'));
    const r4 = parseClusterResources(fixture('pve9-4nodes-cluster-resources.json'));
    s4.nodes.find((n) => n.name === 'node4')!.online = false;
    const c = pveCluster(s4, r4, ['h1', 'h2'])!;
    expect(c.managed?.nodes.map((n) => [n.name, n.role])).toEqual([
      ['node1', 'online'],
      ['node2', 'online'],
      ['node3', 'online'],
      ['node4', 'offline'],
    ]);
    const tagged = r4.guests.find((g) => g.vmid === 102)!;
    const vm = guestToVm(tagged, 'h1', pveScope(s4));
    expect(vm.tags).toBeUndefined();
    // A template is shown stopped.
    expect(
      guestToVm(
        r4.guests.find((g) => g.vmid === 101)!,
        'h1',
        'x',
      ).state,
    ).toBe('shutoff');
  });

  it('scopes a lone node’s guests by the node, and has no cluster entity', () => {
    const lone = parseClusterStatus([
      {
        type: 'node',
        id: 'node/pve',
        name: 'pve',
        nodeid: 0,
        ip: '192.0.2.10',
        local: 1,
        online: 1,
      },
    ]);
    const r = parseClusterResources(fixture('standalone-ct-vm-cluster-resources.json'));
    expect(pveCluster(lone, r, ['h1'])).toBeUndefined();
    expect(guestToVm(r.guests[0]!, 'h1', pveScope(lone)).id).toBe('proxmox:node:pve:vm:100');
    expect(() => pveScope({ nodes: [] })).toThrow(/neither a cluster nor the node/);
  });
});
