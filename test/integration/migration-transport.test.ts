// How Migrate VM carries a running guest's memory, against the lab's three
// nodes made a cluster first: plain (QEMU's own TCP stream), tunnelled
// through the nodes' SSH trust, and over TLS (node1 and node2 get QEMU's
// certificates, node3 none, so the preflight says what it lacks). Each move
// goes to node2 and back.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/cluster';
import type { MigrationSpecInput } from '../../shared/migration';
import { labNode, taskFinished } from '../lab';
import { haveThree, state, useMigrationCluster } from './migration-fixtures';

describe.runIf(haveThree)('Migrate VM: transports', () => {
  const cluster = useMigrationCluster('mig-transport-lab', ['node1', 'node2']);
  const { vmOn, migrate } = cluster;

  /**
   * Moves lab-tiny-1 back from node2 to node1 the way it went, and checks it
   * runs there. A move that never left node1 has nothing to bring back: its
   * own failure is the one to report.
   */
  async function bringBackTiny(transport?: MigrationSpecInput['transport']): Promise<void> {
    if (state('node2', 'lab-tiny-1') === 'absent' && state('node1', 'lab-tiny-1') === 'running')
      return;
    const moved = await vmOn('node2', 'lab-tiny-1');
    const back = await taskFinished(
      cluster.backend,
      await migrate({
        vmIds: [moved.id],
        targetHostId: cluster.ids['node1']!,
        ...(transport && { transport }),
      }),
      60_000,
    );
    expect(back.error).toBeUndefined();
    expect(state('node1', 'lab-tiny-1')).toBe('running');
  }

  it('moves a running guest live to another node, and back', async () => {
    const vm = await vmOn('node1', 'lab-tiny-1');
    const plan = (await cluster.backend.call('planMigration', {
      vmIds: [vm.id],
      targetHostId: cluster.ids['node2']!,
    })) as { findings: Finding[]; steps: { command: string }[]; problems: string[] };
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.command)).toEqual([
      `virsh -c qemu:///system migrate --live --persistent --undefinesource ${vm.uuid} 'qemu+ssh://root@clusterdeck-${labNode('node2').host}/system?no_tty=1' --migrateuri tcp://${labNode('node2').host}`,
    ]);
    const there = await taskFinished(
      cluster.backend,
      await migrate({ vmIds: [vm.id], targetHostId: cluster.ids['node2']! }),
      60_000,
    );
    try {
      expect(there.error).toBeUndefined();
      expect(state('node2', 'lab-tiny-1')).toBe('running');
      expect(state('node1', 'lab-tiny-1')).toBe('absent');
    } finally {
      await bringBackTiny();
    }
  });

  it('moves a running guest live encrypted, through the nodes’ SSH trust (--p2p --tunnelled), and back', async () => {
    const vm = await vmOn('node1', 'lab-tiny-1');
    const spec: MigrationSpecInput = {
      vmIds: [vm.id],
      targetHostId: cluster.ids['node2']!,
      transport: 'tunnelled',
    };
    const plan = (await cluster.backend.call('planMigration', spec)) as {
      findings: Finding[];
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.findings.find((f) => f.check === 'lab-tiny-1: transport')?.detail).toBe(
      'Encrypted: node1’s libvirtd carries lab-tiny-1’s memory through its own SSH connection to node2 (--p2p --tunnelled; slower than plain).',
    );
    expect(plan.steps.map((s) => s.command)).toEqual([
      `virsh -c qemu:///system migrate --live --p2p --tunnelled --persistent --undefinesource ${vm.uuid} 'qemu+ssh://root@clusterdeck-${labNode('node2').host}/system?no_tty=1'`,
    ]);
    const there = await taskFinished(cluster.backend, await migrate(spec), 60_000);
    try {
      expect(there.error).toBeUndefined();
      expect(there.log.map((r) => r.command).join('\n')).toContain(
        'migrate --live --p2p --tunnelled',
      );
      expect(state('node2', 'lab-tiny-1')).toBe('running');
      expect(state('node1', 'lab-tiny-1')).toBe('absent');
    } finally {
      await bringBackTiny('tunnelled');
    }
  });

  it('moves a guest live over TLS where both nodes hold QEMU’s certificates, and says what lacks elsewhere', async () => {
    // node1 and node2 got certificates in beforeAll (in /etc/libvirt/pki-qemu, named by
    // qemu.conf); node3 has none, in libvirt's default /etc/pki/qemu.
    expect(
      await cluster.backend.call('migrationTls', {
        sourceHostId: cluster.ids['node1']!,
        targetHostId: cluster.ids['node2']!,
      }),
    ).toEqual({ ready: true });
    const why =
      'node3 has no ca-cert.pem, server-cert.pem, server-key.pem in /etc/pki/qemu (it receives as the server)';
    expect(
      await cluster.backend.call('migrationTls', {
        sourceHostId: cluster.ids['node1']!,
        targetHostId: cluster.ids['node3']!,
      }),
    ).toEqual({ ready: false, reason: why });
    const vm = await vmOn('node1', 'lab-tiny-1');
    const refused = (await cluster.backend.call('planMigration', {
      vmIds: [vm.id],
      targetHostId: cluster.ids['node3']!,
      transport: 'tls',
    })) as { problems: string[] };
    expect(refused.problems).toEqual([`TLS migration needs QEMU’s certificates: ${why}.`]);

    const spec: MigrationSpecInput = {
      vmIds: [vm.id],
      targetHostId: cluster.ids['node2']!,
      transport: 'tls',
    };
    const plan = (await cluster.backend.call('planMigration', spec)) as {
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.command)).toEqual([
      `virsh -c qemu:///system migrate --live --tls --persistent --undefinesource ${vm.uuid} 'qemu+ssh://root@clusterdeck-${labNode('node2').host}/system?no_tty=1' --migrateuri tcp://${labNode('node2').host}`,
    ]);
    const there = await taskFinished(cluster.backend, await migrate(spec), 60_000);
    try {
      expect(there.error).toBeUndefined();
      expect(state('node2', 'lab-tiny-1')).toBe('running');
      expect(state('node1', 'lab-tiny-1')).toBe('absent');
    } finally {
      await bringBackTiny('tls');
    }
  });
});

if (!haveThree) console.log('[migration-transport] SKIPPED: the lab has fewer than three nodes.');
