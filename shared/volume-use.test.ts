import { describe, expect, it } from 'vitest';
import type { StoragePool, Vm, VmDisk, Volume } from './model';
import { deleteVolumeProblem, isoProblem, usedBy, volumeUsers } from './volume-use';

const pool = { id: 'h:pool:1', hostId: 'h', name: 'images' } as StoragePool;
const vol = (name: string, format: string): Volume => ({
  name,
  path: `/img/${name}`,
  type: 'file',
  format,
  capacity: 1,
  allocation: 1,
});
const vm = (name: string, state: Vm['state'], disks: VmDisk[], hostId = 'h') =>
  ({ id: `${hostId}:vm:${name}`, hostId, name, state, disks }) as Vm;
const disk = (over: Partial<VmDisk>): VmDisk => ({
  target: 'vda',
  device: 'disk',
  bus: 'virtio',
  source: '',
  ...over,
});

describe('volumeUsers', () => {
  const qcow = vol('a.qcow2', 'qcow2');
  const iso = vol('b.iso', 'iso');
  const vms = [
    vm('web', 'running', [disk({ source: '/img/a.qcow2' })]),
    vm('old', 'shutoff', [disk({ source: 'a.qcow2', pool: 'images' })]),
    vm('inst', 'paused', [disk({ source: '/img/b.iso', device: 'cdrom' })]),
    // Same path on another node is another file.
    vm('far', 'running', [disk({ source: '/img/a.qcow2' })], 'other'),
    // A volume of the same name in another pool is not this one.
    vm('else', 'running', [disk({ source: 'a.qcow2', pool: 'elsewhere' })]),
  ];

  it('matches by path or by pool and volume, on the pool’s node only', () => {
    expect(volumeUsers(pool, qcow, vms).map((u) => [u.vm, u.running, u.readonly])).toEqual([
      ['web', true, false],
      ['old', false, false],
    ]);
    expect(volumeUsers(pool, iso, vms).map((u) => [u.vm, u.running, u.readonly])).toEqual([
      ['inst', true, true],
    ]);
  });

  it('counts the backing file under a running VM’s disk as open', () => {
    const top = [vm('snap', 'running', [disk({ source: '/img/top', backing: ['/img/a.qcow2'] })])];
    expect(volumeUsers(pool, qcow, top).map((u) => [u.vm, u.running, u.readonly])).toEqual([
      ['snap', true, true],
    ]);
    expect(deleteVolumeProblem(pool, qcow, top, 'node1')).toContain('in use by snap');
  });

  it('refuses deleting a running VM’s volume, naming it', () => {
    expect(deleteVolumeProblem(pool, qcow, vms, 'node1')).toBe(
      'a.qcow2 in images on node1 is in use by web, which is running: shut it down or detach the disk first.',
    );
    expect(deleteVolumeProblem(pool, vol('c.raw', 'raw'), vms, 'node1')).toBeUndefined();
  });

  it('offers ISO images by format or name, unless another VM writes to them', () => {
    expect(isoProblem(pool, qcow, vms)).toBe(
      'a.qcow2 is not an ISO image (libvirt reports format qcow2).',
    );
    expect(isoProblem(pool, iso, vms)).toBeUndefined();
    expect(isoProblem(pool, vol('c.ISO', 'raw'), vms)).toBeUndefined();
    const written = [vm('w', 'shutoff', [disk({ source: '/img/c.iso', readonly: false })])];
    expect(isoProblem(pool, vol('c.iso', 'raw'), written)).toBe('c.iso is a writable disk of w.');
  });
});

describe('usedBy', () => {
  const qcow = vol('a.qcow2', 'qcow2');
  const kept = (name: string, source: string) => ({
    name,
    disks: [disk({ source })],
  });
  it('names the VMs a snapshot alone keeps it for, with the snapshots', () => {
    const vms = [
      {
        ...vm('web', 'running', [disk({ source: '/img/a.qcow2' })]),
        snapshots: [kept('s0', '/img/a.qcow2')],
      },
      {
        ...vm('db', 'shutoff', [disk({ source: '/img/new.qcow2' })]),
        snapshots: [
          kept('s1', '/img/a.qcow2'),
          kept('s2', '/img/a.qcow2'),
          kept('s3', '/img/new.qcow2'),
        ],
      },
      { ...vm('far', 'shutoff', []), hostId: 'other', snapshots: [kept('s4', '/img/a.qcow2')] },
    ];
    // web holds it as a disk: named once, as before, not with its snapshot.
    expect(usedBy(pool, qcow, vms)).toBe('web (running), db (snapshots s1, s2)');
    expect(usedBy(pool, qcow, [vms[1]!])).toBe('db (snapshots s1, s2)');
    expect(usedBy(pool, vol('new.qcow2', 'qcow2'), vms)).toBe('db');
    expect(usedBy(pool, vol('none.qcow2', 'qcow2'), vms)).toBe('');
    expect(usedBy(pool, qcow, [{ ...vms[1]!, snapshots: [kept('only', '/img/a.qcow2')] }])).toBe(
      'db (snapshot only)',
    );
  });
});
