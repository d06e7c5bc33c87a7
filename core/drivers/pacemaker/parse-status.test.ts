import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haStateSchema, haResourceOfVm, describeHaResource } from '../../../shared/ha';
import type { Host } from '../../../shared/model';
import { domainHeadsArgv, readArgv, splitRead, PART, cleanupStep } from './commands';
import { parseCibResources, parseCmap, parseCrmMon, parseDomainHeads } from './parse-status';
import { buildHaState } from './state';

// Captured on the HA lab (scripts/lab-ha, Pacemaker 2.1.5, Corosync 3.1.7):
// idle; with the lab guest as a VirtualDomain resource; after its qemu was
// killed (a failed monitor) and a resource with a missing config (failed
// starts with an exit reason) while hanode2 was in standby; that resource
// disabled; hanode3 fenced (unclean, then offline); stonith disabled.
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('crm_mon --output-as=xml', () => {
  it('reads quorum, the DC, fencing and every node online', () => {
    const s = parseCrmMon(fixture('crm_mon-idle.xml'));
    expect(s.quorate).toBe(true);
    expect(s.dc).toBe('hanode1');
    expect(s.stonithEnabled).toBe(true);
    expect(s.maintenanceMode).toBe(false);
    expect(s.nodes.map((n) => [n.name, n.state, n.dc])).toEqual([
      ['hanode1', 'online', true],
      ['hanode2', 'online', false],
      ['hanode3', 'online', false],
    ]);
    expect(s.resources.map((r) => [r.id, r.agent, r.role, r.nodes])).toEqual([
      ['fence-hanode1', 'stonith:fence_clusterdeck_lab', 'Started', ['hanode2']],
      ['fence-hanode2', 'stonith:fence_clusterdeck_lab', 'Started', ['hanode1']],
      ['fence-hanode3', 'stonith:fence_clusterdeck_lab', 'Started', ['hanode1']],
    ]);
    expect(s.failedActions).toEqual([]);
  });

  it('reads a VirtualDomain resource and where it runs', () => {
    const vm = parseCrmMon(fixture('crm_mon-vm.xml')).resources.find((r) => r.id === 'lab-ha-vm');
    expect(vm).toMatchObject({
      agent: 'ocf:heartbeat:VirtualDomain',
      role: 'Started',
      nodes: ['hanode3'],
      managed: true,
      failed: false,
      targetStopped: false,
    });
  });

  it('reads failed actions with their op, node, status and reason, and a standby node', () => {
    const s = parseCrmMon(fixture('crm_mon-standby-badvm.xml'));
    expect(s.nodes.find((n) => n.name === 'hanode2')?.state).toBe('standby');
    expect(s.failedActions[0]).toEqual({
      resource: 'lab-ha-vm',
      op: 'monitor',
      node: 'hanode3',
      status: 'not running',
      reason: '',
      exitCode: 7,
      at: '2026-12-01 02:05:36Z',
    });
    const bad = s.failedActions.filter((f) => f.resource === 'badvm');
    expect(bad.map((f) => f.node).sort()).toEqual(['hanode1', 'hanode2', 'hanode3']);
    expect(bad[0]).toMatchObject({
      op: 'start',
      status: 'not installed',
      reason: 'environment is invalid, resource considered stopped',
      exitCode: 5,
    });
    expect(s.resources.find((r) => r.id === 'badvm')).toMatchObject({ role: 'Stopped', nodes: [] });
  });

  it('reads a target-role Stopped resource as disabled, failures cleaned up', () => {
    const s = parseCrmMon(fixture('crm_mon-stopped.xml'));
    const bad = s.resources.find((r) => r.id === 'badvm')!;
    expect(bad.targetStopped).toBe(true);
    expect(describeHaResource(bad)).toBe('Stopped (disabled)');
    expect(s.failedActions).toEqual([]);
  });

  it('reads a fenced node as unclean, then offline, and the VM restarted elsewhere', () => {
    const unclean = parseCrmMon(fixture('crm_mon-unclean.xml'));
    expect(unclean.nodes.find((n) => n.name === 'hanode3')?.state).toBe('unclean');
    const offline = parseCrmMon(fixture('crm_mon-offline.xml'));
    expect(offline.nodes.find((n) => n.name === 'hanode3')?.state).toBe('offline');
    expect(offline.quorate).toBe(true);
    expect(offline.resources.find((r) => r.id === 'lab-ha-vm')?.nodes).toEqual(['hanode2']);
  });

  it('reads stonith-enabled=false', () => {
    expect(parseCrmMon(fixture('crm_mon-nostonith.xml')).stonithEnabled).toBe(false);
  });
});

describe('the CIB, cmap and definitions', () => {
  it("reads each primitive's agent and instance parameters", () => {
    const ps = parseCibResources(fixture('cib-resources.xml'));
    expect(ps.find((p) => p.id === 'lab-ha-vm')).toEqual({
      id: 'lab-ha-vm',
      agent: 'ocf:heartbeat:VirtualDomain',
      params: {
        config: '/var/lib/libvirt/shared/lab-ha-vm.xml',
        hypervisor: 'qemu:///system',
        migration_transport: 'ssh',
        migrate_options: '--unsafe',
        force_stop: 'true',
      },
    });
    expect(ps.find((p) => p.id === 'fence-hanode1')?.agent).toBe('stonith:fence_clusterdeck_lab');
  });

  it("reads corosync's cluster name and nodelist", () => {
    expect(parseCmap(fixture('cmap.txt'))).toEqual({
      clusterName: 'clusterdeck-lab-120',
      nodes: [
        { name: 'hanode1', address: '127.0.0.121' },
        { name: 'hanode2', address: '127.0.0.122' },
        { name: 'hanode3', address: '127.0.0.123' },
      ],
    });
  });

  it("reads a definition's name, and nothing of a missing file", () => {
    const heads = parseDomainHeads(fixture('domain-heads.txt'));
    expect(heads.get('/var/lib/libvirt/shared/lab-ha-vm.xml')).toEqual({ name: 'lab-ha-vm' });
    expect(heads.get('/var/lib/libvirt/shared/missing.xml')).toEqual({});
  });
});

describe('the read and the state', () => {
  it('splits the read script output, and reads only the stamp when it did not move', () => {
    expect(splitRead('<cib epoch="1"/>\n')).toEqual({ stamp: '<cib epoch="1"/>' });
    const out = [
      '<cib epoch="2"/>',
      PART.crmMon,
      '<pacemaker-result/>',
      PART.resources,
      '<resources/>',
      PART.cmap,
      'totem.cluster_name (str) = c',
      '',
    ].join('\n');
    expect(splitRead(out)).toEqual({
      stamp: '<cib epoch="2"/>',
      crmMon: '<pacemaker-result/>',
      resources: '<resources/>',
      cmap: 'totem.cluster_name (str) = c\n',
    });
    // The last stamp is an argument, never script text.
    expect(readArgv('a"; rm -rf /').slice(-1)).toEqual(['a"; rm -rf /']);
  });

  it('reads definitions only by plain absolute paths', () => {
    expect(
      domainHeadsArgv(['/var/lib/x.xml', 'rel.xml', '/a/../etc/shadow', '/b;c']).slice(4),
    ).toEqual(['/var/lib/x.xml']);
  });

  it('builds a schema-valid state that maps members to hosts and a resource to its VM', () => {
    const hosts = [
      { id: 'h1', name: 'one', address: '127.0.0.121', info: { hostname: 'hanode1' } },
      { id: 'h3', name: 'three', address: '127.0.0.123' },
    ] as unknown as Host[];
    const state = buildHaState(
      {
        stamp: 's',
        crmMon: fixture('crm_mon-vm.xml'),
        resources: fixture('cib-resources.xml'),
        cmap: fixture('cmap.txt'),
      },
      parseDomainHeads(fixture('domain-heads.txt')),
      hosts,
      'one',
    );
    expect(haStateSchema.parse(state)).toEqual(state);
    expect(state.clusterName).toBe('clusterdeck-lab-120');
    expect(state.nodes.map((n) => n.hostId)).toEqual(['h1', undefined, 'h3']);
    const r = haResourceOfVm(state, { uuid: 'any', name: 'lab-ha-vm' });
    expect(r?.id).toBe('lab-ha-vm');
    expect(r?.domain).toEqual({
      config: '/var/lib/libvirt/shared/lab-ha-vm.xml',
      name: 'lab-ha-vm',
    });
    expect(haResourceOfVm(state, { uuid: 'any', name: 'other' })).toBeUndefined();
  });

  it('cleans up a resource by its id as an option value', () => {
    expect(cleanupStep('lab-ha-vm').argv).toEqual([
      'crm_resource',
      '--cleanup',
      '--resource=lab-ha-vm',
    ]);
  });
});
