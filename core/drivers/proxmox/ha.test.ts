import { describe, expect, it } from 'vitest';
import { haStateSchema } from '../../../shared/ha';
import {
  parseNodeList,
  protectCalls,
  pveHaState,
  serviceDigest,
  sidVmid,
  unprotectCalls,
  type PveHaRead,
} from './ha';
import type { PveClusterStatus } from './parse';

const cluster: PveClusterStatus = {
  cluster: { name: 'homelab', quorate: true, nodeCount: 3, configVersion: 3 },
  nodes: [
    { name: 'pve1', nodeid: 1, ip: '10.0.0.1', online: true, local: true },
    { name: 'pve2', nodeid: 2, ip: '10.0.0.2', online: true, local: false },
    { name: 'pve3', nodeid: 3, ip: '10.0.0.3', online: false, local: false },
  ],
};

// As a PVE 8 node answers /cluster/ha/status/current with two services.
const status = [
  { id: 'quorum', type: 'quorum', node: 'pve1', quorate: 1, status: 'OK' },
  { id: 'master', type: 'master', node: 'pve2', status: 'pve2 (active, Tue Dec  1 08:00:00 2026)' },
  { id: 'lrm:pve1', type: 'lrm', node: 'pve1', status: 'pve1 (active, Tue Dec  1 08:00:00 2026)' },
  {
    id: 'lrm:pve2',
    type: 'lrm',
    node: 'pve2',
    status: 'pve2 (maintenance mode, Tue Dec  1 08:00:00 2026)',
  },
  { id: 'lrm:pve3', type: 'lrm', node: 'pve3', status: 'pve3 (old timestamp - dead?, …)' },
  {
    id: 'service:vm:100',
    type: 'service',
    sid: 'vm:100',
    node: 'pve1',
    state: 'started',
    crm_state: 'started',
    request_state: 'started',
    status: 'vm:100 (pve1, started)',
  },
  {
    id: 'service:ct:200',
    type: 'service',
    sid: 'ct:200',
    node: 'pve3',
    state: 'error',
    crm_state: 'error',
    request_state: 'stopped',
    status: 'ct:200 (pve3, error)',
  },
];

describe('Proxmox VE HA state', () => {
  it('reads node lists as PVE writes them, highest priority first', () => {
    expect(parseNodeList('pve1:1,pve2:3 pve3')).toEqual([
      { node: 'pve2', priority: 3 },
      { node: 'pve1', priority: 1 },
      { node: 'pve3', priority: 0 },
    ]);
    expect(sidVmid('ct:200')).toBe(200);
    expect(sidVmid('fence:x')).toBeUndefined();
  });

  it('makes the app’s HA state from status/current, resources and PVE 8 groups', () => {
    const read: PveHaRead = {
      status,
      resources: [
        { sid: 'vm:100', type: 'vm', state: 'started', group: 'g1' },
        { sid: 'ct:200', type: 'ct', state: 'stopped' },
      ],
      preferences: [{ group: 'g1', nodes: 'pve1:2,pve2:1' }],
      kind: 'groups',
    };
    const ha = pveHaState(read, cluster, 'proxmox:homelab', 'h1');
    expect(haStateSchema.parse(ha)).toEqual(ha);
    expect(ha).toMatchObject({
      stack: 'proxmox',
      clusterName: 'homelab',
      quorate: true,
      dc: 'pve2',
      readFrom: 'h1',
    });
    expect(ha.nodes.map((n) => [n.name, n.state, n.dc, n.resourcesRunning])).toEqual([
      ['pve1', 'online', false, 1],
      ['pve2', 'maintenance', true, 0],
      ['pve3', 'offline', false, 0],
    ]);
    expect(ha.resources).toEqual([
      {
        id: 'vm:100',
        agent: 'vm',
        role: 'started',
        nodes: ['pve1'],
        managed: true,
        failed: false,
        blocked: false,
        targetStopped: false,
        vmUuid: 'proxmox:homelab:100',
        preferred: [
          { node: 'pve1', priority: 2 },
          { node: 'pve2', priority: 1 },
        ],
      },
      {
        id: 'ct:200',
        agent: 'ct',
        role: 'error',
        nodes: [],
        managed: true,
        failed: true,
        blocked: false,
        targetStopped: true,
        vmUuid: 'proxmox:homelab:200',
      },
    ]);
  });

  it('shows a disarmed HA (PVE 9.1) as its maintenance mode', () => {
    const read = (armed: string): PveHaRead => ({
      status: [
        ...status,
        { id: 'fencing', type: 'fencing', node: '', status: armed, 'armed-state': armed },
      ],
      resources: [],
      preferences: [],
      kind: 'rules',
    });
    expect(pveHaState(read('disarmed'), cluster, 's', 'h1').maintenanceMode).toBe(true);
    expect(pveHaState(read('armed'), cluster, 's', 'h1').maintenanceMode).toBe(false);
  });

  it('takes PVE 9 node-affinity rules as preferences, leaving disabled and other rules out', () => {
    const read: PveHaRead = {
      status,
      resources: [{ sid: 'vm:100', type: 'vm', state: 'started' }],
      preferences: [
        { rule: 'a', type: 'node-affinity', resources: 'vm:100,ct:200', nodes: 'pve3:4' },
        { rule: 'b', type: 'node-affinity', resources: 'vm:100', nodes: 'pve1', disable: 1 },
        { rule: 'c', type: 'resource-affinity', resources: 'vm:100,ct:200', affinity: 'negative' },
      ],
      kind: 'rules',
    };
    const [r] = pveHaState(read, cluster, 'proxmox:homelab', 'h1').resources;
    expect(r!.preferred).toEqual([{ node: 'pve3', priority: 4 }]);
  });

  it('notices a changed configuration by the services and their requested states', () => {
    const moved = status.map((e) =>
      e.sid === 'vm:100' ? { ...e, request_state: 'stopped', node: 'pve2' } : e,
    );
    expect(serviceDigest(status)).toBe('ct:200=stopped,vm:100=started');
    expect(serviceDigest(moved)).not.toBe(serviceDigest(status));
    // A service that only moves changes nothing of the configuration.
    const relocated = status.map((e) => (e.sid === 'vm:100' ? { ...e, node: 'pve2' } : e));
    expect(serviceDigest(relocated)).toBe(serviceDigest(status));
  });
});

describe('Proxmox VE HA calls', () => {
  const spec = {
    vmid: 101,
    kind: 'vm' as const,
    name: 'db01',
    running: false,
    preferred: [
      { node: 'pve1', score: 1 },
      { node: 'pve2', score: 10 },
    ],
  };

  it('PVE 8: the group first, then the resource in it, kept stopped as the guest is', () => {
    expect(protectCalls(spec, 'groups').map((c) => [c.method, c.path, c.params])).toEqual([
      [
        'POST',
        '/cluster/ha/groups',
        { group: 'clusterdeck-101', nodes: 'pve2:10,pve1:1', comment: 'Preferred nodes of db01' },
      ],
      [
        'POST',
        '/cluster/ha/resources',
        {
          sid: 'vm:101',
          state: 'stopped',
          group: 'clusterdeck-101',
          comment: 'db01, protected by Clusterdeck',
        },
      ],
    ]);
  });

  it('PVE 9: the resource first, then a non-strict node-affinity rule for it', () => {
    const calls = protectCalls({ ...spec, kind: 'container', running: true }, 'rules');
    expect(calls.map((c) => [c.method, c.path, c.params])).toEqual([
      [
        'POST',
        '/cluster/ha/resources',
        { sid: 'ct:101', state: 'started', comment: 'db01, protected by Clusterdeck' },
      ],
      [
        'POST',
        '/cluster/ha/rules',
        {
          rule: 'clusterdeck-101',
          type: 'node-affinity',
          resources: 'ct:101',
          nodes: 'pve2:10,pve1:1',
          strict: 0,
          comment: 'Preferred nodes of db01',
        },
      ],
    ]);
  });

  it('no preference: the resource alone, on either version', () => {
    for (const kind of ['groups', 'rules'] as const)
      expect(protectCalls({ ...spec, preferred: [] }, kind).map((c) => c.path)).toEqual([
        '/cluster/ha/resources',
      ]);
  });

  it('Remove HA: the resource, and on PVE 8 the group Clusterdeck made', () => {
    expect(
      unprotectCalls('vm:101', 'db01', 'groups', 'clusterdeck-101').map((c) => c.path),
    ).toEqual(['/cluster/ha/resources/vm:101', '/cluster/ha/groups/clusterdeck-101']);
    expect(unprotectCalls('vm:101', 'db01', 'groups', undefined).map((c) => c.path)).toEqual([
      '/cluster/ha/resources/vm:101',
    ]);
    expect(unprotectCalls('vm:101', 'db01', 'rules', 'x').map((c) => c.path)).toEqual([
      '/cluster/ha/resources/vm:101',
    ]);
  });
});
