// On answers captured from real clusters in public client projects' tests
// (fixtures/NOTICE names each source and licence).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestState, parseClusterResources, parseClusterStatus, splitList } from './parse';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

describe('/cluster/resources', () => {
  it('reads a four-node PVE 9 cluster: nodes, guests, templates, storages', () => {
    const r = parseClusterResources(fixture('pve9-4nodes-cluster-resources.json'));
    expect(r.nodes.map((n) => n.name).sort()).toEqual(['node1', 'node2', 'node3', 'node4']);
    expect(r.nodes.find((n) => n.name === 'node2')).toEqual({
      name: 'node2',
      status: 'online',
      online: true,
      cpus: 12,
      cpu: 0.00365387809333998,
      memTotal: 33567911936,
      memUsed: 8127873024,
      uptime: 874373,
    });
    expect(r.guests.map((g) => [g.vmid, g.kind, g.node, g.state, g.template])).toEqual([
      [100, 'qemu', 'node2', 'running', false],
      [101, 'qemu', 'node1', 'shutoff', true],
      [102, 'qemu', 'node1', 'shutoff', false],
      [200, 'qemu', 'node1', 'shutoff', false],
    ]);
    expect(r.guests[0]).toMatchObject({
      name: 'server1',
      cpus: 1,
      memTotal: 1073741824,
      memUsed: 842551296,
      diskTotal: 34359738368,
      uptime: 874350,
      tags: [],
    });
    expect(r.guests.find((g) => g.vmid === 102)?.tags).toEqual(['go-proxmox+cloud-init']);
    expect(r.storages).toHaveLength(12);
    expect(r.storages.find((s) => s.node === 'node2' && s.storage === 'local-zfs')).toEqual({
      storage: 'local-zfs',
      node: 'node2',
      type: 'zfspool',
      content: ['images', 'rootdir'],
      shared: false,
      status: 'available',
      total: 962664386560,
      used: 25294921728,
    });
    expect(r.pools).toEqual([]);
  });

  it('reads a lone node’s containers and VMs, SDN zone included', () => {
    const r = parseClusterResources(fixture('standalone-ct-vm-cluster-resources.json'));
    expect(r.guests.map((g) => [g.kind, g.vmid, g.name, g.state])).toEqual([
      ['lxc', 100, 'lxc-test-100', 'running'],
      ['qemu', 101, 'vm-test-101', 'running'],
      // Entries without a name get Proxmox's own default names.
      ['lxc', 1000, 'CT1000', 'running'],
      ['qemu', 1001, 'VM 1001', 'running'],
    ]);
    expect(r.guests[0]).toMatchObject({ cpus: 2, memTotal: 1073741824, diskUsed: 911167488 });
    expect(r.storages.map((s) => s.storage)).toEqual(['ext', 'local']);
    expect(r.storages[0]!.content).toEqual([
      'backup',
      'images',
      'vztmpl',
      'snippets',
      'iso',
      'rootdir',
    ]);
    expect(r.sdn).toEqual([{ sdn: 'localnetwork', node: 'pve', status: 'ok' }]);
  });

  it('keeps HA state, locks, tags, pools and shared storages', () => {
    const r = parseClusterResources(fixture('exporter-2nodes-cluster-resources.json'));
    expect(r.guests).toEqual([
      expect.objectContaining({
        kind: 'qemu',
        vmid: 100,
        hastate: 'started',
        lock: 'backup',
        tags: ['web', 'prod'],
      }),
      expect.objectContaining({
        kind: 'lxc',
        vmid: 101,
        hastate: 'stopped',
        state: 'shutoff',
        tags: [],
      }),
    ]);
    expect(r.guests[1]).not.toHaveProperty('lock');
    expect(r.pools).toEqual(['testpool']);
    expect(r.storages.find((s) => s.storage === 'ceph')).toMatchObject({
      type: 'rbd',
      shared: true,
      status: 'unknown',
    });
    expect(r.sdn).toEqual([{ sdn: 'localnetwork', node: 'pve1', status: 'ok' }]);
  });

  it('takes what older pvesh versions print as strings, and refuses what is no list', () => {
    const r = parseClusterResources([
      {
        id: 'lxc/103',
        type: 'lxc',
        vmid: '103',
        node: 'www',
        status: 'running',
        maxmem: '4294967296',
      },
      { id: 'openvz/300', type: 'openvz', vmid: 300 },
    ]);
    expect(r.guests).toEqual([
      expect.objectContaining({ vmid: 103, name: 'CT103', memTotal: 4294967296 }),
    ]);
    expect(() => parseClusterResources({ data: [] })).toThrow(/not a list/);
  });
});

describe('/cluster/status', () => {
  it('reads the cluster, its quorum and each node', () => {
    const s = parseClusterStatus(fixture('pve9-4nodes-cluster-status.json'));
    expect(s.cluster).toEqual({
      name: 'clustername',
      quorate: true,
      nodeCount: 4,
      configVersion: 4,
    });
    expect(s.nodes.map((n) => [n.name, n.nodeid, n.ip, n.online, n.local])).toEqual([
      ['node2', 2, '192.168.1.2', true, false],
      ['node3', 3, '192.168.1.3', true, false],
      ['node1', 1, '192.168.1.1', true, true],
      ['node4', 4, '192.168.1.4', true, false],
    ]);
  });

  it('reads a node in no cluster (no cluster entry), and a lost quorum', () => {
    expect(
      parseClusterStatus([
        {
          type: 'node',
          id: 'node/pve',
          name: 'pve',
          nodeid: 0,
          ip: '192.0.2.10',
          local: 1,
          online: 1,
          level: '',
        },
      ]),
    ).toEqual({ nodes: [{ name: 'pve', nodeid: 0, ip: '192.0.2.10', online: true, local: true }] });
    const lost = parseClusterStatus([
      { type: 'cluster', id: 'cluster', name: 'pvec', nodes: 2, quorate: 0, version: 3 },
      {
        type: 'node',
        id: 'node/pve2',
        name: 'pve2',
        nodeid: 2,
        ip: '10.0.0.2',
        local: 0,
        online: 0,
      },
    ]);
    expect(lost.cluster?.quorate).toBe(false);
    expect(lost.nodes[0]?.online).toBe(false);
  });
});

describe('words', () => {
  it('maps Proxmox’s guest status', () => {
    expect(['running', 'stopped', 'paused', 'suspended', 'unknown'].map(guestState)).toEqual([
      'running',
      'shutoff',
      'paused',
      'pmsuspended',
      'unknown',
    ]);
  });
});

describe('splitList', () => {
  it('splits tags, vmid, node and content lists on `,`, `;` and spaces alike', () => {
    expect(splitList('web;prod')).toEqual(['web', 'prod']);
    expect(splitList('100,101,200')).toEqual(['100', '101', '200']);
    expect(splitList('pve1:2,pve2:1')).toEqual(['pve1:2', 'pve2:1']);
    expect(splitList('images rootdir\tiso\nbackup')).toEqual([
      'images',
      'rootdir',
      'iso',
      'backup',
    ]);
  });

  it('drops empties: runs of separators, leading and trailing ones, an empty text', () => {
    expect(splitList('a, b  c;;')).toEqual(['a', 'b', 'c']);
    expect(splitList(' ;a,')).toEqual(['a']);
    expect(splitList('')).toEqual([]);
    expect(splitList(' ,; ')).toEqual([]);
  });

  it('keeps what a word holds besides separators (`:`, `=`, `-`) as it is', () => {
    expect(splitList('vm:100;ct:200')).toEqual(['vm:100', 'ct:200']);
    expect(splitList('keep-last=2')).toEqual(['keep-last=2']);
  });
});
