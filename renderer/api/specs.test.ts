// The wizards' spec builders make what the contract's schemas accept from a
// filled form, and what they refuse from a wrong one.
import { describe, expect, it } from 'vitest';
import { POOL_TYPES, poolSpecSchema } from '../../shared/storage';
import { vmSpecSchema } from '../../shared/vm';
import { poolSpecDraft, vmSpecDraft, type PoolFields, type VmForm } from './specs';

const pool: PoolFields = {
  name: 'images',
  targetPath: '/var/lib/images',
  format: 'glusterfs',
  host: '192.0.2.5',
  port: '3260',
  sourcePath: '/export/vms',
  target: 'iqn.2003-01.org.example:storage',
  initiator: 'iqn.2003-01.org.example:node1',
  volumeGroup: 'vg0',
  devices: '/dev/sdb, /dev/sdc',
  volume: 'gv0',
  monitors: '192.0.2.10:6789 192.0.2.11',
  cephPool: 'rbd',
  user: 'libvirt',
  key: 'QUJDRA==',
  zpool: 'tank',
};

const vm: VmForm = {
  name: 'web1',
  hostId: 'h1',
  os: 'linux',
  osVariant: '',
  firmware: 'efi',
  secureBoot: true,
  tpm: true,
  kvm: true,
  cpu: 'host-passthrough',
  vcpus: '2',
  memoryMiB: '1024',
  disk: 'new',
  diskPool: 'p1',
  diskSize: '10G',
  diskFormat: 'qcow2',
  diskVolume: '',
  boot: 'kernel',
  isoPool: '',
  isoVolume: '',
  kernel: '/boot/vmlinuz',
  initrd: '',
  cmdline: 'console=ttyS0',
  net: 'bridge',
  netName: '',
  bridge: 'br0',
  graphics: 'vnc',
  serial: true,
  start: false,
  openConsole: false,
};

describe('spec builders', () => {
  it.each(POOL_TYPES)('build a %s pool spec the contract accepts', (type) => {
    const r = poolSpecSchema.safeParse(poolSpecDraft(type, pool));
    expect(r.error?.issues ?? []).toEqual([]);
    expect(r.data?.type).toBe(type);
  });

  it('carry the form as typed, so the schema refuses a wrong field', () => {
    const r = poolSpecSchema.safeParse(poolSpecDraft('dir', { ...pool, targetPath: 'relative' }));
    expect(r.error?.issues[0]?.path).toEqual(['targetPath']);
    const rbd = poolSpecSchema.parse(poolSpecDraft('rbd', pool));
    expect(rbd).toMatchObject({
      monitors: [{ host: '192.0.2.10', port: 6789 }, { host: '192.0.2.11' }],
    });
  });

  it('build a VM spec the contract accepts, and one it refuses', () => {
    const spec = vmSpecSchema.parse(vmSpecDraft(vm, 10 * 2 ** 30));
    expect(spec.disk).toEqual({ kind: 'new', poolId: 'p1', bytes: 10 * 2 ** 30, format: 'qcow2' });
    expect(spec.boot).toEqual({
      kind: 'kernel',
      kernel: '/boot/vmlinuz',
      cmdline: 'console=ttyS0',
    });
    expect(spec.network).toEqual({ kind: 'bridge', name: 'br0' });
    // The profile's devices with the chosen firmware; Secure Boot brings q35 for SMM.
    expect(spec.hardware).toEqual({
      diskBus: 'virtio',
      nic: 'virtio',
      video: 'virtio',
      firmware: 'efi',
      secureBoot: true,
      tpm: true,
      q35: true,
    });
    const bios = vmSpecSchema.parse(vmSpecDraft({ ...vm, firmware: 'bios' }, 10 * 2 ** 30));
    expect(bios.hardware).toMatchObject({ firmware: 'bios', secureBoot: false, q35: false });
    const bad = vmSpecSchema.safeParse(vmSpecDraft({ ...vm, vcpus: '0' }, 0));
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['vcpus', 'disk.bytes']);
  });
});
