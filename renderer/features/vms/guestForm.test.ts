import { describe, expect, it } from 'vitest';
import type { GuestOptions } from '../../../shared/guest-create';
import {
  diskStorages,
  guestErrors,
  initialGuestForm,
  pickOnNode,
  toGuestSpec,
  withKind,
} from './guestForm';

const GiB = 1024 ** 3;
const o: GuestOptions = {
  cluster: 'lab',
  nextId: 104,
  usedIds: [{ vmid: 100, name: 'web01', node: 'pve1' }],
  nodes: [
    {
      name: 'pve1',
      online: false,
      cpus: 0,
      memoryMiB: 0,
      storages: [],
      bridges: [],
      isos: [],
      templates: [],
    },
    {
      name: 'pve2',
      online: true,
      cpus: 8,
      memoryMiB: 32_000,
      storages: [
        {
          id: 'local',
          type: 'dir',
          content: ['iso', 'vztmpl'],
          availBytes: 90 * GiB,
          shared: false,
        },
        { id: 'nfs', type: 'nfs', content: ['images'], availBytes: 10 * GiB, shared: true },
        {
          id: 'local-lvm',
          type: 'lvmthin',
          content: ['images', 'rootdir'],
          availBytes: 50 * GiB,
          shared: false,
        },
      ],
      bridges: ['vmbr0', 'vmbr1'],
      isos: [{ volid: 'local:iso/d.iso', label: 'd.iso', sizeBytes: 1 }],
      templates: [{ volid: 'local:vztmpl/d.tar.zst', label: 'd.tar.zst', sizeBytes: 1 }],
    },
  ],
  osTypes: [{ value: 'l26', label: 'Linux 6.x - 2.6 Kernel' }],
  defaultOsType: 'l26',
  commands: [],
};

describe('the New VM / New Container form from per-node choices', () => {
  it('picks the first online node, the proposed id, its roomiest storage that holds the disk, vmbr0', () => {
    const f = pickOnNode(initialGuestForm('h1'), o);
    expect(f).toMatchObject({
      node: 'pve2',
      vmid: '104',
      ostype: 'l26',
      storage: 'local-lvm',
      bridge: 'vmbr0',
      iso: '',
    });
    expect(diskStorages(o.nodes[1], 'vm').map((s) => s.id)).toEqual(['local-lvm', 'nfs']);
    // A node whose choices could not be read is not picked.
    const unread = { ...o, nodes: [o.nodes[1]!, { ...o.nodes[1]!, name: 'pve3' }] };
    unread.nodes[0] = { ...unread.nodes[0]!, error: 'timed out' };
    expect(pickOnNode(initialGuestForm('h1'), unread).node).toBe('pve3');
    expect(diskStorages(o.nodes[1], 'container').map((s) => s.id)).toEqual(['local-lvm']);
  });

  it('switches to a container with its sizes, a template and a storage for container volumes', () => {
    const vm = pickOnNode({ ...initialGuestForm('h1'), storage: 'nfs' }, o);
    const ct = withKind(vm, 'container', o);
    expect(ct).toMatchObject({
      kind: 'container',
      storage: 'local-lvm',
      template: 'local:vztmpl/d.tar.zst',
      memoryMiB: '512',
      diskGiB: '8',
      cores: '1',
    });
  });

  it('sends a container spec with a static address, the key trimmed, no empty password', () => {
    const f = {
      ...withKind(pickOnNode(initialGuestForm('h1'), o), 'container', o),
      name: ' cache01 ',
      sshKeys: 'ssh-ed25519 AAAA me@desk\n',
      addressing: 'static' as const,
      cidr: '192.0.2.9/24',
    };
    expect(toGuestSpec(f)).toEqual({
      kind: 'container',
      node: 'pve2',
      vmid: 104,
      storage: 'local-lvm',
      diskGiB: 8,
      memoryMiB: 512,
      cores: 1,
      bridge: 'vmbr0',
      start: false,
      hostname: 'cache01',
      template: 'local:vztmpl/d.tar.zst',
      sshKeys: 'ssh-ed25519 AAAA me@desk',
      address: { kind: 'static', cidr: '192.0.2.9/24' },
      unprivileged: true,
    });
    expect(guestErrors(f, o)).toEqual({});
  });

  it('says what is wrong under each field', () => {
    const f = { ...pickOnNode(initialGuestForm('h1'), o), vmid: '100', diskGiB: '0' };
    const errors = guestErrors(f, o);
    expect(errors['vmid']).toBe('Taken by web01 on pve1; 104 is free.');
    expect(errors['name']).toBe('Name the VM.');
    expect(errors['diskGiB']).toBe('At least 1 GiB.');
    const ct = { ...withKind(f, 'container', o), name: 'c1', vmid: '105' };
    expect(guestErrors(ct, o)).toEqual({ password: 'Give root a password or an SSH key.' });
    expect(guestErrors(ct, undefined)['hostId']).toMatch(/Wait/);
  });
});
