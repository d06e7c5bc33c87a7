// The VM settings editor against the lab: a reviewed diff that keeps the VNC
// password it never shows, and devices added through it (a new disk, an
// existing volume, network interfaces). Runs over vm-fixtures.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLab, taskFinished, virshOn, waitFor } from '../lab';
import { removeVm, useNode1 } from './vm-fixtures';

describe('VM settings', () => {
  const node = useNode1();

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
        () =>
          node.backend.store
            .all('vms')
            .find((v) => v.hostId === node.hostId && v.name === 'int-set'),
        'int-set listed',
      );
      const settings = {
        vcpus: 2,
        memoryMiB: 256,
        autostart: true,
        bootOrder: ['cdrom', 'hd'],
        removeDisks: [],
        removeNics: [],
        nicModels: [],
        addCdrom: false,
      };
      const plan = (await node.backend.call('planVmSettings', { vmId: vm.id, settings })) as {
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
      const { taskId } = (await node.backend.call('applyVmSettings', {
        vmId: vm.id,
        settings,
      })) as {
        taskId: string;
      };
      expect((await taskFinished(node.backend, taskId)).error).toBeUndefined();
      const info = virshOn('node1', ['dominfo', 'int-set']);
      expect(info).toMatch(/CPU\(s\):\s+2/);
      expect(info).toMatch(/Max memory:\s+262144 KiB/);
      expect(info).toMatch(/Autostart:\s+enable/);
      const xml = virshOn('node1', ['dumpxml', '--security-info', 'int-set']);
      expect(xml).toContain("passwd='a&apos;&quot;&amp;&lt;Zq'");
      expect(xml).toMatch(/<boot dev='cdrom'\/>\s*<boot dev='hd'\/>/);
      await waitFor(
        () => node.backend.store.get('vms', vm.id)?.vcpus === 2,
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
        () =>
          node.backend.store
            .all('vms')
            .find((v) => v.hostId === node.hostId && v.name === 'int-add'),
        'int-add listed',
      );
      await waitFor(
        () => node.pool().volumes.some((v) => v.name === 'int-add-old.img'),
        'int-add-old.img listed',
      );
      const settings = {
        vcpus: 1,
        memoryMiB: 64,
        autostart: false,
        removeDisks: [],
        removeNics: [],
        nicModels: [],
        addCdrom: false,
        addDisks: [
          {
            poolId: node.pool().id,
            volume: 'int-add-disk1.qcow2',
            create: { bytes: 16 * 2 ** 20, format: 'qcow2' },
          },
          { poolId: node.pool().id, volume: 'int-add-old.img' },
        ],
        addNics: [
          { kind: 'network', name: 'default' },
          { kind: 'bridge', name: 'br-nowhere' },
        ],
      };
      const plan = (await node.backend.call('planVmSettings', { vmId: vm.id, settings })) as {
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
        node.backend.call('planVmSettings', {
          vmId: vm.id,
          settings: { ...settings, addNics: [{ kind: 'network', name: 'nope' }] },
        }),
      ).rejects.toThrow('node1 has no libvirt network named nope.');
      const { taskId } = (await node.backend.call('applyVmSettings', {
        vmId: vm.id,
        settings,
      })) as {
        taskId: string;
      };
      expect((await taskFinished(node.backend, taskId)).error).toBeUndefined();
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
});
