// Migrate VM against the lab's three nodes, made a cluster first: a live move
// and back, plain, tunnelled through the nodes' SSH trust and over TLS (node1
// and node2 get certificates, node3 none), a guest whose disk is on the
// source's own storage moved with it, a guest locked while it moves with its
// progress never going back, a move cancelled half-way (the guest stays, its
// half-copied disk goes), maintenance mode (tunnelled, as the wizard's
// default), and the preflight refusing a target without the memory or the
// network a guest needs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { Finding } from '../../shared/cluster';
import type { MigrationSpecInput } from '../../shared/migration';
import type { Task } from '../../shared/model';
import { runningVmJob } from '../../shared/vm-jobs';
import {
  addLabNode,
  forgetNodeTrust,
  labExec,
  labNode,
  readLab,
  taskFinished,
  testBackendOptions,
  virshOn,
  waitFor,
} from '../lab';
import { giveTlsCertificates } from '../../scripts/lab-tls';

const haveThree = readLab().nodes.length >= 3;
const IMAGES = '/var/lib/libvirt/images';
let home: string;
let backend: Backend;
let ids: Record<string, string>;
let takeTlsAway: (() => void) | undefined;

const vmOn = (node: string, name: string) =>
  waitFor(
    () => backend.store.all('vms').find((v) => v.hostId === ids[node] && v.name === name),
    `${name} listed on ${node}`,
    20_000,
  );

function state(node: string, name: string): string {
  try {
    return virshOn(node, ['domstate', name]).trim();
  } catch {
    return 'absent';
  }
}

function quietly(fn: () => unknown): void {
  try {
    fn();
  } catch {
    /* not there */
  }
}

function dropGuest(name: string, volume?: string): void {
  for (const n of ['node1', 'node2', 'node3']) {
    quietly(() => virshOn(n, ['destroy', name]));
    quietly(() => virshOn(n, ['undefine', name]));
    if (volume) quietly(() => labExec(n, ['rm', '-f', join(IMAGES, volume)]));
    quietly(() => virshOn(n, ['pool-refresh', 'lab-images']));
  }
}

function defineGuest(
  node: string,
  name: string,
  devices: string,
  memory = "<memory unit='MiB'>64</memory>",
) {
  const file = join(readLab().nodes.find((n) => n.name === node)!.dir, `${name}.xml`);
  writeFileSync(
    file,
    `<domain type='qemu'><name>${name}</name>${memory}<vcpu>1</vcpu>` +
      `<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${devices}` +
      `<graphics type='vnc' port='-1' listen='127.0.0.1'/></devices></domain>`,
  );
  virshOn(node, ['define', file]);
}

async function migrate(spec: MigrationSpecInput) {
  const { taskId } = (await backend.call('migrateVms', spec)) as { taskId: string };
  return taskId;
}

/** Defines a guest on node1 with one disk in lab-images, starts it and waits until the backend sees it run. */
async function startGuestWithDisk(name: string, file: string, format: 'qcow2' | 'raw') {
  defineGuest(
    'node1',
    name,
    `<disk type='file' device='disk'><driver name='qemu' type='${format}'/><source file='${IMAGES}/${file}'/><target dev='vda' bus='virtio'/></disk>`,
  );
  virshOn('node1', ['start', name]);
  const vm = await vmOn('node1', name);
  await waitFor(() => backend.store.get('vms', vm.id)?.state === 'running', 'running');
  return vm;
}

/** Moves lab-tiny-1 back from node2 to node1 the way it went, and checks it runs there. */
async function bringBackTiny(transport?: MigrationSpecInput['transport']): Promise<void> {
  const moved = await vmOn('node2', 'lab-tiny-1');
  const back = await taskFinished(
    backend,
    await migrate({
      vmIds: [moved.id],
      targetHostId: ids['node1']!,
      ...(transport && { transport }),
    }),
    60_000,
  );
  expect(back.error).toBeUndefined();
  expect(state('node1', 'lab-tiny-1')).toBe('running');
}

describe.runIf(haveThree)('Migrate VM', () => {
  beforeAll(async () => {
    forgetNodeTrust();
    // Before the backend connects: libvirtd restarts to read its new qemu.conf.
    takeTlsAway = giveTlsCertificates({ nodes: readLab().nodes, exec: labExec }, [
      'node1',
      'node2',
    ]);
    home = mkdtempSync(join(tmpdir(), 'clusterdeck-migration-'));
    backend = await Backend.start(testBackendOptions(home));
    ids = {};
    for (const n of ['node1', 'node2', 'node3']) ids[n] = await addLabNode(backend, n);
    await waitFor(
      () => Object.values(ids).every((id) => backend.store.get('hosts', id)?.state === 'connected'),
      'three nodes connected',
    );
    const { taskId } = (await backend.call('createCluster', {
      name: 'mig-lab',
      hostIds: Object.values(ids),
    })) as { taskId: string };
    expect((await taskFinished(backend, taskId, 90_000)).error).toBeUndefined();
  }, 120_000);

  afterAll(() => {
    backend?.close();
    takeTlsAway?.();
    forgetNodeTrust();
    rmSync(home, { recursive: true, force: true });
  });

  it('moves a shut-off guest offline, and the tree follows it from one node to the other', async () => {
    dropGuest('int-mig-off');
    defineGuest('node1', 'int-mig-off', '');
    try {
      const vm = await vmOn('node1', 'int-mig-off');
      const task = await taskFinished(
        backend,
        await migrate({ vmIds: [vm.id], targetHostId: ids['node2']! }),
        60_000,
      );
      expect(task.error).toBeUndefined();
      expect(task.detail).toBe('int-mig-off is defined on node2 (shut off).');
      expect(state('node2', 'int-mig-off')).toBe('shut off');
      expect(state('node1', 'int-mig-off')).toBe('absent');
      await vmOn('node2', 'int-mig-off');
      await waitFor(
        () =>
          !backend.store
            .all('vms')
            .some((v) => v.hostId === ids['node1'] && v.name === 'int-mig-off'),
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
      const { findings, problems } = (await backend.call('planMigration', {
        vmIds: [vm.id],
        targetHostId: ids['node2']!,
      })) as { findings: Finding[]; problems: string[] };
      // It boots its kernel straight from node1's own /var/lib/libvirt/boot.
      expect(problems).toEqual([
        'lab-linux boots from /var/lib/libvirt/boot/vmlinuz, which is not on node2.',
        'lab-linux boots from /var/lib/libvirt/boot/initrd.gz, which is not on node2.',
      ]);
      // What libvirt on node2 says of it, asked here straight in the node: with KVM
      // the host-model lacks pni and both nodes refuse it alike; under TCG
      // (no /dev/kvm) qemu64 simply runs.
      const xml = join(home, 'lab-linux-cpu.xml');
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

  it('moves a running guest live to another node, and back', async () => {
    const vm = await vmOn('node1', 'lab-tiny-1');
    const plan = (await backend.call('planMigration', {
      vmIds: [vm.id],
      targetHostId: ids['node2']!,
    })) as { findings: Finding[]; steps: { command: string }[]; problems: string[] };
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.command)).toEqual([
      `virsh -c qemu:///system migrate --live --persistent --undefinesource ${vm.uuid} 'qemu+ssh://root@clusterdeck-${labNode('node2').host}/system?no_tty=1' --migrateuri tcp://${labNode('node2').host}`,
    ]);
    const there = await taskFinished(
      backend,
      await migrate({ vmIds: [vm.id], targetHostId: ids['node2']! }),
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
      targetHostId: ids['node2']!,
      transport: 'tunnelled',
    };
    const plan = (await backend.call('planMigration', spec)) as {
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
    const there = await taskFinished(backend, await migrate(spec), 60_000);
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
      await backend.call('migrationTls', {
        sourceHostId: ids['node1']!,
        targetHostId: ids['node2']!,
      }),
    ).toEqual({ ready: true });
    const why =
      'node3 has no ca-cert.pem, server-cert.pem, server-key.pem in /etc/pki/qemu (it receives as the server)';
    expect(
      await backend.call('migrationTls', {
        sourceHostId: ids['node1']!,
        targetHostId: ids['node3']!,
      }),
    ).toEqual({ ready: false, reason: why });
    const vm = await vmOn('node1', 'lab-tiny-1');
    const refused = (await backend.call('planMigration', {
      vmIds: [vm.id],
      targetHostId: ids['node3']!,
      transport: 'tls',
    })) as { problems: string[] };
    expect(refused.problems).toEqual([`TLS migration needs QEMU’s certificates: ${why}.`]);

    const spec: MigrationSpecInput = {
      vmIds: [vm.id],
      targetHostId: ids['node2']!,
      transport: 'tls',
    };
    const plan = (await backend.call('planMigration', spec)) as {
      steps: { command: string }[];
      problems: string[];
    };
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((s) => s.command)).toEqual([
      `virsh -c qemu:///system migrate --live --tls --persistent --undefinesource ${vm.uuid} 'qemu+ssh://root@clusterdeck-${labNode('node2').host}/system?no_tty=1' --migrateuri tcp://${labNode('node2').host}`,
    ]);
    const there = await taskFinished(backend, await migrate(spec), 60_000);
    try {
      expect(there.error).toBeUndefined();
      expect(state('node2', 'lab-tiny-1')).toBe('running');
      expect(state('node1', 'lab-tiny-1')).toBe('absent');
    } finally {
      await bringBackTiny('tls');
    }
  });

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
      const plan = (await backend.call('planMigration', {
        vmIds: [vm.id],
        targetHostId: ids['node3']!,
      })) as { findings: Finding[]; steps: { command: string }[]; problems: string[] };
      expect(plan.problems).toEqual([]);
      expect(plan.findings.find((f) => f.check === 'int-mig-disk: storage')?.detail).toContain(
        `Copied with the move (not on storage node3 shares): ${IMAGES}/int-mig-disk.qcow2`,
      );
      expect(plan.steps[0]!.command).toContain('--copy-storage-all');
      // libvirt 9 with QEMU 7 refuses disks in a tunnelled move: the preflight says so first.
      const tunnelled = (await backend.call('planMigration', {
        vmIds: [vm.id],
        targetHostId: ids['node3']!,
        transport: 'tunnelled',
      })) as { problems: string[] };
      expect(tunnelled.problems).toEqual([
        'int-mig-disk’s disks must be copied, and libvirt cannot copy disks through a tunnelled migration (libvirt 9 with QEMU 7 refuses: “migration of non-shared storage is not supported with tunnelled migration”).',
      ]);
      const task = await taskFinished(
        backend,
        await migrate({ vmIds: [vm.id], targetHostId: ids['node3']! }),
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
      const stop = backend.onPatch((patches) => {
        for (const p of patches)
          if (p.op === 'put' && p.collection === 'tasks') seen.push(p.value as Task);
      });
      const queued = await vmOn('node1', 'int-mig-queued');
      const taskId = await migrate({
        vmIds: [vm.id, queued.id],
        targetHostId: ids['node2']!,
        bandwidthMiBs: 2,
      });
      try {
        const words = (v: { uuid: string; hostId: string }) =>
          runningVmJob(backend.store.all('tasks'), backend.store.snapshot().hosts, v)?.words;
        await waitFor(() => words(vm) === 'Migrating to node2', 'the source copy shown migrating');
        await expect(backend.call('vmAction', { vmId: vm.id, action: 'destroy' })).rejects.toThrow(
          'int-mig-busy on node1 is busy: Migrating to node2. Force off is refused until that task ends; cancel it in the Tasks pane to stop the migration.',
        );
        // The incoming copy on node2 is paused until the switch-over: Resume is refused too.
        const incoming = await vmOn('node2', 'int-mig-busy');
        expect(words(incoming)).toBe('Migrating from node1');
        await expect(
          backend.call('vmAction', { vmId: incoming.id, action: 'resume' }),
        ).rejects.toThrow(
          /int-mig-busy on node2 is busy: Migrating from node1\. Resume is refused/,
        );
        await expect(
          backend.call('migrateVms', { vmIds: [vm.id], targetHostId: ids['node3']! }),
        ).rejects.toThrow(/int-mig-busy is busy: Migrating to node2\./);
        // The VM that moves next waits, and cannot be started meanwhile.
        expect(words(queued)).toBe('Waiting to migrate to node2');
        await expect(
          backend.call('vmAction', { vmId: queued.id, action: 'start' }),
        ).rejects.toThrow(
          /int-mig-queued on node1 is busy: Waiting to migrate to node2\. Start is refused/,
        );
        const task = await taskFinished(backend, taskId, 90_000);
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
        targetHostId: ids['node2']!,
        bandwidthMiBs: 1,
      });
      await waitFor(
        () => /sent/.test(backend.store.get('tasks', taskId)?.detail ?? ''),
        'progress shown',
        30_000,
      );
      labExec('node2', ['test', '-e', `${IMAGES}/int-mig-slow.img`]); // libvirt made it for the copy
      await backend.call('cancelTask', { taskId });
      const task = await taskFinished(backend, taskId, 60_000);
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

  it('maintenance mode empties a node (tunnelled, as Migrate VM), refuses guests for it, and brings its own back', async () => {
    dropGuest('int-maint');
    defineGuest('node2', 'int-maint', '');
    virshOn('node2', ['start', 'int-maint']);
    try {
      await vmOn('node2', 'int-maint');
      const plan = (await backend.call('planMaintenance', { hostId: ids['node2']! })) as {
        findings: Finding[];
        steps: { node: string; title: string; command: string }[];
        problems: string[];
      };
      expect(plan.problems).toEqual([]);
      expect(plan.steps.map((st) => st.node)).toEqual(['node2']);
      // Migrate VM's default transport: through the nodes' SSH trust, no tcp:// stream.
      expect(plan.steps[0]!.title).toMatch(/^Migrate int-maint to node[13] live, encrypted$/);
      expect(plan.steps[0]!.command).toContain('migrate --live --p2p --tunnelled --persistent');
      expect(plan.steps[0]!.command).not.toContain('--migrateuri');
      const { taskId } = (await backend.call('enterMaintenance', {
        hostId: ids['node2']!,
        bringBack: true,
      })) as { taskId: string };
      const entered = await taskFinished(backend, taskId, 90_000);
      expect(entered.error).toBeUndefined();
      const enteredCommands = entered.log.map((r) => r.command).join('\n');
      expect(enteredCommands).toMatch(
        /virsh -c qemu:\/\/\/system migrate --live --p2p --tunnelled --persistent --undefinesource [0-9a-f-]+ 'qemu\+ssh:\/\/root@clusterdeck-127\.0\.0\.\d+\/system\?no_tty=1'/,
      );
      expect(enteredCommands).not.toContain('tcp://');
      expect(virshOn('node2', ['list', '--name']).trim()).toBe('');
      const moved = await waitFor(
        () => backend.store.all('vms').find((v) => v.name === 'int-maint' && v.state === 'running'),
        'int-maint running elsewhere',
      );
      expect(moved.hostId).not.toBe(ids['node2']);
      expect(backend.store.get('hosts', ids['node2']!)?.maintenance?.bringBack).toEqual([
        moved.uuid,
      ]);
      // Nothing moves to a node in maintenance mode.
      const tiny = await vmOn('node1', 'lab-tiny-1');
      const refused = (await backend.call('planMigration', {
        vmIds: [tiny.id],
        targetHostId: ids['node2']!,
      })) as { problems: string[] };
      expect(refused.problems).toEqual(['node2 is in maintenance mode.']);

      const out = (await backend.call('exitMaintenance', { hostId: ids['node2']! })) as {
        taskId: string;
      };
      const exited = await taskFinished(backend, out.taskId, 90_000);
      expect(exited.error).toBeUndefined();
      expect(exited.log.map((r) => r.command).join('\n')).toContain(
        'migrate --live --p2p --tunnelled',
      );
      expect(state('node2', 'int-maint')).toBe('running');
      expect(backend.store.get('hosts', ids['node2']!)?.maintenance).toBeUndefined();
    } finally {
      dropGuest('int-maint');
    }
  });

  it('maintenance mode refuses a guest whose disks must be copied, as the tunnelled preflight does', async () => {
    dropGuest('int-maint-disk', 'int-maint-disk.qcow2');
    virshOn('node2', [
      'vol-create-as',
      'lab-images',
      'int-maint-disk.qcow2',
      '16M',
      '--format',
      'qcow2',
    ]);
    defineGuest(
      'node2',
      'int-maint-disk',
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${IMAGES}/int-maint-disk.qcow2'/><target dev='vda' bus='virtio'/></disk>`,
    );
    virshOn('node2', ['start', 'int-maint-disk']);
    try {
      const vm = await vmOn('node2', 'int-maint-disk');
      await waitFor(() => backend.store.get('vms', vm.id)?.state === 'running', 'running');
      const plan = (await backend.call('planMaintenance', { hostId: ids['node2']! })) as {
        problems: string[];
      };
      const why =
        'int-maint-disk’s disks must be copied, and libvirt cannot copy disks through a tunnelled migration';
      expect(plan.problems).toEqual([expect.stringContaining(why)]);
      await expect(
        backend.call('enterMaintenance', { hostId: ids['node2']!, bringBack: false }),
      ).rejects.toThrow(why);
      expect(backend.store.get('hosts', ids['node2']!)?.maintenance).toBeUndefined();
      expect(state('node2', 'int-maint-disk')).toBe('running');
    } finally {
      dropGuest('int-maint-disk', 'int-maint-disk.qcow2');
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
        (await backend.call('planMigration', { vmIds: [vmId], targetHostId: ids['node2']! })) as {
          problems: string[];
        };
      expect((await plan(net.id)).problems).toEqual(['The network cd-only1 is not on node2.']);
      // Shut off, it moves offline, but could never start there.
      expect((await plan(big.id)).problems).toEqual([
        expect.stringMatching(
          /^int-mig-big needs 4\.0 TiB, more than node2 has in all \(.*\): it could never start there\.$/,
        ),
      ]);
      await expect(migrate({ vmIds: [big.id], targetHostId: ids['node2']! })).rejects.toThrow(
        /could never start there/,
      );
    } finally {
      dropGuest('int-mig-net');
      dropGuest('int-mig-big');
      quietly(() => virshOn('node1', ['net-undefine', 'cd-only1']));
    }
  });
});

if (!haveThree) console.log('[migration] SKIPPED: the lab has fewer than three nodes.');
