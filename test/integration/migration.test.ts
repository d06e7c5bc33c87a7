// Migrate VM against the lab's three nodes, made a cluster first: a shut-off
// guest moved offline, the CPU and boot files asked of both nodes, a guest
// whose disk is on the source's own storage moved with it, a guest locked
// while it moves with its progress never going back, a move cancelled
// half-way (the guest stays, its half-copied disk goes), and the preflight
// refusing a target without the memory or the network a guest needs. How the
// memory travels (plain, tunnelled, TLS) is in migration-transport.test.ts,
// maintenance mode in maintenance.test.ts; the cluster they build is in
// migration-fixtures.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/cluster';
import type { Task } from '../../shared/model';
import { runningVmJob } from '../../shared/vm-jobs';
import { labExec, readLab, virshOn, taskFinished, waitFor } from '../lab';
import {
  IMAGES,
  defineGuest,
  dropGuest,
  haveThree,
  quietly,
  state,
  useMigrationCluster,
} from './migration-fixtures';

describe.runIf(haveThree)('Migrate VM', () => {
  const cluster = useMigrationCluster('mig-lab');
  const { vmOn, migrate, startGuestWithDisk } = cluster;

  it('moves a shut-off guest offline, and the tree follows it from one node to the other', async () => {
    dropGuest('int-mig-off');
    defineGuest('node1', 'int-mig-off', '');
    try {
      const vm = await vmOn('node1', 'int-mig-off');
      const task = await taskFinished(
        cluster.backend,
        await migrate({ vmIds: [vm.id], targetHostId: cluster.ids['node2']! }),
        60_000,
      );
      expect(task.error).toBeUndefined();
      expect(task.detail).toBe('int-mig-off is defined on node2 (shut off).');
      expect(state('node2', 'int-mig-off')).toBe('shut off');
      expect(state('node1', 'int-mig-off')).toBe('absent');
      await vmOn('node2', 'int-mig-off');
      await waitFor(
        () =>
          !cluster.backend.store
            .all('vms')
            .some((v) => v.hostId === cluster.ids['node1'] && v.name === 'int-mig-off'),
        'int-mig-off gone from node1 in the inventory',
        10_000,
      );
    } finally {
      dropGuest('int-mig-off');
    }
  });

  it.runIf(readLab().linuxGuest)(
    'asks both nodes about lab-linux’s CPU, and refuses while its kernel is not on the target',
    async () => {
      // The lab nodes' host-model CPU disables pni (SSE3), which qemu64 asks for; QEMU
      // starts it anyway (check='none'), so both nodes rate it alike.
      const vm = await vmOn('node1', 'lab-linux');
      const { findings, problems } = (await cluster.backend.call('planMigration', {
        vmIds: [vm.id],
        targetHostId: cluster.ids['node2']!,
      })) as { findings: Finding[]; problems: string[] };
      // It boots its kernel straight from node1's own /var/lib/libvirt/boot.
      expect(problems).toEqual([
        'lab-linux boots from /var/lib/libvirt/boot/vmlinuz, which is not on node2.',
        'lab-linux boots from /var/lib/libvirt/boot/initrd.gz, which is not on node2.',
      ]);
      // What libvirt on node2 says of it, asked here straight in the node: with KVM
      // the host-model lacks pni and both nodes refuse it alike; under TCG
      // (no /dev/kvm) qemu64 simply runs.
      const xml = join(cluster.home, 'lab-linux-cpu.xml');
      writeFileSync(xml, virshOn('node1', ['dumpxml', 'lab-linux']));
      let verdict: string;
      try {
        verdict = virshOn('node2', ['hypervisor-cpu-compare', xml]);
      } catch (err) {
        verdict = String((err as { stdout?: string }).stdout ?? err); // incompatible exits 1
      }
      expect(findings.find((f) => f.check === 'lab-linux: CPU')).toEqual({
        check: 'lab-linux: CPU',
        level: 'ok',
        detail: /\b(superset|identical)\b/.test(verdict)
          ? 'node2 runs lab-linux’s CPU (qemu64).'
          : 'libvirt rates lab-linux’s CPU (qemu64) the same on node2 as on node1, where it runs.',
      });
    },
  );

  it('copies a disk on the source’s own storage with the guest', async () => {
    dropGuest('int-mig-disk', 'int-mig-disk.qcow2');
    virshOn('node1', [
      'vol-create-as',
      'lab-images',
      'int-mig-disk.qcow2',
      '16M',
      '--format',
      'qcow2',
    ]);
    try {
      const vm = await startGuestWithDisk('int-mig-disk', 'int-mig-disk.qcow2', 'qcow2');
      const plan = (await cluster.backend.call('planMigration', {
        vmIds: [vm.id],
        targetHostId: cluster.ids['node3']!,
      })) as { findings: Finding[]; steps: { command: string }[]; problems: string[] };
      expect(plan.problems).toEqual([]);
      expect(plan.findings.find((f) => f.check === 'int-mig-disk: storage')?.detail).toContain(
        `Copied with the move (not on storage node3 shares): ${IMAGES}/int-mig-disk.qcow2`,
      );
      expect(plan.steps[0]!.command).toContain('--copy-storage-all');
      // libvirt 9 with QEMU 7 refuses disks in a tunnelled move: the preflight says so first.
      const tunnelled = (await cluster.backend.call('planMigration', {
        vmIds: [vm.id],
        targetHostId: cluster.ids['node3']!,
        transport: 'tunnelled',
      })) as { problems: string[] };
      expect(tunnelled.problems).toEqual([
        'int-mig-disk’s disks must be copied, and libvirt cannot copy disks through a tunnelled migration (libvirt 9 with QEMU 7 refuses: “migration of non-shared storage is not supported with tunnelled migration”).',
      ]);
      const task = await taskFinished(
        cluster.backend,
        await migrate({ vmIds: [vm.id], targetHostId: cluster.ids['node3']! }),
        90_000,
      );
      expect(task.error).toBeUndefined();
      expect(state('node3', 'int-mig-disk')).toBe('running');
      expect(state('node1', 'int-mig-disk')).toBe('absent');
      expect(virshOn('node3', ['domblklist', 'int-mig-disk'])).toContain(
        `${IMAGES}/int-mig-disk.qcow2`,
      );
      labExec('node3', ['test', '-s', join(IMAGES, 'int-mig-disk.qcow2')]);
    } finally {
      dropGuest('int-mig-disk', 'int-mig-disk.qcow2');
    }
  });

  it('while a guest moves, shows it migrating on both nodes, refuses its lifecycle actions (and those of the VM waiting after it), and its progress never goes back', async () => {
    dropGuest('int-mig-busy', 'int-mig-busy.img');
    dropGuest('int-mig-queued');
    // Moved by the same task after int-mig-busy (shut off: only its definition).
    defineGuest('node1', 'int-mig-queued', '');
    virshOn('node1', ['vol-create-as', 'lab-images', 'int-mig-busy.img', '16M', '--format', 'raw']);
    // Random data at 2 MiB/s: the copy takes about eight seconds, time to look at it.
    labExec('node1', [
      'dd',
      'if=/dev/urandom',
      `of=${IMAGES}/int-mig-busy.img`,
      'bs=1M',
      'count=16',
      'conv=notrunc',
      'status=none',
    ]);
    try {
      const vm = await startGuestWithDisk('int-mig-busy', 'int-mig-busy.img', 'raw');
      const seen: Task[] = [];
      const stop = cluster.backend.onPatch((patches) => {
        for (const p of patches)
          if (p.op === 'put' && p.collection === 'tasks') seen.push(p.value as Task);
      });
      const queued = await vmOn('node1', 'int-mig-queued');
      const taskId = await migrate({
        vmIds: [vm.id, queued.id],
        targetHostId: cluster.ids['node2']!,
        bandwidthMiBs: 2,
      });
      try {
        const words = (v: { uuid: string; hostId: string }) =>
          runningVmJob(
            cluster.backend.store.all('tasks'),
            cluster.backend.store.snapshot().hosts,
            v,
          )?.words;
        await waitFor(() => words(vm) === 'Migrating to node2', 'the source copy shown migrating');
        await expect(
          cluster.backend.call('vmAction', { vmId: vm.id, action: 'destroy' }),
        ).rejects.toThrow(
          'int-mig-busy on node1 is busy: Migrating to node2. Force off is refused until that task ends; cancel it in the Tasks pane to stop the migration.',
        );
        // The incoming copy on node2 is paused until the switch-over: Resume is refused too.
        const incoming = await vmOn('node2', 'int-mig-busy');
        expect(words(incoming)).toBe('Migrating from node1');
        await expect(
          cluster.backend.call('vmAction', { vmId: incoming.id, action: 'resume' }),
        ).rejects.toThrow(
          /int-mig-busy on node2 is busy: Migrating from node1\. Resume is refused/,
        );
        await expect(
          cluster.backend.call('migrateVms', {
            vmIds: [vm.id],
            targetHostId: cluster.ids['node3']!,
          }),
        ).rejects.toThrow(/int-mig-busy is busy: Migrating to node2\./);
        // The VM that moves next waits, and cannot be started meanwhile.
        expect(words(queued)).toBe('Waiting to migrate to node2');
        await expect(
          cluster.backend.call('vmAction', { vmId: queued.id, action: 'start' }),
        ).rejects.toThrow(
          /int-mig-queued on node1 is busy: Waiting to migrate to node2\. Start is refused/,
        );
        const task = await taskFinished(cluster.backend, taskId, 90_000);
        expect(task.error).toBeUndefined();
      } finally {
        stop();
      }
      expect(state('node2', 'int-mig-busy')).toBe('running');
      expect(state('node1', 'int-mig-busy')).toBe('absent');
      expect(state('node2', 'int-mig-queued')).toBe('shut off');
      const mine = seen.filter((t) => t.id === taskId);
      const progress = mine.map((t) => t.progress);
      expect(progress.filter((p) => p > 0 && p < 1).length).toBeGreaterThan(2);
      for (let i = 1; i < progress.length; i++)
        expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
      // The memory pass of this mostly empty guest can end between two polls, so an
      // "iteration N" is not always seen (the unit tests read it from domjobinfo);
      // when it is, it never goes back either.
      const iterations = mine.flatMap((t) => {
        const m = /iteration (\d+)/.exec(t.detail ?? '');
        return m ? [Number(m[1])] : [];
      });
      for (let i = 1; i < iterations.length; i++)
        expect(iterations[i]).toBeGreaterThanOrEqual(iterations[i - 1]!);
      // Once it ends, the guest is free again.
      expect(mine.at(-1)!.vmJob).toBeUndefined();
      expect(mine.at(-1)!.vmQueue).toBeUndefined();
    } finally {
      dropGuest('int-mig-busy', 'int-mig-busy.img');
      dropGuest('int-mig-queued');
    }
  });

  it('cancelled half-way, leaves the guest running where it was', async () => {
    dropGuest('int-mig-slow', 'int-mig-slow.img');
    virshOn('node1', ['vol-create-as', 'lab-images', 'int-mig-slow.img', '32M', '--format', 'raw']);
    // Random data cannot be skipped like zero pages: at 1 MiB/s the copy takes half a minute.
    labExec('node1', [
      'dd',
      'if=/dev/urandom',
      `of=${IMAGES}/int-mig-slow.img`,
      'bs=1M',
      'count=32',
      'conv=notrunc',
      'status=none',
    ]);
    try {
      const vm = await startGuestWithDisk('int-mig-slow', 'int-mig-slow.img', 'raw');
      const taskId = await migrate({
        vmIds: [vm.id],
        targetHostId: cluster.ids['node2']!,
        bandwidthMiBs: 1,
      });
      await waitFor(
        () => /sent/.test(cluster.backend.store.get('tasks', taskId)?.detail ?? ''),
        'progress shown',
        30_000,
      );
      labExec('node2', ['test', '-e', `${IMAGES}/int-mig-slow.img`]); // libvirt made it for the copy
      await cluster.backend.call('cancelTask', { taskId });
      const task = await taskFinished(cluster.backend, taskId, 60_000);
      expect(task.state).toBe('cancelled');
      expect(task.error).toContain('int-mig-slow stays on node1');
      expect(task.log.map((r) => r.command).join('\n')).toContain(`domjobabort ${vm.uuid}`);
      expect(state('node1', 'int-mig-slow')).toBe('running');
      expect(state('node2', 'int-mig-slow')).toBe('absent');
      // The half-copied disk libvirt made on node2 is gone again.
      expect(task.log.map((r) => r.command).join('\n')).toContain(
        `clusterdeck-remove-copies ${vm.uuid} ${IMAGES}/int-mig-slow.img`,
      );
      expect(() => labExec('node2', ['test', '-e', `${IMAGES}/int-mig-slow.img`])).toThrow();
    } finally {
      dropGuest('int-mig-slow', 'int-mig-slow.img');
    }
  });

  it('refuses a target without the memory or the network the guest needs', async () => {
    const file = join(readLab().nodes[0]!.dir, 'cd-only1.xml');
    writeFileSync(file, `<network><name>cd-only1</name><bridge name='cdonly1'/></network>`);
    quietly(() => virshOn('node1', ['net-define', file]));
    dropGuest('int-mig-net');
    dropGuest('int-mig-big');
    defineGuest(
      'node1',
      'int-mig-net',
      `<interface type='network'><source network='cd-only1'/></interface>`,
    );
    defineGuest('node1', 'int-mig-big', '', "<memory unit='GiB'>4096</memory>");
    try {
      const net = await vmOn('node1', 'int-mig-net');
      const big = await vmOn('node1', 'int-mig-big');
      const plan = async (vmId: string) =>
        (await cluster.backend.call('planMigration', {
          vmIds: [vmId],
          targetHostId: cluster.ids['node2']!,
        })) as {
          problems: string[];
        };
      expect((await plan(net.id)).problems).toEqual(['The network cd-only1 is not on node2.']);
      // Shut off, it moves offline, but could never start there.
      expect((await plan(big.id)).problems).toEqual([
        expect.stringMatching(
          /^int-mig-big needs 4\.0 TiB, more than node2's total memory \(.*\): it could never start there\.$/,
        ),
      ]);
      await expect(
        migrate({ vmIds: [big.id], targetHostId: cluster.ids['node2']! }),
      ).rejects.toThrow(/could never start there/);
    } finally {
      dropGuest('int-mig-net');
      dropGuest('int-mig-big');
      quietly(() => virshOn('node1', ['net-undefine', 'cd-only1']));
    }
  });
});

if (!haveThree) console.log('[migration] SKIPPED: the lab has fewer than three nodes.');
