// Which VMs use a volume: shown as "Used by", a running VM's volume cannot be
// deleted, and New VM offers as install media only ISO images that no other
// VM writes to. A VM of its own (int-user) holds a qcow2 disk, a raw disk
// named like an ISO, and a real ISO image as its CD-ROM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../core/backend';
import { volumeUsers } from '../../shared/volume-use';
import type { VmSpecInput } from '../../shared/vm';
import {
  addLabNode,
  labNode,
  readLab,
  taskFinished,
  testBackendOptions,
  virshOn,
  waitFor,
} from '../lab';

const IMAGES = '/var/lib/libvirt/images';
// Re-reading node1's VMs asks libvirt about every running guest; without KVM
// their QEMUs (TCG) compete with the whole suite for two cores and answer
// slowly: a full CI run once took more than 10 s here.
const TCG_SLACK_MS = 30_000;
let home: string;
let backend: Backend;
let node1: string;

const pool = () =>
  backend.store.all('pools').find((p) => p.hostId === node1 && p.name === 'lab-images')!;
const volume = (name: string) => pool().volumes.find((v) => v.name === name);
const vmOf = (name: string) =>
  backend.store.all('vms').find((v) => v.hostId === node1 && v.name === name);

function quietly(args: string[]): void {
  try {
    virshOn('node1', args);
  } catch {
    /* not there */
  }
}

function cleanUp(): void {
  quietly(['destroy', 'int-user']);
  quietly(['undefine', 'int-user']);
  for (const v of [
    'int-use.qcow2',
    'int-fake.iso',
    'int-media.img',
    'int-later.qcow2',
    'int-top.qcow2',
    'int-base.qcow2',
  ])
    quietly(['vol-delete', '--pool', 'lab-images', v]);
  quietly(['pool-refresh', 'lab-images']);
}

/** Defines int-user (again): its disks, and any more for its next start. */
function defineUser(more = ''): void {
  const xml = join(labNode('node1').dir, 'int-user.xml');
  writeFileSync(
    xml,
    `<domain type='${readLab().kvm ? 'kvm' : 'qemu'}'><name>int-user</name><uuid>6d2a7c1e-0f3b-4c55-9a41-2b8e5d7f9c01</uuid><memory unit='MiB'>32</memory>` +
      `<os><type arch='x86_64'>hvm</type></os><devices>` +
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${IMAGES}/int-use.qcow2'/><target dev='vda' bus='virtio'/></disk>` +
      `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${IMAGES}/int-fake.iso'/><target dev='vdb' bus='virtio'/></disk>` +
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${IMAGES}/int-top.qcow2'/><target dev='vdd' bus='virtio'/></disk>` +
      `<disk type='volume' device='cdrom'><driver name='qemu' type='raw'/><source pool='lab-images' volume='int-media.img'/><target dev='hdc' bus='ide'/><readonly/></disk>` +
      `${more}</devices></domain>`,
  );
  virshOn('node1', ['define', xml]);
}

beforeAll(async () => {
  cleanUp();
  const dir = labNode('node1').dir;
  virshOn('node1', ['vol-create-as', 'lab-images', 'int-use.qcow2', '16M', '--format', 'qcow2']);
  virshOn('node1', ['vol-create-as', 'lab-images', 'int-fake.iso', '1M', '--format', 'raw']);
  // An image on a backing file, as an external snapshot leaves it.
  virshOn('node1', ['vol-create-as', 'lab-images', 'int-base.qcow2', '16M', '--format', 'qcow2']);
  virshOn('node1', [
    'vol-create-as',
    'lab-images',
    'int-top.qcow2',
    '16M',
    '--format',
    'qcow2',
    '--backing-vol',
    'int-base.qcow2',
    '--backing-vol-format',
    'qcow2',
  ]);
  // An ISO 9660 image by content (its primary volume descriptor at 32 KiB),
  // under a name that does not say so: libvirt's probe reports format 'iso'.
  const iso = Buffer.alloc(64 * 1024);
  iso.write('\x01CD001', 32 * 1024, 'latin1');
  writeFileSync(join(dir, 'lib', 'images', 'int-media.img'), iso);
  virshOn('node1', ['pool-refresh', 'lab-images']);
  defineUser();
  virshOn('node1', ['start', 'int-user']);
  home = mkdtempSync(join(tmpdir(), 'clusterdeck-voluse-'));
  backend = await Backend.start(testBackendOptions(home));
  node1 = await addLabNode(backend, 'node1');
  await waitFor(
    () => volume('int-media.img') && vmOf('int-user')?.state === 'running',
    'int-user and its volumes listed',
    TCG_SLACK_MS,
  );
});

afterAll(() => {
  backend?.close();
  if (home) rmSync(home, { recursive: true, force: true });
  cleanUp();
});

describe('volumes in use', () => {
  it('names the VMs that use each volume, from their definitions', async () => {
    const users = (name: string) =>
      volumeUsers(pool(), volume(name)!, backend.store.all('vms')).map((u) => [
        u.vm,
        u.running,
        u.readonly,
      ]);
    expect(volume('int-media.img')!.format).toBe('iso');
    expect(users('int-use.qcow2')).toEqual([['int-user', true, false]]);
    expect(users('int-top.qcow2')).toEqual([['int-user', true, false]]);
    // Open under int-top.qcow2, from the backing chain libvirt reports.
    expect(users('int-base.qcow2')).toEqual([['int-user', true, true]]);
    expect(users('int-fake.iso')).toEqual([['int-user', true, false]]);
    // Named by pool and volume in the definition, not by path.
    expect(users('int-media.img')).toEqual([['int-user', true, true]]);
    // Added for its next start only: named, but not open.
    virshOn('node1', ['vol-create-as', 'lab-images', 'int-later.qcow2', '1M', '--format', 'qcow2']);
    virshOn('node1', ['pool-refresh', 'lab-images']);
    // (as the settings editor does it: a new definition while the VM runs)
    defineUser(
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${IMAGES}/int-later.qcow2'/><target dev='vdc' bus='virtio'/></disk>`,
    );
    await waitFor(
      () => volume('int-later.qcow2') && users('int-later.qcow2').length,
      'int-later used',
      TCG_SLACK_MS,
    );
    expect(users('int-later.qcow2')).toEqual([['int-user', false, false]]);
    if (readLab().linuxGuest)
      expect(users('lab-linux-data.qcow2')).toEqual([
        ['lab-linux', vmOf('lab-linux')!.state !== 'shutoff', false],
      ]);
  });

  it('offers as install media only ISO images no other VM writes to, saying why', async () => {
    const plan = async (boot: VmSpecInput['boot'], disk: VmSpecInput['disk']) =>
      (
        (await backend.call('planVm', {
          hostId: node1,
          spec: {
            name: 'int-never',
            os: 'linux',
            vcpus: 1,
            memoryMiB: 64,
            disk,
            boot,
            network: { kind: 'none' },
            kvm: false,
            graphics: 'vnc',
            serial: false,
            start: false,
          },
        })) as { problems: string[] }
      ).problems;
    const iso = (v: string) => ({ kind: 'iso' as const, poolId: pool().id, volume: v });
    const none = { kind: 'none' as const };
    expect(await plan(iso('int-use.qcow2'), none)).toContainEqual(
      expect.stringContaining('int-use.qcow2 is not an ISO image (libvirt reports format qcow2)'),
    );
    expect(await plan(iso('int-fake.iso'), none)).toContainEqual(
      expect.stringContaining('int-fake.iso is a writable disk of int-user (running)'),
    );
    // Read-only media may be shared.
    expect(await plan(iso('int-media.img'), none)).toEqual([]);
    expect(
      await plan(none, { kind: 'existing', poolId: pool().id, volume: 'int-use.qcow2' }),
    ).toContainEqual(expect.stringContaining('is already a disk of int-user (running)'));
  });

  it('refuses to delete a volume a running VM uses, naming it; deletes it once the VM is off', async () => {
    const del = () =>
      backend.call('volumeAction', {
        poolId: pool().id,
        volume: { op: 'delete', name: 'int-use.qcow2' },
      }) as Promise<{ taskId: string }>;
    await expect(del()).rejects.toThrow(
      'int-use.qcow2 in lab-images on node1 is in use by int-user, which is running',
    );
    expect(virshOn('node1', ['vol-list', 'lab-images'])).toContain('int-use.qcow2');
    await expect(
      backend.call('volumeAction', {
        poolId: pool().id,
        volume: { op: 'delete', name: 'int-base.qcow2' },
      }),
    ).rejects.toThrow('int-base.qcow2 in lab-images on node1 is in use by int-user');

    virshOn('node1', ['destroy', 'int-user']);
    await waitFor(() => vmOf('int-user')?.state === 'shutoff', 'int-user off', TCG_SLACK_MS);
    const task = await taskFinished(backend, (await del()).taskId);
    expect(task.error).toBeUndefined();
    expect(virshOn('node1', ['vol-list', 'lab-images'])).not.toContain('int-use.qcow2');
  });

  it('names the snapshots that keep a volume no definition holds any more', async () => {
    const snapXml = (disk: string) =>
      `<domain type='qemu'><name>int-snap</name><uuid>3f1c9b52-7d2e-4a8b-b6c0-5e9d1a2f4c77</uuid><memory unit='MiB'>32</memory>` +
      `<os><type arch='x86_64'>hvm</type></os><devices>` +
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${IMAGES}/${disk}'/><target dev='vda' bus='virtio'/></disk>` +
      `</devices></domain>`;
    const define = (disk: string) => {
      const xml = join(labNode('node1').dir, 'int-snap.xml');
      writeFileSync(xml, snapXml(disk));
      virshOn('node1', ['define', xml]);
    };
    const drop = () => {
      quietly(['undefine', 'int-snap', '--snapshots-metadata']);
      quietly(['vol-delete', '--pool', 'lab-images', 'int-snap-old.qcow2']);
      quietly(['vol-delete', '--pool', 'lab-images', 'int-snap-new.qcow2']);
      quietly(['pool-refresh', 'lab-images']);
    };
    drop();
    try {
      for (const v of ['int-snap-old.qcow2', 'int-snap-new.qcow2'])
        virshOn('node1', ['vol-create-as', 'lab-images', v, '16M', '--format', 'qcow2']);
      virshOn('node1', ['pool-refresh', 'lab-images']);
      define('int-snap-old.qcow2');
      virshOn('node1', ['snapshot-create-as', '--domain', 'int-snap', '--name', 'before']);
      // Its disk changed since: only the snapshot still names the old one.
      define('int-snap-new.qcow2');
      await waitFor(
        () =>
          volume('int-snap-old.qcow2') && vmOf('int-snap')?.disks[0]?.source.endsWith('new.qcow2'),
        'int-snap on its new disk',
        TCG_SLACK_MS,
      );
      expect(volumeUsers(pool(), volume('int-snap-old.qcow2')!, backend.store.all('vms'))).toEqual(
        [],
      );
      const users = (name: string) =>
        backend.call('volumeSnapshotUsers', { poolId: pool().id, volume: name });
      expect(await users('int-snap-old.qcow2')).toEqual({
        users: [{ vm: 'int-snap', snapshots: ['before'] }],
      });
      // The current disk is the definition's, and no snapshot had it.
      expect(await users('int-snap-new.qcow2')).toEqual({ users: [] });
    } finally {
      drop();
    }
  });
});
