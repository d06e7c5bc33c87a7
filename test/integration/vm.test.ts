// New VM against the lab: the plan's checks, the XML libvirt accepts for
// every OS profile, and a guest created, started and reachable on its console.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import type { Snapshot } from '../../shared/model';
import type { VmSpecInput } from '../../shared/vm';
import { OS_PROFILES } from '../../shared/vm';
import { addLabNode, readLab, taskFinished, testBackendOptions, virshOn, waitFor } from '../lab';

let home: string;
let backend: Backend;
let node1: string;

const pool = () =>
  backend.store.all('pools').find((p) => p.hostId === node1 && p.name === 'lab-images')!;

function spec(over: Partial<VmSpecInput> = {}): VmSpecInput {
  return {
    name: 'int-vm',
    os: 'linux',
    vcpus: 1,
    memoryMiB: 128,
    disk: { kind: 'new', poolId: pool().id, bytes: 64 * 2 ** 20, format: 'qcow2' },
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

function removeVm(name: string): void {
  for (const args of [
    ['destroy', name],
    ['undefine', '--nvram', name],
  ]) {
    try {
      virshOn('node1', args);
    } catch {
      /* not running, or not there */
    }
  }
  try {
    virshOn('node1', ['vol-delete', '--pool', 'lab-images', `${name}-disk0.qcow2`]);
  } catch {
    /* no disk */
  }
  virshOn('node1', ['pool-refresh', 'lab-images']);
}

beforeAll(async () => {
  removeVm('int-vm');
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-vm-'));
  backend = await Backend.start(testBackendOptions(home));
  node1 = await addLabNode(backend, 'node1');
  await waitFor(() => pool(), 'lab-images listed');
});

afterAll(() => {
  removeVm('int-vm');
  backend?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('New VM', () => {
  it('catches what would fail before anything runs', async () => {
    const plan = (await backend.call('planVm', {
      hostId: node1,
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
      const plan = (await backend.call('planVm', {
        hostId: node1,
        spec: spec({ name: `int-xml-${os}`, os, start: false, disk: { kind: 'none' } }),
      })) as { steps: { command: string; input?: string }[]; problems: string[] };
      expect(plan.problems).toEqual([]);
      const define = plan.steps.find((s) => s.command.includes(' define '))!;
      expect(define.input).toContain('<listen type="address" address="127.0.0.1"/>');
      const { taskId } = (await backend.call('createVm', {
        hostId: node1,
        spec: spec({ name: `int-xml-${os}`, os, start: false, disk: { kind: 'none' } }),
      })) as { taskId: string };
      const task = await taskFinished(backend, taskId);
      removeVm(`int-xml-${os}`);
      expect(task.error).toBeUndefined();
    },
  );

  it.runIf(readLab().linuxGuest)(
    'creates the disk, defines and starts the tiny Linux guest, and its console answers',
    async () => {
      const plan = (await backend.call('planVm', { hostId: node1, spec: spec() })) as {
        steps: { title: string; command: string }[];
        problems: string[];
      };
      expect(plan.problems).toEqual([]);
      expect(plan.steps.map((s) => s.title)).toEqual([
        'Create the disk int-vm-disk0.qcow2',
        'Define the VM int-vm',
        'Start int-vm',
      ]);
      const { taskId } = (await backend.call('createVm', { hostId: node1, spec: spec() })) as {
        taskId: string;
      };
      const task = await taskFinished(backend, taskId, 60_000);
      expect(task.error).toBeUndefined();
      expect(virshOn('node1', ['domstate', 'int-vm']).trim()).toBe('running');
      const xml = virshOn('node1', ['dumpxml', 'int-vm']);
      expect(xml).toMatch(
        /<source pool='lab-images' volume='int-vm-disk0.qcow2'( index='\d+')?\/>/,
      );
      expect(xml).toMatch(/<graphics type='vnc' port='\d+' autoport='yes' listen='127.0.0.1'>/);
      const vm = await waitFor(
        () => backend.store.all('vms').find((v) => v.name === 'int-vm' && v.state === 'running'),
        'int-vm running in the inventory',
      );
      expect(vm.disks).toEqual([
        expect.objectContaining({ target: 'vda', bus: 'virtio', source: 'int-vm-disk0.qcow2' }),
      ]);
      expect(vm.textConsoles).toEqual([{ device: 'serial', type: 'pty', target: 'isa-serial' }]);
      await waitFor(
        () => pool().volumes.some((v) => v.name === 'int-vm-disk0.qcow2'),
        'the new disk listed in its pool',
      );
      const { consoleId } = (await backend.call('openConsole', { vmId: vm.id })) as {
        consoleId: string;
      };
      await backend.call('closeConsole', { consoleId });
    },
  );

  it('takes, lists as a tree, reverts and deletes snapshots', async () => {
    // Internal snapshots need a qcow2 disk: a VM of its own, shut off.
    removeVm('int-snapvm');
    const made = (await backend.call('createVm', {
      hostId: node1,
      spec: spec({ name: 'int-snapvm', start: false }),
    })) as { taskId: string };
    expect((await taskFinished(backend, made.taskId)).error).toBeUndefined();
    const vm = await waitFor(
      () => backend.store.all('vms').find((v) => v.hostId === node1 && v.name === 'int-snapvm'),
      'int-snapvm listed',
    );
    const act = async (snapshot: unknown) => {
      const { taskId } = (await backend.call('snapshotAction', { vmId: vm.id, snapshot })) as {
        taskId: string;
      };
      const t = await taskFinished(backend, taskId);
      expect(t.error).toBeUndefined();
    };
    const list = async () =>
      ((await backend.call('listSnapshots', { vmId: vm.id })) as { snapshots: Snapshot[] })
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
    const { taskId } = (await backend.call('createVm', {
      hostId: node1,
      spec: spec({ name: 'int-del', start: false }),
    })) as { taskId: string };
    expect((await taskFinished(backend, taskId)).error).toBeUndefined();
    const vm = await waitFor(
      () => backend.store.all('vms').find((v) => v.hostId === node1 && v.name === 'int-del'),
      'int-del listed',
    );
    const del = (await backend.call('deleteVm', { vmId: vm.id, disks: ['vda'] })) as {
      taskId: string;
    };
    const task = await taskFinished(backend, del.taskId);
    expect(task.error).toBeUndefined();
    expect(task.log.map((r) => r.command)).toContain(
      `virsh -c qemu:///system undefine ${vm.uuid} --nvram --snapshots-metadata --storage vda`,
    );
    expect(virshOn('node1', ['list', '--all', '--name'])).not.toMatch(/int-del/);
    await waitFor(
      () => !pool().volumes.some((v) => v.name === 'int-del-disk0.qcow2'),
      'its disk gone from the pool',
    );
    await waitFor(() => !backend.store.get('vms', vm.id), 'int-del gone from the inventory');
  });

  it('edits settings with a reviewed diff, keeping the VNC password it never shows', async () => {
    removeVm('int-set');
    const file = join(readLab().nodes[0]!.dir, 'int-set.xml');
    writeFileSync(
      file,
      `<domain type='qemu'><name>int-set</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
        `<os><type arch='x86_64'>hvm</type><boot dev='hd'/></os><devices>` +
        // a'"&<Zq: every character quoting or escaping could let slip past a mask (VNC allows 8).
        `<graphics type='vnc' port='-1' listen='127.0.0.1' passwd='a&apos;&quot;&amp;&lt;Zq'/></devices></domain>`,
    );
    virshOn('node1', ['define', file]);
    /** The password in any form a serializer could write it. */
    const leaks = (text: string) =>
      [`'"&<`, '&lt;Zq', '<Zq', '&amp;&lt;', '&apos;&quot;'].filter((f) => text.includes(f));
    try {
      const vm = await waitFor(
        () => backend.store.all('vms').find((v) => v.hostId === node1 && v.name === 'int-set'),
        'int-set listed',
      );
      const settings = {
        vcpus: 2,
        memoryMiB: 256,
        autostart: true,
        bootOrder: ['cdrom', 'hd'],
        removeDisks: [],
        removeNics: [],
      };
      const plan = (await backend.call('planVmSettings', { vmId: vm.id, settings })) as {
        diff: string;
        steps: { command: string; input?: string }[];
      };
      expect(plan.diff).toMatch(/^-.*<vcpu placement=["']static["']>1<\/vcpu>$/m);
      expect(plan.diff).toMatch(/^\+.*<vcpu placement=["']static["']>2<\/vcpu>$/m);
      expect(plan.diff).toMatch(/^\+.*<boot dev="cdrom"\/>$/m);
      expect(leaks(plan.diff)).toEqual([]);
      expect(plan.steps.map((s) => s.command)).toEqual([
        'virsh -c qemu:///system define --validate --file /dev/stdin',
        `virsh -c qemu:///system autostart ${vm.uuid}`,
      ]);
      expect(leaks(JSON.stringify(plan.steps))).toEqual([]);
      expect(plan.steps[0]!.input).toContain(`passwd="••••••"`);
      const { taskId } = (await backend.call('applyVmSettings', { vmId: vm.id, settings })) as {
        taskId: string;
      };
      expect((await taskFinished(backend, taskId)).error).toBeUndefined();
      const info = virshOn('node1', ['dominfo', 'int-set']);
      expect(info).toMatch(/CPU\(s\):\s+2/);
      expect(info).toMatch(/Max memory:\s+262144 KiB/);
      expect(info).toMatch(/Autostart:\s+enable/);
      const xml = virshOn('node1', ['dumpxml', '--security-info', 'int-set']);
      expect(xml).toContain("passwd='a&apos;&quot;&amp;&lt;Zq'");
      expect(xml).toMatch(/<boot dev='cdrom'\/>\s*<boot dev='hd'\/>/);
      await waitFor(
        () => backend.store.get('vms', vm.id)?.vcpus === 2,
        'the new vCPU count in the inventory',
      );
    } finally {
      try {
        virshOn('node1', ['autostart', '--disable', 'int-set']);
      } catch {
        /* gone */
      }
      removeVm('int-set');
    }
  });

  it('adds a new disk, an existing volume and network interfaces through the editor', async () => {
    const drop = () => {
      removeVm('int-add');
      for (const v of ['int-add-disk1.qcow2', 'int-add-old.img'])
        try {
          virshOn('node1', ['vol-delete', '--pool', 'lab-images', v]);
        } catch {
          /* not there */
        }
    };
    drop();
    const file = join(readLab().nodes[0]!.dir, 'int-add.xml');
    writeFileSync(
      file,
      `<domain type='qemu'><name>int-add</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
        `<os><type arch='x86_64'>hvm</type></os><devices/></domain>`,
    );
    virshOn('node1', ['define', file]);
    virshOn('node1', ['vol-create-as', 'lab-images', 'int-add-old.img', '1M', '--format', 'raw']);
    virshOn('node1', ['pool-refresh', 'lab-images']);
    try {
      const vm = await waitFor(
        () => backend.store.all('vms').find((v) => v.hostId === node1 && v.name === 'int-add'),
        'int-add listed',
      );
      await waitFor(
        () => pool().volumes.some((v) => v.name === 'int-add-old.img'),
        'int-add-old.img listed',
      );
      const settings = {
        vcpus: 1,
        memoryMiB: 64,
        autostart: false,
        removeDisks: [],
        removeNics: [],
        addDisks: [
          {
            poolId: pool().id,
            volume: 'int-add-disk1.qcow2',
            create: { bytes: 16 * 2 ** 20, format: 'qcow2' },
          },
          { poolId: pool().id, volume: 'int-add-old.img' },
        ],
        addNics: [
          { kind: 'network', name: 'default' },
          { kind: 'bridge', name: 'br-nowhere' },
        ],
      };
      const plan = (await backend.call('planVmSettings', { vmId: vm.id, settings })) as {
        diff: string;
        steps: { title: string }[];
      };
      expect(plan.steps.map((s) => s.title)).toEqual([
        'Create the volume int-add-disk1.qcow2',
        'Refresh the pool',
        'Redefine int-add',
      ]);
      expect(plan.diff).toMatch(/^\+.*<source pool="lab-images" volume="int-add-disk1.qcow2"\/>/m);
      // A network the node lacks is refused before anything runs.
      await expect(
        backend.call('planVmSettings', {
          vmId: vm.id,
          settings: { ...settings, addNics: [{ kind: 'network', name: 'nope' }] },
        }),
      ).rejects.toThrow('node1 has no libvirt network named nope.');
      const { taskId } = (await backend.call('applyVmSettings', { vmId: vm.id, settings })) as {
        taskId: string;
      };
      expect((await taskFinished(backend, taskId)).error).toBeUndefined();
      const disks = virshOn('node1', ['domblklist', 'int-add', '--details']);
      expect(disks).toMatch(/disk\s+vda\s+\S*int-add-disk1\.qcow2/);
      expect(disks).toMatch(/disk\s+vdb\s+\S*int-add-old\.img/);
      const nics = virshOn('node1', ['domiflist', 'int-add']);
      expect(nics).toMatch(/network\s+default\s+virtio/);
      expect(nics).toMatch(/bridge\s+br-nowhere\s+virtio/);
      expect(
        virshOn('node1', ['vol-dumpxml', '--pool', 'lab-images', 'int-add-disk1.qcow2']),
      ).toContain("<format type='qcow2'/>");
    } finally {
      drop();
    }
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
      const made = (await backend.call('createVm', {
        hostId: node1,
        spec: spec({ name: 'int-orig', start: false }),
      })) as { taskId: string };
      expect((await taskFinished(backend, made.taskId)).error).toBeUndefined();
      const orig = await waitFor(
        () => backend.store.all('vms').find((v) => v.hostId === node1 && v.name === 'int-orig'),
        'int-orig listed',
      );
      const { taskId } = (await backend.call('cloneVm', { vmId: orig.id, name: 'int-clone' })) as {
        taskId: string;
      };
      const task = await taskFinished(backend, taskId, 60_000);
      expect(task.error).toBeUndefined();
      expect(task.steps?.map((s) => s.title)).toEqual([
        'node1: Copy the disk vda as int-clone-vda.qcow2',
        'node1: Define the clone int-clone',
      ]);
      const clone = await waitFor(
        () => backend.store.all('vms').find((v) => v.hostId === node1 && v.name === 'int-clone'),
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
        backend.call('cloneVm', { vmId: vmOf('lab-tiny-1').id, name: 'nope' }),
      ).rejects.toMatchObject({
        code: 'invalid-state',
      });
    } finally {
      drop();
    }
  });
});

function vmOf(name: string) {
  return backend.store.all('vms').find((v) => v.hostId === node1 && v.name === name)!;
}
