// New VM against the lab: the plan's checks, the XML libvirt accepts for
// every OS profile, a guest created, started and reachable on its console,
// its snapshots, Delete VM and Clone VM. The settings editor is in
// vm-edit.test.ts; both run over vm-fixtures.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../shared/model';
import type { VmSpecInput } from '../../shared/vm';
import { OS_PROFILES } from '../../shared/vm';
import { readLab, taskFinished, virshOn, waitFor } from '../lab';
import { removeVm, useNode1 } from './vm-fixtures';

// Also a guest a failed run left behind; removed before the backend starts.
beforeAll(() => removeVm('int-vm'));
const node = useNode1();
afterAll(() => removeVm('int-vm'));

function spec(over: Partial<VmSpecInput> = {}): VmSpecInput {
  return {
    name: 'int-vm',
    os: 'linux',
    vcpus: 1,
    memoryMiB: 128,
    disk: { kind: 'new', poolId: node.pool().id, bytes: 64 * 2 ** 20, format: 'qcow2' },
    boot: {
      kind: 'kernel',
      kernel: '/var/lib/libvirt/boot/vmlinuz',
      initrd: '/var/lib/libvirt/boot/initrd.gz',
      cmdline: 'console=ttyS0 console=tty1',
    },
    network: { kind: 'none' },
    kvm: false,
    graphics: 'vnc',
    serial: true,
    start: true,
    ...over,
  };
}

describe('New VM', () => {
  it('catches what would fail before anything runs', async () => {
    const plan = (await node.backend.call('planVm', {
      hostId: node.hostId,
      spec: spec({
        name: 'lab-tiny-1',
        memoryMiB: 1024 * 1024,
        network: { kind: 'network', name: 'nope' },
      }),
    })) as { problems: string[] };
    expect(plan.problems).toEqual([
      'node1 already has a VM named lab-tiny-1.',
      expect.stringMatching(/^1048576 MiB of memory is more than node1 has \(\d+ MiB\)\.$/),
      'node1 has no libvirt network named nope.',
    ]);
  });

  it.each(OS_PROFILES.map((os) => [os] as const))(
    '%s: its XML passes libvirt’s schema and define',
    async (os) => {
      const plan = (await node.backend.call('planVm', {
        hostId: node.hostId,
        spec: spec({ name: `int-xml-${os}`, os, start: false, disk: { kind: 'none' } }),
      })) as { steps: { command: string; input?: string }[]; problems: string[] };
      expect(plan.problems).toEqual([]);
      const define = plan.steps.find((s) => s.command.includes(' define '))!;
      expect(define.input).toContain('<listen type="address" address="127.0.0.1"/>');
      const { taskId } = (await node.backend.call('createVm', {
        hostId: node.hostId,
        spec: spec({ name: `int-xml-${os}`, os, start: false, disk: { kind: 'none' } }),
      })) as { taskId: string };
      const task = await taskFinished(node.backend, taskId);
      removeVm(`int-xml-${os}`);
      expect(task.error).toBeUndefined();
    },
  );

  it.runIf(readLab().linuxGuest)(
    'creates the disk, defines and starts the tiny Linux guest, and its console answers',
    async () => {
      const plan = (await node.backend.call('planVm', { hostId: node.hostId, spec: spec() })) as {
        steps: { title: string; command: string }[];
        problems: string[];
      };
      expect(plan.problems).toEqual([]);
      expect(plan.steps.map((s) => s.title)).toEqual([
        'Create the disk int-vm-disk0.qcow2',
        'Define the VM int-vm',
        'Start int-vm',
      ]);
      const { taskId } = (await node.backend.call('createVm', {
        hostId: node.hostId,
        spec: spec(),
      })) as {
        taskId: string;
      };
      const task = await taskFinished(node.backend, taskId, 60_000);
      expect(task.error).toBeUndefined();
      expect(virshOn('node1', ['domstate', 'int-vm']).trim()).toBe('running');
      const xml = virshOn('node1', ['dumpxml', 'int-vm']);
      expect(xml).toMatch(
        /<source pool='lab-images' volume='int-vm-disk0.qcow2'( index='\d+')?\/>/,
      );
      expect(xml).toMatch(/<graphics type='vnc' port='\d+' autoport='yes' listen='127.0.0.1'>/);
      const vm = await waitFor(
        () =>
          node.backend.store.all('vms').find((v) => v.name === 'int-vm' && v.state === 'running'),
        'int-vm running in the inventory',
      );
      expect(vm.disks).toEqual([
        expect.objectContaining({ target: 'vda', bus: 'virtio', source: 'int-vm-disk0.qcow2' }),
      ]);
      expect(vm.textConsoles).toEqual([{ device: 'serial', type: 'pty', target: 'isa-serial' }]);
      await waitFor(
        () => node.pool().volumes.some((v) => v.name === 'int-vm-disk0.qcow2'),
        'the new disk listed in its pool',
      );
      const { consoleId } = (await node.backend.call('openConsole', { vmId: vm.id })) as {
        consoleId: string;
      };
      await node.backend.call('closeConsole', { consoleId });
    },
  );

  it('takes, lists as a tree, reverts and deletes snapshots', async () => {
    // Internal snapshots need a qcow2 disk: a VM of its own, shut off.
    removeVm('int-snapvm');
    const made = (await node.backend.call('createVm', {
      hostId: node.hostId,
      spec: spec({ name: 'int-snapvm', start: false }),
    })) as { taskId: string };
    expect((await taskFinished(node.backend, made.taskId)).error).toBeUndefined();
    const vm = await waitFor(
      () =>
        node.backend.store
          .all('vms')
          .find((v) => v.hostId === node.hostId && v.name === 'int-snapvm'),
      'int-snapvm listed',
    );
    const act = async (snapshot: unknown) => {
      const { taskId } = (await node.backend.call('snapshotAction', { vmId: vm.id, snapshot })) as {
        taskId: string;
      };
      const t = await taskFinished(node.backend, taskId);
      expect(t.error).toBeUndefined();
    };
    const list = async () =>
      ((await node.backend.call('listSnapshots', { vmId: vm.id })) as { snapshots: Snapshot[] })
        .snapshots;
    await act({ op: 'create', name: 'int-snap1', description: 'before the change' });
    await act({ op: 'create', name: 'int-snap2' });
    let snaps = await list();
    expect(snaps.map((s) => [s.name, s.parent, s.current, s.state])).toEqual([
      ['int-snap1', '', false, 'shutoff'],
      ['int-snap2', 'int-snap1', true, 'shutoff'],
    ]);
    expect(snaps[0]!.description).toBe('before the change');
    expect(snaps[0]!.createdAt).toBeGreaterThan(Date.now() / 1000 - 600);
    await act({ op: 'revert', name: 'int-snap1' });
    expect((await list()).find((s) => s.current)?.name).toBe('int-snap1');
    await act({ op: 'delete', name: 'int-snap1' });
    snaps = await list();
    expect(snaps.map((s) => [s.name, s.parent])).toEqual([['int-snap2', '']]);
    await act({ op: 'delete', name: 'int-snap2' });
    expect(await list()).toEqual([]);
    expect(virshOn('node1', ['snapshot-list', 'int-snapvm', '--name']).trim()).toBe('');
    removeVm('int-snapvm');
  });

  it('deletes a VM with the disk the user chose', async () => {
    removeVm('int-del');
    const { taskId } = (await node.backend.call('createVm', {
      hostId: node.hostId,
      spec: spec({ name: 'int-del', start: false }),
    })) as { taskId: string };
    expect((await taskFinished(node.backend, taskId)).error).toBeUndefined();
    const vm = await waitFor(
      () =>
        node.backend.store.all('vms').find((v) => v.hostId === node.hostId && v.name === 'int-del'),
      'int-del listed',
    );
    const del = (await node.backend.call('deleteVm', { vmId: vm.id, disks: ['vda'] })) as {
      taskId: string;
    };
    const task = await taskFinished(node.backend, del.taskId);
    expect(task.error).toBeUndefined();
    expect(task.log.map((r) => r.command)).toContain(
      `virsh -c qemu:///system undefine ${vm.uuid} --nvram --snapshots-metadata --storage vda`,
    );
    expect(virshOn('node1', ['list', '--all', '--name'])).not.toMatch(/int-del/);
    await waitFor(
      () => !node.pool().volumes.some((v) => v.name === 'int-del-disk0.qcow2'),
      'its disk gone from the pool',
    );
    await waitFor(() => !node.backend.store.get('vms', vm.id), 'int-del gone from the inventory');
  });

  it('clones a shut-off VM with copies of its disks, and refuses a running one', async () => {
    const drop = () => {
      removeVm('int-orig');
      removeVm('int-clone');
      try {
        virshOn('node1', ['vol-delete', '--pool', 'lab-images', 'int-clone-vda.qcow2']);
      } catch {
        /* not there */
      }
    };
    drop();
    try {
      const made = (await node.backend.call('createVm', {
        hostId: node.hostId,
        spec: spec({ name: 'int-orig', start: false }),
      })) as { taskId: string };
      expect((await taskFinished(node.backend, made.taskId)).error).toBeUndefined();
      const orig = await waitFor(
        () =>
          node.backend.store
            .all('vms')
            .find((v) => v.hostId === node.hostId && v.name === 'int-orig'),
        'int-orig listed',
      );
      const { taskId } = (await node.backend.call('cloneVm', {
        vmId: orig.id,
        name: 'int-clone',
      })) as {
        taskId: string;
      };
      const task = await taskFinished(node.backend, taskId, 60_000);
      expect(task.error).toBeUndefined();
      expect(task.steps?.map((s) => s.title)).toEqual([
        'node1: Copy the disk vda as int-clone-vda.qcow2',
        'node1: Define the clone int-clone',
      ]);
      const clone = await waitFor(
        () =>
          node.backend.store
            .all('vms')
            .find((v) => v.hostId === node.hostId && v.name === 'int-clone'),
        'int-clone listed',
      );
      expect(clone.uuid).not.toBe(orig.uuid);
      expect(clone.disks).toEqual([
        expect.objectContaining({ target: 'vda', source: 'int-clone-vda.qcow2' }),
      ]);
      expect(virshOn('node1', ['vol-info', '--pool', 'lab-images', 'int-clone-vda.qcow2'])).toMatch(
        /Capacity:\s+64\.00 MiB/,
      );
      await expect(
        node.backend.call('cloneVm', { vmId: vmOf('lab-tiny-1').id, name: 'nope' }),
      ).rejects.toMatchObject({
        code: 'invalid-state',
      });
    } finally {
      drop();
    }
  });

  function vmOf(name: string) {
    return node.backend.store.all('vms').find((v) => v.hostId === node.hostId && v.name === name)!;
  }
});
